"""Emails to the applicant at registration, redirect, extension and answer.

Sent by the background worker (tasks.py) once the step has committed, in the applicant's language, and
describing the step as it was (its event), even if the appeal moved on before the worker got to it. A mail
server that is down never undoes or blocks an appeal: the failure is logged and the email is tried again with
backoff; the appeal's page always shows the step.
"""

import datetime as dt
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
    EventKind.REGISTERED: lambda a, body: _("Appeal %(number)s registered") % {"number": a.number},
    EventKind.REDIRECTED: lambda a, body: _("Appeal %(number)s redirected to %(body)s") % {"number": a.number, "body": body},
    EventKind.EXTENDED: lambda a, body: _("Appeal %(number)s: the term is extended") % {"number": a.number},
    EventKind.ANSWERED: lambda a, body: _("Appeal %(number)s answered") % {"number": a.number},
}


def on_commit_notify(appeal, kind: str, seq: int | None = None):
    """Queue the email about the step just appended, event `seq` (callers that have the event say which; the
    others hold the appeal's lock, so its latest event is this step's)."""
    from ashyq.core.tasks import enqueue_after_commit

    from . import tasks

    if seq is None:
        seq = appeal.events.order_by("-seq").values_list("seq", flat=True).first()
    enqueue_after_commit(tasks.notify_applicant, appeal.pk, seq)


def notify_applicant(appeal_id: int, seq: int) -> bool:
    """Email the applicant about event `seq` of the appeal, once (core.tasks.once, keyed by the event);
    returns whether an email went out. A mail server's failure is logged and raised, so the task retries."""
    from ashyq.core.tasks import once

    from .models import Appeal

    appeal = Appeal.objects.select_related("applicant", "body", "regulation").get(pk=appeal_id)
    event = appeal.events.select_related("from_body", "to_body").get(seq=seq)
    applicant = appeal.applicant
    if applicant is None or not applicant.email or event.kind not in SUBJECTS:  # None: an anonymous report, nobody to write to
        return False
    with transaction.atomic():
        if not once(f"email:appeal:{appeal_id}:{seq}"):
            return False
        with translation.override(applicant.language or settings.LANGUAGE_CODE):
            due = event.data.get("due_on")
            context = {
                "appeal": appeal,
                "event": event,
                "kind": event.kind,
                # The body and term the step set, not the appeal's current ones.
                "step_body": event.to_body or appeal.body,
                "step_due_on": dt.date.fromisoformat(due) if due else appeal.due_on,
                "url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("dialogue:detail", args=[appeal.pk]),
            }
            subject = SUBJECTS[event.kind](appeal, context["step_body"])
            body = render_to_string("dialogue/email/step.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [applicant.email])
        except Exception:
            # The step is recorded either way; the operator sees the failure in the log, and the task retries.
            logger.exception("Could not email the applicant of appeal %s about %s", appeal.number, event.kind)
            raise
    return True
