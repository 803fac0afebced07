"""Background work of the dialogue (the queue's convention: core/tasks.py)."""
from ashyq.core.tasks import task


@task()
def notify_applicant(appeal_id: int, seq: int) -> bool:
    """Email the applicant about one step of their appeal (notifications.py); once per event."""
    from . import notifications

    return notifications.notify_applicant(appeal_id, seq)
