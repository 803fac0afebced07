"""Submissions and the fixed cost of a signed-in request, on an already generated database (docs/benchmarks.md,
"Submission and the fixed cost of a signed-in request").

The lines of `make bench` that a signed-in person or an API client pays for, alone and repeatable in a few minutes:
the trivial view (the baseline, at every concurrency used), the API's GET of one's own appeal, the appeal page as a
monitor, and submissions through the API at concurrency 1, 4 and 16, against gunicorn as benchmarks/run.py starts
it (same settings, same caps lifted, emails built but not sent, no worker running). Beside each line's latency it
records the CPU the gunicorn workers and their database connections spent per request (from /proc), so a
submission's cost splits into application and database, and the load average of the machine.

With BENCH_PROFILE=1 it first runs each line in-process through Django's test client and the full middleware:
queries per request (what they are, for the submission), CPU per request, and the functions that took the most
time (cProfile, in CPU time) into the results file.

    BENCH_DATABASE_URL=postgres://... .venv/bin/python benchmarks/signed_in_bench.py

Without BENCH_DATABASE_URL it starts a throwaway PostgreSQL and generates BENCH_SIZE appeals (default 10 000), the
small end of the growth comparison. BENCH_SECONDS / BENCH_REQUESTS / BENCH_WORKERS as in run.py. Results:
benchmarks/results/signed-in-<timestamp>.json and signed-in-latest.md.
"""

import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loader  # noqa: E402
import run  # noqa: E402

APP_NAME = "ashyq-bench-web"  # the gunicorn workers' database connections, to find their server processes
LINES = {
    "trivial view (baseline)": [1, 4, 16],
    "API GET /appeals/{id}": [1, 4],
    "appeal page (monitor)": [1],
    "API POST /appeals (submit)": [1, 4, 16],
}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
            continue
    return out


def backends() -> list[int]:
    """The database server processes serving the gunicorn workers (their connections carry APP_NAME)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
        pids = [r[0] for r in cursor.fetchall()]
    connection.close()
    return pids


def cpu_snapshot(gunicorn_pid: int) -> dict:
    return {
        "app": {pid: cpu_seconds(pid) for pid in children(gunicorn_pid)},
        "db": {pid: cpu_seconds(pid) for pid in backends()},
    }


def cpu_spent(before: dict, after: dict) -> dict:
    """Seconds of CPU between two snapshots; a process new in `after` counts from zero."""
    return {side: round(sum(t - before[side].get(pid, 0.0) for pid, t in after[side].items()), 3) for side in ("app", "db")}


def scenarios(fx):
    return [(name, make, LINES[name], expect) for name, make, _c, expect in run.scenarios(fx) if name in LINES]


def measure(fx, gunicorn):
    results = []
    for name, make, concurrencies, expect in scenarios(fx):
        for c in concurrencies:
            before = cpu_snapshot(gunicorn.proc.pid)
            load = os.getloadavg()[0]
            loader_cpu = time.process_time()  # this process's threads: the load generator's own CPU
            r = loader.run(
                "127.0.0.1",
                gunicorn.port,
                make,
                concurrency=c,
                max_requests=run.REQUESTS,
                max_seconds=run.SECONDS,
                expect=expect,
                warmup=max(10, 2 * run.WORKERS),
            )
            loader_cpu = time.process_time() - loader_cpu
            spent = cpu_spent(before, cpu_snapshot(gunicorn.proc.pid))
            n = r["requests"] + sum(r["errors"].values()) + max(10, 2 * run.WORKERS)  # the warm-up's requests too
            r.update(
                endpoint=name,
                load_generator="python",
                load_average=round(load, 2),
                app_cpu_ms=round(1000 * spent["app"] / n, 1),
                db_cpu_ms=round(1000 * spent["db"] / n, 1),
                loader_cpu_ms=round(1000 * loader_cpu / n, 2),
            )
            results.append(r)
            run.log(
                f"  {name:28s} c={c:<3d} n={r['requests']:<5d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms {r['rps']} req/s "
                f"cpu/req app {r['app_cpu_ms']} ms db {r['db_cpu_ms']} ms loader {r['loader_cpu_ms']} ms load {r['load_average']} "
                f"errors={r['errors'] or 0}"
            )
    base = {r["concurrency"]: r for r in results if r["endpoint"].startswith("trivial")}
    for r in results:
        b = base[r["concurrency"]]
        r["p50_x_trivial"] = round(r["p50_ms"] / b["p50_ms"], 1) if r["p50_ms"] and b["p50_ms"] else None
        r["rps_vs_trivial"] = round(r["rps"] / b["rps"], 3) if r["rps"] and b["rps"] else None
    return results


# The lines measured again with wrk (a load generator in C), at this concurrency, when it is installed.
WRK_LINES = {"trivial view (baseline)": 16, "API POST /appeals (submit)": 16}
WRK_THREADS = 2
WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK-RESULT %d %d %d %d %d %d %d %d %d\\n", summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(95), summary.errors.status, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout))
end
"""


