"""Open data benchmark (issue 6), separate from run.py:

- loading a 1-million-row CSV into the datastore (read, frictionless validation, typed COPY), in rows per
  second, against PostgreSQL's own COPY of the same file into a plain table;
- package_search p95 at 10,000 datasets and datastore_search p95 on the 1-million-row table, each
  against the trivial view measured in the same run.

    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/opendata_bench.py

Without BENCH_DATABASE_URL it starts run.py's throwaway PostgreSQL. Requests go through Django's test
client in-process (full middleware, no network), sequentially. Writes benchmarks/results/opendata-latest.json.
"""
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run  # noqa: E402  (its Postgres server and manage helper)
from assessment_bench import timed  # noqa: E402

ROWS = int(os.environ.get("BENCH_DATASTORE_ROWS", "1000000"))
DATASETS = int(os.environ.get("BENCH_DATASETS", "10000"))
COUNTRIES = ["Russia", "China", "Italy", "Korea", "Netherlands", "France", "Uzbekistan", "Turkey", "Switzerland", "Spain"]


def write_csv(path: Path, n: int) -> None:
    rng = random.Random(run.SEED)
    with path.open("w") as out:
        out.write("id,country,year,hs_code,value_musd,note\n")
        for i in range(n):
            out.write(f"{i},{COUNTRIES[i % 10]},{2000 + i % 25},{rng.randint(100, 9999):04d},{rng.random() * 1000:.2f},row {i}\n")


def main():
    pg, url = None, os.environ.get("BENCH_DATABASE_URL")
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    report = {"rows": ROWS, "datasets": DATASETS}
    try:
        if not url:
            pg = run.Postgres()
            url = pg.start()
        env = dict(os.environ, DATABASE_URL=url, ASHYQ_VAR_DIR=str(var), ASHYQ_ENVIRONMENT="development", ASHYQ_DEBUG="0",
                   DJANGO_SETTINGS_MODULE="ashyq.benchdata.settings", PYTHONPATH=str(run.ROOT / "src"),
                   ASHYQ_OPENDATA_MAX_BYTES=str(2 * 1024 ** 3))
        run.manage(env, "migrate", "--noinput", "-v0")
        run.setup_django(env)
        from django.db import connection
        from django.test import Client

        from ashyq.bodies.models import Body
        from ashyq.bodies.reference_data import load_reference_data
        from ashyq.opendata import services
        from ashyq.opendata.models import Dataset, Resource

        load_reference_data()
        csv_path = var / "big.csv"
        write_csv(csv_path, ROWS)
        data = csv_path.read_bytes()

        # PostgreSQL's own COPY of the same file into a plain table of the same types.
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy")
            cursor.execute("CREATE TABLE bench_copy (id BIGINT, country TEXT, year BIGINT, hs_code TEXT, value_musd DOUBLE PRECISION, note TEXT)")
            t = time.perf_counter()
            with cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            copy_s = time.perf_counter() - t
            cursor.execute("DROP TABLE bench_copy")
        body = Body.objects.get(slug="ministry-of-trade-and-integration")
        dataset = services.save_dataset(None, body, "bench-big", title_en="Benchmark", licence="CC-BY-4.0")
        resource = services.add_resource(None, dataset, "big.csv", Resource.Format.CSV)
        t = time.perf_counter()
        version = services.upload_version(None, resource, data, "big.csv")
        load_s = time.perf_counter() - t
        assert version.valid, version.report[:3]
        report["load"] = {"postgres_copy_s": round(copy_s, 2), "postgres_copy_rows_per_s": round(ROWS / copy_s),
                          "datastore_load_s": round(load_s, 2), "datastore_rows_per_s": round(ROWS / load_s),
                          "ratio": round(copy_s / load_s, 3)}
        run.log(json.dumps(report["load"]))

        have = Dataset.objects.count()
        tags = ["trade", "budget", "health", "transport", "energy", "education", "agriculture", "aid"]
        bodies = list(Body.objects.all()[:50])
        batch = [Dataset(slug=f"bench-{i}", body=bodies[i % len(bodies)], title_en=f"Benchmark dataset {i} about {tags[i % 8]}",
                         description_en=f"Synthetic benchmark dataset number {i}.", licence="CC-BY-4.0", frequency="annual",
                         tags=[tags[i % 8], tags[(i * 3) % 8]]) for i in range(have, DATASETS)]
        created = Dataset.objects.bulk_create(batch, batch_size=2000)
        Resource.objects.bulk_create([Resource(dataset=d, name="data.csv", format="CSV", url="https://example.kz/data.csv")
                                      for d in created], batch_size=2000)
        connection.close()
        client = Client(HTTP_HOST="127.0.0.1")
        trivial = timed(client, "/bench/trivial")
        search = timed(client, "/api/3/action/package_search?q=energy&fq=tags:energy&rows=10&facet.field=[\"organization\",\"tags\",\"res_format\"]")
        plain = timed(client, "/api/3/action/package_search?rows=10")
        ds_first = timed(client, f"/api/3/action/datastore_search?resource_id={resource.pk}&limit=100")
        ds_filter = timed(client, f"/api/3/action/datastore_search?resource_id={resource.pk}&limit=100&filters=%7B%22country%22%3A%22China%22%7D&sort=value_musd%20desc")
        report["requests"] = {"trivial": trivial, "package_search_q_fq_facets": search, "package_search_all": plain,
                              "datastore_search_first_page": ds_first, "datastore_search_filter_sort": ds_filter}
        report["p95_ratio_to_trivial"] = {k: round(v["p95_ms"] / trivial["p95_ms"], 1) for k, v in report["requests"].items() if k != "trivial"}
        run.log(json.dumps(report["p95_ratio_to_trivial"]))
        run.RESULTS.mkdir(parents=True, exist_ok=True)
        (run.RESULTS / "opendata-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
