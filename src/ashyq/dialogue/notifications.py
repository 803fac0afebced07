"""Emails to the applicant at registration, redirect, extension and answer.

Sent after the transaction commits, in the applicant's language. A mail server that is down must
never undo or block an appeal: failures are logged, and the appeal's page always shows the step.
"""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import EventKind

logger = logging.getLogger("ashyq.notifications")

SUBJECTS = {
    EventKind.REGISTERED: lambda a: _("Appeal %(number)s registered") % {"number": a.number},
    EventKind.REDIRECTED: lambda a: _("Appeal %(number)s redirected to %(body)s") % {"number": a.number, "body": a.body},
    EventKind.EXTENDED: lambda a: _("Appeal %(number)s: the term is extended") % {"number": a.number},
    EventKind.ANSWERED: lambda a: _("Appeal %(number)s answered") % {"number": a.number},
}


def on_commit_notify(appeal, kind: str):
    appeal_id = appeal.pk
    transaction.on_commit(lambda: notify_applicant(appeal_id, kind))


def notify_applicant(appeal_id: int, kind: str):
    from .models import Appeal

    appeal = Appeal.objects.select_related("applicant", "body", "regulation").get(pk=appeal_id)
    applicant = appeal.applicant
    if not applicant.email:
        return
    with translation.override(applicant.language or settings.LANGUAGE_CODE):
        last_event = appeal.events.order_by("-seq").first()
        context = {
            "appeal": appeal,
            "event": last_event,
            "kind": kind,
            "url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("dialogue:detail", args=[appeal.pk]),
        }
        subject = SUBJECTS[kind](appeal)
        body = render_to_string("dialogue/email/step.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [applicant.email])
    except Exception:  # the step is recorded either way; the operator sees the failure in the log
        logger.exception("Could not email the applicant of appeal %s about %s", appeal.number, kind)
