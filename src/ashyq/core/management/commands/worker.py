"""`manage.py worker`: django-tasks-db's `db_worker` (same options), claiming and running tasks in batches, with a
heartbeat and the recovery of tasks whose worker died (core/worker.py). This is the command to run; `make run`
and the systemd unit use it. Several may run at once, on one machine or many (docs/operations.md)."""

import logging
import os
import threading

from django.conf import settings
from django.db import connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from ashyq.core import worker as lifeline

log = logging.getLogger("ashyq.tasks")


class Command(db_worker.Command):
    help = "Run the background queue's worker, with a heartbeat and recovery of tasks whose worker died"

    def handle(self, *args, worker_id, backend_name, **options):
        stop = threading.Event()

        def keep_beating():
            while True:
                try:
                    lifeline.beat(worker_id)
                    lifeline.recover_orphans(backend_name)
                except Exception:  # noqa: BLE001 - a locked or briefly lost database: try again at the next beat
                    log.exception("worker %s: heartbeat or recovery failed", worker_id)
                finally:
                    connections.close_all()
                if stop.wait(settings.ASHYQ_WORKER_HEARTBEAT_SECONDS):
                    return

        # The first beat and recovery before the first task, so a restarted worker picks up what its
        # predecessor left running.
        lifeline.beat(worker_id)
        lifeline.recover_orphans(backend_name)
        thread = threading.Thread(target=keep_beating, name="ashyq-worker-heartbeat", daemon=True)
        thread.start()
        try:
            self.run_worker(worker_id=worker_id, backend_name=backend_name, **options)
        finally:
            stop.set()
            thread.join(timeout=10)
            lifeline.forget(worker_id)

    def run_worker(
        self,
        *,
        verbosity,
        queue_name,
        interval,
        batch,
        backend_name,
        startup_delay,
        reload,
        max_tasks,
        worker_id,
        exclude_queues,
        **options,
    ):
        """db_worker's handle(), with the batch worker."""
        self.configure_logging(verbosity)
        if reload and batch:
            log.warning("--reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = lifeline.BatchWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()  # only the child process
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
