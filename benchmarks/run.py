"""Ashyq benchmarks (`make bench`): how the cost of the main pages and API calls grows with the data.

For each size (10k, 100k, 1M appeals by default) the runner fills a PostgreSQL database with
`manage.py generate_appeals`, starts gunicorn on 127.0.0.1 against it and measures each endpoint
with a closed-loop load generator (benchmarks/loader.py): p50/p95/p99 latency and throughput,
each also as a ratio to a trivial Django view measured in the same run on the same server.

Environment:
  BENCH_SIZES=10000,100000,1000000   total appeals at each step (data is added, never rebuilt)
  BENCH_DATABASE_URL=postgres://...  use this (empty, migratable) database instead of a throwaway server
  BENCH_WORKERS=3                    gunicorn sync workers (docs/operations.md runs 3)
  BENCH_SECONDS=8 BENCH_REQUESTS=1500  bound of each measurement (whichever comes first)
  BENCH_SEED=2026                    seed of the generated data
  BENCH_KEEP=1                       leave the throwaway server's directory (for EXPLAIN afterwards)
  BENCH_BUDGET=0                     skip the budget part (benchmarks/budget_bench.py: full import, aggregates API)
  BENCH_OPENDATA=0                   skip the open-data part (benchmarks/opendata_bench.py: 1M-row load, 10k datasets)
  BENCH_ANALYSIS=0                   skip the content-analysis part (benchmarks/analysis_bench.py: models, reports)
  BENCH_DRAIN_EVENTS=10000           the worker's backlog: events whose background work the workers then drain (0: skip;
                                     benchmarks/drain_bench.py)
  BENCH_DRAIN_WORKERS=1              worker processes draining it

Results: benchmarks/results/<timestamp>.json and benchmarks/results/latest.md.
"""

import datetime as dt
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PY = sys.executable
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]

import analysis_bench  # noqa: E402
import drain_bench  # noqa: E402
import loader  # noqa: E402

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000,1000000").split(",") if s.strip()]
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1500"))
SEED = int(os.environ.get("BENCH_SEED", "2026"))
READ_CONCURRENCY = [1, 4]
SUBMIT_CONCURRENCY = [1, 4, 16]
DRAIN_EVENTS = int(os.environ.get("BENCH_DRAIN_EVENTS", "10000"))
DRAIN_WORKERS = int(os.environ.get("BENCH_DRAIN_WORKERS", "1"))


def log(message):
    print(f"[bench {time.strftime('%H:%M:%SZ', time.gmtime())}] {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# A throwaway PostgreSQL server, as .ci/run starts one.


class Postgres:
    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
        if not bins:
            sys.exit("No PostgreSQL server under /usr/lib/postgresql/*/bin; install postgresql or set BENCH_DATABASE_URL.")
        self.bin = bins[-1].parent
        self.tmp = Path(tempfile.mkdtemp(prefix="ashyq-bench-pg."))
        self.data = self.tmp / "data"
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.port = free_port()
        self.password = secrets.token_hex(16)

    def _run(self, *args, **kw):
        return subprocess.run([*self.as_pg, *args], check=True, capture_output=True, text=True, **kw)

    def start(self):
        if self.as_pg:
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
            shutil.chown(self.tmp, "postgres")
        self.tmp.chmod(0o700)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        # Throwaway: durability off. Memory sized like a small production server (not the whole machine).
        options = (
            f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=60 -c shared_buffers=1GB -c work_mem=16MB "
            "-c maintenance_work_mem=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min "
            "-c effective_cache_size=4GB -c random_page_cost=1.1"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.tmp / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            options,
        )
        self.psql(f"CREATE ROLE ashyq LOGIN CREATEDB PASSWORD '{self.password}'")
        self.psql("CREATE DATABASE ashyq OWNER ashyq")
        return f"postgres://ashyq:{self.password}@127.0.0.1:{self.port}/ashyq"

    def psql(self, sql, db="postgres"):
        return self._run(
            str(self.bin / "psql"),
            "-h",
            str(self.tmp),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            db,
            "-v",
            "ON_ERROR_STOP=1",
            "-qAt",
            "-c",
            sql,
        ).stdout.strip()

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [*self.as_pg, str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], capture_output=True
            )
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------


