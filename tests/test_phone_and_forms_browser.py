"""In a real browser (headless Chromium), as people use Ashyq on a phone:

- switching the language halfway through an appeal keeps what was typed (once: a later visit starts empty);
- "My appeals", the inbox and the overdue list are cards on a 390 px screen, status and due date first, nothing
  off-screen, and the menu is one line until opened;
- a file over the limit is said before it is uploaded, and the form is not sent;
- text past a field's limit is never cut: the browser's maxlength is lifted and a message says how much is over.
"""

import datetime as dt

import pytest
from django.test import Client

from ashyq.dialogue.models import Appeal

from .chromium import headless_chromium, needs_chromium

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def _signed_in(driver, live_server, user):
    session = Client()
    session.force_login(user)
    driver.get(live_server.url + "/static/ashyq/site.css")
    driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})


def _wait(driver):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def _script_ready(driver):
    # site.js is deferred: it has run once the document is complete.
    _wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_switching_the_language_keeps_a_half_written_appeal(live_server, people):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.get(f"{live_server.url}/appeals/new/")
        _script_ready(driver)
        driver.find_element(By.NAME, "subject").send_keys("Яма во дворе")
        driver.find_element(By.NAME, "text").send_keys("Во дворе дома 5 яма глубиной полметра.\nДети падают.")
        Select(driver.find_element(By.NAME, "region")).select_by_value("KZ-75")
        driver.find_element(By.NAME, "is_public").click()
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=ru]").click()
        _wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru")
        _script_ready(driver)
        assert driver.find_element(By.NAME, "subject").get_attribute("value") == "Яма во дворе"
        assert (
            driver.find_element(By.NAME, "text").get_attribute("value") == "Во дворе дома 5 яма глубиной полметра.\nДети падают."
        )
        assert Select(driver.find_element(By.NAME, "region")).first_selected_option.get_attribute("value") == "KZ-75"
        assert driver.find_element(By.NAME, "is_public").is_selected()
        assert not Appeal.objects.exists()  # nothing was sent
        # Kept for the switch only: opening the form again later starts empty, as it does without scripts.
        driver.get(f"{live_server.url}/appeals/new/")
        _script_ready(driver)
        assert driver.find_element(By.NAME, "subject").get_attribute("value") == ""


def _fits_the_screen(driver):
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def _card_order(driver, card):
    """The vertical positions of the status, due date and subject cells of one card."""
    return driver.execute_script(
        "var r = arguments[0]; function top(s) { return r.querySelector(s).getBoundingClientRect().top; }"
        "return [top('td.col-status'), top('td.col-due'), top('td[data-label]:nth-child(2)'),"
        "        Math.max.apply(null, Array.prototype.map.call(r.querySelectorAll('td'), function (c) {"
        "          return c.getBoundingClientRect().right; }))];",
        card,
    )


@pytest.mark.parametrize(
    "role, path", [("applicant", "/appeals/mine/"), ("official", "/appeals/inbox/"), ("monitor", "/appeals/overdue/")]
)
def test_lists_are_cards_on_a_phone_with_status_and_due_date_first(live_server, people, submit, at, role, path):
    from selenium.webdriver.common.by import By

    with at(dt.date(2026, 9, 1)):  # long overdue by now: on the monitor's list too
        for n in range(3):
            submit(people["applicant"], subject=f"Длинная тема обращения номер {n} о ремонте дороги и освещении улиц")
    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people[role])
        driver.set_window_size(*PHONE)
        driver.get(live_server.url + path)
        _script_ready(driver)
        cards = driver.find_elements(By.CSS_SELECTOR, "table.appeal-list tbody tr")
        assert len(cards) == 3
        assert _fits_the_screen(driver)
        width = driver.execute_script("return window.innerWidth")
        for card in cards:
            status, due, subject, right = _card_order(driver, card)
            assert status < due < subject, "status, then due date, then the rest"
            assert right <= width
        # Each value says which column it is (the header row is not shown on a phone).
        labels = driver.execute_script(
            "return Array.prototype.map.call(arguments[0].querySelectorAll('td'), function (c) {"
            "  return getComputedStyle(c, '::before').content; });",
            cards[0],
        )
        assert '"Status: "' in labels and '"Due: "' in labels
        # The menu is one line: the header is short, and the links are behind "Menu".
        header = driver.find_element(By.CSS_SELECTOR, ".site-header").size["height"]
        assert header < 110, header
        menu = driver.find_element(By.CSS_SELECTOR, "details.nav-narrow")
        assert not menu.find_element(By.CSS_SELECTOR, "a").is_displayed()
        menu.find_element(By.TAG_NAME, "summary").click()
        links = [a for a in menu.find_elements(By.CSS_SELECTOR, "a") if a.is_displayed()]
        assert any(a.get_attribute("href").endswith(path) for a in links)
        assert _fits_the_screen(driver)
        # On a wide screen the same page is a table with its header, and the menu is in the open.
        driver.set_window_size(1280, 900)
        assert driver.find_element(By.CSS_SELECTOR, "table.appeal-list thead th").is_displayed()
        assert driver.find_element(By.CSS_SELECTOR, "nav.nav-wide a").is_displayed()
        assert not driver.find_element(By.CSS_SELECTOR, "details.nav-narrow").is_displayed()


def test_a_file_over_the_limit_is_said_before_it_is_uploaded(live_server, people, settings, tmp_path):
    from selenium.webdriver.common.by import By

    settings.ASHYQ_MAX_ATTACHMENT_BYTES = 2048
    big = tmp_path / "scan.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 5000)
    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.set_window_size(*PHONE)
        driver.get(f"{live_server.url}/appeals/new/")
        _script_ready(driver)
        files = driver.find_element(By.NAME, "attachments")
        assert files.get_attribute("data-max-bytes") == "2048"
        files.send_keys(str(big))
        message = _wait(driver).until(lambda d: d.find_element(By.ID, files.get_attribute("id") + "-size"))
        _wait(driver).until(lambda d: "scan.pdf" in message.text)
        assert "the limit is 2 KB" in message.text and files.get_attribute("aria-invalid") == "true"
        driver.find_element(By.NAME, "subject").send_keys("Свет")
        driver.find_element(By.NAME, "text").send_keys("Нет света.")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit].primary").click()
        assert driver.current_url.endswith("/appeals/new/") and not Appeal.objects.exists()
        assert driver.switch_to.active_element == files  # back to the file to replace


def test_text_past_the_limit_is_not_cut_and_says_how_much_is_over(live_server, people):
    from selenium.webdriver.common.by import By

    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.get(f"{live_server.url}/appeals/new/")
        _script_ready(driver)
        subject = driver.find_element(By.NAME, "subject")
        assert subject.get_attribute("maxlength") is None  # the browser would cut a paste without a word
        subject.send_keys("д" * 205)
        assert len(subject.get_attribute("value")) == 205
        note = driver.find_element(By.ID, subject.get_attribute("id") + "-length")
        assert "5 characters over the limit of 200" in note.text


def test_the_methodology_page_does_not_scroll_sideways_on_a_phone(live_server, db):
    with headless_chromium(language="en") as driver:
        driver.set_window_size(*PHONE)
        driver.get(f"{live_server.url}/assessment/methodology/")
        _script_ready(driver)
        assert "How bodies are assessed" in driver.title
        assert _fits_the_screen(driver), driver.execute_script("return document.documentElement.scrollWidth")
