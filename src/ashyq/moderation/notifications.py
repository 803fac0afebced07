"""Emails moderation sends: the applicant is told when their public appeal is hidden after reports.
Sent by the background worker once the step has committed (tasks.py), once per hiding, in the applicant's
language; a failing mail server is logged, changes nothing and is tried again with backoff."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ashyq.core.tasks import enqueue_after_commit, once
from ashyq.dialogue.models import Appeal

logger = logging.getLogger("ashyq.notifications")


def on_commit_notify_hidden(appeal):
    """Queue the email about the hiding just recorded (the caller holds the appeal's lock: its latest event is
    the hiding)."""
    from . import tasks

    seq = appeal.events.order_by("-seq").values_list("seq", flat=True).first()
    enqueue_after_commit(tasks.notify_hidden, appeal.pk, seq)


def notify_hidden(appeal_id: int, seq: int) -> bool:
    appeal = Appeal.objects.select_related("applicant").get(pk=appeal_id)
    applicant = appeal.applicant
    if not applicant.email:
        return False
    with transaction.atomic():
        if not once(f"email:hidden:{appeal_id}:{seq}"):
            return False
        _send_hidden(appeal, applicant)
    return True


def _send_hidden(appeal, applicant):
    with translation.override(applicant.language or settings.LANGUAGE_CODE):
        subject = _("Appeal %(number)s is hidden pending review") % {"number": appeal.number}
        body = render_to_string(
            "moderation/email/hidden.txt",
            {
                "appeal": appeal,
                "url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("dialogue:detail", args=[appeal.pk]),
            },
        )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [applicant.email])
    except Exception:  # the appeal is hidden either way; the operator sees the failure in the log; the task retries
        logger.exception("Could not email the applicant of appeal %s about hiding", appeal.number)
        raise