def manage(env, *args, capture=False):
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT, capture_output=capture, text=True)


def standalone(step, summary: str):
    """Run one benchmark module's step() alone: on BENCH_DATABASE_URL or a throwaway PostgreSQL, then print its
    summary file from RESULTS (used by budget_bench.py and opendata_bench.py when run by themselves)."""
    pg, url = None, os.environ.get("BENCH_DATABASE_URL")
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    try:
        if not url:
            pg = Postgres()
            url = pg.start()
        env = database_env(url, var)
        manage(env, "migrate", "--noinput", "-v0")
        setup_django(env)
        step(env)
        print((RESULTS / summary).read_text())
    finally:
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


def setup_django(env):
    os.environ.update(env)
    import django

    django.setup()


def session_for(user) -> str:
    """A signed-in session of `user`, made directly (the loader sends its key as the session cookie)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def bench_monitor():
    """The monitor the benchmarks read as (made once, kept in the database)."""
    from ashyq.accounts.models import Role, User

    monitor, _ = User.objects.get_or_create(
        username="bench-monitor",
        defaults={"email": "bench-monitor@bench.ashyq.example", "role": Role.MONITOR, "password": "!bench"},
    )
    return monitor


def busiest_official():
    """A generated official of the body with the most open appeals (the longest inbox), and that body's
    {"body_id", "n": its open appeals}."""
    from django.db.models import Count

    from ashyq.accounts.models import Role, User
    from ashyq.dialogue.models import OPEN_STATUSES, Appeal

    busiest = Appeal.objects.filter(status__in=OPEN_STATUSES).values("body_id").annotate(n=Count("id")).order_by("-n").first()
    official = User.objects.filter(role=Role.OFFICIAL, body_id=busiest["body_id"], username__startswith="bench-").first()
    return official, busiest


def fixtures():
    """Who the loader acts as, and which appeals it asks for. Sessions and tokens are made directly."""
    from django.db import connection
    from django.db.models import Count, Q
    from django.urls import Resolver404, resolve

    from ashyq.accounts.models import ApiToken, User
    from ashyq.bodies.models import Body
    from ashyq.core.models import Region
    from ashyq.dialogue.models import OPEN_STATUSES, Appeal

    monitor = bench_monitor()
    official, busiest = busiest_official()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM dialogue_appeal TABLESAMPLE SYSTEM (5) ORDER BY random() LIMIT 500")
        sample_ids = [r[0] for r in cursor.fetchall()]
        if len(sample_ids) < 50:
            cursor.execute("SELECT id FROM dialogue_appeal ORDER BY random() LIMIT 500")
            sample_ids = [r[0] for r in cursor.fetchall()]
    # API clients: applicants reading their own appeals and submitting new ones, each with a token.
    applicant_ids = list(Appeal.objects.filter(pk__in=sample_ids).values_list("applicant_id", flat=True).distinct()[:200])
    own = {}
    for appeal_id, applicant_id in Appeal.objects.filter(applicant_id__in=applicant_ids).values_list("pk", "applicant_id")[:5000]:
        own.setdefault(applicant_id, []).append(appeal_id)
    clients = []
    for user in User.objects.filter(pk__in=applicant_ids):
        clients.append({"token": ApiToken.issue(user)[1], "appeals": own.get(user.pk, [])})
    public_url = "/appeals/public/"
    try:
        resolve(public_url)
    except Resolver404:
        public_url = None
    counts = Appeal.objects.aggregate(
        total=Count("id"),
        public=Count("id", filter=Q(is_public=True, published_at__isnull=False)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
    )
    return {
        "monitor_session": session_for(monitor),
        "official_session": session_for(official),
        "official_body": Body.objects.get(pk=busiest["body_id"]).slug,
        "official_body_open": busiest["n"],
        "sample_ids": sample_ids,
        "clients": clients,
        "public_url": public_url,
        "body_slugs": list(Body.objects.filter(accepts_appeals=True).values_list("slug", flat=True)),
        "region_codes": list(Region.objects.values_list("iso_code", flat=True)),
        "counts": counts,
    }


def scenarios(fx):
    from ashyq.benchdata import vocabulary

    rng = random.Random(SEED)
    monitor = {"Cookie": f"sessionid={fx['monitor_session']}"}
    official = {"Cookie": f"sessionid={fx['official_session']}"}
    ids, clients = fx["sample_ids"], [c for c in fx["clients"] if c["appeals"]]

    def get(path, headers=None):
        return ("GET", path, headers or {}, None)

    def api_get(i):
        client = clients[i % len(clients)]
        appeal = client["appeals"][(i // len(clients)) % len(client["appeals"])]
        return get(f"/api/v1/appeals/{appeal}", {"Authorization": f"Bearer {client['token']}"})

    def submit(i):
        client = fx["clients"][i % len(fx["clients"])]
        payload = {
            "body": rng.choice(fx["body_slugs"]),
            "type": rng.choice(["application", "complaint", "request"]),
            "subject": rng.choice(vocabulary.SUBJECTS),
            "text": " ".join(rng.sample(vocabulary.SENTENCES, 3)) + vocabulary.SYNTHETIC_MARK,
            "region": rng.choice(fx["region_codes"]),
        }
        return (
            "POST",
            "/api/v1/appeals",
            {"Authorization": f"Bearer {client['token']}", "Content-Type": "application/json"},
            json.dumps(payload).encode(),
        )

    out = [("trivial view (baseline)", lambda i: get("/bench/trivial"), READ_CONCURRENCY, (200,))]
    if fx["public_url"]:
        url = fx["public_url"]
        out.append(("public appeals list", lambda i: get(url), READ_CONCURRENCY, (200,)))
        out.append(
            (
                "public search ?q=",
                lambda i: get(f"{url}?q={urllib.parse.quote(vocabulary.SEARCH_TERMS[i % len(vocabulary.SEARCH_TERMS)])}"),
                READ_CONCURRENCY,
                (200,),
            )
        )
    busiest = fx["official_body"]
    out += [
        # The other public lists: a body's page (its published answers and recent appeals), Open311's
        # request list (last 90 days by default), and the body's assessment scorecard (precomputed figures).
        ("public body page", lambda i: get(f"/bodies/{busiest}/"), READ_CONCURRENCY, (200,)),
        ("Open311 requests.json", lambda i: get("/open311/v2/requests.json"), READ_CONCURRENCY, (200,)),
        ("assessment scorecard", lambda i: get(f"/assessment/bodies/{busiest}/"), READ_CONCURRENCY, (200,)),
        # The public pages above are served to visitors who are not signed in from the page cache (core/pagecache.py);
        # the rankings page is the most read of the figures' pages.
        ("assessment rankings", lambda i: get("/assessment/"), READ_CONCURRENCY, (200,)),
    ]
    # The same pages for a signed-in reader, whom the shared cache never serves: what a miss costs (a visitor's
    # first request after an event renewed the page's scope pays it too).
    if fx["public_url"]:
        out.append(
            (
                "public search ?q= (signed in: no cache)",
                lambda i: get(
                    f"{url}?q={urllib.parse.quote(vocabulary.SEARCH_TERMS[i % len(vocabulary.SEARCH_TERMS)])}", monitor
                ),
                READ_CONCURRENCY,
                (200,),
            )
        )
    out += [
        ("all-bodies analysis page", lambda i: get("/analysis/"), READ_CONCURRENCY, (200,)),
        ("all-bodies analysis page (signed in: no cache)", lambda i: get("/analysis/", monitor), READ_CONCURRENCY, (200,)),
    ]
    out += [
        ("appeal page (monitor)", lambda i: get(f"/appeals/{ids[i % len(ids)]}/", monitor), READ_CONCURRENCY, (200,)),
        ("official's inbox", lambda i: get("/appeals/inbox/", official), READ_CONCURRENCY, (200,)),
        # With answered and withdrawn appeals: every appeal the body ever held, soonest due first.
        ("official's inbox ?closed=1", lambda i: get("/appeals/inbox/?closed=1", official), READ_CONCURRENCY, (200,)),
        ("API GET /appeals/{id}", api_get, READ_CONCURRENCY, (200,)),
        # No worker runs during the lines: a submission only writes the appeal, its event and its tasks; the
        # worker's share of the cost is measured by the drain below.
        ("API POST /appeals (submit)", submit, SUBMIT_CONCURRENCY, (201,)),
    ]
    return out


class Gunicorn:
    def __init__(self, env, workers):
        self.port = free_port()
        self.env = dict(env, DJANGO_SETTINGS_MODULE="ashyq.benchdata.settings")
        self.cmd = [
            str(Path(PY).parent / "gunicorn"),
            "--chdir",
            str(ROOT / "src"),
            "ashyq.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.cmd, env=self.env, cwd=ROOT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                result = loader.run(
                    "127.0.0.1",
                    self.port,
                    lambda i: ("GET", "/bench/trivial", {}, None),
                    concurrency=1,
                    max_requests=1,
                    max_seconds=5,
                )
                if result["requests"] == 1:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def measure(fx, port):
    results = []
    for name, make, concurrencies, expect in scenarios(fx):
        for c in concurrencies:
            r = loader.run(
                "127.0.0.1",
                port,
                make,
                concurrency=c,
                max_requests=REQUESTS,
                max_seconds=SECONDS,
                expect=expect,
                warmup=max(10, 2 * WORKERS),
            )
            r["endpoint"] = name
            results.append(r)
            log(
                f"  {name:30s} c={c:<3d} n={r['requests']:<5d} p50={r['p50_ms']}ms p95={r['p95_ms']}ms "
                f"p99={r['p99_ms']}ms {r['rps']} req/s errors={r['errors'] or 0}"
            )
    base = {r["concurrency"]: r for r in results if r["endpoint"].startswith("trivial")}
    for r in results:
        b = base.get(r["concurrency"]) or base[max(base)]
        r["p50_x_trivial"] = round(r["p50_ms"] / b["p50_ms"], 1) if r["p50_ms"] and b["p50_ms"] else None
        r["p99_x_trivial"] = round(r["p99_ms"] / b["p99_ms"], 1) if r["p99_ms"] and b["p99_ms"] else None
        r["rps_vs_trivial"] = round(r["rps"] / b["rps"], 3) if r["rps"] and b["rps"] else None
    return results


def machine(db_version):
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    model = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), platform.processor()
    )
    import django

    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(mem / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": db_version,
        "gunicorn_workers": WORKERS,
        "worker_class": "sync",
    }


def markdown(report):
    m = report["machine"]
    lines = [
        f"# Benchmark results ({report['finished']})",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB memory; {m['postgresql']}; "
        f"Python {m['python']}, Django {m['django']}; gunicorn {m['gunicorn_workers']} sync workers on 127.0.0.1; "
        f"load generator on the same machine (closed loop, {SECONDS:g} s or {REQUESTS} requests per line).",
        "",
        "Latency in milliseconds; **× trivial** is the p50 latency divided by the trivial view's p50 at the same concurrency, "
        "**req/s ÷ trivial** the throughput as a share of the trivial view's. Same server, same run.",
        "",
    ]
    lines.append("| size | generate | data | load average (1 min) while measuring |")
    lines.append("|---:|---:|---|---|")
    for step in report["steps"]:
        g = step["generated"]
        lines.append(
            f"| {step['size']:,} | {g.get('seconds', '—')} s for {g.get('added', 0):,} | {step['counts']['public']:,} published, "
            f"{step['counts']['open']:,} open; inbox of `{step['official_body']}`: {step['official_body_open']:,} open | "
            f"{step['load_average_before'][0]} → {step['load_average_after'][0]} |"
        )
    lines += [
        "",
        "| endpoint | conc. | size | p50 | p95 | p99 | req/s | p50 × trivial | req/s ÷ trivial | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    order = []
    for step in report["steps"]:
        for r in step["results"]:
            if (r["endpoint"], r["concurrency"]) not in order:
                order.append((r["endpoint"], r["concurrency"]))
    for endpoint, c in order:
        for step in report["steps"]:
            for r in step["results"]:
                if (r["endpoint"], r["concurrency"]) == (endpoint, c):
                    errors = ", ".join(f"{k}: {v}" for k, v in r["errors"].items()) or ""
                    lines.append(
                        f"| {endpoint} | {c} | {step['size']:,} | {r['p50_ms']} | {r['p95_ms']} | {r['p99_ms']} | {r['rps']} | "
                        f"{r['p50_x_trivial']} | {r['rps_vs_trivial']} | {errors} |"
                    )
    drains = [(step["size"], step["worker_drain"]) for step in report["steps"] if step.get("worker_drain")]
    if drains:
        lines += [
            "",
            "The worker's drain (benchmarks/drain_bench.py): `manage.py worker --batch` runs the queued background work "
            "of the events below (the measured submissions' and, to make up the number, the latest other events "
            "announced again).",
            "",
            "| size | events | tasks | workers | seconds | events/s | left / failed | load average (1 min) |",
            "|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for size, d in drains:
            lines.append(
                f"| {size:,} | {d['events']:,} ({d['events_from_submissions']:,} submitted) | {d['tasks_run']:,} | "
                f"{d['workers']} | {d['seconds']} | "
                f"{d['events_per_second']} | {d['tasks_left']} / {d['tasks_failed']} | "
                f"{d['load_average_before'][0]} → {d['load_average_after'][0]} |"
            )
    if report.get("notes"):
        lines += ["", *[f"- {n}" for n in report["notes"]]]
    if report.get("opendata"):
        import opendata_bench

        lines += ["", opendata_bench.markdown(report["opendata"])]
    return "\n".join(lines) + "\n"


def database_env(url: str, var: Path, **extra) -> dict:
    """The environment of the commands run on the benchmark's database (and of a server started on it): the
    benchmark settings, a throwaway var directory, no shared cache; `extra` adds to it."""
    env = dict(
        os.environ,
        DATABASE_URL=url,
        ASHYQ_VAR_DIR=str(var),
        ASHYQ_ENVIRONMENT="development",
        ASHYQ_DEBUG="0",
        DJANGO_SETTINGS_MODULE="ashyq.benchdata.settings",
        PYTHONPATH=str(ROOT / "src"),
        **extra,
    )
    env.pop("ASHYQ_CACHE_URL", None)
    return env


def measuring_env(url: str, var: Path) -> dict:
    """The environment of the measured server and of the commands run on its database."""
    return database_env(
        url,
        var,
        # Emails are built (after commit, as in production) but not printed or sent.
        ASHYQ_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        # The loader is one address and 200 applicants submitting thousands of appeals an hour: the caps on
        # new appeals per person and per address (20 and 60 an hour) would answer 429 instead of measuring.
        ASHYQ_SUBMISSIONS_PER_USER="1000000/h",
        ASHYQ_SUBMISSIONS_PER_ADDRESS="1000000/h",
    )


def main():
    started = dt.datetime.now(dt.UTC)
    pg = None
    var = Path(tempfile.mkdtemp(prefix="ashyq-bench-var."))
    url = os.environ.get("BENCH_DATABASE_URL")
    gunicorn = None
    try:
        if not url:
            pg = Postgres()
            url = pg.start()
            log(f"throwaway PostgreSQL on 127.0.0.1:{pg.port} ({pg.tmp})")
        env = measuring_env(url, var)
        manage(env, "migrate", "--noinput", "-v0")
        setup_django(env)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            db_version = cursor.fetchone()[0].split(" on ")[0]
        report = {
            "started": started.isoformat(timespec="seconds"),
            "machine": machine(db_version),
            "sizes": SIZES,
            "settings": {"seconds": SECONDS, "requests": REQUESTS, "seed": SEED, "workers": WORKERS},
            "steps": [],
            "notes": [],
        }
        from ashyq.dialogue.models import Appeal

        for step_index, size in enumerate(SIZES):
            have = Appeal.objects.count()
            connection.close()
            generated = {"added": 0}
            if size > have:
                log(f"generating {size - have} appeals (to {size})")
                t = time.monotonic()
                manage(env, "generate_appeals", str(size - have), "--seed", str(SEED + step_index))
                generated = {"added": size - have, "seconds": round(time.monotonic() - t, 1)}
                log(f"generated in {generated['seconds']}s")
                # The generator writes rows directly; the scorecards read precomputed figures, so rebuild them (and
                # the appeals' kept parts, batched: minutes at 1 M); then time the nightly audit alone, caught up.
                t = time.monotonic()
                manage(env, "recompute_scores")
                generated["recompute_scores_after_load_seconds"] = round(time.monotonic() - t, 1)
                t = time.monotonic()
                manage(env, "recompute_scores")
                generated["recompute_scores_seconds"] = round(time.monotonic() - t, 1)
                generated["recompute_scores_load_average"] = round(os.getloadavg()[0], 2)
                log(
                    f"recompute_scores after the load in {generated['recompute_scores_after_load_seconds']}s, "
                    f"then in {generated['recompute_scores_seconds']}s"
                )
            fx = fixtures()
            # Before the main lines: it trains the analysis models, so every size's submissions classify alike.
            analysis = analysis_bench.step(env, fx) if os.environ.get("BENCH_ANALYSIS", "1") != "0" else None
            connection.close()
            if not fx["public_url"]:
                note = "/appeals/public/ does not resolve in this tree: public list and search skipped."
                if note not in report["notes"]:
                    report["notes"].append(note)
            gunicorn = Gunicorn(env, WORKERS)
            gunicorn.start()
            log(f"size {size}: gunicorn on 127.0.0.1:{gunicorn.port}; {fx['counts']}")
            from ashyq.dialogue.models import AppealEvent

            since_pk = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            connection.close()
            load_before = os.getloadavg()
            results = measure(fx, gunicorn.port)
            load_after = os.getloadavg()
            gunicorn.stop()
            gunicorn = None
            worker = drain_bench.drain(env, DRAIN_EVENTS, DRAIN_WORKERS, since_pk) if DRAIN_EVENTS else None
            report["steps"].append(
                {
                    "size": size,
                    "generated": generated,
                    "counts": fx["counts"],
                    "official_body": fx["official_body"],
                    "official_body_open": fx["official_body_open"],
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after],
                    "results": results,
                    "analysis": analysis,
                    "worker_drain": worker,
                }
            )
        if os.environ.get("BENCH_OPENDATA", "1") != "0":
            import opendata_bench  # datastore load, package_search and datastore_search (docs/benchmarks.md)

            report["opendata"] = opendata_bench.step(env)
        if os.environ.get("BENCH_BUDGET", "1") != "0":
            import budget_bench  # the budget import and the aggregates API (docs/benchmarks.md)

            report["budget"] = budget_bench.step(env)
        report["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%dT%H%M%SZ")
        (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / "latest.md").write_text(markdown(report))
        log(f"wrote benchmarks/results/{stamp}.json and benchmarks/results/latest.md")
        print(markdown(report))
    finally:
        if gunicorn:
            gunicorn.stop()
        if pg:
            pg.stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
