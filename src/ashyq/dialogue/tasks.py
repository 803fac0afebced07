"""Background work of the dialogue (the queue's convention: core/tasks.py)."""

import datetime as dt

from ashyq.core.tasks import task


@task()
def notify_applicant(appeal_id: int, seq: int) -> bool:
    """Email the applicant about one step of their appeal (notifications.py); once per event."""
    from . import notifications

    return notifications.notify_applicant(appeal_id, seq)


@task()
def notify_body_of_appeal(appeal_id: int, seq: int) -> int:
    """Email each official and head of the body an appeal was assigned to (registered or redirected there), once
    per person and event (staff_notifications.py); returns how many went out in this run."""
    from . import staff_notifications

    return staff_notifications.send_appeal_notices(appeal_id, seq)


@task()
def send_daily_digest(user_id: int, day: str) -> bool:
    """One person's digest of their body's appeals due within three working days and overdue, once per day."""
    from . import staff_notifications

    return staff_notifications.send_digest(user_id, dt.date.fromisoformat(day))
