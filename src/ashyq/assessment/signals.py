"""Figures follow the events: each dialogue event that changes what the figures count enqueues the refresh of
that appeal's figures (tasks.py), which the worker runs once the step has committed. The step never waits for
it and a failure never undoes it: the task is retried with backoff, and `manage.py recompute_scores` audits
everything nightly."""

import contextlib
import contextvars

from ashyq.core.tasks import enqueue_after_commit
from ashyq.dialogue import signals as dialogue

# What the figures count: where the appeal is and since when, its term, how it ended and the applicant's verdict;
# not who prepares the answer, nor the public record's moderation.
FOLLOWED = frozenset({dialogue.ROUTE, dialogue.TERM, dialogue.OUTCOME, dialogue.VERDICT})

_paused = contextvars.ContextVar("ashyq_assessment_refresh_paused", default=False)


@contextlib.contextmanager
def paused():
    """For bulk loads (the demo's mailbox): no refresh per event; the caller runs figures.recompute_all()
    once afterwards, which is what the per-event refreshes would have added up to."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


def on_event_appended(sender, event, effects, **kwargs):
    """Receives dialogue's event_appended (dialogue/signals.py)."""
    if not effects & FOLLOWED or _paused.get():
        return
    from . import tasks

    enqueue_after_commit(tasks.refresh_appeal_figures, event.appeal_id)


def on_legal_process_step(sender, process, **kwargs):
    """Receives Open Legal Acts' process_step (legalacts/signals.py): the body's figures for the months its
    report may fall due in (from the draft's opening, before any extension, to the due date) are refreshed by the
    worker once the step has committed."""
    from . import tasks

    enqueue_after_commit(
        tasks.refresh_legal_figures, process.body_id, process.opens_on.isoformat(), process.report_due_on.isoformat()
    )


def on_dataset_changed(sender, body_id, **kwargs):
    """Receives open data's dataset_changed (opendata/signals.py) when a body's dataset is saved or a version
    uploaded: the body's figures (datasets, updates, quality) are refreshed by the worker, like after a dialogue
    event."""
    from . import tasks

    enqueue_after_commit(tasks.refresh_dataset_figures, body_id)
