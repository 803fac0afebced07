"""The background queue: the work a step leads to (figures, analysis rows, suggestions, emails) is queued with
the step's commit and never before, runs in the worker, is retried, survives a dead worker, shows on the
monitor page and /health/, and runs unchanged through another backend of the tasks framework."""

import datetime as dt
import json

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ashyq.accounts.models import Role
from ashyq.analysis.models import AppealAnalysis, Label
from ashyq.assessment import figures
from ashyq.assessment.models import BodyMonthFigures, RegionMonthFigures
from ashyq.core import worker as lifeline
from ashyq.core.models import WorkerHeartbeat
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, Outcome

from .conftest import PASSWORD


def stored_figures() -> dict:
    bodies = {(r["body_id"], r["month"]): r for r in BodyMonthFigures.objects.values()}
    regions = {(r["region_id"], r["month"]): r for r in RegionMonthFigures.objects.values()}
    for rows in (bodies, regions):
        for row in rows.values():
            for name in ("id", "updated_at"):
                row.pop(name)
    return {"bodies": bodies, "regions": regions}


def assert_figures_equal_a_full_recomputation():
    kept = stored_figures()
    figures.recompute_all()
    assert kept == stored_figures()


def paths(**filters) -> list[str]:
    return sorted(DBTaskResult.objects.filter(**filters).values_list("task_path", flat=True))


def test_a_step_queues_its_work_with_its_commit_and_a_rolled_back_step_queues_nothing(people, submit, run_queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(people["applicant"])
        raise RuntimeError("the request failed after the step")
    assert not DBTaskResult.objects.exists() and not Appeal.objects.exists()

    appeal = submit(people["applicant"])
    assert paths() == [
        "ashyq.analysis.tasks.classify_appeal",
        "ashyq.assessment.tasks.refresh_appeal_figures",
        "ashyq.dialogue.tasks.notify_applicant",
        "ashyq.dialogue.tasks.notify_body_of_appeal",
    ]
    # Nothing was done in the request: no figures, no analysis rows, no email yet.
    assert not BodyMonthFigures.objects.exists() and not AppealAnalysis.objects.exists()
    assert run_queue() == 4
    assert BodyMonthFigures.objects.get(body=appeal.body).received == 1
    assert AppealAnalysis.objects.filter(appeal=appeal).count() == 1
    assert paths(status=TaskResultStatus.SUCCESSFUL) == paths()


def test_a_registration_writes_its_tasks_in_one_insert_inside_its_transaction(people, submit, run_queue):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        appeal = submit(people["applicant"])
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('INSERT INTO "django_tasks_database')]
    assert len(inserts) == 1
    # The same four tasks as one by one, each with its arguments, all due and waiting for the worker.
    seq = appeal.events.get().seq
    assert sorted((row.task_path, row.args_kwargs["args"]) for row in DBTaskResult.objects.ready()) == [
        ("ashyq.analysis.tasks.classify_appeal", [appeal.pk]),
        ("ashyq.assessment.tasks.refresh_appeal_figures", [appeal.pk]),
        ("ashyq.dialogue.tasks.notify_applicant", [appeal.pk, seq]),
        ("ashyq.dialogue.tasks.notify_body_of_appeal", [appeal.pk, seq]),
    ]
    assert run_queue() == 4


def test_tasks_enqueued_together_are_written_by_the_block_and_lost_with_it(people, submit):
    from ashyq.core.tasks import enqueue_after_commit, enqueued_together
    from ashyq.dialogue import tasks as dialogue_tasks

    appeal = submit(people["applicant"])
    DBTaskResult.objects.all().delete()
    # A step that fails after queueing its tasks leaves none, as one by one.
    with pytest.raises(RuntimeError), transaction.atomic(), enqueued_together():
        enqueue_after_commit(dialogue_tasks.notify_applicant, appeal.pk, 1)
        raise RuntimeError("the step failed after queueing its email")
    assert not DBTaskResult.objects.exists()
    # The rows exist once the block ends, before the transaction commits; a block inside another adds to it.
    with transaction.atomic():
        with enqueued_together():
            enqueue_after_commit(dialogue_tasks.notify_applicant, appeal.pk, 1)
            with enqueued_together():
                enqueue_after_commit(dialogue_tasks.notify_body_of_appeal, appeal.pk, 1)
            assert not DBTaskResult.objects.exists()
        assert paths() == ["ashyq.dialogue.tasks.notify_applicant", "ashyq.dialogue.tasks.notify_body_of_appeal"]


