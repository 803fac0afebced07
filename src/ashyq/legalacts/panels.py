"""Panels shown on the body page and the monitors' dashboard, and the sitemap's paths (hooks.py)."""

from django.template.loader import render_to_string
from django.urls import reverse

from . import selectors


def body_panel(request, body=None, **_):
    if body is None:
        return ""
    processes = selectors.body_processes(body)
    overdue = [p for p in processes if p.overdue]
    if not processes:
        return ""
    return render_to_string(
        "legalacts/_body_panel.html", {"body": body, "processes": processes[:10], "overdue": overdue}, request=request
    )


def monitor_panel(request, **_):
    overdue = selectors.overdue_reports()
    return render_to_string("legalacts/_monitor_panel.html", {"overdue": overdue}, request=request)


def sitemap_paths():
    yield reverse("legalacts:index")
    yield reverse("legalacts:acts")
    yield reverse("legalacts:agreements")
    for pk in selectors.public_processes().values_list("pk", flat=True):
        yield reverse("legalacts:process", args=[pk])
    for code in selectors.acts().values_list("code", flat=True):
        yield reverse("legalacts:act", args=[code])
