"""Switching the language keeps what was typed, without a script (core/language_draft.py).

The header's language buttons on the appeal form belong to that form: they post its fields to /i18n/keep/, which
keeps them in the visitor's session for that page, once, switches the language and goes back; the form starts from
them. Nothing is sent, validated or stored in the record; passwords and files are never kept; a foreign `next` or
an oversized form keeps nothing. The browser test does it in Chromium with JavaScript switched off.
"""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ashyq.core import language_draft
from ashyq.dialogue.models import Appeal

from .chromium import headless_chromium, needs_chromium
from .language_buttons import LANGUAGE_BUTTON, assert_language_buttons_keep

NEW = "/appeals/new/"
TEXT = "Во дворе дома 5 яма глубиной полметра.\nДети падают."


def _token(client, url):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(url).content.decode())[1]


def _switch(client, fields, language="ru", next_url=NEW):
    token = _token(client, NEW)
    return client.post(
        reverse("language-keep") + "?next=" + next_url, {"csrfmiddlewaretoken": token, "language": language, **fields}
    )


@pytest.fixture
def applicant_client(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["applicant"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_header_buttons_of_the_appeal_form_send_its_fields(applicant_client):
    page = applicant_client.get(NEW).content.decode()
    assert 'id="appeal-form"' in page
    assert_language_buttons_keep(page, "appeal-form", "/appeals/new/")


def test_switching_keeps_the_typed_appeal_once_and_sends_nothing(applicant_client):
    response = _switch(applicant_client, {"subject": "Яма во дворе", "text": TEXT, "region": "KZ-75", "is_public": "on"})
    assert response.status_code == 302 and response["Location"] == NEW
    page = applicant_client.get(NEW).content.decode()
    assert '<html lang="ru">' in page
    assert 'value="Яма во дворе"' in page
    assert TEXT in page.replace("\r\n", "\n")
    assert re.search(r'<option value="KZ-75"[^>]*selected', page)
    assert re.search(r'name="is_public"[^>]*checked', page)
    show_name = re.search(r"<input[^>]*name=\"show_name\"[^>]*>", page)[0]
    assert "checked" not in show_name  # left unchecked, it stays unchecked
    assert not Appeal.objects.exists()
    # Once: opening the form again starts empty.
    again = applicant_client.get(NEW).content.decode()
    assert "Яма во дворе" not in again


def test_another_page_does_not_receive_the_kept_text(applicant_client):
    _switch(applicant_client, {"subject": "Яма во дворе", "text": TEXT})
    applicant_client.get("/")  # another page first: the draft waits for its own page
    assert "Яма во дворе" in applicant_client.get(NEW).content.decode()


def test_passwords_and_foreign_next_are_never_kept(applicant_client):
    _switch(applicant_client, {"subject": "Яма", "password": "secret-1", "new_password1": "secret-2"})
    kept = applicant_client.session[language_draft.SESSION_KEY]["data"]
    assert kept == {"subject": ["Яма"]}
    applicant_client.get(NEW)
    response = _switch(applicant_client, {"subject": "Яма"}, next_url="https://evil.example/appeals/new/")
    assert response.status_code == 302 and "evil.example" not in response["Location"]
    assert language_draft.SESSION_KEY not in applicant_client.session


def test_an_oversized_form_is_not_kept_but_the_language_still_switches(applicant_client):
    response = _switch(applicant_client, {"text": "я" * (language_draft.MAX_CHARS + 1)})
    assert response.status_code == 302
    assert language_draft.SESSION_KEY not in applicant_client.session
    assert '<html lang="ru">' in applicant_client.get(NEW).content.decode()


def test_the_switch_needs_the_forms_csrf_token(applicant_client):
    response = applicant_client.post(reverse("language-keep") + "?next=" + NEW, {"language": "ru", "subject": "Яма"})
    assert response.status_code == 403
    assert language_draft.SESSION_KEY not in applicant_client.session


def test_the_anonymous_report_form_keeps_its_text_too(client, reference):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("dialogue:report-anonymously")
    page = client.get(url).content.decode()
    assert 'form="anonymous-report-form"' in page
    response = client.post(reverse("language-keep") + "?next=" + url, {"language": "kk", "subject": "Қауіп", "text": "Көпірде"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert '<html lang="kk">' in page and 'value="Қауіп"' in page and "Көпірде" in page


def test_pages_without_such_a_form_keep_the_plain_switcher(client, reference):
    page = client.get("/").content.decode()
    assert "formaction" not in "".join(LANGUAGE_BUTTON.findall(page))


def _wait(driver):
    """Wait up to 20 s; an element read while the next page replaces the document goes stale: read it again."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_in_chromium_without_javascript_the_switch_keeps_the_appeal(live_server, people):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with headless_chromium(language="en", javascript=False) as driver:
        session = Client()
        session.force_login(people["applicant"])
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + NEW)
        # Scripts are off: site.js would have lifted the field's maxlength for its counter.
        assert driver.find_element(By.NAME, "subject").get_attribute("maxlength")
        driver.find_element(By.NAME, "subject").send_keys("Яма во дворе")
        driver.find_element(By.NAME, "text").send_keys(TEXT)
        Select(driver.find_element(By.NAME, "region")).select_by_value("KZ-75")
        driver.find_element(By.NAME, "is_public").click()
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=ru]").click()
        _wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru")
        assert driver.find_element(By.NAME, "subject").get_attribute("value") == "Яма во дворе"
        assert driver.find_element(By.NAME, "text").get_attribute("value") == TEXT
        assert Select(driver.find_element(By.NAME, "region")).first_selected_option.get_attribute("value") == "KZ-75"
        assert driver.find_element(By.NAME, "is_public").is_selected()
        assert not Appeal.objects.exists()


# --- the appeal page's steps (one form: dialogue/detail.html) ------------------------------------------------------

APPEAL_TODAY = dt.date(2026, 11, 2)  # a Monday: redirect and extension are both open on the day of registration


@pytest.fixture
def open_appeal(people, submit, at):
    with at(APPEAL_TODAY):
        return submit(people["applicant"])


def _signed_in(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_header_buttons_of_the_appeal_page_send_every_steps_fields(people, open_appeal, at):
    client = _signed_in(people["head"])
    url = reverse("dialogue:detail", args=[open_appeal.pk])
    with at(APPEAL_TODAY):
        page = client.get(url).content.decode()
    assert page.count('id="appeal-actions"') == 1 and page.count('<form method="post" class="form" id="appeal-actions"') == 1
    for name in ("assign", "answer", "redirect", "extend"):
        assert f'id="form-{name}"' in page and f'name="{name}-' in page
    assert_language_buttons_keep(page, "appeal-actions", url)


def test_switching_the_language_keeps_what_was_typed_in_every_step(people, open_appeal, at):
    client = _signed_in(people["head"])
    url = reverse("dialogue:detail", args=[open_appeal.pk])
    with at(APPEAL_TODAY):
        token = _token(client, url)
        typed = {
            "answer-outcome": "refused",
            "answer-text": "Нет оснований.\nПроверка проведена.",
            "answer-legal_ground": "ст. 89 АППК",
            "redirect-to_body": "general-prosecutors-office",
            "redirect-reason": "Надзор — компетенция прокуратуры.",
            "extend-reason": "Нужна проверка на месте.",
            "extend-until": "2026-12-01",
        }
        response = client.post(
            reverse("language-keep") + "?next=" + url, {"csrfmiddlewaretoken": token, "language": "kk", **typed}
        )
        assert response.status_code == 302 and response["Location"] == url
        page = client.get(url).content.decode().replace("\r\n", "\n")
    assert '<html lang="kk">' in page
    assert "Нет оснований.\nПроверка проведена." in page and "ст. 89 АППК" in page
    assert re.search(r'<option value="refused"[^>]*selected', page)
    assert re.search(r'<option value="general-prosecutors-office"[^>]*selected', page)
    assert "Надзор — компетенция прокуратуры." in page and "Нужна проверка на месте." in page
    assert 'name="extend-until" value="2026-12-01"' in page
    # Nothing was sent: no step taken, and the kept text is given once.
    assert Appeal.objects.get(pk=open_appeal.pk).events.count() == 1
    with at(APPEAL_TODAY):
        assert "Нет оснований." not in client.get(url).content.decode()


def test_the_applicants_steps_keep_their_text_too(people, open_appeal, at):
    client = _signed_in(people["applicant"])
    url = reverse("dialogue:detail", args=[open_appeal.pk])
    with at(APPEAL_TODAY):
        token = _token(client, url)
        client.post(
            reverse("language-keep") + "?next=" + url,
            {"csrfmiddlewaretoken": token, "language": "ru", "withdraw-reason": "Решилось с соседями."},
        )
        page = client.get(url).content.decode()
    assert '<html lang="ru">' in page and "Решилось с соседями." in page


def test_a_step_sent_with_errors_keeps_what_was_typed_in_the_others(people, open_appeal, at):
    client = Client()
    client.force_login(people["head"])
    with at(APPEAL_TODAY):
        response = client.post(
            reverse("dialogue:action", args=[open_appeal.pk, "redirect"]),
            {"redirect-to_body": "", "redirect-reason": "", "answer-text": "Half-written answer.", "extend-reason": "Audit."},
        )
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required" in page
    assert "Half-written answer." in page and "Audit." in page


def test_going_back_from_a_confirmation_keeps_what_was_typed_in_the_other_steps(people, open_appeal, at):
    client = Client()
    client.force_login(people["head"])
    action = reverse("dialogue:action", args=[open_appeal.pk, "answer"])
    typed = {"answer-outcome": "explained", "answer-text": "Explained in full.", "redirect-reason": "Half-written reason."}
    with at(APPEAL_TODAY):
        confirmation = client.post(action, typed).content.decode()
        assert "This cannot be undone" in confirmation
        assert '<input type="hidden" name="redirect-reason" value="Half-written reason.">' in confirmation
        back = client.post(action, {**typed, "change": "yes"}).content.decode()
    assert "Explained in full." in back and "Half-written reason." in back
    assert Appeal.objects.get(pk=open_appeal.pk).events.count() == 1


def test_a_visitor_reads_the_appeal_page_with_the_plain_switcher(people, submit, client):
    from tests.public_record_helpers import publish

    appeal = submit(people["applicant"], is_public=True)
    publish(appeal, "Potholes", "The road is broken.")
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    assert 'id="appeal-actions"' not in page and "csrfmiddlewaretoken" not in page
    assert "formaction" not in "".join(LANGUAGE_BUTTON.findall(page))


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_in_chromium_without_javascript_the_appeal_pages_steps_keep_their_text(live_server, people, submit):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    appeal = submit(people["applicant"])
    answer = "Разрешение выдано.\nСотрудник отстранён."
    with headless_chromium(language="en", javascript=False) as driver:
        session = Client()
        session.force_login(people["official"])
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(f"{live_server.url}/appeals/{appeal.pk}/")
        Select(driver.find_element(By.NAME, "answer-outcome")).select_by_value("explained")
        driver.find_element(By.NAME, "answer-text").send_keys(answer)
        driver.find_element(By.NAME, "redirect-reason").send_keys("Надзор — компетенция прокуратуры.")
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=kk]").click()
        _wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "kk")
        assert driver.find_element(By.NAME, "answer-text").get_attribute("value") == answer
        assert Select(driver.find_element(By.NAME, "answer-outcome")).first_selected_option.get_attribute("value") == "explained"
        assert driver.find_element(By.NAME, "redirect-reason").get_attribute("value") == "Надзор — компетенция прокуратуры."
        # Then the answer is sent from the page in Kazakh: the confirmation reads it back and its Yes sends it.
        driver.find_element(By.CSS_SELECTOR, "#form-answer button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "confirm-yes"))
        assert "Сотрудник отстранён." in driver.find_element(By.ID, "entered").text
        assert Appeal.objects.get(pk=appeal.pk).status == "registered"
        driver.find_element(By.ID, "confirm-yes").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "answer"))
        assert "Сотрудник отстранён." in Appeal.objects.get(pk=appeal.pk).answer.text
