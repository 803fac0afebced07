"""The worker's drain (issue 14's goal: a backlog of 10 000 events in under 60 s): how fast `manage.py worker`
empties a queue holding the background work of many appeal events, against a baseline measured in the same run.

- Baseline: BENCH_DRAIN_BASELINE trivial tasks (benchdata/tasks.py: a task doing nothing) drained by one worker:
  what the queue itself costs per task (claim, bookkeeping), the worker's /bench/trivial.
- The drain: the most recent events of the database are announced again (dialogue's event_appended, as the step
  that appended them did), in one transaction, so the queue holds what that many events ask of the worker: the
  assessment figures, the content-analysis rows, the classification of new appeals. Tasks already queued (e.g.
  left by run.py's submissions, with their emails) are drained with them. Then BENCH_DRAIN_WORKERS workers
  (`manage.py worker --batch`, each its own process) run until the queue is empty.
- Where the workers' time went: each worker logs, when it stops, its time in claims and in each task (alone or
  in batches: core/worker.py); its log is benchmarks/results/drain-<run>-<n>.log. Load average before and after.

run.py calls drain() after the measured submissions (BENCH_DRAIN_EVENTS). Alone, against an existing database:

    BENCH_DATABASE_URL=postgres://... BENCH_DRAIN_EVENTS=10000 BENCH_DRAIN_WORKERS=2 .venv/bin/python benchmarks/drain_bench.py

(or a throwaway PostgreSQL with the generated data when BENCH_DATABASE_URL is unset: set BENCH_SIZES too).
BENCH_DRAIN_PROFILE=1 runs the first worker under cProfile and prints where its time went
(benchmarks/results/drain-profile.txt). Results: benchmarks/results/drain-latest.json and drain-latest.md.
"""

import cProfile  # noqa: F401 - run as `-m cProfile` by the profiled worker; imported to fail early if missing
import json
import os
import pstats
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent)]
import run  # noqa: E402

EVENTS = int(os.environ.get("BENCH_DRAIN_EVENTS", "10000"))
WORKERS = int(os.environ.get("BENCH_DRAIN_WORKERS", "1"))
BASELINE = int(os.environ.get("BENCH_DRAIN_BASELINE", "1000"))
PROFILE = os.environ.get("BENCH_DRAIN_PROFILE") == "1"


TIMING = re.compile(r"worker (\S+) timing (\S+): (\d+) tasks in (\d+) runs, ([\d.]+) s")


def _workers(env, count: int, label: str, profile: bool = False) -> tuple[float, dict]:
    """Run `count` workers in parallel until the queue is empty; returns the wall time in seconds and where the
    workers' time went, from the timings each logs when it stops: {task or "claim": {tasks, runs, seconds,
    ms_per_task}} (a run is one claim, one task run alone or one batch of a task run together)."""
    procs = []
    started = time.monotonic()
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        args = ["manage.py", "worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload"]
        args += ["--worker-id", f"bench-{label}-{i}"]
        if profile and i == 0:
            args = ["-m", "cProfile", "-o", str(run.RESULTS / "drain-profile.prof"), *args]
        out = open(run.RESULTS / f"drain-{label}-{i}.log", "w")
        procs.append((subprocess.Popen([run.PY, *args], env=env, cwd=run.ROOT, stdout=out, stderr=subprocess.STDOUT), out))
    for proc, out in procs:
        if proc.wait() != 0:
            raise RuntimeError(f"a worker exited with {proc.returncode}: see {out.name}")
        out.close()
    seconds = time.monotonic() - started
    timings: dict = {}
    for i in range(count):
        for match in TIMING.finditer((run.RESULTS / f"drain-{label}-{i}.log").read_text()):
            name = match[2].split(".")
            slot = timings.setdefault(f"{name[-3]}.{name[-1]}" if len(name) > 2 else match[2], [0, 0, 0.0])
            slot[0] += int(match[3])
            slot[1] += int(match[4])
            slot[2] += float(match[5])
    return seconds, {
        what: {
            "tasks": n,
            "runs": runs,
            "seconds": round(secs, 2),
            "ms_per_task": round(1000 * secs / n, 2) if n else None,
        }
        for what, (n, runs, secs) in sorted(timings.items())
    }


def queue_rows(since) -> dict:
    """{task: {count, mean_ms}} from the queue's own rows finished since `since`: from its claim to its recorded
    end (one task at a time: its run; in a batch: until the batch's end). Works for any worker, old or new."""
    from django_tasks_db.models import DBTaskResult

    runs: dict[str, list[float]] = {}
    rows = DBTaskResult.objects.filter(enqueued_at__gte=since, finished_at__isnull=False)
    for path, started, finished in rows.values_list("task_path", "started_at", "finished_at"):
        parts = path.split(".")
        runs.setdefault(f"{parts[-3]}.{parts[-1]}", []).append((finished - started).total_seconds())
    return {name: {"count": len(t), "mean_ms": round(1000 * sum(t) / len(t), 1)} for name, t in sorted(runs.items())}


def baseline(env, count: int) -> dict:
    """`count` trivial tasks drained by one worker: the queue's own cost per task."""
    from django.db import connection, transaction

    from ashyq.benchdata import tasks

    with transaction.atomic():
        for _ in range(count):
            tasks.trivial.enqueue()
    connection.close()
    seconds, timings = _workers(env, 1, "baseline")
    ran = sum(t["tasks"] for what, t in timings.items() if what != "claim")
    return {
        "tasks": count,
        "tasks_run": ran,  # with any other tasks that were due meanwhile
        "seconds": round(seconds, 2),
        "tasks_per_second": round(ran / seconds, 1),
        "timings": timings,
    }


