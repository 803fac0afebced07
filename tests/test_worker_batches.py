"""The worker claims its tasks in batches (core/worker.py): the figures, analysis and classification tasks of a
batch run together, each appeal once, with the same result as one by one; a batch that fails falls back to its
tasks one by one, so only the failing one is retried; a batch never exceeds ASHYQ_WORKER_BATCH."""

import pytest
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ashyq.analysis import refresh
from ashyq.analysis.models import AppealAnalysis, Label
from ashyq.dialogue import services
from ashyq.dialogue.models import Outcome

from .test_queue import assert_figures_equal_a_full_recomputation, stored_figures

FIGURES = "ashyq.assessment.tasks.refresh_appeal_figures"
ANALYSIS = "ashyq.analysis.tasks.refresh_appeal_analysis"


def analysis_rows():
    return sorted(AppealAnalysis.objects.values_list("appeal_id", "body_id", "month", "handling", "final", "cause", "sector"))


def steps(people, bodies, submit, n=6):
    """Appeals with several steps each, so one batch holds several tasks for the same appeal."""
    appeals = []
    for i in range(n):
        appeal = submit(people["applicant"], subject=f"Pothole on street {i}", text="Road repair needed.")
        if i % 2:
            appeal = services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Theirs")
        else:
            services.answer_appeal(people["official"], appeal, outcome=Outcome.RESOLVED, text="Repaired.")
        appeals.append(appeal)
    return appeals


def test_a_batch_gives_what_one_task_at_a_time_gives(people, bodies, submit, run_queue, settings):
    steps(people, bodies, submit)
    queued = DBTaskResult.objects.count()
    settings.ASHYQ_WORKER_BATCH = 1  # one task per claim: django-tasks-db's way
    assert run_queue() == queued
    one_by_one = stored_figures(), analysis_rows(), sorted(Label.objects.values_list("appeal_id", "task", "value"))

    # The same work again, every task in one batch (an appeal's repeated tasks done once).
    DBTaskResult.objects.update(status=TaskResultStatus.READY)
    settings.ASHYQ_WORKER_BATCH = 500
    assert run_queue() == queued
    assert (stored_figures(), analysis_rows(), sorted(Label.objects.values_list("appeal_id", "task", "value"))) == one_by_one
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == queued
    assert_figures_equal_a_full_recomputation()
    kept = analysis_rows()
    refresh.refresh_all()
    assert analysis_rows() == kept


def test_a_batch_never_claims_more_than_its_size(people, bodies, submit, run_queue, settings):
    steps(people, bodies, submit, n=3)
    queued = DBTaskResult.objects.count()
    settings.ASHYQ_WORKER_BATCH = 2
    assert run_queue(limit=3) == 3
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
    assert run_queue() == queued - 3


def test_a_failing_appeal_in_a_batch_fails_alone_and_is_retried(people, bodies, submit, run_queue, monkeypatch):
    good, bad = steps(people, bodies, submit, n=2)
    original = refresh.refresh_appeals

    def refresh_except_bad(appeal_ids):
        if bad.pk in set(appeal_ids):
            raise RuntimeError("this appeal's rows cannot be built")
        original(appeal_ids)

    monkeypatch.setattr(refresh, "refresh_appeals", refresh_except_bad)
    run_queue()
    # The batch fell back to one task at a time: the good appeal's rows are there, the bad one's task waits for
    # its retry with its traceback, every other task is done.
    assert AppealAnalysis.objects.filter(appeal=good).exists()
    assert not AppealAnalysis.objects.filter(appeal=bad).exists()
    waiting = DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL)
    assert {(t.task_path, t.args_kwargs["args"][0], t.status, len(t.worker_ids)) for t in waiting} <= {
        (ANALYSIS, bad.pk, TaskResultStatus.READY, 1),
        ("ashyq.analysis.tasks.classify_appeal", bad.pk, TaskResultStatus.READY, 1),
    }
    assert waiting.exists() and all("cannot be built" in t.traceback for t in waiting)
    monkeypatch.setattr(refresh, "refresh_appeals", original)
    retried = waiting.count()
    waiting.update(run_after=DBTaskResult.objects.get(pk=waiting[0].pk).enqueued_at)  # the backoff has passed
    assert run_queue() == retried
    assert AppealAnalysis.objects.filter(appeal=bad).exists()
    assert not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


@pytest.mark.parametrize("batch", [1, 50])
def test_figures_of_a_complaint_and_a_repeat_follow_in_a_batch(people, bodies, submit, run_queue, settings, batch):
    """The appeals whose part another appeal changes (the one it complains about, the answer it makes a repeat
    of) are brought up to date in the same batch."""
    settings.ASHYQ_WORKER_BATCH = batch
    first = submit(people["applicant"], subject="Broken lamp")
    services.answer_appeal(people["official"], first, outcome=Outcome.RESOLVED, text="Fixed.")
    submit(people["applicant"], subject="Broken lamp again")  # the same applicant to the same body: a repeat
    run_queue()
    assert_figures_equal_a_full_recomputation()
