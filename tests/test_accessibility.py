"""Automated accessibility check of the main pages with axe-core, in Kazakh, Russian and English.

Each page is opened in headless Chromium over pytest-django's live server, as the person who would
use it (anonymous visitor, applicant, official of the body, monitor). axe-core (pinned in
package.json, installed by `npm ci`, which `make test` runs when node_modules/axe-core is missing)
is injected with Selenium and run with the WCAG 2.0/2.1 A and AA rules. Any violation of impact
"serious" or "critical" fails the test, with the rule, the elements and axe's help for each.

The pages' Content-Security-Policy allows only the site's own scripts; WebDriver's execute_script
runs through the DevTools protocol, which CSP does not govern, so the pages are checked with their
production policy in place.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve

from ashyq.dialogue import services
from tests.chromium import IN_CI, headless_chromium, needs_chromium

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = {"serious", "critical"}
LANGUAGES = ["kk", "ru", "en"]

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.skipif(
        not IN_CI and not AXE.exists(),
        reason=f"needs axe-core from npm ({AXE} is missing): run `npm ci` in the project root "
        "(make test does it when npm is installed). In CI (CI set) this test never skips.",
    ),
]


@pytest.fixture(scope="module")
def axe_source():
    assert AXE.exists(), f"{AXE} is missing; CI must install it with `npm ci` (see the Makefile)"
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    with headless_chromium(script_timeout=60) as driver:
        yield driver


class Auditor:
    """Opens pages as a given person in a given language and collects axe's serious and critical findings."""

    def __init__(self, driver, base_url, axe_source, language):
        self.driver, self.base_url, self.axe_source, self.language = driver, base_url, axe_source, language
        self.findings = []
        self.audited = []

    def become(self, user):
        """Sign the browser in as `user` (None: anonymous) by giving it a session made by the test client."""
        self.driver.delete_all_cookies()
        # Cookies can only be set for the site the browser is on.
        self.driver.get(self.base_url + "/static/ashyq/site.css")
        if user is not None:
            client = Client()
            client.force_login(user)
            self.driver.add_cookie(
                {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "path": "/"}
            )
        self.driver.add_cookie({"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language, "path": "/"})

    def audit(self, label, path, *, prepare=None):
        self.driver.get(self.base_url + path)
        if prepare:
            prepare(self.driver)
        lang = self.driver.find_element("css selector", "html").get_attribute("lang")
        assert lang == self.language, f"{label} ({path}) came in {lang!r}, not {self.language!r}"
        self.driver.execute_script(self.axe_source)
        result = self.driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
               .then(r => done(JSON.stringify(r.violations)))
               .catch(e => done(JSON.stringify({error: String(e)})));
            """,
            TAGS,
        )
        violations = json.loads(result)
        assert not isinstance(violations, dict), f"axe failed on {label} ({path}): {violations['error']}"
        self.audited.append(label)
        # axe only flags a duplicated id as "needs review"; on these pages it always means a <label for>
        # or aria reference that points at another form's field, so it is checked here outright.
        duplicated = self.driver.execute_script(
            """
            const seen = {}, dup = new Set();
            for (const el of document.querySelectorAll('[id]')) { if (seen[el.id]) dup.add(el.id); seen[el.id] = true; }
            return [...dup];
            """
        )
        if duplicated:
            self.findings.append(
                f"[{self.language}] {label} {path}\n    duplicate-id (serious): ids used by more than one element, "
                f"so labels and aria references point at the wrong one: {', '.join(sorted(duplicated))}\n"
            )
        for v in violations:
            if v.get("impact") in FAILING_IMPACTS:
                targets = [" ".join(map(str, node["target"])) for node in v["nodes"]]
                self.findings.append(
                    f"[{self.language}] {label} {path}\n"
                    f"    {v['id']} ({v['impact']}): {v['help']}\n"
                    f"    {v['helpUrl']}\n"
                    + "".join(
                        f"    - {t}\n      {node.get('failureSummary', '').replace(chr(10), ' ')}\n"
                        for t, node in zip(targets, v["nodes"])
                    )
                )


def _public_list_path():
    try:
        resolve("/appeals/public/")
    except Resolver404:
        return None
    return "/appeals/public/"


@pytest.fixture
def scene(reference, people, submit, at):
    """An open appeal at the Anti-Corruption Agency, an answered one, and an overdue one for the monitor."""
    import datetime as dt

    from ashyq.core import clock

    applicant, official = people["applicant"], people["official"]
    fresh = submit(applicant, subject="Bribe demanded for a building permit")
    answered = submit(applicant, subject="Road repairs never finished")
    services.answer_appeal(official, answered, text="The contractor was fined and the road repaired.", outcome="resolved")
    if _public_list_path():
        # Published, so the public list has a row and the public page of an appeal can be checked too.
        from tests.public_record_helpers import publish, publish_answer

        publish(answered, "Road repairs never finished", "The road to the school was dug up and left so.")
        publish_answer(answered, "The contractor was fined and the road repaired.")
    with at(clock.today() - dt.timedelta(days=60)):
        submit(people["other_applicant"], subject="A complaint left without an answer")
    return {"fresh": fresh, "answered": answered}


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_have_no_serious_accessibility_violations(language, browser, live_server, axe_source, people, scene):
    auditor = Auditor(browser, live_server.url, axe_source, language)

    auditor.become(None)
    auditor.audit("home", "/")
    auditor.audit("state bodies", "/bodies/")
    auditor.audit("sign in", "/accounts/login/")
    auditor.audit(
        "sign in with errors", "/accounts/login/", prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]")
    )
    auditor.audit("sign up", "/accounts/signup/")
    auditor.audit(
        "sign up with errors", "/accounts/signup/", prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]")
    )
    public = _public_list_path()
    if public:
        auditor.audit("public appeals", public)
        auditor.audit("published appeal (public)", f"/appeals/{scene['answered'].pk}/")

    auditor.become(people["applicant"])
    auditor.audit("new appeal form", "/appeals/new/")
    # The same form after an empty submission: the error messages must be accessible too.
    auditor.audit(
        "new appeal form with errors",
        "/appeals/new/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    auditor.audit("my appeals", "/appeals/mine/")
    auditor.audit("answered appeal (applicant: feedback, complaint)", f"/appeals/{scene['answered'].pk}/")

    auditor.become(people["official"])
    auditor.audit("inbox", "/appeals/inbox/")
    auditor.audit("open appeal (official: assign, answer, redirect)", f"/appeals/{scene['fresh'].pk}/")
    # An answer cannot be taken back: its form leads to a page that says so and reads the answer back.
    auditor.audit(
        "confirm an answer",
        f"/appeals/{scene['fresh'].pk}/",
        prepare=lambda d: _type_and_submit(d, "#form-answer", "textarea", "The permit was issued on 2 November."),
    )

    auditor.become(people["head"])
    auditor.audit("open appeal (head: extend)", f"/appeals/{scene['fresh'].pk}/")

    auditor.become(people["monitor"])
    auditor.audit("overdue appeals", "/appeals/overdue/")

    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


def _type_and_submit(driver, form_css, field_css, text):
    driver.find_element("css selector", f"{form_css} {field_css}").send_keys(text)
    _submit_and_wait(driver, f"{form_css} button[type=submit]")


def _submit_and_wait(driver, button_css):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.__ashyqOldPage = true;")
    driver.find_element("css selector", button_css).click()
    WebDriverWait(driver, 20).until(
        lambda d: d.execute_script("return !window.__ashyqOldPage && document.readyState === 'complete';")
    )


BUDGET_PAGES = [
    ("open budget: republican budget", "/budget/?year=2024"),
    ("open budget: an administrator", "/budget/administrators/226/?year=2024"),
    ("open budget: a local budget", "/budget/regions/KZ-75/?year=2024"),
    ("open budget: local budgets", "/budget/regions/"),
    ("open budget: programme search", "/budget/search/?q=%D1%88%D0%BA%D0%BE%D0%BB"),
    ("open budget: citizen's budget", "/budget/citizens/2024/"),
    ("a body's page with its budget panel", "/bodies/ministry-of-healthcare/"),
    ("a scorecard with money and results", "/assessment/bodies/ministry-of-healthcare/"),
]


@pytest.fixture
def budget_figures(reference):
    from ashyq.budget import services as budget

    return budget.import_budget(None, months=["12.2023", "12.2024"], publish=False)


@pytest.mark.parametrize("language", LANGUAGES)
def test_budget_pages_have_no_serious_accessibility_violations(language, browser, live_server, axe_source, budget_figures):
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    for label, path in BUDGET_PAGES:
        auditor.audit(label, path)
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


def _wider_than_a_phone(browser, base_url, pages, become=None) -> list[str]:
    """The pages (person, label, path) that scroll sideways on a 390 px screen, each with by how much."""
    browser.set_window_size(390, 844)
    try:
        wide = []
        for person, label, path in pages:
            if become:
                become(person)
            browser.get(base_url + path)
            overflow = browser.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            if overflow > 0:
                wide.append(f"{label} ({path}): {overflow} px wider than the screen")
        return wide
    finally:
        browser.set_window_size(1280, 900)


def test_budget_pages_fit_a_390_px_phone(browser, live_server, budget_figures):
    """No page scrolls sideways on a 390 px screen: wide tables scroll inside their own region, charts shrink."""
    browser.delete_all_cookies()
    wide = _wider_than_a_phone(browser, live_server.url, [(None, label, path) for label, path in BUDGET_PAGES])
    assert not wide, "\n".join(wide)


@pytest.fixture
def legal_scene(reference, people, at):
    """Open Legal Acts: an open draft with a published comment, a reported one with two versions, the registers."""
    import datetime as dt

    from ashyq.core import clock
    from ashyq.legalacts import register
    from ashyq.legalacts import services as legal
    from tests.legalacts_helpers import DRAFT_KK, DRAFT_RU, ensure_rule, publish

    ensure_rule()
    today = clock.today()
    open_process = publish(people["official"], opens_on=today, closes_on=today + dt.timedelta(days=20))
    item = legal.comment(people["applicant"], open_process, provision_eid="chp_1__para_1", text="Бесплатно — хорошо.")
    legal.moderate(people["moderator"], item, "publish")
    legal.comment(people["other_applicant"], open_process, text="Awaiting moderation")
    with at(today - dt.timedelta(days=40)):
        reported = publish(people["official"], opens_on=today - dt.timedelta(days=40), closes_on=today - dt.timedelta(days=25))
        first = legal.comment(people["applicant"], reported, provision_eid="chp_2__para_3", text="Какой орган?")
        legal.moderate(people["moderator"], first, "publish")
        legal.new_version(people["official"], reported, text_kk=DRAFT_KK, text_ru=DRAFT_RU.replace("пять", "три"), note="Срок")
    with at(today - dt.timedelta(days=20)):
        legal.decide(people["official"], first, "partly", "Орган назван в пункте 3.")
        legal.publish_report(people["official"], reported, "Итоги")
    register.load_acts()
    register.load_agreements()
    return {"open": open_process, "reported": reported}


@pytest.mark.parametrize("language", LANGUAGES)
def test_legal_acts_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, legal_scene
):
    auditor = Auditor(browser, live_server.url, axe_source, language)
    opened, reported = legal_scene["open"].pk, legal_scene["reported"].pk

    auditor.become(None)
    auditor.audit("legal acts: open discussions", "/legal-acts/")
    auditor.audit("legal acts: past discussions", "/legal-acts/?when=past")
    auditor.audit("legal acts: a draft", f"/legal-acts/processes/{opened}/")
    auditor.audit("legal acts: versions compared", f"/legal-acts/processes/{reported}/diff/?from=1&to=2")
    auditor.audit("legal acts: the developer's report", f"/legal-acts/processes/{reported}/report/")
    auditor.audit("legal acts: register of adopted acts", "/legal-acts/acts/")
    auditor.audit("legal acts: an adopted act side by side", "/legal-acts/acts/139450/")
    auditor.audit("legal acts: international agreements", "/legal-acts/agreements/")

    auditor.become(people["other_applicant"])
    auditor.audit("legal acts: a point chosen, its comment form open", f"/legal-acts/processes/{opened}/?point=chp_1__para_2")
    auditor.audit(
        "legal acts: comment form with errors",
        f"/legal-acts/processes/{opened}/",
        prepare=lambda d: _submit_and_wait(d, "form.comment-form button[type=submit]"),
    )

    auditor.become(people["official"])
    auditor.audit("legal acts: publish a draft", "/legal-acts/new/")
    auditor.audit(
        "legal acts: publish a draft with errors",
        "/legal-acts/new/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    auditor.audit("legal acts: manage a discussion", f"/legal-acts/processes/{opened}/manage/")
    auditor.audit("body page with its drafts", f"/bodies/{people['official'].body.slug}/")

    auditor.become(people["moderator"])
    auditor.audit("legal acts: comments to moderate", "/legal-acts/moderation/")

    auditor.become(people["monitor"])
    auditor.audit("monitors' dashboard with overdue reports", "/assessment/monitor/")

    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_verification_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, settings
):
    """Levels of verification: the levels page, the phone and code pages (and their errors), the in-person page and the
    page that says which level a step needs."""
    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.MemoryGateway"
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(people["applicant"])
    auditor.audit("levels of verification", "/accounts/verification/")
    auditor.audit("confirm a phone", "/accounts/verification/phone/")
    auditor.audit(
        "confirm a phone with errors",
        "/accounts/verification/phone/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )

    def code_page(driver):
        driver.find_element("css selector", "#id_phone").clear()
        driver.find_element("css selector", "#id_phone").send_keys("+7 701 123 45 67")
        _submit_and_wait(driver, "main form button[type=submit]")

    auditor.audit("enter the SMS code", "/accounts/verification/phone/", prepare=code_page)
    auditor.audit(
        "enter the SMS code with errors",
        "/accounts/verification/phone/code/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, "write_appeal": "sms"}
    auditor.audit("a step above the level", "/appeals/new/")
    auditor.become(people["official"])
    auditor.audit("verify a visitor in person", "/accounts/verification/in-person/")
    auditor.audit(
        "verify a visitor in person with errors",
        "/accounts/verification/in-person/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_anonymous_report_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, bodies, regions
):
    """The anonymous report of a crime: its form (and errors), the sender's status page, the moderators' screening."""
    report = services.submit_anonymous_report(
        ground="crime",
        body=bodies["anti-corruption-agency"],
        region=regions["KZ-75"],
        subject="Drugs sold near a school",
        text="Every evening.",
        confirmed=True,
    )
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    auditor.audit("report a crime anonymously", "/appeals/report-anonymously/")
    auditor.audit(
        "report a crime anonymously with errors",
        "/appeals/report-anonymously/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    auditor.audit("anonymous report: status", f"/appeals/anonymous/status/{report.reference}/")
    auditor.become(people["moderator"])
    auditor.audit("anonymous reports to screen", "/appeals/anonymous/")
    # Screening is final: refusing leads to a page that says so and reads the reason back.
    auditor.audit(
        "anonymous report: confirm a refusal",
        "/appeals/anonymous/",
        prepare=lambda d: (
            d.find_element("css selector", f"input[name='r{report.pk}-decision'][value=refuse]").click(),
            _type_and_submit(d, f"#screen-r{report.pk}", "textarea", "Not a crime: write an appeal."),
            d.find_element("id", "confirm-yes"),  # the confirmation, not the queue with an error
        ),
    )
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_moderation_pages_have_no_serious_accessibility_violations(language, browser, live_server, axe_source, people, submit):
    """The moderator's queue, an appeal's item page (redaction proposals, approve, refuse: one form whose steps keep
    what was typed), a refusal's confirmation, and a hidden appeal's page (restore, keep hidden)."""
    from ashyq.moderation import services as moderation
    from ashyq.moderation.models import Target

    awaiting = submit(
        people["applicant"], subject="Bribe demanded", text="Inspector Seitkaliyev asked for 50000 tenge.", is_public=True
    )
    hidden = submit(people["applicant"], subject="Potholes", text="The road to school is broken.", is_public=True)
    moderation.approve(people["moderator"], hidden, target=Target.APPEAL)
    for i in range(3):
        moderation.report_abuse(None, f"10.1.0.{i}", hidden, target="appeal", reason="spam")
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(people["moderator"])
    auditor.audit("moderation queue", "/moderation/")
    auditor.audit("moderation of an appeal", f"/moderation/{awaiting.pk}/appeal/")
    auditor.audit(
        "moderation of an appeal: a refusal with errors",
        f"/moderation/{awaiting.pk}/appeal/",
        prepare=lambda d: _submit_and_wait(d, "#h-refuse ~ button[type=submit]"),
    )

    def refuse(driver):
        driver.find_element("css selector", "input[name=refuse-reason][value=duplicate]").click()
        driver.find_element("name", "refuse-note").send_keys("See appeal 2026-1.")
        _submit_and_wait(driver, "#h-refuse ~ button[type=submit]")
        driver.find_element("id", "confirm-yes")  # the confirmation, not the page with an error

    auditor.audit("moderation of an appeal: confirm a refusal", f"/moderation/{awaiting.pk}/appeal/", prepare=refuse)
    auditor.audit("moderation of a hidden appeal", f"/moderation/{hidden.pk}/hidden/")
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_receipt_and_email_settings_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, submit
):
    appeal = submit(people["applicant"])
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(people["applicant"])
    auditor.audit("registration receipt", f"/appeals/{appeal.pk}/receipt/")
    auditor.become(people["official"])
    auditor.audit("emails about my body's appeals", "/appeals/notifications/")
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_virtual_reception_and_channel_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, submit
):
    from ashyq.dialogue.models import Channel

    reception = submit(people["applicant"], body="presidential-administration", channel=Channel.VIRTUAL_RECEPTION)
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    auditor.audit("assessment: appeals by channel", "/assessment/channels/")
    auditor.audit("assessment: one channel by body", "/assessment/channels/?channel=virtual_reception")
    auditor.become(people["applicant"])
    auditor.audit("the President's Virtual Reception", "/appeals/virtual-reception/")
    auditor.audit(
        "the Virtual Reception's form with errors",
        "/appeals/virtual-reception/",
        prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]"),
    )
    auditor.audit("a Virtual Reception appeal", f"/appeals/{reception.pk}/")
    auditor.become(people["monitor"])
    auditor.audit("monitoring dashboard with the channels", "/assessment/monitor/")
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_poll_pages_have_no_serious_accessibility_violations(language, browser, live_server, axe_source, people, make_user):
    from ashyq.polls import services as polls
    from tests.polls_helpers import open_poll, verified

    official = people["official"]
    running = open_poll(official, title="Parks")
    closed = open_poll(official, title="Bus routes")
    voter = verified(make_user, f"axe-voter-{language}", "+77017770000")
    q1, q2 = closed.questions.order_by("position")
    polls.vote(voter, closed, {q1.pk: [q1.choices.first().pk], q2.pk: [c.pk for c in q2.choices.all()]})
    polls.close_poll(official, closed, confirmed=True)
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(None)
    auditor.audit("polls", "/polls/")
    auditor.audit("a closed poll's results", f"/polls/{closed.pk}/")
    auditor.audit("an open poll (anonymous)", f"/polls/{running.pk}/")
    auditor.become(voter)
    auditor.audit("a ballot", f"/polls/{running.pk}/")
    auditor.audit(
        "a ballot with errors", f"/polls/{running.pk}/", prepare=lambda d: _submit_and_wait(d, "main form button.primary")
    )
    auditor.become(people["applicant"])
    auditor.audit("a poll above the voter's level", f"/polls/{running.pk}/")
    auditor.become(official)
    auditor.audit("an open poll (its body: close it)", f"/polls/{running.pk}/")
    auditor.audit("a new poll", "/polls/new/")
    auditor.audit("a new poll with errors", "/polls/new/", prepare=lambda d: _submit_and_wait(d, "main form button.primary"))
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


@pytest.fixture
def blog_scene(people, regions, make_user):
    """A published post, an announced conference taking questions with one answered and published question."""
    from ashyq.blogs import services as blogs
    from ashyq.moderation import services as moderation
    from ashyq.moderation.models import Target
    from tests.blogs_helpers import open_conference, post_values

    post = blogs.write_post(
        people["head"], publish=True, **post_values(text_ru="**Открытые двери.** Пишите нам.\n\n- приём\n- ответы")
    )
    conference = open_conference(people["head"])
    appeal = blogs.ask_question(
        people["applicant"], conference, subject="Сроки проверки", text="Когда закончится проверка?", region=regions["KZ-75"]
    )
    services.answer_appeal(people["official"], appeal, text="До конца месяца.", outcome="explained")
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    moderation.approve(people["moderator"], appeal, target=Target.ANSWER)
    blogs.delegate_blog(people["head"], people["official"])
    make_user("official", people["head"].body, username="acc-clerk")  # one more official the head may name
    delegated = blogs.write_post(people["official"], publish=True, **post_values(title_ru="Приём по субботам"))
    return {"post": post, "conference": conference, "body": people["head"].body, "delegated_post": delegated}


def _blog_public_pages(scene):
    return [
        ("heads' blogs", "/blogs/"),
        ("a body's blog", f"/blogs/bodies/{scene['body'].slug}/"),
        ("a blog post", f"/blogs/posts/{scene['post'].pk}/"),
        ("a web conference with its archive", f"/blogs/conferences/{scene['conference'].pk}/"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_blog_and_conference_pages_have_no_serious_accessibility_violations(
    language, browser, live_server, axe_source, people, blog_scene
):
    auditor = Auditor(browser, live_server.url, axe_source, language)
    conference, post = blog_scene["conference"].pk, blog_scene["post"].pk
    auditor.become(None)
    for label, path in _blog_public_pages(blog_scene):
        auditor.audit(label, path)
    auditor.become(people["other_applicant"])
    auditor.audit("a web conference: the question form", f"/blogs/conferences/{conference}/")
    auditor.audit(
        "a web conference: the question form with errors",
        f"/blogs/conferences/{conference}/",
        prepare=lambda d: _submit_and_wait(d, "#ask button[type=submit]"),
    )
    auditor.audit("a blog post: the question form", f"/blogs/posts/{post}/")
    auditor.become(people["head"])
    auditor.audit("my blog and conferences", "/blogs/manage/")
    auditor.audit("write a post", "/blogs/manage/posts/new/")
    auditor.audit(
        "write a post with errors", "/blogs/manage/posts/new/", prepare=lambda d: _submit_and_wait(d, "main form button.primary")
    )
    auditor.audit("plan a web conference", "/blogs/manage/conferences/new/")
    auditor.audit(
        "plan a web conference with errors",
        "/blogs/manage/conferences/new/",
        prepare=lambda d: _submit_and_wait(d, "main form button.primary"),
    )
    auditor.audit("a web conference's questions (head)", f"/blogs/manage/conferences/{conference}/")
    auditor.audit("officials who write my blog", "/blogs/manage/delegates/")
    auditor.audit(
        "officials who write my blog, with errors",
        "/blogs/manage/delegates/",
        prepare=lambda d: _submit_and_wait(d, "main form button.primary"),
    )
    auditor.become(people["official"])
    auditor.audit("a delegate's blog and conferences", "/blogs/manage/")
    auditor.audit("a delegate's post page", f"/blogs/posts/{blog_scene['delegated_post'].pk}/")
    auditor.become(None)
    auditor.audit("a post published on the head's behalf", f"/blogs/posts/{blog_scene['delegated_post'].pk}/")
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )


def test_blog_and_conference_pages_fit_a_390_px_phone(browser, live_server, people, blog_scene):
    """No blog or conference page scrolls sideways on a 390 px screen, for the public or the head."""
    auditor = Auditor(browser, live_server.url, "", "en")
    pages = [(None, label, path) for label, path in _blog_public_pages(blog_scene)] + [
        (people["head"], "my blog and conferences", "/blogs/manage/"),
        (people["head"], "plan a web conference", "/blogs/manage/conferences/new/"),
        (people["head"], "a web conference's questions", f"/blogs/manage/conferences/{blog_scene['conference'].pk}/"),
        (people["head"], "officials who write my blog", "/blogs/manage/delegates/"),
    ]
    wide = _wider_than_a_phone(browser, live_server.url, pages, become=auditor.become)
    assert not wide, "\n".join(wide)
