"""Open data benchmark, part of `make bench` (run.py calls step() after the appeals) and runnable alone:

- loading a CSV of BENCH_DATASTORE_ROWS rows (1,000,000) into the datastore through the service a publisher's
  upload goes through (read, schema inference, validation, typed COPY), against PostgreSQL's own COPY of the same
  file into a plain table of the same column types, interleaved over BENCH_LOAD_ROUNDS rounds;
- package_search at BENCH_DATASETS datasets (10,000) and datastore_search on the loaded table, each through
  gunicorn with benchmarks/loader.py like run.py's lines, as a ratio to the trivial view measured in the same run
  on the same server.

    .venv/bin/python benchmarks/opendata_bench.py          # alone: its own throwaway PostgreSQL
    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/opendata_bench.py

Inside `make bench` its figures go into the run's JSON and latest.md; either way they are also written to
benchmarks/results/opendata-latest.json and .md.
"""

import json
import logging
import os
import random
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import loader
import run  # its Postgres server, gunicorn and helpers

ROWS = int(os.environ.get("BENCH_DATASTORE_ROWS", "1000000"))
DATASETS = int(os.environ.get("BENCH_DATASETS", "10000"))
LOAD_ROUNDS = int(os.environ.get("BENCH_LOAD_ROUNDS", "3"))
COUNTRIES = ["Russia", "China", "Italy", "Korea", "Netherlands", "France", "Uzbekistan", "Turkey", "Switzerland", "Spain"]
TAGS = ["trade", "budget", "health", "transport", "energy", "education", "agriculture", "aid"]
CONCURRENCY = [1, 4]


def write_csv(path: Path, n: int) -> None:
    """id, country, year, an HS code with leading zeros (text), a value, a note: a trade table of the showcase's kind."""
    rng = random.Random(run.SEED)
    with path.open("w") as out:
        out.write("id,country,year,hs_code,value_musd,note\n")
        for i in range(n):
            out.write(f"{i},{COUNTRIES[i % 10]},{2000 + i % 25},{rng.randint(100, 9999):04d},{rng.random() * 1000:.2f},row {i}\n")


class _Marks(logging.Handler):
    """The moment the datastore logs that the load committed and its indexes start (datastore.build_indexes)."""

    def __init__(self):
        super().__init__()
        self.committed = None

    def emit(self, record):
        if "building indexes" in record.getMessage():
            self.committed = time.perf_counter()


