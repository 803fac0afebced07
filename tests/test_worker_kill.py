"""A worker killed with SIGKILL in the middle of a task loses nothing, and several workers share the queue safely.

A real worker process (`manage.py worker`, its figures' write slowed so the kill lands inside a task's
transaction) works through the queue of a few dozen appeals' steps, a small batch at a time; it gets SIGKILL
while a batch of figures tasks is running. The tasks of that batch are left "running" with nobody to finish
them. A new worker starts, puts them back in the queue (its predecessor's process is gone) and drains the queue;
then every figure equals a full recomputation, every appeal's analysis rows equal a full rebuild, and no task is
left waiting, running or failed. Two workers started together drain the same queue without running any task
twice, with the same figures.

PostgreSQL only, like tests/test_crash_safety.py: the worker is another process and needs a database it can
reach (pytest-django's SQLite test database lives in this process's memory).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ashyq.analysis import refresh
from ashyq.analysis.models import AppealAnalysis
from ashyq.dialogue import services
from ashyq.dialogue.models import Outcome

from .test_crash_safety import _database_url
from .test_queue import assert_figures_equal_a_full_recomputation

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the worker is a separate process; needs PostgreSQL (bash .ci/run postgres)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent


def start_worker(tmp_path, name, *args, batch=4, pause=0.3):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        "ASHYQ_VAR_DIR": str(tmp_path),
        "ASHYQ_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "ASHYQ_WORKER_HEARTBEAT_SECONDS": "1",
        "ASHYQ_WORKER_STALE_SECONDS": "3",
        "ASHYQ_WORKER_BATCH": str(batch),
        "SLOW_WORKER_PAUSE": str(pause),
    }
    env.pop("ASHYQ_TASKS_IMMEDIATE", None)
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "slow_worker.py"), "--no-reload", "--no-startup-delay", "--interval", "0.1", *args],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def queue_steps(people, bodies, submit, appeals: int, redirect_every: int) -> int:
    """Appeals submitted, some redirected, half answered (by the receiving body when redirected): their steps' tasks
    are queued. Returns how many tasks."""
    for i in range(appeals):
        appeal = submit(people["applicant"], subject=f"Road repair {i}")
        if i % redirect_every == 0:
            appeal = services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Theirs")
        if i % 2 == 0:
            official = people["other_official"] if i % redirect_every == 0 else people["official"]
            services.answer_appeal(official, appeal, outcome=Outcome.RESOLVED, text="Done.")
    return DBTaskResult.objects.count()


def assert_analysis_equals_a_full_rebuild():
    kept = sorted(AppealAnalysis.objects.values_list("appeal_id", "body_id", "handling", "final"))
    refresh.refresh_all()
    assert kept == sorted(AppealAnalysis.objects.values_list("appeal_id", "body_id", "handling", "final"))


def test_a_worker_killed_mid_task_loses_nothing(tmp_path, people, bodies, submit):
    queued = queue_steps(people, bodies, submit, appeals=12, redirect_every=3)
    assert queued > 30

    first = start_worker(tmp_path, "first")
    try:
        deadline = time.monotonic() + 60
        # Kill once some work is done and a figures task is inside its transaction.
        while time.monotonic() < deadline:
            done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count()
            running = DBTaskResult.objects.filter(
                status=TaskResultStatus.RUNNING, task_path="ashyq.assessment.tasks.refresh_appeal_figures"
            )
            if done >= 3 and running.exists():
                time.sleep(0.1)
                break
            assert first.poll() is None, (tmp_path / "first.log").read_text()
            time.sleep(0.02)
        else:
            pytest.fail("the worker never got going: " + (tmp_path / "first.log").read_text())
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    orphans = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    assert 1 <= orphans.count() <= 4  # the batch left "running" by a dead process
    left = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).count()
    assert 1 <= left < queued

    second = start_worker(tmp_path, "second", "--batch")
    try:
        assert second.wait(timeout=120) == 0, (tmp_path / "second.log").read_text()
    finally:
        if second.poll() is None:
            second.kill()
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == queued
    assert_figures_equal_a_full_recomputation()
    assert_analysis_equals_a_full_rebuild()


def test_two_workers_share_the_queue_without_running_a_task_twice(tmp_path, people, bodies, submit):
    queued = queue_steps(people, bodies, submit, appeals=16, redirect_every=4)
    # Small batches with a short pause in each figures write, so both workers are at it at once.
    workers = [start_worker(tmp_path, f"w{i}", "--batch", batch=3, pause=0.05) for i in range(2)]
    try:
        for i, worker in enumerate(workers):
            assert worker.wait(timeout=120) == 0, (tmp_path / f"w{i}.log").read_text()
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
    rows = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    assert len(rows) == queued and {status for status, _ in rows} == {TaskResultStatus.SUCCESSFUL}
    assert all(len(ids) == 1 for _, ids in rows)  # each task claimed once, by one worker
    assert len({ids[0] for _, ids in rows}) == 2  # and both workers ran some
    assert_figures_equal_a_full_recomputation()
    assert_analysis_equals_a_full_rebuild()
