"""The analysis follows the events: each dialogue event that changes what the reports count enqueues the
rebuild of the appeal's analysis rows, and a newly registered appeal its suggested cause and sector (tasks.py);
the worker runs them once the step has committed. A failure never undoes or blocks the step: the task is
retried with backoff, and `manage.py analyse_appeals` rebuilds everything."""

from django.conf import settings

from ashyq.core.tasks import enqueue_after_commit
from ashyq.dialogue import signals as dialogue
from ashyq.dialogue.models import EventKind

# What the reports count: where the appeal is, how it ended, whether it is on the public record.
FOLLOWED = frozenset({dialogue.ROUTE, dialogue.OUTCOME, dialogue.VISIBILITY})


def on_event_appended(sender, event, effects, **kwargs):
    """Receives dialogue's event_appended (dialogue/signals.py)."""
    if not effects & FOLLOWED:
        return
    from . import tasks

    classify = event.kind == EventKind.REGISTERED and settings.ASHYQ_ANALYSIS_CLASSIFY_ON_SUBMIT
    enqueue_after_commit(tasks.classify_appeal if classify else tasks.refresh_appeal_analysis, event.appeal_id)
