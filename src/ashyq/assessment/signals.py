"""Figures follow the events: after the transaction that appended an event commits, the figures of the
bodies and months that appeal counts in are recomputed (figures.refresh_for_appeal). A failure here is
logged and never undoes or blocks the dialogue step; `manage.py recompute_scores` repairs everything."""
import contextlib
import contextvars
import functools
import logging

from django.db import transaction

from ashyq.dialogue import signals as dialogue

log = logging.getLogger("ashyq.assessment")

# What the figures count: where the appeal is and since when, its term, how it ended and the applicant's verdict;
# not who prepares the answer, nor the public record's moderation.
FOLLOWED = frozenset({dialogue.ROUTE, dialogue.TERM, dialogue.OUTCOME, dialogue.VERDICT})


def _refresh(appeal_id):
    from . import figures

    try:
        figures.refresh_for_appeal(appeal_id)
    except Exception:  # noqa: BLE001 - the appeal stands; the nightly recompute repairs the figures
        log.exception("assessment: refreshing the figures of appeal %s failed", appeal_id)


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
    transaction.on_commit(functools.partial(_refresh, event.appeal_id))


def _refresh_datasets(body_id):
    from . import figures

    try:
        figures.refresh_for_body_datasets(body_id)
    except Exception:  # noqa: BLE001 - the publication stands; the nightly recompute repairs the figures
        log.exception("assessment: refreshing the open-data figures of body %s failed", body_id)


def _refresh_legal(body_id, first_day, last_day):
    from . import figures

    try:
        figures.refresh_for_legal_process(body_id, first_day, last_day)
    except Exception:  # noqa: BLE001 - the step stands; the nightly recompute repairs the figures
        log.exception("assessment: refreshing the legal-acts figures of body %s failed", body_id)


def on_legal_process_step(sender, process, **kwargs):
    """Receives Open Legal Acts' process_step (legalacts/signals.py): the body's figures for the months its
    report may fall due in (from the draft's opening, before any extension, to the due date) are recomputed
    after the transaction commits."""
    transaction.on_commit(functools.partial(_refresh_legal, process.body_id, process.opens_on, process.report_due_on))


def on_dataset_changed(sender, body_id, **kwargs):
    """Receives open data's dataset_changed (opendata/signals.py) when a body's dataset is saved or a version
    uploaded: the body's figures (datasets, updates, quality) are recomputed after the transaction commits, like
    after a dialogue event."""
    transaction.on_commit(functools.partial(_refresh_datasets, body_id))