def _lua_requests(requests) -> str:
    """The requests as a Lua script for wrk: each thread sends them in turn from its own offset. Bodies are JSON
    in ASCII (non-ASCII as \\u escapes), written as Lua long strings, so nothing needs escaping."""

    def text(value: str) -> str:
        assert "]==]" not in value and value.isascii()
        return f"[==[{value}]==]"

    rows = []
    for method, path, headers, body in requests:
        fields = ", ".join(f"[ {text(k)} ] = {text(v)}" for k, v in headers.items())  # "[ [==[": not "[[", a long string
        rows.append(f"  {{{text(method)}, {text(path)}, {{{fields}}}, {text((body or b'').decode()) if body else 'nil'}}},")
    return "\n".join(
        [
            "local requests = {",
            *rows,
            "}",
            "local threads, n = 0, 0",
            "setup = function(thread) thread:set('offset', threads * 7919); threads = threads + 1 end",
            "request = function()",
            "  n = n + 1",
            "  local r = requests[(n + (offset or 0)) % #requests + 1]",
            "  return wrk.format(r[1], r[2], r[3], r[4])",
            "end",
            WRK_DONE,
        ]
    )


def measure_with_wrk(fx, gunicorn) -> list[dict]:
    """WRK_LINES again with wrk instead of the Python load generator, which shares the machine's cores with the
    server: wrk spends less CPU per request, so more of the cores serve. Skipped, and said so, without wrk."""
    wrk = shutil.which("wrk")
    if not wrk:
        run.log("  wrk is not installed (Debian: apt-get install wrk): the lines measured with wrk are skipped")
        return []
    results = []
    for name, make, _c, _expect in scenarios(fx):
        if name not in WRK_LINES:
            continue
        c = WRK_LINES[name]
        script = Path(tempfile.mkstemp(prefix="ashyq-wrk-", suffix=".lua")[1])
        script.write_text(_lua_requests([make(i) for i in range(2 * run.REQUESTS)]))
        try:
            before = cpu_snapshot(gunicorn.proc.pid)
            load = os.getloadavg()[0]
            children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [
                    wrk,
                    f"-t{WRK_THREADS}",
                    f"-c{c}",
                    f"-d{max(1, round(run.SECONDS))}s",
                    "-s",
                    str(script),
                    f"http://127.0.0.1:{gunicorn.port}",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            spent = cpu_spent(before, cpu_snapshot(gunicorn.proc.pid))
        finally:
            script.unlink()
        line = next(x for x in done.stdout.splitlines() if x.startswith("WRK-RESULT"))
        requests, duration_us, p50_us, p95_us, status, *socket_errors = (int(x) for x in line.split()[1:])
        errors = {
            k: v
            for k, v in zip(("status>=400", "connect", "read", "write", "timeout"), (status, *socket_errors), strict=True)
            if v
        }
        wrk_cpu = (after.ru_utime + after.ru_stime) - (children_cpu.ru_utime + children_cpu.ru_stime)
        r = {
            "endpoint": name,
            "load_generator": "wrk",
            "concurrency": c,
            "requests": requests - status,
            "errors": errors,
            "p50_ms": round(p50_us / 1000, 2),
            "p95_ms": round(p95_us / 1000, 2),
            "rps": round(requests / (duration_us / 1e6), 1),
            "load_average": round(load, 2),
            "app_cpu_ms": round(1000 * spent["app"] / requests, 1),
            "db_cpu_ms": round(1000 * spent["db"] / requests, 1),
            "loader_cpu_ms": round(1000 * wrk_cpu / requests, 2),
        }
        results.append(r)
        run.log(
            f"  wrk {name:24s} c={c:<3d} n={requests:<5d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms {r['rps']} req/s "
            f"cpu/req app {r['app_cpu_ms']} ms db {r['db_cpu_ms']} ms wrk {r['loader_cpu_ms']} ms load {r['load_average']} "
            f"errors={errors or 0}"
        )
    base = next((r for r in results if r["endpoint"].startswith("trivial")), None)
    for r in results:
        r["p50_x_trivial"] = round(r["p50_ms"] / base["p50_ms"], 1) if base and base["p50_ms"] else None
        r["rps_vs_trivial"] = round(r["rps"] / base["rps"], 3) if base and base["rps"] else None
    return results


def profile(fx, rounds: int = 30) -> list[dict]:
    """Each line in-process (Django's test client, the full middleware): queries, CPU and the costliest functions."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    out = []
    for name, make, _c, expect in scenarios(fx):
        client = Client()

        def call(i, make=make, client=client, expect=expect, name=name):
            method, path, headers, body = make(i)
            extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items() if k.lower() != "content-type"}
            if "Cookie" in headers:
                client.cookies.load(headers["Cookie"])
                extra.pop("HTTP_COOKIE")
            if method == "POST":
                response = client.post(path, body, content_type=headers["Content-Type"], **extra)
            else:
                path, _, query = path.partition("?")
                response = client.get(path, urllib.parse.parse_qs(query), **extra)
            assert response.status_code in expect, (name, response.status_code, response.content[:300])

        for i in range(5):
            call(i)
        with CaptureQueriesContext(connection) as captured:
            call(5)
        queries = list(captured.captured_queries)  # read now: the next request clears the connection's log
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(rounds):
            call(10 + i)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        # CPU time, not wall time: on a shared machine the waits for a core would drown the application's own cost.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        for i in range(rounds):
            call(100 + i)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(45)
        entry = {
            "endpoint": name,
            "queries": len(queries),
            "sql": [q["sql"][:160] for q in queries],
            "wall_ms": round(1000 * wall / rounds, 1),
            "cpu_ms": round(1000 * cpu / rounds, 1),
            "profile": _relative_paths(text.getvalue()),
        }
        run.log(f"  in-process {name:28s} {entry['queries']} queries, {entry['wall_ms']} ms, {entry['cpu_ms']} ms CPU")
        out.append(entry)
    connection.close()
    return out


def _relative_paths(text: str) -> str:
    """File names in a profile relative to the project, the installed packages or the standard library, not to this
    machine."""
    paths = sysconfig.get_paths()
    for prefix, short in (
        (paths["purelib"] + "/", "site-packages/"),
        (paths["stdlib"] + "/", "stdlib/"),
        (str(run.ROOT) + "/", ""),
    ):
        text = text.replace(prefix, short)
    return text


def markdown(report) -> str:
    lines = [
        f"# Signed-in requests and submissions ({report['finished']})",
        "",
        f"{report['counts']['total']:,} appeals; gunicorn {run.WORKERS} sync workers; {run.SECONDS:g} s or "
        f"{run.REQUESTS} requests per line. CPU per request: the gunicorn workers' and their database connections', and "
        "the load generator's (the Python one runs in the benchmark's process; wrk, when installed, in its own).",
        "",
        "| line | load generator | conc. | p50 ms | p95 ms | req/s | p50 × trivial | req/s ÷ trivial | app CPU ms | db CPU ms "
        "| load generator CPU ms | load | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in report["results"] + report.get("results_wrk", []):
        errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items())
        lines.append(
            f"| {r['endpoint']} | {r['load_generator']} | {r['concurrency']} | {r['p50_ms']} | {r['p95_ms']} | {r['rps']} | "
            f"{r['p50_x_trivial']} | {r['rps_vs_trivial']} | {r['app_cpu_ms']} | {r['db_cpu_ms']} | {r['loader_cpu_ms']} | "
            f"{r['load_average']} | {errors} |"
        )
    if report.get("in_process"):
        lines += ["", "In-process (test client): queries, wall and CPU per request.", ""]
        lines += ["| line | queries | wall ms | CPU ms |", "|---|---:|---:|---:|"]
        lines += [f"| {p['endpoint']} | {p['queries']} | {p['wall_ms']} | {p['cpu_ms']} |" for p in report["in_process"]]
    return "\n".join(lines) + "\n"


def main():
    started = dt.datetime.now(dt.UTC)
    url = os.environ.get("BENCH_DATABASE_URL")
    pg, gunicorn = None, None
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    try:
        if not url:
            pg = run.Postgres()
            url = pg.start()
        separator = "&" if "?" in url else "?"
        env = run.measuring_env(f"{url}{separator}application_name={APP_NAME}", var)
        run.manage(env, "migrate", "--noinput", "-v0")
        if pg:
            run.manage(env, "generate_appeals", os.environ.get("BENCH_SIZE", "10000"), "--seed", str(run.SEED))
            run.manage(env, "recompute_scores")
        # This process's own queries (fixtures, the profile) are not the gunicorn workers'.
        run.setup_django(dict(env, DATABASE_URL=url))
        fx = run.fixtures()
        report = {
            "started": started.isoformat(timespec="seconds"),
            "counts": fx["counts"],
            "database": "given" if not pg else "throwaway",
        }
        if os.environ.get("BENCH_PROFILE") == "1":
            report["in_process"] = profile(fx)
        gunicorn = run.Gunicorn(env, run.WORKERS)
        gunicorn.start()
        run.log(f"gunicorn on 127.0.0.1:{gunicorn.port}; {fx['counts']}")
        report["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
        report["results"] = measure(fx, gunicorn)
        report["results_wrk"] = measure_with_wrk(fx, gunicorn)
        report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        run.RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        (run.RESULTS / f"signed-in-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (run.RESULTS / "signed-in-latest.md").write_text(markdown(report))
        run.log(f"wrote benchmarks/results/signed-in-{stamp}.json")
        print(markdown(report))
    finally:
        if gunicorn:
            gunicorn.stop()
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
