"""`manage.py worker` with its batches of figures tasks slowed down, so that a SIGKILL sent while a task runs lands inside
its transaction (tests/test_worker_kill.py). Everything else is the production worker."""

import os
import sys
import time

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ashyq.settings")
    django.setup()
    from django.core.management import call_command

    from ashyq.assessment import contributions

    original = contributions.apply_many

    def slow_apply_many(appeal_ids):
        # The figures tasks of a batch (contributions.apply_many) run inside the batch's transaction, which also
        # records them as done; pausing there keeps the worker inside it long enough for the SIGKILL to land.
        applied = original(appeal_ids)
        time.sleep(float(os.environ.get("SLOW_WORKER_PAUSE", "0.3")))
        return applied

    contributions.apply_many = slow_apply_many
    call_command("worker", *sys.argv[1:])
