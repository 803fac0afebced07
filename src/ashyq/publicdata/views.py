"""The open-data page of the appeals and its downloads: the latest files of the export (export.py)."""

from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ashyq.assessment import selectors as assessment
from ashyq.core import pagecache
from ashyq.dialogue import transparency
from ashyq.dialogue.models import Answer

from . import export


@pagecache.public_page(pagecache.RECORD)
def open_data(request):
    return render(
        request,
        "public/open_data.html",
        {
            "latest": export.latest_export(),
            "files": export.FILES,
            "appeal_fields": export.APPEAL_FIELDS,
            "event_fields": export.EVENT_FIELDS,
            "stay_fields": export.STAY_FIELDS,
        },
    )


def open_data_file(request, name):
    if name not in export.FILES:
        raise Http404
    path = export.latest_file(name)
    response = FileResponse(
        path.open("rb"), content_type=export.FILES[name]["media_type"], as_attachment=name != "datapackage.json", filename=name
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def checkpoints(request):
    """The signed checkpoints of the record, live (the export carries the same as of its day)."""
    response = JsonResponse(transparency.published_checkpoints(), json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@pagecache.public_page(pagecache.RECORD, pagecache.FIGURES)
def home(request):
    """What a visitor came for: search the public record, the latest published answers, the two rankings."""
    latest = (
        Answer.objects.select_related("appeal", "body")
        .filter(
            published_at__isnull=False, appeal__is_public=True, appeal__published_at__isnull=False, appeal__hidden_at__isnull=True
        )
        .order_by("-published_at", "-pk")[:5]
    )
    period = assessment.default_period()
    ranked = [r for r in assessment.ranking(period) if r["ranked"]]
    return render(
        request,
        "core/home.html",
        {
            "latest": latest,
            "period": period,
            "official": sorted((r for r in ranked if r["official_rank"]), key=lambda r: r["official_rank"])[:5],
            "ashyq": sorted((r for r in ranked if r["ashyq_rank"]), key=lambda r: r["ashyq_rank"])[:5],
        },
    )
