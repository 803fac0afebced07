"""Open Budget benchmark (issue 17): the full import and the aggregates API on the full data set.

- import: `import_budget` of every shipped table (46,377 source rows, about 232,000 facts), wall seconds by stage
  (read, load, publish);
- aggregates: GET /api/v1/budget/aggregates for typical questions (by function, by administrator, by month, by
  economic category, a local budget by function, one administrator by month), each BENCH_BUDGET_REQUESTS times
  in this process through Django's test client (the view, its queries and the JSON; no network), p50 and p95.

Target: p95 < 100 ms. run.py calls step() (results under "budget"); alone:

    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/budget_bench.py

uses run.py's throwaway PostgreSQL when BENCH_DATABASE_URL is not set, and writes
benchmarks/results/budget-latest.json and budget-latest.md.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run

REQUESTS = int(os.environ.get("BENCH_BUDGET_REQUESTS", "200"))
QUERIES = [
    ("republican budget by function", "table=republican_by_function&by=function_group"),
    ("republican budget by administrator", "table=republican_by_administrator&by=administrator"),
    (
        "report: spending by function, executed",
        "table=republican_budget_report&by=function_group&direction=expenditure&phase=executed",
    ),
    ("report: every month, executed", "table=republican_budget_report&by=month&direction=expenditure&phase=executed"),
    ("one administrator by month", "table=republican_by_administrator&by=month&administrator=226"),
    ("state budget by economic category", "table=state_by_economic&by=economic_category"),
    ("Almaty's local budget by function", "table=local_almaty_city&by=function_group&month=2024-12"),
    ("investments by programme", "table=republican_priority_investments&by=programme&month=2024-12"),
]


def percentile(samples, q):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def step(env=None) -> dict:
    from django.core.cache import cache
    from django.test import Client

    from ashyq.bodies.models import Body
    from ashyq.bodies.reference_data import load_reference_data
    from ashyq.budget import services
    from ashyq.budget.models import BudgetImport, Fact

    if not Body.objects.exists():
        load_reference_data()
    BudgetImport.objects.all().delete()  # measure a real load, not "unchanged"
    run.log("budget: importing every table")
    started = time.perf_counter()
    imported = services.import_budget(None)
    seconds = round(time.perf_counter() - started, 1)
    run.log(f"budget: {Fact.objects.count():,} facts in {seconds} s ({imported['timings']})")
    client = Client()
    results = []
    # The baseline: the API's simplest read (20 regions) measured the same way, so a loaded machine shows as such.
    for label, url in [("baseline: GET /api/v1/regions", "/api/v1/regions")] + [
        (label, f"/api/v1/budget/aggregates?{query}") for label, query in QUERIES
    ]:
        assert client.get(url).status_code == 200, url
        samples = []
        for _ in range(REQUESTS):
            cache.clear()  # the rate limit counts in the cache; the bench is one client asking many times
            t = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        results.append(
            {
                "query": label,
                "url": url,
                "p50_ms": round(statistics.median(samples), 1),
                "p95_ms": round(percentile(samples, 0.95), 1),
                "max_ms": round(max(samples), 1),
            }
        )
        run.log(f"budget: {label}: p95 {results[-1]['p95_ms']} ms")
    report = {
        "import": {
            "seconds": seconds,
            "timings": imported["timings"],
            "rows_read": imported["rows_read"],
            "facts": Fact.objects.count(),
        },
        "requests": REQUESTS,
        "aggregates": results,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    save(report)
    return report


def markdown(report: dict) -> str:
    imp = report["import"]
    timings = ", ".join(f"{k} {v} s" for k, v in imp["timings"].items())
    lines = [
        "# Open Budget benchmark",
        "",
        f"Import of every shipped table: {imp['rows_read']:,} source rows, {imp['facts']:,} facts in {imp['seconds']} s ({timings}).",
        "",
        f"Aggregates API, {report['requests']} requests each, in process (target p95 < 100 ms); load average {report['load_average'][0]}:",
        "",
        "| question | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['query']} | {r['p50_ms']} | {r['p95_ms']} | {r['max_ms']} |" for r in report["aggregates"]]
    lines += [
        "",
        "The first row is the API's simplest read, measured the same way: on a loaded machine every figure grows with it.",
    ]
    return "\n".join(lines) + "\n"


def save(report: dict) -> None:
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "budget-latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (run.RESULTS / "budget-latest.md").write_text(markdown(report))


def main():
    run.standalone(step, "budget-latest.md")


if __name__ == "__main__":
    main()
