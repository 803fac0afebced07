"""The analysis follows the events: after the transaction that appended an event commits, the appeal's
analysis rows are rebuilt, and a newly registered appeal gets its suggested cause and sector. A failure
is logged and never undoes or blocks the dialogue step; `manage.py analyse_appeals` repairs everything."""
import functools
import logging

from django.conf import settings
from django.db import transaction

from ashyq.dialogue.models import EventKind

log = logging.getLogger("ashyq.analysis")

# Events that change what the reports count: where the appeal is, how it ended, whether it is public.
FOLLOWED = {
    EventKind.REGISTERED, EventKind.REDIRECTED, EventKind.ANSWERED, EventKind.WITHDRAWN,
    EventKind.PUBLISHED, EventKind.HIDDEN, EventKind.RESTORED,
}


def _after_commit(appeal_id, classify):
    from . import refresh, services

    try:
        if classify:
            services.classify_appeal(appeal_id)
        else:
            refresh.refresh_appeal(appeal_id)
    except Exception:
        log.exception("analysis: refreshing appeal %s failed", appeal_id)


def on_event_saved(sender, instance, created, raw=False, **kwargs):
    if not created or raw or instance.kind not in FOLLOWED:
        return
    classify = instance.kind == EventKind.REGISTERED and settings.ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT
    transaction.on_commit(functools.partial(_after_commit, instance.appeal_id, classify))
