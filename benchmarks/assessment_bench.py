"""Assessment benchmark (issue 4), separate from run.py: full recomputation time of `recompute_scores` and the
latency of the scorecard and ranking pages, each page as a ratio to the trivial view measured in the same run.

    BENCH_SIZES=100000,1000000 .venv/bin/python benchmarks/assessment_bench.py

Uses run.py's throwaway PostgreSQL (or BENCH_DATABASE_URL) and `generate_appeals`; pages are requested
in-process with Django's test client (full middleware and templates, no network), sequentially.
Writes benchmarks/results/assessment-latest.json.
"""

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run  # noqa: E402  (its Postgres server and manage helper)

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "100000,1000000").split(",") if s.strip()]
REQUESTS = int(os.environ.get("BENCH_ASSESSMENT_REQUESTS", "200"))


def timed(client, path, n=REQUESTS):
    client.get(path)  # warm
    samples = []
    for _ in range(n):
        t = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 2)}


def main():
    pg, url = None, os.environ.get("BENCH_DATABASE_URL")
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    report = {"steps": []}
    try:
        if not url:
            pg = run.Postgres()
            url = pg.start()
        env = run.database_env(url, var)
        run.manage(env, "migrate", "--noinput", "-v0")
        run.setup_django(env)
        from django.db import connection
        from django.test import Client

        from ashyq.assessment import selectors
        from ashyq.dialogue.models import Appeal

        for i, size in enumerate(SIZES):
            have = Appeal.objects.count()
            connection.close()
            catch_up = None
            if size > have:
                run.log(f"generating {size - have} appeals")
                run.manage(env, "generate_appeals", str(size - have), "--seed", str(run.SEED + i))
                # The generator writes rows, not the figures nor the appeals' kept parts: the first recomputation
                # finds them all different and rebuilds the parts (batched), as after any bulk load. Timed apart:
                # the figure to compare with the goal is the nightly audit's, with the worker caught up.
                t = time.perf_counter()
                out = run.manage(env, "recompute_scores", capture=True).stdout.strip()
                catch_up = {"seconds": round(time.perf_counter() - t, 2), "output": out}
                run.log(f"size {size}: first recompute_scores after the load {catch_up['seconds']} s: {out}")
            t = time.perf_counter()
            out = run.manage(env, "recompute_scores", capture=True).stdout.strip()
            recompute_s = round(time.perf_counter() - t, 2)
            run.log(f"size {size}: recompute_scores {recompute_s} s (process, incl. start-up): {out}")
            client = Client(HTTP_HOST="127.0.0.1")
            period = selectors.default_period()
            ranking = selectors.ranking(period)
            body = max(ranking, key=lambda r: r["received"])["body"]
            trivial = timed(client, "/bench/trivial")
            card = timed(client, f"/assessment/bodies/{body}/?period={period}")
            rank = timed(client, f"/assessment/?period={period}")
            step = {
                "size": size,
                "recompute_scores_s": recompute_s,
                "load_average": round(os.getloadavg()[0], 2),
                "after_load": catch_up,
                "command_output": out,
                "period": period,
                "body": body,
                "trivial": trivial,
                "scorecard": card,
                "ranking": rank,
                "scorecard_p95_ratio": round(card["p95_ms"] / trivial["p95_ms"], 1),
                "ranking_p95_ratio": round(rank["p95_ms"] / trivial["p95_ms"], 1),
            }
            run.log(json.dumps(step))
            report["steps"].append(step)
            connection.close()
        run.RESULTS.mkdir(parents=True, exist_ok=True)
        (run.RESULTS / "assessment-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
