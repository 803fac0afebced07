"""Background work of moderation (the queue's convention: core/tasks.py)."""

from ashyq.core.tasks import task


@task()
def notify_hidden(appeal_id: int, seq: int) -> bool:
    """Tell the applicant their public appeal is hidden pending review (notifications.py); once per hiding."""
    from . import notifications

    return notifications.notify_hidden(appeal_id, seq)
