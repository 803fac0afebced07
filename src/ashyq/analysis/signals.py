"""The analysis follows the events: after the transaction that appended an event commits, the appeal's
analysis rows are rebuilt, and a newly registered appeal gets its suggested cause and sector. A failure
is logged and never undoes or blocks the dialogue step; `manage.py analyse_appeals` repairs everything."""
import functools
import logging

from django.conf import settings
from django.db import transaction

from ashyq.dialogue import signals as dialogue
from ashyq.dialogue.models import EventKind

log = logging.getLogger("ashyq.analysis")

# What the reports count: where the appeal is, how it ended, whether it is on the public record.
FOLLOWED = frozenset({dialogue.ROUTE, dialogue.OUTCOME, dialogue.VISIBILITY})


def _after_commit(appeal_id, classify):
    from . import refresh, services

    try:
        if classify:
            services.classify_appeal(appeal_id)
        else:
            refresh.refresh_appeal(appeal_id)
    except Exception:
        log.exception("analysis: refreshing appeal %s failed", appeal_id)


def on_event_appended(sender, event, effects, **kwargs):
    """Receives dialogue's event_appended (dialogue/signals.py)."""
    if not effects & FOLLOWED:
        return
    classify = event.kind == EventKind.REGISTERED and settings.ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT
    transaction.on_commit(functools.partial(_after_commit, event.appeal_id, classify))
