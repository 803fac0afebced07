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

    from ashyq.assessment import contributions

    original = contributions._apply_delta

    def slow_apply_delta(delta):
        # The figures task (contributions.apply) adds an appeal's difference to the stored rows inside its
        # transaction; pausing right after it keeps the task there long enough for the SIGKILL to land inside.
        original(delta)
        time.sleep(float(os.environ.get("SLOW_WORKER_PAUSE", "0.3")))

    contributions._apply_delta = slow_apply_delta
    call_command("worker", *sys.argv[1:])
