"""`manage.py worker` with the figures' write slowed down, so that a SIGKILL sent while a task runs lands inside
its transaction (tests/test_worker_kill.py). Everything else is the production worker."""

import os
import sys
import time

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")
    django.setup()
    from django.core.management import call_command
    from django.db.models import QuerySet

    from ashyq.assessment.models import BodyMonthFigures

    original = QuerySet.bulk_create

    def slow_bulk_create(self, objs, *args, **kwargs):
        result = original(self, objs, *args, **kwargs)
        if self.model is BodyMonthFigures:
            time.sleep(float(os.environ.get("SLOW_WORKER_PAUSE", "0.3")))  # inside the task's transaction
        return result

    QuerySet.bulk_create = slow_bulk_create
    call_command("worker", *sys.argv[1:])
