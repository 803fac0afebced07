"""What the content-analysis pages cost when the page cache does not serve them (issue 14, point 4).

A visitor's first request after the figures changed, and every signed-in reader, get the page rendered afresh:
this measures that cost for the all-bodies page, the comparison, the busiest body's page and two downloads,
signed in as a monitor (the shared cache never serves a signed-in reader), beside the trivial view on the same
gunicorn in the same run, and the all-bodies page for a visitor (from the cache) for comparison. In-process it
also times reports.report() for all bodies and for the busiest body (median of BENCH_ANALYSIS_REPEAT), counts the rows
it reads, and times what keeping the summary adds to the worker's refresh of an appeal (write_cost()).

    BENCH_SIZES=10000 .venv/bin/python benchmarks/analysis_miss_bench.py   # a throwaway server, generated data
    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/analysis_miss_bench.py
                                        # a database already filled (migrated first, as run.py does; nothing added)

Lines at concurrency 1, each BENCH_SECONDS (8) or BENCH_REQUESTS (1500) after a warm-up; the trivial view is
measured first and last (the machine's load moves during a run). Writes benchmarks/results/analysis-miss-latest.json
and .md.
"""

import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import analysis_bench
import loader
import run


def monitor_session() -> str:
    return run.session_for(run.bench_monitor())


def in_process() -> dict:
    """reports.report() in this process, and what it reads: the summary's rows (if the tree has one) or the rows."""
    from ashyq.analysis import reports
    from ashyq.analysis.models import AppealAnalysis

    busiest = analysis_bench.busiest_body()
    all_scope, body_scope = reports.scope(None), reports.scope(busiest)
    out = {
        "busiest_body": busiest.slug,
        "range": f"{reports.month_key(all_scope.first)}..{reports.month_key(all_scope.last)}",
        "all_bodies_report_ms": analysis_bench._median_ms(lambda: reports.report(all_scope)),
        "body_report_ms": analysis_bench._median_ms(lambda: reports.report(body_scope)),
        "comparison_ms": analysis_bench._median_ms(lambda: reports.comparison(all_scope)),
        "analysis_rows_in_range": reports.analysis_rows(all_scope).count(),
        "appeals": AppealAnalysis.objects.filter(final=True).count(),
    }
    try:
        from ashyq.analysis.models import MonthlyCount

        out["summary_rows_in_range"] = MonthlyCount.objects.filter(month__gte=all_scope.first, month__lte=all_scope.last).count()
        out["summary_rows"] = MonthlyCount.objects.count()
    except ImportError:
        pass
    return out


def write_cost(n: int = 40) -> dict:
    """What keeping the summary adds to the worker's refresh of an appeal (if the tree has one): summary.apply() for
    an answer's change (the appeal's rows, its handling from pending to answered on the merits: four summary rows
    move), each in a transaction rolled back, beside refresh_appeal() itself (its rows rewritten unchanged, so the
    summary's part is only the difference). Median ms over `n` appeals of the newest month."""
    from django.db import connection, transaction

    from ashyq.analysis import refresh
    from ashyq.analysis.models import AppealAnalysis

    try:
        from ashyq.analysis import summary
    except ImportError:
        summary = None
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT appeal_id FROM {AppealAnalysis._meta.db_table} WHERE final AND handling = 'pending' "
            "ORDER BY month DESC, appeal_id LIMIT %s",
            [n],
        )
        ids = [r[0] for r in cursor.fetchall()]
    timings = {"refresh_appeal_ms": [], "summary_apply_ms": []}
    for appeal_id in ids:
        t = time.perf_counter()
        refresh.refresh_appeal(appeal_id)
        timings["refresh_appeal_ms"].append((time.perf_counter() - t) * 1000)
        if summary is None:
            continue
        old = [summary.row_tuple(r) for r in AppealAnalysis.objects.filter(appeal_id=appeal_id)]
        fields = summary.ROW_FIELDS.index("handling")
        new = [(*r[:fields], "merits", *r[fields + 1 :]) for r in old]
        with transaction.atomic():
            t = time.perf_counter()
            summary.apply(old, new)
            timings["summary_apply_ms"].append((time.perf_counter() - t) * 1000)
            transaction.set_rollback(True)
    return {k: round(statistics.median(v), 2) for k, v in timings.items() if v} | {"appeals": len(ids)}


