"""Done when, in a real headless Chromium: an official publishes a draft from DOCX files, a citizen comments on a
point from a 390 px phone screen (choose the point, then comment; no script needed), the moderator publishes
the comment, the developer answers every comment and publishes the report, and the act is adopted.

The live server runs on the real clock, so the discussion opens today; to let its window pass, the test moves
the process's dates back by the length of the window (what eleven days of waiting would do), and nothing else.
"""

import datetime as dt

import pytest

from ashyq.core import clock
from ashyq.legalacts import rules
from ashyq.legalacts.models import Process, Stage
from tests.chromium import headless_chromium, needs_chromium
from tests.legalacts_helpers import ensure_rule
from tests.test_browser_journey import Journey

pytestmark = [pytest.mark.browser, needs_chromium]
PHONE = (390, 844)


@pytest.fixture
def browser():
    with headless_chromium(language="en") as driver:
        yield driver


def _docx(path, lines):
    from docx import Document

    document = Document()
    for style, text in lines:
        document.add_paragraph(text, style=style)
    document.save(path)
    return str(path)


def _set_date(me, css, day: dt.date):
    # A date input's typed format depends on the browser's locale; the value property is ISO everywhere.
    me.driver.execute_script("arguments[0].value = arguments[1];", me.find(css), day.isoformat())


def test_draft_to_adopted_act_in_a_real_browser(browser, live_server, reference, people, tmp_path):
    ensure_rule()
    me = Journey(browser, live_server.url)
    today = clock.today()

    # 1. The Agency's official publishes a draft from two DOCX files.
    me.sign_in("acc-official")
    me.open("/legal-acts/new/")
    me.choose("#id_act_type", "rules")
    me.fill("#id_title_kk", "Өтініштерді қабылдау қағидалары")
    me.fill("#id_title_ru", "Правила приёма обращений")
    me.fill("#id_title_en", "Rules for receiving appeals")
    me.find("#id_source_kk").send_keys(
        _docx(
            tmp_path / "kk.docx",
            [
                ("Heading 3", "1-тарау. Жалпы ережелер"),
                (None, "1. Өтініш келіп түскен күні тіркеледі."),
                (None, "2. Жауап он бес жұмыс күні ішінде беріледі."),
            ],
        )
    )
    me.find("#id_source_ru").send_keys(
        _docx(
            tmp_path / "ru.docx",
            [
                ("Heading 3", "Глава 1. Общие положения"),
                (None, "1. Обращение регистрируется в день поступления."),
                (None, "2. Ответ дается в течение пятнадцати рабочих дней."),
            ],
        )
    )
    _set_date(me, "#id_opens_on", today)
    _set_date(me, "#id_closes_on", today + dt.timedelta(days=10))
    me.submit("main form button[type=submit]")
    process = Process.objects.get(body=people["official"].body)
    assert browser.current_url == f"{live_server.url}/legal-acts/processes/{process.pk}/"
    assert "published for discussion" in me.message()
    assert process.versions.get().source_format == "docx"
    assert "пятнадцати рабочих дней" in me.text("#p-chp_1__para_2")  # no English text: the Russian one, as written
    me.sign_out()

    # 2. A citizen on a phone: choose point 2 of chapter 1, then comment on it.
    browser.set_window_size(*PHONE)
    me.sign_in("citizen")
    me.open(f"/legal-acts/processes/{process.pk}/")
    me.find("#p-chp_1__para_2 a[href*='point=chp_1__para_2']").click()
    assert me.find("#p-chp_1__para_2 form.comment-form").is_displayed()
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE[0], (
        "the page scrolls sideways on a phone"
    )
    me.fill("#p-chp_1__para_2 textarea[name=text]", "Fifteen working days is too long for a simple question; ten would do.")
    me.submit("#p-chp_1__para_2 form.comment-form button[type=submit]")
    assert "after moderation" in me.message()
    comment = process.comments.get()
    assert comment.provision_eid == "chp_1__para_2" and comment.version.number == 1
    me.sign_out()
    browser.set_window_size(1280, 900)

    # 3. The moderator publishes it.
    me.sign_in("moderator")
    me.open("/legal-acts/moderation/")
    me.submit(f"#c-{comment.pk} form button.primary")
    comment.refresh_from_db()
    assert comment.status == "pending"  # a published comment cannot be taken back: the next page asks first
    me.submit("#confirm-yes")
    comment.refresh_from_db()
    assert comment.status == "published"
    me.sign_out()

    # The window passes.
    Process.objects.filter(pk=process.pk).update(
        opens_on=today - dt.timedelta(days=11),
        closes_on=today - dt.timedelta(days=1),
        report_due_on=rules.report_due(process.rule, today - dt.timedelta(days=1)),
    )

    # 4. The developer answers every comment with a reason, publishes the report, and records the adoption.
    me.sign_in("acc-official")
    me.open(f"/legal-acts/processes/{process.pk}/manage/")
    me.fill(f"#r{comment.pk}_text", "Thank you: simple questions will get an answer in five working days.")
    me.submit(f"#c-{comment.pk} form:nth-of-type(1) button[type=submit]")
    me.submit("#confirm-yes")  # a reply is public at once and final
    me.choose(f"#c{comment.pk}_decision", "partly")
    me.fill(f"#c{comment.pk}_reason", "The statutory term stays; a shorter term is added for simple questions.")
    me.submit(f"#c-{comment.pk} form:nth-of-type(2) button[type=submit]")
    me.fill("#id_summary", "One comment, partly accepted.")
    me.submit("#h-report ~ form button[type=submit]")
    process.refresh_from_db()
    assert process.stage == Stage.PUBLISHED  # the report makes every decision final: the next page asks first
    me.submit("#confirm-yes")
    process.refresh_from_db()
    assert process.stage == Stage.REPORT_PUBLISHED
    me.fill("#id_number", "15-A")
    _set_date(me, "#id_adopted_on", today)
    me.submit("#h-adopt ~ form button[type=submit]")
    process.refresh_from_db()
    assert process.stage == Stage.REPORT_PUBLISHED  # an adoption cannot be taken back: the next page asks first
    me.submit("#confirm-yes")
    process.refresh_from_db()
    assert process.stage == Stage.ADOPTED
    assert browser.current_url == f"{live_server.url}/legal-acts/acts/{process.act.code}/"
    assert "15-A" in me.text("main")
    me.sign_out()

    # 5. Anyone reads the report: the point, the comment, the decision and its reason.
    me.open(f"/legal-acts/processes/{process.pk}/report/")
    report = me.text("main")
    assert "chp_1__para_2" in report and "partly accepted" in report and "shorter term is added" in report
    assert list(process.events.values_list("kind", flat=True)) == [
        "published",
        "commented",
        "comment_publish",
        "replied",
        "decided",
        "report_published",
        "adopted",
    ]
