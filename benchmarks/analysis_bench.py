"""Content analysis benchmark (issue 5): the reports' SQL time in-process, the report pages over HTTP
against the trivial view, and what classifying a new appeal costs its submission.

For the data there already (generate_appeals fills AppealAnalysis with the appeals), at each size:

- SQL: reports.report() for the busiest body and for all bodies, and reports.comparison(), over the
  default twelve months and over every month with appeals; median of BENCH_ANALYSIS_REPEAT runs, in this
  process (queries and the shaping of their groups; no template);
- HTTP: /analysis/bodies/<busiest>/, /analysis/, /analysis/compare/ and one table's CSV, sequentially
  (concurrency 1) against /bench/trivial on the same gunicorn;
- submission: POST /api/v1/appeals p50 with ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT on and off, each on its own
  gunicorn, with trained cause and sector models in the database (from the starter corpus, else from the
  generated appeals and their drawn labels).

run.py calls step() at each size (results under "analysis" in its JSON). Alone:

    BENCH_SIZES=10000,100000 .venv/bin/python benchmarks/analysis_bench.py

uses run.py's throwaway PostgreSQL (or BENCH_DATABASE_URL) and writes benchmarks/results/analysis-latest.json
and analysis-latest.md.
"""

import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import loader
import run

REPEAT = int(os.environ.get("BENCH_ANALYSIS_REPEAT", "5"))
SECONDS = float(os.environ.get("BENCH_ANALYSIS_SECONDS", "8"))
REQUESTS = int(os.environ.get("BENCH_ANALYSIS_REQUESTS", "300"))
SUBMISSIONS = int(os.environ.get("BENCH_ANALYSIS_SUBMISSIONS", "150"))
SUBMIT_SECONDS = float(os.environ.get("BENCH_ANALYSIS_SUBMIT_SECONDS", "60"))
TRAINING_SAMPLE = 4000


def ensure_models() -> dict:
    """Active cause and sector models: trained from the starter corpus if the tree has one, else from a sample
    of the generated appeals' texts and their drawn labels. Kept across sizes (trained once)."""
    from ashyq.analysis import classifier, services
    from ashyq.analysis.models import AppealAnalysis, ClassifierModel, Task

    out = {}
    for task in (Task.CAUSE, Task.SECTOR):
        existing = ClassifierModel.objects.filter(task=task, active=True).first()
        if existing:
            out[task.value] = {"model": existing.pk, "samples": existing.samples, "trained_on": existing.trained_on}
            continue
        texts, labels, source = [], [], ""
        try:
            from ashyq.analysis import starter

            texts, labels = starter.training_rows(task)
            source = "the starter corpus"
        except ImportError:
            pass
        if len(set(labels)) < 2:
            column = "cause" if task == Task.CAUSE else "sector"
            rows = (
                AppealAnalysis.objects.filter(final=True)
                .exclude(**{column: ""})
                .order_by("appeal_id")
                .values_list("appeal__subject", "appeal__text", column)[:TRAINING_SAMPLE]
            )
            texts, labels = [f"{s}\n{t}" for s, t, _ in rows], [label for _, _, label in rows]
            source = "generated benchmark appeals"
        started = time.perf_counter()
        model = services.save_model(task, classifier.train(texts, labels), trained_on=source, labels=labels)
        out[task.value] = {
            "model": model.pk,
            "samples": len(labels),
            "trained_on": source,
            "train_seconds": round(time.perf_counter() - started, 1),
        }
    return out


def _median_ms(function, repeat=REPEAT) -> float:
    function()  # warm: plans and caches, as a page served a second time
    samples = []
    for _ in range(repeat):
        t = time.perf_counter()
        function()
        samples.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(samples), 1)


def sql_times(busiest) -> dict:
    from django.db.models import Max, Min

    from ashyq.analysis import reports
    from ashyq.analysis.models import AppealAnalysis

    span = AppealAnalysis.objects.aggregate(first=Min("month"), last=Max("month"))
    first = span["first"].strftime("%Y-%m")
    last = span["last"].strftime("%Y-%m")
    out = {"months_with_appeals": f"{first}..{last}"}
    for label, args in (("12 months", ()), ("all months", (first, last))):
        body_scope = reports.scope(busiest, *args)
        all_scope = reports.scope(None, *args)
        out[label] = {
            "body_report_ms": _median_ms(lambda s=body_scope: reports.report(s)),
            "all_bodies_report_ms": _median_ms(lambda s=all_scope: reports.report(s)),
            "comparison_ms": _median_ms(lambda s=all_scope: reports.comparison(s)),
            "body_rows": reports.analysis_rows(body_scope).count(),
            "all_rows": reports.analysis_rows(all_scope).count(),
        }
    return out


