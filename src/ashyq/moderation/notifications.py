"""Emails moderation sends: the applicant is told when their public appeal is hidden after reports.
Sent after commit, in the applicant's language; a failing mail server is logged and changes nothing."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ashyq.dialogue.models import Appeal

logger = logging.getLogger("ashyq.notifications")


def on_commit_notify_hidden(appeal):
    appeal_id = appeal.pk
    transaction.on_commit(lambda: notify_hidden(appeal_id))


def notify_hidden(appeal_id: int):
    appeal = Appeal.objects.select_related("applicant").get(pk=appeal_id)
    applicant = appeal.applicant
    if not applicant.email:
        return
    with translation.override(applicant.language or settings.LANGUAGE_CODE):
        subject = _("Appeal %(number)s is hidden pending review") % {"number": appeal.number}
        body = render_to_string("moderation/email/hidden.txt", {
            "appeal": appeal,
            "url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("dialogue:detail", args=[appeal.pk]),
        })
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [applicant.email])
    except Exception:  # the appeal is hidden either way; the operator sees the failure in the log
        logger.exception("Could not email the applicant of appeal %s about hiding", appeal.number)
