"""`manage.py worker`: django-tasks-db's `db_worker` (same options) with a heartbeat and the recovery of tasks
whose worker died (core/worker.py). This is the command to run; `make run` and the systemd unit use it."""

import logging
import threading

from django.conf import settings
from django.db import connections
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
            super().handle(*args, worker_id=worker_id, backend_name=backend_name, **options)
        finally:
            stop.set()
            thread.join(timeout=10)
            lifeline.forget(worker_id)