def _get(path):
    return lambda i: ("GET", path, {}, None)


def http_lines(port, busiest_slug) -> list[dict]:
    lines = [
        ("trivial view (baseline)", "/bench/trivial"),
        ("analysis: body report", f"/analysis/bodies/{busiest_slug}/"),
        ("analysis: all bodies", "/analysis/"),
        ("analysis: bodies compared", "/analysis/compare/"),
        ("analysis: causes.csv of the body", f"/analysis/bodies/{busiest_slug}/causes.csv"),
    ]
    results = []
    for name, path in lines:
        r = loader.run(
            "127.0.0.1", port, _get(path), concurrency=1, max_requests=REQUESTS, max_seconds=SECONDS, expect=(200,), warmup=3
        )
        r["endpoint"] = name
        results.append(r)
        run.log(f"  {name:34s} n={r['requests']:<4d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms errors={r['errors'] or 0}")
    base = results[0]
    for r in results:
        r["p50_x_trivial"] = round(r["p50_ms"] / base["p50_ms"], 1) if r["p50_ms"] and base["p50_ms"] else None
        r["p95_x_trivial"] = round(r["p95_ms"] / base["p95_ms"], 1) if r["p95_ms"] and base["p95_ms"] else None
    return results


def submission_cost(env, fx) -> dict:
    """Submission p50 (and p95) with classification on and off, each on a fresh gunicorn, trivial view alongside."""
    submit = next(make for name, make, _, _ in run.scenarios(fx) if name.startswith("API POST"))
    out = {}
    for label, flag in (("classify_on", "1"), ("classify_off", "0")):
        server = run.Gunicorn(dict(env, ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT=flag), run.WORKERS)
        server.start()
        try:
            trivial = loader.run(
                "127.0.0.1",
                server.port,
                _get("/bench/trivial"),
                concurrency=1,
                max_requests=REQUESTS,
                max_seconds=SECONDS,
                warmup=3,
            )
            # Warm-up long enough for every worker to load the models (once per process, ~1-3 s each), so the
            # figure is the steady cost of a submission, not the first one after a start.
            r = loader.run(
                "127.0.0.1",
                server.port,
                submit,
                concurrency=1,
                max_requests=SUBMISSIONS,
                max_seconds=SUBMIT_SECONDS,
                expect=(201,),
                warmup=6 * run.WORKERS,
            )
        finally:
            server.stop()
        out[label] = {
            "p50_ms": r["p50_ms"],
            "p95_ms": r["p95_ms"],
            "requests": r["requests"],
            "errors": r["errors"],
            "trivial_p50_ms": trivial["p50_ms"],
            "p50_x_trivial": round(r["p50_ms"] / trivial["p50_ms"], 1) if r["p50_ms"] and trivial["p50_ms"] else None,
        }
        run.log(f"  submission {label}: p50={r['p50_ms']}ms p95={r['p95_ms']}ms n={r['requests']} errors={r['errors'] or 0}")
    out["classify_in_process"] = classify_in_process()
    run.log(f"  classify_appeal in-process: {out['classify_in_process']}")
    on, off = out["classify_on"]["p50_ms"], out["classify_off"]["p50_ms"]
    out["classification_p50_ms"] = round(on - off, 1) if on and off else None
    out["on_over_off"] = round(on / off, 2) if on and off else None
    return out


def classify_in_process(n: int = 30) -> dict:
    """services.classify_appeal() alone (both models, the labels written, the appeal's rows refreshed), on the
    newest appeals (the ones the submissions just made), models already loaded: median ms."""
    from django.db import connection

    from ashyq.analysis import services
    from ashyq.dialogue.models import Appeal

    ids = list(Appeal.objects.order_by("-id").values_list("id", flat=True)[: n + 1])
    services.classify_appeal(ids[-1])  # loads the models
    samples = []
    for appeal_id in ids[:-1]:
        t = time.perf_counter()
        services.classify_appeal(appeal_id)
        samples.append((time.perf_counter() - t) * 1000)
    connection.close()
    return {"median_ms": round(statistics.median(samples), 1), "appeals": len(samples)}


