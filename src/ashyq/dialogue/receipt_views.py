"""The registration receipt: for the applicant (and whoever may see the people on the case), as a page and a PDF."""

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from . import presenters, receipt, selectors

logger = logging.getLogger("ashyq.receipt")


def _appeal(request, pk):
    appeal = get_object_or_404(
        selectors.appeals_visible_to(request.user).select_related("addressed_body", "body", "regulation"), pk=pk
    )
    if not presenters.sees_people(request.user, appeal):
        raise Http404  # the public reads published appeals, never their receipts
    return appeal


def receipt_page(request, pk):
    appeal = _appeal(request, pk)
    return render(request, "dialogue/receipt.html", {"appeal": appeal, "facts": receipt.facts(appeal)})


@ratelimit(key="user_or_ip", rate="60/h", method="GET", block=True)
def receipt_pdf(request, pk):
    appeal = _appeal(request, pk)
    try:
        data = receipt.pdf(appeal)
    except receipt.FontMissing as exc:
        logger.error("The receipt's font is missing (%s): install fonts-dejavu-core or set ASHYQ_PDF_FONT", exc)
        return render(
            request,
            "core/error.html",
            {
                "title": _("The PDF is not available"),
                "message": _("The PDF cannot be made just now; the receipt page has the same facts and can be printed."),
            },
            status=503,
        )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{appeal.number}.pdf"'
    return response
