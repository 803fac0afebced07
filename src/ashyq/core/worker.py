"""What the queue's worker adds to django-tasks-db's: batches, a heartbeat, and the recovery of tasks whose worker
died.

Batches. django-tasks-db's worker claims one task per transaction and records its end in another: three round
trips and a commit per task, whatever the task does, and the figures and analysis tasks each read their appeal
afresh. `BatchWorker` claims up to `ASHYQ_WORKER_BATCH` due tasks in one transaction (`FOR UPDATE SKIP LOCKED`,
so several workers share the queue without taking the same task) and gives the tasks declared with
`task(many=...)` (core/tasks.py) to that function together, one call per task and batch: an appeal named by
several of them is done once, and their end is recorded in the same transaction as their work. Any other task
runs as django-tasks-db runs it. If the shared call raises, its tasks are run one by one, so each fails, is
retried with backoff and is given up on its own.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again; a worker killed with
SIGKILL (or a machine lost) would leave it RUNNING for ever, its work never done. Each worker therefore records
a heartbeat (core.WorkerHeartbeat) every `ASHYQ_WORKER_HEARTBEAT_SECONDS`, and puts back in the queue every
RUNNING task whose worker is gone: its heartbeat is older than `ASHYQ_WORKER_STALE_SECONDS`, or it ran on this
machine under a process id that no longer exists. Tasks are idempotent (core/tasks.py), so running one again is
safe; the requeue counts as an attempt, and a task that keeps killing its worker fails for good after its
attempts, like one that raises.
"""

import datetime as dt
import logging
import os
import random
import socket
import time

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import WorkerHeartbeat

log = logging.getLogger("ashyq.tasks")


class BatchWorker(Worker):
    """django-tasks-db's worker, claiming and running its tasks in batches (the module's docstring). It keeps
    what its time went to ({task path or "claim": [tasks, runs, seconds]}), logged when it stops (benchmarks)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.timings: dict[str, list] = {}

    def _timed(self, what: str, tasks: int, started: float) -> None:
        slot = self.timings.setdefault(what, [0, 0, 0.0])
        slot[0] += tasks
        slot[1] += 1
        slot[2] += time.perf_counter() - started

    def claim(self) -> list[DBTaskResult] | None:
        started = time.perf_counter()
        rows = self._claim()
        self._timed("claim", len(rows or ()), started)
        return rows

    def _claim(self) -> list[DBTaskResult] | None:
        """Up to ASHYQ_WORKER_BATCH due tasks, in the queue's order, marked as running under this worker in one
        transaction; [] when none is due, None when the database is locked (SQLite; try again)."""
        size = settings.ASHYQ_WORKER_BATCH
        if self.max_tasks is not None:
            size = min(size, self.max_tasks - self._run_tasks)
        due = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            due = due.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            due = due.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(due.db):
                rows = list(due.select_for_update(skip_locked=True)[:size])
                now = timezone.now()
                for row in rows:
                    row.status = TaskResultStatus.RUNNING
                    row.started_at = now
                    row.worker_ids = [*row.worker_ids, self.worker_id]
                # One statement for the tasks never tried before (nearly all); a retried task keeps its earlier
                # workers' ids, which count its attempts.
                first = [row.pk for row in rows if row.worker_ids == [self.worker_id]]
                DBTaskResult.objects.filter(pk__in=first).update(
                    status=TaskResultStatus.RUNNING, started_at=now, worker_ids=[self.worker_id]
                )
                for row in rows:
                    if row.worker_ids != [self.worker_id]:
                        row.save(update_fields=["status", "started_at", "worker_ids"])
        except OperationalError as e:
            if is_locked_database_exception(e):
                return None
            raise
        return rows

    def run_claimed(self, rows: list[DBTaskResult]) -> None:
        from . import tasks

        shared: dict[str, list[DBTaskResult]] = {}
        for row in rows:
            try:
                row.task  # noqa: B018 - imports the task's module, which declares whether its calls share work
            except Exception:  # noqa: BLE001 - run_task records the failure as django-tasks-db does
                self.run_task(row)
                continue
            if tasks.runs_many(row.task_path) and not row.args_kwargs.get("kwargs"):
                shared.setdefault(row.task_path, []).append(row)
            else:
                self.run_task(row)
        for task_path, group in shared.items():
            self.run_together(tasks.runs_many(task_path), group)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        started = time.perf_counter()
        super().run_task(db_task_result)
        self._timed(db_task_result.task_path, 1, started)

    def run_together(self, many, rows: list[DBTaskResult]) -> None:
        """One call of `many` for the tasks `rows`, recorded as successful in its transaction; one by one if it
        raises."""
        self.running_task = True
        started = time.perf_counter()
        try:
            with transaction.atomic():
                many([tuple(row.args_kwargs["args"]) for row in rows])
                DBTaskResult.objects.filter(pk__in=[row.pk for row in rows]).update(
                    status=TaskResultStatus.SUCCESSFUL,
                    finished_at=timezone.now(),
                    return_value=None,
                    exception_class_path="",
                    traceback="",
                )
            self._run_tasks += len(rows)
            self._timed(rows[0].task_path, len(rows), started)
            log.debug("ran %s tasks of %s together", len(rows), rows[0].task_path)
        except Exception:
            log.exception("%s tasks of %s failed together; running them one by one", len(rows), rows[0].task_path)
            for row in rows:
                self.run_task(row)
        finally:
            self.running_task = False

    def drain(self) -> int:
        """Run due tasks in this process until none is left (or max_tasks ran); returns how many ran. No connection
        housekeeping: the caller's transaction (a test's) stays as it is."""
        while self.max_tasks is None or self._run_tasks < self.max_tasks:
            rows = self.claim()
            if rows is None:
                continue
            if not rows:
                break
            self.run_claimed(rows)
        return self._run_tasks

    def run(self) -> None:
        try:
            self._loop()
        finally:
            for what, (tasks, runs, seconds) in sorted(self.timings.items()):
                log.info("worker %s timing %s: %d tasks in %d runs, %.3f s", self.worker_id, what, tasks, runs, seconds)

    def _loop(self) -> None:
        """django-tasks-db's loop, claiming batches."""
        log.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # noqa: S311 - workers started together do not poll in step
        while self.running:
            close_old_connections()  # dropped or expired connections, right after waking up
            rows = self.claim()
            if rows:
                self.run_claimed(rows)
            if self.batch and rows == []:
                log.info("No more tasks to run for worker_id=%s - exiting gracefully.", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                log.info("Ran the maximum of %d tasks on worker=%s - exiting gracefully.", self._run_tasks, self.worker_id)
                return
            close_old_connections()
            if self.running and not rows:
                time.sleep(self.interval)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"host": socket.gethostname(), "pid": os.getpid(), "seen_at": timezone.now()}
    )


