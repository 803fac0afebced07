"""axe-core over the content-analysis pages in kk, ru and en (the machinery of test_accessibility.py)."""

import importlib

import pytest
from django.apps import apps as django_apps

from ashyq.analysis.models import Cause

from .test_accessibility import LANGUAGES, Auditor, axe_source, browser, pytestmark  # noqa: F401 (fixtures, marks)
from .test_analysis_reports import ACC, build_case


@pytest.mark.parametrize("language", LANGUAGES)
def test_analysis_pages_have_no_serious_accessibility_violations(
    language,
    browser,
    live_server,
    axe_source,
    people,
    bodies,  # noqa: F811
    regions,
    submit,
    at,
):
    if not Cause.objects.exists():  # a live-server test flushes the tables, the causes seeded by migration too
        importlib.import_module("ashyq.analysis.migrations.0002_study_causes").seed(django_apps, None)
    build_case(people, bodies, regions, submit, at)
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    auditor.audit("all bodies", "/analysis/?from=2025-03&to=2025-04")
    auditor.audit("one body", f"/analysis/bodies/{ACC}/?from=2025-03&to=2025-04")
    auditor.audit("bodies compared", "/analysis/compare/?from=2025-03&to=2025-04")
    auditor.audit("bad filter", "/analysis/?from=2025-13")
    assert not auditor.findings, "\n".join(auditor.findings)