def test_every_task_can_run_twice_without_changing_anything_more(people, bodies, submit, run_queue, mailoutbox):
    appeal = submit(people["applicant"])
    services.answer_appeal(people["official"], appeal, outcome=Outcome.RESOLVED, text="Done.")
    ran = run_queue()
    assert ran == 7  # figures, analysis and email of each step, and the body's staff told of the new appeal

    def state():
        rows = AppealAnalysis.objects.values_list("appeal_id", "body_id", "month", "handling", "final", "cause", "sector")
        return stored_figures(), sorted(rows), list(Label.objects.values()), len(mailoutbox)

    once = state()
    assert once[3] == 4  # to the applicant: registered, answered; to the body's official and head: a new appeal
    # Every finished task again, as after a worker that died before recording it as done.
    DBTaskResult.objects.update(status=TaskResultStatus.READY)
    assert run_queue() == ran
    assert state() == once


def test_a_failing_email_is_retried_with_backoff_and_given_up_after_its_attempts(people, submit, run_queue, settings, caplog):
    settings.EMAIL_BACKEND = "tests.failing_email.Backend"
    appeal = submit(people["applicant"])
    run_queue()
    task = DBTaskResult.objects.get(task_path="ashyq.dialogue.tasks.notify_applicant")
    assert f"Could not email the applicant of appeal {appeal.number}" in caplog.text
    waits = []
    while task.status == TaskResultStatus.READY:
        waits.append(round((task.run_after - timezone.now()).total_seconds()))
        DBTaskResult.objects.filter(pk=task.pk).update(run_after=timezone.now())  # the wait has passed
        assert run_queue() == 1
        task.refresh_from_db()
    # 10 s, then doubled at each attempt; the fifth failure is final and kept with its traceback.
    assert [w in range(n - 2, n + 1) for w, n in zip(waits, (10, 20, 40, 80))] == [True] * 4 and len(waits) == 4
    assert task.status == TaskResultStatus.FAILED and len(task.worker_ids) == 5
    assert "mail server unreachable" in task.traceback
    assert Appeal.objects.filter(pk=appeal.pk).exists()