def forget(worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def dead_workers() -> set[str]:
    """Ids of the workers known to be gone: no fresh heartbeat, or a process of this host that has exited."""
    stale_before = timezone.now() - dt.timedelta(seconds=settings.ASHYQ_WORKER_STALE_SECONDS)
    host = socket.gethostname()
    dead = set()
    for worker_id, worker_host, pid, seen_at in WorkerHeartbeat.objects.values_list("worker_id", "host", "pid", "seen_at"):
        if seen_at < stale_before or (worker_host == host and not _alive(pid)):
            dead.add(worker_id)
    return dead


def recover_orphans(backend: str = "default") -> int:
    """Put the RUNNING tasks of dead workers (or of workers that never beat) back in the queue; returns how many.
    A task whose attempts are spent is marked failed instead."""
    from . import tasks

    dead = dead_workers()
    living = set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) - dead
    grace = timezone.now() - dt.timedelta(seconds=settings.ASHYQ_WORKER_STALE_SECONDS)
    recovered = 0
    with transaction.atomic():
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            backend_name=backend, status=TaskResultStatus.RUNNING
        )
        for row in running:
            owner = row.worker_ids[-1] if row.worker_ids else ""
            # A worker that never beat (an older release, `db_worker`) is judged by the task's age alone.
            if owner in living or (owner not in dead and row.started_at and row.started_at >= grace):
                continue
            try:
                _ = row.task  # imports the task's module, which registers its attempts
            except Exception:  # noqa: BLE001 - a task that no longer imports keeps the default
                pass
            allowed = tasks._attempts.get(row.task_path, tasks.DEFAULT_ATTEMPTS)
            if len(row.worker_ids) >= allowed:
                row.status = TaskResultStatus.FAILED
                row.finished_at = timezone.now()
                row.exception_class_path = "ashyq.core.worker.WorkerLost"
                row.traceback = f"The worker {owner} stopped while running this task, at attempt {len(row.worker_ids)}."
                row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                log.error("task %s (%s): its worker died at the last attempt; failed for good", row.pk, row.task_path)
                continue
            row.status = TaskResultStatus.READY
            row.run_after = timezone.now()
            row.save(update_fields=["status", "run_after"])
            recovered += 1
            log.warning("task %s (%s): its worker %s is gone; back in the queue", row.pk, row.task_path, owner)
        WorkerHeartbeat.objects.filter(worker_id__in=dead).delete()
    return recovered
