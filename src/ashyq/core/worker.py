"""What the queue's worker adds to django-tasks-db's: a heartbeat, and the recovery of tasks whose worker died.

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
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import WorkerHeartbeat

log = logging.getLogger("ashyq.tasks")


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
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

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
