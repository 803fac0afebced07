"""axe-core over the assessment pages in kk, ru and en (the machinery of test_accessibility.py)."""

import pytest
from django.test import override_settings

from ashyq.assessment import figures

from .test_accessibility import LANGUAGES, Auditor, axe_source, browser, pytestmark  # noqa: F401 (fixtures, marks)
from .test_assessment import FORMAL, SETTINGS, build_scenario


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_assessment_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, bodies, make_user, submit, at
):  # noqa: F811
    build_scenario(bodies, make_user, submit, at)
    figures.recompute_all()
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    auditor.audit("ranking", "/assessment/?period=2025-Q1")
    auditor.audit("scorecard", f"/assessment/bodies/{FORMAL}/?period=2025-Q1")
    auditor.audit("regions", "/assessment/regions/?period=2025")
    auditor.audit("methodology", "/assessment/methodology/")
    auditor.become(people["monitor"])
    auditor.audit("monitoring dashboard", "/assessment/monitor/")
    assert not auditor.findings, "\n".join(auditor.findings)
