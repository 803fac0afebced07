"""Anonymous reports of crimes and threats to public safety: the public form, the sender's status page by reference,
and the moderators' screening. Services: services.submit_anonymous_report, register_anonymous_report,
refuse_anonymous_report."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

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


@login_required
def anonymous_queue(request):
    if not permissions.is_moderator(request.user):
        raise PermissionDenied
    pending = AnonymousReport.objects.filter(state=AnonymousReport.State.PENDING).select_related("body", "region")[:100]
    return render(
        request,
        "dialogue/anonymous_queue.html",
        {"items": [{"report": r, "form": ScreenReportForm(auto_id=f"id_r{r.pk}-%s")} for r in pending]},
    )


@login_required
@require_POST
@ratelimit(key="user", rate="300/h", method="POST", block=True)
def anonymous_decide(request, pk):
    if not permissions.is_moderator(request.user):
        raise PermissionDenied
    report = get_object_or_404(AnonymousReport, pk=pk)
    form = ScreenReportForm(request.POST, auto_id=f"id_r{pk}-%s")

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
    return render(request, "dialogue/anonymous_queue.html", {"items": [{"report": report, "form": form}]}, status=400)
