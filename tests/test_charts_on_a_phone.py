"""On a 390 px phone, in headless Chromium, every page with charts and the methodology page:

- never scroll sideways (the page is no wider than the screen);
- every text inside a chart's SVG is drawn at 12 CSS px or more on screen (its font size times the SVG's scale), and
  no text of a chart overlaps another text of the same chart;
- the chart's table stays beside it (the same figures at the page's own text size).

The charts are server-rendered SVG (core/charts.py); a phone is shown the narrow drawing, a wide screen the wide one."""

import datetime as dt
import importlib

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from django.utils import timezone

from ashyq.analysis.models import Cause
from ashyq.assessment import figures
from ashyq.budget import services as budget
from ashyq.opendata.showcase import load_showcase
from ashyq.polls import services as polls

from .chromium import headless_chromium, needs_chromium
from .polls_helpers import open_poll, verified
from .test_analysis_reports import ACC, build_case
from .test_assessment import FORMAL, SETTINGS, build_scenario

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)
SMALLEST_TEXT_PX = 12

# What the page looks like on screen: its scroll width, and per shown chart its small and overlapping texts.
MEASURE = """
const out = {scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth, charts: 0, small: [],
             overlaps: [], tables: document.querySelectorAll('main table').length};
for (const svg of document.querySelectorAll('svg.chart')) {
  if (!svg.getClientRects().length) continue;  // the drawing for the other kind of screen
  out.charts += 1;
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const texts = Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim() && t.getClientRects().length);
  const boxes = texts.map(t => [t.textContent.trim(), t.getBoundingClientRect()]);
  for (const t of texts) {
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < arguments[0]) out.small.push(t.textContent.trim() + ': ' + px.toFixed(1) + ' px');
  }
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i][1], b = boxes[j][1];
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) out.overlaps.push(boxes[i][0] + ' / ' + boxes[j][0]);
    }
  }
}
return out;
"""


def _closed_poll_with_votes(make_user, official):
    poll = open_poll(official)
    for i, choice in enumerate((0, 1, 0)):
        voter = verified(make_user, f"voter-{i}", f"+77010000{i:03d}")
        q1, q2 = poll.questions.order_by("position")
        polls.vote(
            voter,
            poll,
            {q1.pk: [list(q1.choices.order_by("position"))[choice].pk], q2.pk: [q2.choices.order_by("position")[0].pk]},
        )
    # Closed at its end (an official's early close needs the poll's own rules): results are public once it has.
    type(poll).objects.filter(pk=poll.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    return poll


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_chart_pages_fit_a_phone_and_their_charts_keep_readable_text(live_server, people, bodies, regions, make_user, submit, at):
    if not Cause.objects.exists():  # a live-server test flushes the tables, the causes seeded by migration too
        importlib.import_module("ashyq.analysis.migrations.0002_study_causes").seed(django_apps, None)
    build_scenario(bodies, make_user, submit, at)
    build_case(people, bodies, regions, submit, at)
    figures.recompute_all()
    load_showcase()
    budget.import_budget(None, months=["12.2023", "12.2024", "03.2025"])
    poll = _closed_poll_with_votes(make_user, people["official"])
    chart_pages = {
        "scorecard with its funnel plot": f"/assessment/bodies/{FORMAL}/?period=2025-Q1",
        "appeals by channel": "/assessment/channels/",
        "content analysis": "/analysis/?from=2025-03&to=2025-04",
        "a body's content analysis": f"/analysis/bodies/{ACC}/?from=2025-03&to=2025-04",
        "Silk Road explorer": "/data/silk-road/",
        "Silk Road comparison": "/data/silk-road/compare/",
        "a Silk Road country": "/data/silk-road/china/",
        "budget": "/budget/",
        "citizen's budget": "/budget/citizens/2024/",
        "poll results": f"/polls/{poll.pk}/",
    }
    pages = {**chart_pages, "methodology": "/assessment/methodology/", "ranking": "/assessment/?period=2025-Q1"}
    problems = []
    with headless_chromium(language="ru") as driver:
        driver.set_window_size(*PHONE)
        for name, path in pages.items():
            driver.get(live_server.url + path)
            seen = driver.execute_script(MEASURE, SMALLEST_TEXT_PX)
            assert seen["innerWidth"] == PHONE[0], seen["innerWidth"]
            if seen["scrollWidth"] > seen["innerWidth"]:
                problems.append(f"{name} {path}: scrolls sideways ({seen['scrollWidth']} px in {seen['innerWidth']})")
            if name in chart_pages:
                if not seen["charts"]:
                    problems.append(f"{name} {path}: no chart shown")
                if seen["tables"] < 1:
                    problems.append(f"{name} {path}: no table beside the charts")
            problems += [f"{name} {path}: text below {SMALLEST_TEXT_PX} px: {t}" for t in seen["small"]]
            problems += [f"{name} {path}: texts overlap: {t}" for t in seen["overlaps"]]
    assert not problems, "\n".join(problems)


def test_a_field_in_error_is_marked_by_more_than_its_colour_on_a_phone_without_scripts(live_server, people, reference):
    """The appeal form sent empty (scripts off: the server's own check): each field in error shows a bar beside it,
    a thicker border and its message with a sign, on a 390 px screen, and the page still fits it."""
    from selenium.webdriver.common.by import By

    from .test_phone_and_forms_browser import _signed_in, _wait

    with headless_chromium(language="ru", javascript=False) as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.set_window_size(*PHONE)
        driver.get(f"{live_server.url}/appeals/new/")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit].primary").click()
        # The click returns before the answer arrives: wait for the page the post brings, not the one it leaves.
        fields = _wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".field.has-error"))
        assert {"subject", "text"} <= {f.find_element(By.CSS_SELECTOR, "[name]").get_attribute("name") for f in fields}
        for field in fields:
            mark = driver.execute_script(
                "var f = arguments[0], input = f.querySelector('input, textarea, select'),"
                "    item = f.querySelector('.errorlist > li');"
                "return [parseFloat(getComputedStyle(f).borderLeftWidth), parseFloat(getComputedStyle(input).borderTopWidth),"
                "        getComputedStyle(item, '::before').content, item.getBoundingClientRect().height,"
                "        input.getAttribute('aria-invalid')];",
                field,
            )
            bar, border, sign, message_height, invalid = mark
            assert bar >= 3 and border >= 2 and sign == '"⚠ "' and message_height > 0 and invalid == "true", mark
        assert driver.execute_script("return document.scrollingElement.scrollWidth <= window.innerWidth")