def _copy_baseline(data: bytes) -> float:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TABLE bench_copy (id BIGINT, country TEXT, year BIGINT, hs_code TEXT, value_musd DOUBLE PRECISION, note TEXT)"
        )
        started = time.perf_counter()
        with cursor.cursor.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write(data)
    seconds = time.perf_counter() - started  # committed, like the upload
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def measure_load(var: Path) -> tuple[dict, str]:
    """Rounds of (PostgreSQL's COPY, the datastore's load) on the same file; the resource id of the last load."""
    from django.test.utils import override_settings

    from ashyq.bodies.models import Body
    from ashyq.opendata import ingest, services
    from ashyq.opendata.models import Resource

    path = var / "opendata-bench.csv"
    write_csv(path, ROWS)
    data = path.read_bytes()
    body = Body.objects.get(slug="ministry-of-trade-and-integration")
    dataset = services.save_dataset(
        None,
        body,
        "bench-trade-table",
        title_en="Benchmark trade table",
        title_ru="Тестовая таблица торговли",
        licence="CC-BY-4.0",
    )
    resource = services.add_resource(None, dataset, "trade.csv", Resource.Format.CSV)
    ingest.infer_schema(["warm"], [["1"]])  # frictionless imported, as in a server that has taken an upload before
    marks = _Marks()
    logging.getLogger("ashyq.opendata").addHandler(marks)
    rounds = []
    try:
        for n in range(LOAD_ROUNDS):
            copy_s = _copy_baseline(data)
            marks.committed = None
            started = time.perf_counter()
            with override_settings(ASHYQ_OPENDATA_MAX_BYTES=2 * len(data)):
                version = services.upload_version(None, resource, data, "trade.csv")
            indexed_s = time.perf_counter() - started
            assert version.valid and version.row_count == ROWS, version.report[:3]
            committed_s = (marks.committed or time.perf_counter()) - started
            rounds.append(
                {
                    "postgres_copy_s": round(copy_s, 3),
                    "datastore_committed_s": round(committed_s, 3),
                    "datastore_indexed_s": round(indexed_s, 3),
                    "ratio": round(copy_s / committed_s, 3),
                }
            )
            run.log(f"open data load round {n + 1}: {json.dumps(rounds[-1])}")
    finally:
        logging.getLogger("ashyq.opendata").removeHandler(marks)
    copy_s = round(statistics.median(r["postgres_copy_s"] for r in rounds), 3)
    committed_s = round(statistics.median(r["datastore_committed_s"] for r in rounds), 3)
    indexed_s = round(statistics.median(r["datastore_indexed_s"] for r in rounds), 3)
    result = {
        "rows": ROWS,
        "file_mb": round(len(data) / 1e6, 1),
        "rounds": rounds,
        "postgres_copy_s": copy_s,
        "postgres_copy_rows_per_s": round(ROWS / copy_s),
        "datastore_committed_s": committed_s,
        "datastore_rows_per_s": round(ROWS / committed_s),
        "datastore_indexed_s": indexed_s,
        # The goal: at least half of COPY's rows per second, up to the rows validated, loaded and committed.
        "ratio": round(copy_s / committed_s, 3),
        "ratio_with_indexes": round(copy_s / indexed_s, 3),
        "median_of_round_ratios": statistics.median(r["ratio"] for r in rounds),
    }
    path.unlink()
    return result, str(resource.pk)