def http_lines(port, session, busiest) -> list[dict]:
    signed_in = {"Cookie": f"sessionid={session}"}
    lines = [
        ("trivial view (baseline)", "/bench/trivial", {}),
        ("all bodies (visitor: cache)", "/analysis/", {}),
        ("all bodies (signed in: no cache)", "/analysis/", signed_in),
        ("causes.csv, all bodies (no cache)", "/analysis/causes.csv", signed_in),
        ("trend-handling.json, all bodies (no cache)", "/analysis/trend-handling.json", signed_in),
        ("bodies compared (no cache)", "/analysis/compare/", signed_in),
        ("busiest body's page (no cache)", f"/analysis/bodies/{busiest}/", signed_in),
        ("trivial view (baseline, again)", "/bench/trivial", {}),
    ]
    results = []
    for name, path, headers in lines:
        r = loader.run(
            "127.0.0.1",
            port,
            lambda i, p=path, h=headers: ("GET", p, h, None),
            concurrency=1,
            max_requests=run.REQUESTS,
            max_seconds=run.SECONDS,
            expect=(200,),
            warmup=6,
        )
        r["endpoint"] = name
        results.append(r)
        run.log(f"  {name:44s} n={r['requests']:<5d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms errors={r['errors'] or 0}")
    trivial = min(r["p50_ms"] for r in results if r["endpoint"].startswith("trivial"))
    for r in results:
        r["p50_x_trivial"] = round(r["p50_ms"] / trivial, 1) if r["p50_ms"] and trivial else None
    return results


def step(env) -> dict:
    from django.db import connection

    load_before = os.getloadavg()
    sql = in_process()
    sql["write"] = write_cost()
    run.log(f"in-process: {json.dumps(sql)}")
    session = monitor_session()
    connection.close()
    server = run.Gunicorn(env, run.WORKERS)
    server.start()
    try:
        http = http_lines(server.port, session, sql["busiest_body"])
    finally:
        server.stop()
    return {"in_process": sql, "http": http, "load_average": [round(x, 2) for x in load_before] + [round(os.getloadavg()[0], 2)]}


def markdown(report) -> str:
    lines = [f"# Content-analysis pages without the cache ({report['finished']})", ""]
    for s in report["steps"]:
        q = s["in_process"]
        lines += [
            f"## {q['appeals']:,} appeals (load average {s['load_average']})",
            "",
            f"In-process, {q['range']}: all-bodies report {q['all_bodies_report_ms']} ms, busiest body's report "
            f"{q['body_report_ms']} ms, comparison {q['comparison_ms']} ms; analysis rows in the range "
            f"{q['analysis_rows_in_range']:,}"
            + (
                f", summary rows in the range {q['summary_rows_in_range']:,} (of {q['summary_rows']:,})"
                if "summary_rows" in q
                else ""
            )
            + ".",
            "",
            f"Worker, per appeal (median of {q['write']['appeals']}): refresh_appeal {q['write']['refresh_appeal_ms']} ms"
            + (
                f", of which an answer's change to the summary {q['write']['summary_apply_ms']} ms"
                if "summary_apply_ms" in q["write"]
                else ""
            )
            + ".",
            "",
            "| page | p50 ms | p95 ms | p50 × trivial | requests |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in s["http"]:
            lines.append(f"| {r['endpoint']} | {r['p50_ms']} | {r['p95_ms']} | {r['p50_x_trivial']} | {r['requests']} |")
        lines.append("")
    return "\n".join(lines)


def measure(env):
    """run.standalone's step: the sizes asked (BENCH_SIZES, generated on a throwaway server; on BENCH_DATABASE_URL, the
    data there when it has at least as many appeals), then the results written."""
    from django.db import connection

    from ashyq.dialogue.models import Appeal

    report = {"started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "steps": []}
    # Without BENCH_SIZES: the data there, nothing generated (never adds to a shared database by default).
    sizes = run.SIZES if os.environ.get("BENCH_SIZES") else [0]
    for i, size in enumerate(sizes):
        have = Appeal.objects.count()
        connection.close()
        if size > have:
            run.log(f"generating {size - have} appeals (to {size})")
            run.manage(env, "generate_appeals", str(size - have), "--seed", str(run.SEED + i))
        report["steps"].append({"size": max(size, have), **step(env)})
        connection.close()
    report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "analysis-miss-latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (run.RESULTS / "analysis-miss-latest.md").write_text(markdown(report))


if __name__ == "__main__":
    run.standalone(measure, "analysis-miss-latest.md")