def announce(events: int, up_to_pk: int | None = None) -> int:
    """Announce the `events` most recent events (up to `up_to_pk`) again, as the steps that appended them did;
    returns how many."""
    from django.db import transaction

    from ashyq.dialogue import signals
    from ashyq.dialogue.models import AppealEvent

    with transaction.atomic():
        chosen = AppealEvent.objects.select_related("appeal").order_by("-pk")
        if up_to_pk is not None:
            chosen = chosen.filter(pk__lte=up_to_pk)
        chosen = list(chosen[:events])
        for event in chosen:
            signals.event_appended.send(sender=AppealEvent, event=event, effects=signals.effects_of(event.kind))
    return len(chosen)


def drain(env, events: int, workers: int = 1, since_pk: int | None = None, profile: bool = False) -> dict:
    """Drain the queue after topping it up with the work of `events` events; with `since_pk`, the events after it
    are already queued (run.py's measured submissions) and only earlier ones are announced again. `workers`
    worker processes. See the module's docstring."""
    from django.db import connection
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from ashyq.dialogue.models import AppealEvent

    ready = DBTaskResult.objects.ready()
    since = timezone.now()
    already = AppealEvent.objects.filter(pk__gt=since_pk).count() if since_pk is not None else 0
    queued_before = ready.count()
    t = time.monotonic()
    again = announce(max(0, events - already), since_pk)
    enqueue_seconds = round(time.monotonic() - t, 1)
    tasks = ready.count()
    connection.close()
    run.log(f"drain: {already} events already queued + {again} announced again ({enqueue_seconds}s); {tasks} tasks ready")
    load_before = os.getloadavg()
    seconds, timings = _workers(env, workers, "drain", profile)
    load_after = os.getloadavg()
    left = ready.count()
    failed = DBTaskResult.objects.filter(status="FAILED", enqueued_at__gte=since).count()
    total = already + again
    rows = queue_rows(since)
    # A worker without the timings (an older release) is counted from the queue's rows.
    ran = sum(t["tasks"] for what, t in timings.items() if what != "claim") or sum(t["count"] for t in rows.values())
    inside = sum(t["seconds"] for t in timings.values())
    run.log(f"drain: {ran} tasks of {total} events in {seconds:.1f}s with {workers} worker(s); left {left}, failed {failed}")
    report = {
        "events": total,
        "events_from_submissions": already,
        "tasks_queued_before": queued_before,
        "tasks": tasks,
        "tasks_run": ran,  # with any tasks other steps queued during the drain
        "workers": workers,
        "seconds": round(seconds, 1),
        "events_per_second": round(total / seconds, 1) if seconds else None,
        "tasks_per_second": round(ran / seconds, 1) if seconds else None,
        "seconds_in_claims_and_tasks": round(inside, 1),
        "seconds_elsewhere": round(seconds * workers - inside, 1),  # the processes' start, connection upkeep
        "timings": timings,
        "queue_rows": rows,
        "tasks_left": left,
        "tasks_failed": failed,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }
    connection.close()
    return report


def profile_summary(limit: int = 40) -> str:
    path = run.RESULTS / "drain-profile.prof"
    out = run.RESULTS / "drain-profile.txt"
    with out.open("w") as stream:
        stats = pstats.Stats(str(path), stream=stream)
        stats.sort_stats("cumulative").print_stats(limit)
        stats.sort_stats("tottime").print_stats(limit)
    return str(out)


def markdown(report: dict) -> str:
    base, d = report["baseline"], report["drain"]
    lines = [
        "# The worker's drain",
        "",
        f"Baseline: {base['tasks']} trivial tasks ({base['tasks_run']} tasks in all) in {base['seconds']} s by one worker "
        f"({base['tasks_per_second']} a second, the process's start included).",
        "",
        f"Drain: {d['events']} events ({d['tasks']} tasks queued, {d['tasks_run']} run) in {d['seconds']} s by {d['workers']} "
        f"worker(s): **{d['events_per_second']} events a second**, {d['tasks_per_second']} tasks a second; load average "
        f"{d['load_average_before'][0]} before, {d['load_average_after'][0]} after; left {d['tasks_left']}, failed "
        f"{d['tasks_failed']}. {d['seconds_in_claims_and_tasks']} s of the workers' time in claims and tasks, "
        f"{d['seconds_elsewhere']} s elsewhere (the processes' start).",
        "",
        "| part | run | tasks | runs | seconds | ms a task |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, part in (("baseline", base), ("drain", d)):
        for what, t in part["timings"].items():
            lines.append(f"| {what} | {label} | {t['tasks']} | {t['runs']} | {t['seconds']} | {t['ms_per_task']} |")
    return "\n".join(lines) + "\n"


def step(env) -> dict:
    import analysis_bench

    analysis_bench.ensure_models()  # classification as in run.py's runs: with trained models
    report = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    report["baseline"] = baseline(env, BASELINE)
    report["drain"] = drain(env, EVENTS, WORKERS, profile=PROFILE)
    run.RESULTS.mkdir(parents=True, exist_ok=True)
    (run.RESULTS / "drain-latest.json").write_text(json.dumps(report, indent=2) + "\n")
    (run.RESULTS / "drain-latest.md").write_text(markdown(report))
    if PROFILE:
        run.log(f"profile: {profile_summary()}")
    return report


def main():
    run.standalone(step, "drain-latest.md")


if __name__ == "__main__":
    main()