def test_a_task_left_running_by_a_dead_worker_goes_back_to_the_queue(people, submit, run_queue, settings):
    submit(people["applicant"])
    task = DBTaskResult.objects.order_by("task_path").first()
    task.claim("gone-worker")
    # A worker on another machine that stopped beating a while ago, and one that is alive.
    WorkerHeartbeat.objects.create(
        worker_id="gone-worker",
        host="elsewhere",
        pid=1,
        seen_at=timezone.now() - dt.timedelta(seconds=settings.ASHYQ_WORKER_STALE_SECONDS + 1),
    )
    other = DBTaskResult.objects.exclude(pk=task.pk).order_by("task_path").first()
    other.claim("living-worker")
    lifeline.beat("living-worker")
    assert lifeline.recover_orphans() == 1
    task.refresh_from_db()
    other.refresh_from_db()
    assert task.status == TaskResultStatus.READY and other.status == TaskResultStatus.RUNNING
    assert not WorkerHeartbeat.objects.filter(worker_id="gone-worker").exists()
    # A task that has used up its attempts on dying workers fails for good rather than looping.
    DBTaskResult.objects.filter(pk=task.pk).update(
        status=TaskResultStatus.RUNNING,
        worker_ids=["w1", "w2", "w3", "w4", "w5"],
        started_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert lifeline.recover_orphans() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED and "stopped while running" in task.traceback


def test_the_handlers_run_unchanged_through_another_backend(
    people, bodies, submit, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """A broker is a setting: the same services and receivers, the immediate backend of the tasks framework
    instead of the database's (ASHYQ_TASKS_BACKEND names any backend, e.g. the backport's RQ one). Tasks are
    handed to it only on commit."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with django_capture_on_commit_callbacks(execute=False) as pending:
        appeal = submit(people["applicant"])
    assert not BodyMonthFigures.objects.exists() and pending  # nothing ran before the commit
    for callback in pending:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Their matter")
    with django_capture_on_commit_callbacks(execute=True):
        appeal.refresh_from_db()
        services.answer_appeal(people["other_official"], appeal, outcome=Outcome.RESOLVED, text="Done.")
    assert not DBTaskResult.objects.exists()
    applicant = people["applicant"].email
    assert any(m.subject.startswith(f"New appeal {appeal.number}") for m in mailoutbox if m.to != [applicant])
    assert [m.subject for m in mailoutbox if m.to == [applicant]] == [
        f"Appeal {appeal.number} registered",
        f"Appeal {appeal.number} redirected to {bodies['general-prosecutors-office'].name}",
        f"Appeal {appeal.number} answered",
    ]
    assert AppealAnalysis.objects.filter(appeal=appeal).count() == 2
    assert BodyMonthFigures.objects.filter(received=1).count() == 2
    assert_figures_equal_a_full_recomputation()


def test_health_answers_for_load_balancers_without_personal_data(client, people, submit):
    appeal = submit(people["applicant"])
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = response.json()
    assert data["status"] == "ok"
    assert data["checks"]["database"] == "ok" and data["checks"]["migrations"] == "ok"
    assert data["checks"]["queue"]["waiting"] == 4 and data["checks"]["queue"]["status"] == "ok"
    text = response.content.decode()
    for private in (appeal.number, appeal.subject, people["applicant"].username, people["applicant"].email, "ashyq."):
        assert private not in text
    # A queue whose oldest task has waited too long: degraded, but still serving (200).
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(hours=1))
    data = client.get(reverse("health")).json()
    assert data["status"] == "degraded" and data["checks"]["queue"]["status"] == "lagging"
    assert 3590 <= data["checks"]["queue"]["oldest_seconds"] <= 3700


def test_health_is_503_while_migrations_are_missing(client, db, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    from ashyq.core import health

    monkeypatch.setattr(health, "_migrated", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("a migration", False)])
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] == "down" and response.json()["checks"]["migrations"] == "pending"


def test_the_monitor_page_shows_the_queue_and_only_monitors_see_it(client, people, submit, make_user):
    submit(people["applicant"])
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=90))
    monitor = make_user(Role.MONITOR)
    client.login(username=monitor.username, password=PASSWORD)
    page = client.get(reverse("assessment:dashboard")).content.decode()
    assert "Background queue" in page
    assert "<dt>Tasks waiting</dt><dd>4</dd>" in page
    assert "Oldest waiting task</dt><dd>9" in page  # 90 seconds, give or take the test's own time
    client.logout()
    client.login(username=people["applicant"].username, password=PASSWORD)
    assert client.get(reverse("assessment:dashboard")).status_code == 403


def test_json_of_the_health_check_is_stable_for_probes(client, db):
    data = json.loads(client.get("/health/").content)
    assert set(data) == {"status", "checks"} and set(data["checks"]) == {"database", "migrations", "queue"}


def test_without_a_replica_the_health_check_has_no_replica_part(client, db, settings):
    if "replica" in settings.DATABASES:
        pytest.skip("the primary-only setup: no ASHYQ_REPLICA_URL")
    response = client.get("/health/")
    data = json.loads(response.content)
    assert response.status_code == 200 and data["status"] == "ok" and "replica" not in data["checks"]