def make_datasets() -> int:
    from django.db import connection

    from ashyq.bodies.models import Body
    from ashyq.opendata.models import Dataset, Resource

    have = Dataset.objects.count()
    bodies = list(Body.objects.order_by("slug")[:50])
    rng = random.Random(run.SEED)
    batch = []
    for i in range(have, DATASETS):
        tag = TAGS[i % 8]
        batch.append(
            Dataset(
                slug=f"bench-{i}",
                body=bodies[i % len(bodies)],
                title_en=f"Benchmark dataset {i} about {tag}",
                title_ru=f"Набор данных {i}: {rng.choice(['торговля', 'бюджет', 'здравоохранение', 'транспорт'])}",
                title_kk=f"Деректер жиыны {i}: {rng.choice(['сауда', 'бюджет', 'денсаулық', 'көлік'])}",
                description_en=f"Synthetic benchmark dataset number {i}, published by {bodies[i % len(bodies)].slug}.",
                licence="CC-BY-4.0",
                frequency="annual",
                tags=[tag, TAGS[(i * 3) % 8]],
            )
        )
    created = Dataset.objects.bulk_create(batch, batch_size=2000)
    Resource.objects.bulk_create(
        [
            Resource(dataset=d, name="data", format=("CSV", "XLSX", "JSON")[i % 3], url="https://example.kz/data")
            for i, d in enumerate(created)
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE opendata_dataset")
        cursor.execute("ANALYZE opendata_resource")
    return Dataset.objects.count()


def scenarios(resource_id: str, organization: str):
    facets = urllib.parse.quote('["organization","tags","res_format"]')
    ds = f"/api/3/action/datastore_search?resource_id={resource_id}"
    china = urllib.parse.quote('{"country":"China"}')
    two = urllib.parse.quote('{"country":["China","Korea"]}')
    return [
        ("trivial view (baseline)", lambda i: "/bench/trivial"),
        ("package_search all, page 1", lambda i: "/api/3/action/package_search?rows=10"),
        (
            "package_search q + tag + facets",
            lambda i: f"/api/3/action/package_search?q={TAGS[i % 8]}&fq=tags:{TAGS[i % 8]}&rows=10&facet.field={facets}",
        ),
        (
            "package_search q (kk/ru words)",
            lambda i: (
                "/api/3/action/package_search?q="
                + urllib.parse.quote(["сауда", "торговля", "көлік", "бюджет"][i % 4])
                + "&rows=10"
            ),
        ),
        (
            "package_search organization + format, page 4",
            lambda i: f"/api/3/action/package_search?fq=organization:{organization}%20res_format:CSV&rows=10&start=30",
        ),
        ("datastore_search first page", lambda i: f"{ds}&limit=100"),
        ("datastore_search offset (random page)", lambda i: f"{ds}&limit=100&offset={(i * 7919) % (ROWS - 100)}"),
        ("datastore_search filter + sort", lambda i: f"{ds}&limit=100&filters={china}&sort=value_musd%20desc"),
        (
            "datastore_search filter + sort + offset 5000",
            lambda i: f"{ds}&limit=100&offset=5000&filters={china}&sort=year%20asc,value_musd%20desc",
        ),
        ("datastore_search 2 values, total estimated", lambda i: f"{ds}&limit=100&filters={two}&sort=id%20desc"),
        ("datastore_search filter, exact total", lambda i: f"{ds}&limit=10&filters={china}&total_estimation_threshold=null"),
        ("datastore_search id lookup", lambda i: f"{ds}&filters=" + urllib.parse.quote(json.dumps({"id": (i * 7919) % ROWS}))),
        # Full-text q over every column (CKAN's q): a country that matches a tenth of the rows, and a note that matches one.
        ("datastore_search q, common word", lambda i: f"{ds}&limit=100&q={COUNTRIES[i % 10]}"),
        ("datastore_search q, rare value", lambda i: f"{ds}&limit=100&q=" + urllib.parse.quote(f"row {(i * 7919) % ROWS}")),
        # q as an object {field: text}: the country's own cell (a tenth of the rows), and a year (every 25th row).
        (
            "datastore_search q {field: text}",
            lambda i: f"{ds}&limit=100&q=" + urllib.parse.quote(json.dumps({"country": COUNTRIES[i % 10][:4]})),
        ),
        ("datastore_search q, a year", lambda i: f"{ds}&limit=100&q={2000 + i % 25}"),
    ]


def measure_requests(env, resource_id: str) -> list[dict]:
    from ashyq.bodies.models import Body

    organization = Body.objects.order_by("slug")[0].slug
    gunicorn = run.Gunicorn(env, run.WORKERS)
    gunicorn.start()
    results = []
    try:
        for name, path in scenarios(resource_id, organization):
            for c in CONCURRENCY:
                r = loader.run(
                    "127.0.0.1",
                    gunicorn.port,
                    lambda i, path=path: ("GET", path(i), {}, None),
                    concurrency=c,
                    max_requests=run.REQUESTS,
                    max_seconds=run.SECONDS,
                    warmup=max(10, 2 * run.WORKERS),
                )
                r["endpoint"] = name
                results.append(r)
                run.log(
                    f"  {name:46s} c={c:<3d} n={r['requests']:<5d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms "
                    f"{r['rps']} req/s errors={r['errors'] or 0}"
                )
    finally:
        gunicorn.stop()
    base = {r["concurrency"]: r for r in results if r["endpoint"].startswith("trivial")}
    for r in results:
        b = base[r["concurrency"]]
        r["p95_x_trivial"] = round(r["p95_ms"] / b["p95_ms"], 1) if r["p95_ms"] and b["p95_ms"] else None
        r["p50_x_trivial"] = round(r["p50_ms"] / b["p50_ms"], 1) if r["p50_ms"] and b["p50_ms"] else None
    return results


def step(env) -> dict:
    """The whole open-data benchmark in a process whose Django is set up on the bench database (run.setup_django)."""
    from ashyq.bodies.models import Body
    from ashyq.bodies.reference_data import load_reference_data

    if not Body.objects.exists():
        load_reference_data()
    var = Path(env["ASHYQ_VAR_DIR"])
    run.log(f"open data: loading {ROWS:,} rows, {LOAD_ROUNDS} rounds against COPY")
    load, resource_id = measure_load(var)
    run.log(f"open data load: ratio {load['ratio']} (committed), {load['ratio_with_indexes']} with indexes")
    datasets = make_datasets()
    run.log(f"open data: {datasets:,} datasets; measuring through gunicorn")
    from django.db import connection

    connection.close()
    load_before = os.getloadavg()
    requests = measure_requests(env, resource_id)
    report = {
        "load": load,
        "datasets": datasets,
        "rows": ROWS,
        "requests": requests,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    save(report)
    return report


def save(report: dict) -> None:
    """benchmarks/results/opendata-latest.json and .md: the latest open-data figures, however they were run."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        db_version = cursor.fetchone()[0].split(" on ")[0]
    m = run.machine(db_version)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "opendata-latest.json").write_text(json.dumps({"machine": m, **report}, indent=2, ensure_ascii=False) + "\n")
    text = (
        f"# Open data benchmark\n\nMachine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory; {m['postgresql']}; "
        f"Python {m['python']}, Django {m['django']}.\n\n" + markdown(report).split("\n", 2)[2]
    )
    (run.RESULTS / "opendata-latest.md").write_text(text)


def markdown(report: dict) -> str:
    load = report["load"]
    intro = (
        f"**Datastore load**: a CSV of {load['rows']:,} rows ({load['file_mb']} MB: id, country, year, HS code, value, "
        "note) uploaded through the publishing service (schema inferred from a sample, COPY into the typed table with "
        "PostgreSQL checking every cell, the scan of the bytes beside it), against PostgreSQL's own `COPY` of the same "
        f"file into a plain table of the same types; median of {len(load['rounds'])} interleaved rounds."
    )
    rounds = "; ".join(
        f"COPY {r['postgres_copy_s']} s, load {r['datastore_committed_s']} s (indexed {r['datastore_indexed_s']} s), "
        f"ratio {r['ratio']}"
        for r in load["rounds"]
    )
    requests = (
        f"**Requests** at {report['datasets']:,} datasets and the {report['rows']:,}-row table, through gunicorn "
        f"({run.WORKERS} sync workers) as above; **p95 × trivial** is the p95 latency divided by the trivial view's "
        f"p95 at the same concurrency (load average {report['load_average_before'][0]} → "
        f"{report['load_average_after'][0]})."
    )
    indexed_rate = round(load["rows"] / load["datastore_indexed_s"])
    lines = [
        "## Open data",
        "",
        intro,
        "",
        "| | seconds | rows/s | share of COPY's rows/s |",
        "|---|---:|---:|---:|",
        f"| PostgreSQL `COPY` | {load['postgres_copy_s']} | {load['postgres_copy_rows_per_s']:,} | 1 |",
        (
            f"| datastore load, validated and committed | {load['datastore_committed_s']} | {load['datastore_rows_per_s']:,} | "
            f"**{load['ratio']}** |"
        ),
        (
            f"| ... and its indexes built (after the commit) | {load['datastore_indexed_s']} | {indexed_rate:,} | "
            f"{load['ratio_with_indexes']} |"
        ),
        "",
        f"Rounds: {rounds}.",
        "",
        requests,
        "",
        "| request | conc. | p50 | p95 | p99 | req/s | p95 × trivial | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["requests"]:
        errors = ", ".join(f"{k}: {v}" for k, v in (r["errors"] or {}).items())
        lines.append(
            f"| {r['endpoint']} | {r['concurrency']} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['rps']} | "
            f"{r['p95_x_trivial']} | {errors} |"
        )
    return "\n".join(lines) + "\n"


def main():
    run.standalone(step, "opendata-latest.md")


if __name__ == "__main__":
    main()