def busiest_body():
    from django.db.models import Count

    from ashyq.analysis.models import AppealAnalysis
    from ashyq.bodies.models import Body

    top = AppealAnalysis.objects.values("body").annotate(n=Count("id")).order_by("-n").first()
    return Body.objects.get(pk=top["body"])


def step(env, fx) -> dict:
    """Everything measured at one size; the caller has Django set up on the bench database."""
    from django.db import connection

    models = ensure_models()
    body = busiest_body()
    run.log(f"analysis: busiest body {body.slug}; models {models}")
    sql = sql_times(body)
    run.log(f"analysis SQL: {json.dumps(sql)}")
    connection.close()
    server = run.Gunicorn(env, run.WORKERS)
    server.start()
    try:
        http = http_lines(server.port, body.slug)
    finally:
        server.stop()
    submission = submission_cost(env, fx)
    return {"body": body.slug, "models": models, "sql": sql, "http": http, "submission": submission}


def markdown(report) -> str:
    lines = [
        f"# Analysis benchmark ({report['finished']})",
        "",
        (
            "SQL: median ms of reports.report() / reports.comparison() in-process. HTTP: p50/p95 ms at concurrency 1, "
            "and p50 as a multiple of the trivial view's on the same gunicorn. Submission: POST /api/v1/appeals p50 with "
            "classification at submission on and off."
        ),
        "",
        "| size | range | rows (body / all) | body report | all bodies | comparison |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for s in report["steps"]:
        for label in ("12 months", "all months"):
            q = s["analysis"]["sql"][label]
            lines.append(
                f"| {s['size']:,} | {label} | {q['body_rows']:,} / {q['all_rows']:,} | {q['body_report_ms']} ms | "
                f"{q['all_bodies_report_ms']} ms | {q['comparison_ms']} ms |"
            )
    lines += ["", "| size | page | p50 | p95 | p50 × trivial |", "|---:|---|---:|---:|---:|"]
    for s in report["steps"]:
        for r in s["analysis"]["http"]:
            lines.append(f"| {s['size']:,} | {r['endpoint']} | {r['p50_ms']} | {r['p95_ms']} | {r['p50_x_trivial']} |")
    lines += [
        "",
        "| size | submission p50 classify on | off | on ÷ off | difference | classify_appeal in-process |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in report["steps"]:
        c = s["analysis"]["submission"]
        lines.append(
            f"| {s['size']:,} | {c['classify_on']['p50_ms']} ms (n={c['classify_on']['requests']}) | "
            f"{c['classify_off']['p50_ms']} ms (n={c['classify_off']['requests']}) | {c['on_over_off']} | "
            f"{c['classification_p50_ms']} ms | {c.get('classify_in_process', {}).get('median_ms')} ms |"
        )
    return "\n".join(lines) + "\n"


def main():
    pg, url = None, os.environ.get("BENCH_DATABASE_URL")
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    started = dt.datetime.now(dt.UTC)
    report = {"started": started.isoformat(timespec="seconds"), "sizes": run.SIZES, "steps": []}
    try:
        if not url:
            pg = run.Postgres()
            url = pg.start()
        env = run.database_env(url, var, ASHYQ_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        run.manage(env, "migrate", "--noinput", "-v0")
        run.setup_django(env)
        from django.db import connection

        from ashyq.dialogue.models import Appeal

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            report["postgresql"] = cursor.fetchone()[0].split(" on ")[0]
        for i, size in enumerate(run.SIZES):
            have = Appeal.objects.count()
            connection.close()
            generated = {}
            if size > have:
                run.log(f"generating {size - have} appeals (to {size})")
                t = time.monotonic()
                run.manage(env, "generate_appeals", str(size - have), "--seed", str(run.SEED + i))
                generated = {"added": size - have, "seconds": round(time.monotonic() - t, 1)}
            fx = run.fixtures()
            load_before = os.getloadavg()
            analysis = step(env, fx)
            report["steps"].append(
                {
                    "size": size,
                    "generated": generated,
                    "analysis": analysis,
                    "load_average": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
                }
            )
            connection.close()
        report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run.RESULTS.mkdir(parents=True, exist_ok=True)
        (run.RESULTS / "analysis-latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (run.RESULTS / "analysis-latest.md").write_text(markdown(report))
        print(markdown(report))
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
