"""Emails to the officials and heads of a body: one for each appeal assigned to their body, and a daily digest of its
appeals due within three working days and overdue, each as the person chose (StaffNotificationPreference).

Sent by the background queue (tasks.py): enqueued with the step that assigns the appeal (core.tasks.
enqueue_after_commit), so a rolled-back step leaves no email behind, and never on the request's path. Each email
is marked (core.tasks.once) in the same transaction as its sending: a task run twice sends nothing twice, and a
mail server that fails leaves that person's email unmarked and the task raises, so its retry sends only what is
missing. In the person's language.
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ashyq.core import calendar
from ashyq.core.roles import BODY_ROLES
from ashyq.core.tasks import enqueue_after_commit, once

from .models import OPEN_STATUSES, Appeal

logger = logging.getLogger("ashyq.notifications")

DIGEST_WORKING_DAYS = 3


def enqueue_appeal_notice(appeal: Appeal, event) -> None:
    """Inside the transaction that registered or redirected the appeal (services.py)."""
    from .tasks import notify_body_of_appeal

    enqueue_after_commit(notify_body_of_appeal, appeal.pk, event.seq)


def _staff(body_id, preference: str):
    """Active officials and heads of the body with an email who did not turn this email off."""
    return (
        get_user_model()
        .objects.filter(body_id=body_id, role__in=BODY_ROLES, is_active=True)
        .exclude(email=None)
        .exclude(email="")
        .filter(Q(staff_notifications__isnull=True) | Q(**{f"staff_notifications__{preference}": True}))
    )


def _url(name, *args) -> str:
    return settings.ASHYQ_SITE_URL.rstrip("/") + reverse(name, args=args)


def _send_once(user, key: str, subject_and_body) -> bool:
    """Send one email to `user` unless one was already sent under `key` (False then). A mail server's failure
    raises, and the mark is rolled back with it, so a retry sends it."""
    with transaction.atomic():
        if not once(f"email:staff:{user.pk}:{key}"):
            return False
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = subject_and_body()
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def send_appeal_notices(appeal_id: int, seq: int) -> int:
    appeal = Appeal.objects.select_related("body").filter(pk=appeal_id).first()
    event = appeal.events.filter(seq=seq).select_related("from_body").first() if appeal else None
    if event is None or event.to_body_id is None:
        return 0
    sent, failed = 0, None
    for user in _staff(event.to_body_id, "each_appeal"):

        def message(user=user):
            subject = _("New appeal %(number)s to %(body)s") % {"number": appeal.number, "body": appeal.body}
            body = render_to_string(
                "dialogue/email/staff_appeal.txt",
                {
                    "user": user,
                    "appeal": appeal,
                    "event": event,
                    "url": _url("dialogue:detail", appeal.pk),
                    "preferences": _url("dialogue:notifications"),
                },
            )
            return subject, body

        try:
            sent += _send_once(user, f"appeal:{appeal_id}:{seq}", message)
        except Exception as exc:  # the others still get theirs; the retry sends only the unmarked
            logger.exception("Could not email user %s about appeal %s", user.pk, appeal.number)
            failed = exc
    if failed is not None:
        raise failed
    return sent


def digest_rows(body_id, day: dt.date) -> dict:
    """The body's open appeals overdue on `day`, and those due within the next three working days."""
    horizon = calendar.add_working_days(day, DIGEST_WORKING_DAYS)
    appeals = list(
        Appeal.objects.filter(body_id=body_id, status__in=OPEN_STATUSES, due_on__lte=horizon).order_by("due_on", "registered_at")[
            :500
        ]
    )
    return {
        "overdue": [a for a in appeals if a.due_on < day],
        "due_soon": [a for a in appeals if a.due_on >= day],
        "horizon": horizon,
    }


def send_digest(user_id: int, day: dt.date) -> bool:
    body_id = get_user_model().objects.filter(pk=user_id).values_list("body_id", flat=True).first()
    user = _staff(body_id, "daily_digest").filter(pk=user_id).select_related("body").first() if body_id else None
    if user is None:  # no longer staff, inactive, or turned the digest off since it was enqueued
        return False
    rows = digest_rows(user.body_id, day)
    if not rows["overdue"] and not rows["due_soon"]:
        return False  # nothing due: no email

    def message():
        subject = _("Appeals of %(body)s due soon and overdue, %(day)s") % {"body": user.body, "day": day.strftime("%d.%m.%Y")}
        body = render_to_string(
            "dialogue/email/staff_digest.txt",
            {
                "user": user,
                "day": day,
                **rows,
                "inbox": _url("dialogue:inbox"),
                "preferences": _url("dialogue:notifications"),
                "site": settings.ASHYQ_SITE_URL.rstrip("/"),
            },
        )
        return subject, body

    return _send_once(user, f"digest:{day.isoformat()}", message)


def enqueue_digests(day: dt.date) -> int:
    """Once a day (manage.py send_staff_digests): one task per person who wants the digest."""
    from .tasks import send_daily_digest

    users = list(
        get_user_model()
        .objects.filter(role__in=BODY_ROLES, is_active=True, body__isnull=False)
        .exclude(email=None)
        .exclude(email="")
        .filter(Q(staff_notifications__isnull=True) | Q(staff_notifications__daily_digest=True))
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        for pk in users:
            enqueue_after_commit(send_daily_digest, pk, day.isoformat())
    return len(users)
