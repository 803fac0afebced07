"""Anonymous reports of crimes and threats to public safety: the public form, the sender's status page by reference,
and the moderators' screening, whose decisions (both final) are confirmed on a second page first. Services:
services.submit_anonymous_report, register_anonymous_report, refuse_anonymous_report."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from ashyq.core import confirmation
from ashyq.core.confirmation import Confirmation
from ashyq.core.forms import run_service

from . import permissions, services
from .forms import AnonymousReportForm, ScreenReportForm
from .models import AnonymousReport, Appeal


def _per_address(group, request):
    return settings.ASHYQ_ANONYMOUS_REPORTS_PER_ADDRESS


@ratelimit(key="ip", rate=_per_address, method="POST", block=True)
def report_anonymously(request):
    form = AnonymousReportForm(request.POST or None)
    if request.method == "POST":
        ran = run_service(
            request,
            form,
            lambda data: services.submit_anonymous_report(
                ground=data["ground"],
                body=data["body"],
                region=data["region"],
                subject=data["subject"],
                text=data["text"],
                confirmed=data["confirmed"],
            ),
        )
        if ran.done:
            return redirect("dialogue:anonymous-status", reference=ran.result.reference)
    return render(request, "dialogue/anonymous_report.html", {"form": form}, status=400 if form.errors else 200)


@ratelimit(key="ip", rate="120/h", method="GET", block=True)
def anonymous_status(request, reference):
    """What became of a report: only whoever holds its reference sees this, and it shows nothing of the text."""
    report = get_object_or_404(AnonymousReport.objects.select_related("body", "appeal"), reference=reference)
    return render(request, "dialogue/anonymous_status.html", {"report": report})


def _screen_form(report, data=None) -> ScreenReportForm:
    # Each report's fields carry its number (r12-decision): what was typed for one report goes back to that one.
    return ScreenReportForm(data, prefix=f"r{report.pk}")


def _queue_page(request, bound=None, status=200):
    """The reports awaiting screening, each with its form; `bound`: the form just sent, shown again as typed."""
    pending = AnonymousReport.objects.filter(state=AnonymousReport.State.PENDING).select_related("body", "region")[:100]
    items = [
        {"report": r, "form": bound if bound is not None and bound.prefix == f"r{r.pk}" else _screen_form(r)} for r in pending
    ]
    return render(request, "dialogue/anonymous_queue.html", {"items": items}, status=status)


@login_required
def anonymous_queue(request):
    if not permissions.is_moderator(request.user):
        raise PermissionDenied
    return _queue_page(request)


def _confirmation(report, data) -> Confirmation:
    """What the screening's confirmation page says: registering starts a statutory term, refusing closes the report."""
    about = _("Anonymous report “%(subject)s” to %(body)s") % {"subject": report.subject, "body": report.body}
    if data["decision"] == "register":
        return Confirmation(
            question=_("Register this anonymous report as an appeal?"),
            about=about,
            happens=[
                _(
                    "It becomes an appeal of type report to %(body)s, registered today without an applicant; the body "
                    "must consider it within the statutory term."
                )
                % {"body": report.body},
                _("The sender sees the appeal's number and due date on the report's status page."),
                _("This cannot be undone: the appeal is registered and its term runs; the report leaves the screening queue."),
            ],
            button=_("Yes, register it"),
        )
    return Confirmation(
        question=_("Refuse this anonymous report?"),
        about=about,
        happens=[
            _("Nothing goes to the body. The sender reads your reason on the report's status page."),
            _(
                "This cannot be undone: the report is closed and cannot be registered later; the sender would have to "
                "report again."
            ),
        ],
        button=_("Yes, refuse it"),
    )


@login_required
@require_POST
@ratelimit(key="user", rate="300/h", method="POST", block=True)
def anonymous_decide(request, pk):
    if not permissions.is_moderator(request.user):
        raise PermissionDenied
    report = get_object_or_404(AnonymousReport, pk=pk)
    form = _screen_form(report, request.POST)
    if report.state == AnonymousReport.State.PENDING:
        # Either decision is final: it is taken on a second page that says what will happen (core/confirmation.py).
        asked = confirmation.ask_first(
            request,
            form,
            lambda: _confirmation(report, form.cleaned_data),
            page=reverse("dialogue:anonymous-queue"),
            back=lambda: _queue_page(request, bound=form),
        )
        if asked is not None:
            return asked

    def decide(data):
        if data["decision"] == "register":
            return services.register_anonymous_report(request.user, report)
        return services.refuse_anonymous_report(request.user, report, data["reason"])

    def said(result):
        if isinstance(result, Appeal):
            return _("Registered as appeal No. %(number)s.") % {"number": result.number}
        return _("The report is refused.")

    ran = run_service(request, form, decide, success=said)
    if ran.done or ran.conflict:
        return redirect("dialogue:anonymous-queue")
    return _queue_page(request, bound=form, status=400)
