"""One appeal's whole life, clicked through in a real headless Chromium.

The applicant writes to the Anti-Corruption Agency with a photo attached; the Agency redirects the
appeal to the General Prosecutor's Office; the Office answers; the applicant rates the answer. After
every step the appeal's page must show it. Runs against pytest-django's live server (a real HTTP
server over the test database) with Debian's chromium and chromedriver.
"""

from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from ashyq.dialogue.models import Appeal, EventKind
from ashyq.dialogue.replay import replay, stored_state
from tests.chromium import headless_chromium, needs_chromium
from tests.conftest import PASSWORD

PHONE = (390, 844)

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
]


@pytest.fixture
def browser():
    # A Kazakh-speaking visitor: the site must greet them in Kazakh.
    with headless_chromium(language="kk") as driver:
        yield driver


class Journey:
    """Small verbs over the driver, so the test reads as what the people do."""

    def __init__(self, driver, base_url):
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import Select, WebDriverWait

        self.driver, self.base_url = driver, base_url
        self.By, self.Select, self.Wait, self.WebDriverException = By, Select, WebDriverWait, WebDriverException

    def open(self, path):
        self.driver.get(self.base_url + path)

    def find(self, css):
        return self.driver.find_element(self.By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(self.By.CSS_SELECTOR, css)

    def text(self, css):
        return self.find(css).text

    def fill(self, css, value):
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def choose(self, css, value):
        self.Select(self.find(css)).select_by_value(value)

    def submit(self, button_css):
        """Click a submit button and wait until the next page has loaded in place of this one.

        The old page is marked with a script variable that a new document does not have (waiting for
        the old <html> to go stale races with chromedriver, which may report an unknown node instead).
        """
        self.driver.execute_script("window.__ashyqOldPage = true;")
        self.find(button_css).click()
        self.Wait(self.driver, 20, ignored_exceptions=(self.WebDriverException,)).until(
            lambda d: d.execute_script("return !window.__ashyqOldPage && document.readyState === 'complete';")
        )

    def lang(self):
        return self.find("html").get_attribute("lang")

    def switch_language(self, code):
        self.submit(f"header form.lang button[value='{code}']")
        assert self.lang() == code

    def sign_in(self, username):
        self.open("/accounts/login/")
        self.fill("main form input[name=username]", username)
        self.fill("main form input[name=password]", PASSWORD)
        self.submit("main form button[type=submit]")
        # textContent, not the visible text: on a phone the account link sits in the closed menu.
        header = self.driver.execute_script("return document.querySelector('header').textContent")
        assert username in header, f"{username} is not signed in: {self.text('main')}"

    def sign_out(self):
        # As a person would: on a phone the account's links are behind "Menu", which opens first.
        menu = self.find("header details.nav-narrow")
        if menu.is_displayed():
            if not menu.get_attribute("open"):
                self.find("header details.nav-narrow summary").click()
            self.submit("header details.nav-narrow form.inline button[type=submit]")
        else:
            self.submit("header .nav-wide form.inline button[type=submit]")
        assert self.find_all("header a[href='/accounts/login/']"), "still signed in after signing out"

    def message(self):
        return " ".join(m.text for m in self.find_all(".messages .msg"))

    def timeline_kinds(self):
        return [
            next(c.removeprefix("event-") for c in li.get_attribute("class").split() if c.startswith("event-"))
            for li in self.find_all("#timeline > li")
        ]


def _png(path: Path) -> Path:
    Image.new("RGB", (64, 48), (0, 122, 94)).save(path, format="PNG")
    return path


def _assert_consistent(appeal):
    appeal.refresh_from_db()
    assert stored_state(appeal) == replay(appeal.events.order_by("seq"))


def test_appeal_journey_in_a_real_browser(browser, live_server, reference, people, tmp_path):
    acc, gpo = reference["bodies"]["anti-corruption-agency"], reference["bodies"]["general-prosecutors-office"]
    region = reference["regions"]["KZ-75"]
    me = Journey(browser, live_server.url)

    # The site opens in the browser's language, Kazakh; the header's buttons switch it (English for readable assertions).
    me.open("/")
    assert me.lang() == "kk"
    me.switch_language("en")

    # 1. The applicant signs in and writes to the Anti-Corruption Agency with a photo attached.
    me.sign_in("citizen")
    me.open("/appeals/new/")
    me.choose("#id_body", acc.slug)
    me.choose("#id_type", "report")
    me.fill("#id_subject", "Bribe demanded for a building permit")
    me.fill("#id_text", "The district architecture officer asked for money to speed up my permit.")
    me.choose("#id_region", region.iso_code)
    me.find("#id_attachments").send_keys(str(_png(tmp_path / "receipt.png")))
    me.submit("main form button[type=submit]")

    appeal = Appeal.objects.get(applicant=people["applicant"])
    assert browser.current_url == f"{live_server.url}/appeals/{appeal.pk}/"
    assert appeal.number in me.message()
    assert appeal.due_on.strftime("%d.%m.%Y") in me.message()
    assert appeal.number in me.text("h1")
    assert me.find("#appeal-due time").get_attribute("datetime") == appeal.due_on.isoformat()
    assert "registered" in me.text("#appeal-status")
    assert acc.name_en in me.text("#appeal-body")
    assert "receipt.png" in me.text(".attachments")
    assert me.timeline_kinds() == [EventKind.REGISTERED]
    assert appeal.attachments.get().content_type == "image/png"
    _assert_consistent(appeal)
    me.sign_out()

    # 2. The Agency's official finds it in the inbox and redirects it to the General Prosecutor's Office.
    me.sign_in("acc-official")
    me.open("/appeals/inbox/")
    me.find(f"main table a[href='/appeals/{appeal.pk}/']").click()
    assert appeal.number in me.text("h1")
    assert "receipt.png" in me.text(".attachments")  # the body's staff see the attachment
    me.choose("#form-redirect select[name=redirect-to_body]", gpo.slug)
    me.fill("#form-redirect textarea[name=redirect-reason]", "Supervision of local officials is the prosecutor's competence.")
    me.submit("#form-redirect button[type=submit]")
    # A redirect cannot be undone: a second page says so before anything happens.
    assert "cannot be undone" in me.text("#what-happens") and gpo.name_en in me.text("h1")
    me.submit("#confirm-yes")
    assert "redirected" in me.message()
    assert "registered" in me.text("#appeal-status")
    assert gpo.name_en in me.text("#appeal-body")
    assert me.timeline_kinds() == [EventKind.REGISTERED, EventKind.REDIRECTED]
    redirected = me.text("#timeline li.event-redirected")
    assert acc.name_en in redirected and gpo.name_en in redirected
    assert "prosecutor's competence" in redirected
    assert not me.find_all("#form-answer"), "the Agency may no longer act on an appeal it redirected"
    _assert_consistent(appeal)
    assert appeal.body == gpo
    me.sign_out()

    # 3. The Prosecutor's official finds it in their own inbox and answers: resolved.
    me.sign_in("gpo-official")
    me.open("/appeals/inbox/")
    assert gpo.name_en in me.text("h1")
    me.find(f"main table a[href='/appeals/{appeal.pk}/']").click()
    me.choose("#form-answer select[name=answer-outcome]", "resolved")
    me.fill("#form-answer textarea[name=answer-text]", "The officer was suspended and a disciplinary inquiry opened.")
    me.submit("#form-answer button[type=submit]")
    assert "disciplinary inquiry" in me.text("#entered")  # the answer read back before it is sent
    me.submit("#confirm-yes")
    assert "answer is sent" in me.message()
    assert "answered" in me.text("#appeal-status")
    assert "resolved" in me.text("#answer-outcome")
    assert "disciplinary inquiry" in me.text("#answer")
    assert me.timeline_kinds() == [EventKind.REGISTERED, EventKind.REDIRECTED, EventKind.ANSWERED]
    assert not me.find_all("section.action"), "an answered appeal offers the body no further steps"
    _assert_consistent(appeal)
    me.sign_out()

    # 4. The applicant reads the answer and says it solved the problem, satisfaction 5 of 5.
    me.sign_in("citizen")
    me.open("/appeals/mine/")
    me.find(f"main table a[href='/appeals/{appeal.pk}/']").click()
    assert "disciplinary inquiry" in me.text("#answer")
    assert gpo.name_en in me.text("#answer h2")
    me.find("#form-feedback input[name=feedback-resolution][value=yes]").click()
    me.find("#form-feedback input[name=feedback-rating][value='5']").click()
    me.submit("#form-feedback button[type=submit]")
    me.submit("#confirm-yes")
    assert "feedback is on the record" in me.message()
    assert "5 of 5" in me.text("#feedback")
    assert "yes" in me.text("#feedback")
    assert me.timeline_kinds() == [EventKind.REGISTERED, EventKind.REDIRECTED, EventKind.ANSWERED, EventKind.FEEDBACK]
    assert "5/5" in me.text("#timeline li.event-feedback")
    assert not me.find_all("#form-feedback"), "feedback is given once"
    feedback = appeal.feedback
    assert (feedback.resolution, feedback.rating) == ("yes", 5)
    _assert_consistent(appeal)

    # 5. In Russian the same page shows the body's Russian name; a phone-width screenshot goes to var/.
    me.switch_language("ru")
    assert appeal.number in me.text("h1")
    assert gpo.name_ru in me.text("#appeal-body")
    browser.set_window_size(*PHONE)
    width = browser.execute_script("return document.documentElement.clientWidth")
    overflow = browser.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the appeal page scrolls sideways on a {width}px-wide phone by {overflow}px"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(PHONE[0], min(height + 200, 6000))
    shots = Path(settings.VAR_DIR) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(shots / "appeal-journey-phone.png"))
