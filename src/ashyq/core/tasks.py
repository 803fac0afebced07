"""The project's one background queue: Django's tasks framework (the django-tasks backport), with its database
backend, so tasks are rows in Ashyq's own database and no other service is needed. `manage.py worker` runs
them (`make run` starts it beside the web server; docs/operations.md has the systemd unit).

The convention every task follows (docs/ARCHITECTURE.md):

- A task is a function in its app's tasks.py, decorated with `@task()`, taking only JSON-serialisable
  arguments (ids as strings or numbers, never model instances), and it does its work through the app's code.
- A task is idempotent: the worker may run it twice (a worker killed after the work but before the result is
  recorded, a retry, an operator re-enqueuing it). It reads the state it needs from the database, locks the
  row, returns early when the work is already done, and records "done" in the same transaction as the work.
- A task is enqueued with `enqueue_after_commit()`: it exists for the worker only once the step that asked
  for it has committed, and a rolled-back step leaves no task behind. A step that enqueues several (a
  registration: figures, classification, two emails) runs inside `enqueued_together()`, which writes their rows
  in one INSERT at the step's end, still inside its transaction.
- A task that raises is retried with exponential backoff (`ASHYQ_TASK_RETRY_SECONDS` doubled at each attempt)
  up to its `attempts`; a task whose worker died (SIGKILL, a lost machine) is put back in the queue by the
  next worker (`worker.py`), as one more attempt.
- Progress a person waits for is recorded on the app's own row (e.g. opendata.UploadJob), not on the task,
  so pages read it through the app's selectors and permissions.
"""

import contextlib
import contextvars
import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.utils import timezone
from django_tasks import task as _framework_task
from django_tasks import task_backends
from django_tasks.signals import task_finished

__all__ = [
    "task",
    "enqueue_after_commit",
    "enqueued_together",
    "run_ready_tasks",
    "queue_status",
    "oldest_pending_at",
    "once",
]

log = logging.getLogger("ashyq.tasks")

DEFAULT_ATTEMPTS = 5
# {task module path: attempts}: how many times a failing task is tried before it stays failed.
_attempts: dict[str, int] = {}
# {task module path: function doing the work of many calls at once} (task(many=...)).
_many: dict[str, object] = {}


def task(*, attempts: int = DEFAULT_ATTEMPTS, many=None, **options):
    """`@task()` of the framework, plus the number of attempts before a failure is final.

    `many`, for a task whose work several calls can share (the figures or the analysis rows of many appeals): a
    function taking the list of the calls' argument tuples, doing in one transaction what running each call would
    do (a call repeated is done once), returning nothing. The worker gives it every such task of the batch it
    claimed (worker.py); if it raises, the tasks are run one by one, so each fails and is retried on its own."""

    def decorate(func):
        framework_task = _framework_task(**options)(func)
        _attempts[framework_task.module_path] = attempts
        if many is not None:
            _many[framework_task.module_path] = many
        return framework_task

    return decorate


def runs_many(task_path: str):
    """The function doing the work of many calls of the task at `task_path` at once, or None."""
    return _many.get(task_path)


def _stores_in_this_database(backend) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(backend, DatabaseBackend)


def enqueue_after_commit(framework_task, *args) -> None:
    """Queue `framework_task(*args)` for when the current transaction commits.

    The database backend writes the task's row in the step's own transaction: the worker can see it only once
    the step has committed, it disappears with a rolled-back step, and no crash between the commit and the
    enqueue can lose it. Any other backend (a broker, the immediate backend) is called in on_commit, so a
    worker never runs a task before the data it reads is committed."""
    backend = framework_task.get_backend()
    if _stores_in_this_database(backend):
        pending = _pending.get()
        if pending is None:
            framework_task.enqueue(*args)
        else:
            pending.append((type(backend), _row(backend, framework_task, args)))
    else:
        transaction.on_commit(lambda: framework_task.enqueue(*args), robust=True)


# The rows of the database backend's tasks that the current `enqueued_together()` block will write; None outside one.
_pending: contextvars.ContextVar[list | None] = contextvars.ContextVar("ashyq_tasks_pending", default=None)


def _row(backend, framework_task, args):
    """The row django-tasks-db's `enqueue` would create for `framework_task(*args)`, not yet saved."""
    from django_tasks_db.compat import normalize_json
    from django_tasks_db.models import DBTaskResult, get_date_max

    backend.validate_task(framework_task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": args, "kwargs": {}}),
        priority=framework_task.priority,
        task_path=framework_task.module_path,
        queue_name=framework_task.queue_name,
        # What django-tasks-db's pre_save handler puts for "now" (bulk_create sends no pre_save).
        run_after=framework_task.run_after or get_date_max(),
        backend_name=backend.alias,
    )


