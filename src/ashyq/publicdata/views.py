"""The open-data page of the appeals and its downloads: the latest files of the export (export.py)."""
from django.http import FileResponse, Http404
from django.shortcuts import render

from . import export


def open_data(request):
    return render(request, "public/open_data.html", {
        "latest": export.latest_export(), "files": export.FILES, "appeal_fields": export.APPEAL_FIELDS,
        "event_fields": export.EVENT_FIELDS,
    })


def open_data_file(request, name):
    if name not in export.FILES:
        raise Http404
    path = export.latest_file(name)
    response = FileResponse(path.open("rb"), content_type=export.FILES[name]["media_type"], as_attachment=name != "datapackage.json",
                            filename=name)
    response["Access-Control-Allow-Origin"] = "*"
    return response