@contextlib.contextmanager
def enqueued_together():
    """Inside a step's transaction: the database backend's tasks that `enqueue_after_commit()` queues within the
    block are written in one INSERT when the block ends, instead of one round trip each. The block must end
    before the transaction commits (use it inside `transaction.atomic()`), so the rows still commit or roll back
    with the step, as one by one; a block that raises writes nothing. A block inside another adds to the outer
    one's rows."""
    if _pending.get() is not None:
        yield
        return
    rows: list = []
    token = _pending.set(rows)
    try:
        yield
    finally:
        _pending.reset(token)
    if rows:
        from django_tasks_db.compat import task_enqueued
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.bulk_create([row for _backend, row in rows])  # enqueued_at set row by row, in this order
        for backend_class, row in rows:
            task_enqueued.send(backend_class, task_result=row.task_result)


def backoff(attempt: int) -> dt.timedelta:
    """Wait before attempt `attempt + 1`: the base, doubled at each attempt, at most an hour."""
    base = settings.ASHYQ_TASK_RETRY_SECONDS
    return dt.timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 3600))


@receiver(task_finished, dispatch_uid="ashyq.core.tasks.retry_failed")
def retry_failed(sender, task_result, **kwargs):
    """A failed task of the database backend goes back to the queue after its backoff, until its attempts are
    spent; its last traceback stays on the row for the operator. Other backends keep their own policy."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if task_result.status != TaskResultStatus.FAILED or not _stores_in_this_database(task_result.task.get_backend()):
        return
    allowed = _attempts.get(task_result.task.module_path, 1)
    if task_result.attempts >= allowed:
        log.error(
            "task %s (%s) failed for good after %s attempts", task_result.id, task_result.task.module_path, task_result.attempts
        )
        return
    DBTaskResult.objects.filter(pk=task_result.id, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, finished_at=None, run_after=timezone.now() + backoff(task_result.attempts)
    )
    log.warning(
        "task %s (%s) failed at attempt %s of %s; retrying in %s",
        task_result.id,
        task_result.task.module_path,
        task_result.attempts,
        allowed,
        backoff(task_result.attempts),
    )


def once(key: str):
    """For work that cannot be rolled back (an email): the mark `key` is written in the caller's transaction.
    Returns False when another run already recorded it, so the caller skips the work. A run killed between the
    work and its commit leaves no mark, so the work is done again: at least once, never lost."""
    from .models import TaskMark

    try:
        with transaction.atomic():
            TaskMark.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def run_ready_tasks(backend: str = "default", limit: int | None = None) -> int:
    """Run the database queue's due tasks here and now until none is left, as `manage.py worker --batch` does in
    its own process (the same claiming and batches: worker.py); for tests and the demo loader. Returns how many
    ran."""
    from .worker import BatchWorker

    if not _stores_in_this_database(task_backends[backend]):
        return 0  # another backend runs its tasks itself
    worker = BatchWorker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=backend,
        startup_delay=False,
        max_tasks=limit,
        worker_id="in-process",
        excluded_queue_names=[],
    )
    return worker.drain()


def queue_status(backend: str = "default") -> dict:
    """What the monitor page and /health/ show: tasks waiting, running and failed for good, and how long the
    oldest due task has waited (seconds; 0 when none). Counts only, never a task's arguments."""
    from django.db.models import Min
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not _stores_in_this_database(task_backends[backend]):
        return {
            "backend": type(task_backends[backend]).__name__,
            "waiting": None,
            "running": None,
            "failed": None,
            "oldest_seconds": None,
        }
    rows = DBTaskResult.objects.filter(backend_name=backend)
    ready = rows.ready()
    oldest = ready.aggregate(at=Min("enqueued_at"))["at"]
    now = timezone.now()
    return {
        "backend": "database",
        "waiting": ready.count(),
        "running": rows.filter(status=TaskResultStatus.RUNNING).count(),
        "failed": rows.filter(status=TaskResultStatus.FAILED).count(),
        "oldest_seconds": max(0, round((now - oldest).total_seconds())) if oldest else 0,
    }


def oldest_pending_at(backend: str = "default"):
    """When the oldest task still to be done was queued: due and waiting, or running now (a task waiting out its
    retry's backoff is not counted: it would hold this back for an hour). None when none is, or when the queue is
    not in this database. What the pages of derived figures say they count up to (core/templatetags/freshness.py)."""
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult

    if not _stores_in_this_database(task_backends[backend]):
        return None
    rows = DBTaskResult.objects.filter(backend_name=backend)
    times = [queryset.aggregate(at=Min("enqueued_at"))["at"] for queryset in (rows.ready(), rows.running())]
    return min((t for t in times if t is not None), default=None)
