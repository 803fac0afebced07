"""Switching the language keeps what was typed, without a script (core/language_draft.py).

The header's language buttons on the appeal form belong to that form: they post its fields to /i18n/keep/, which
keeps them in the visitor's session for that page, once, switches the language and goes back; the form starts from
them. Nothing is sent, validated or stored in the record; passwords and files are never kept; a foreign `next` or
an oversized form keeps nothing. The browser test does it in Chromium with JavaScript switched off.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ashyq.core import language_draft
from ashyq.dialogue.models import Appeal

from .chromium import headless_chromium, needs_chromium

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
    buttons = re.findall(r"<button[^>]*name=\"language\"[^>]*>", page)
    assert len(buttons) == 3
    for button in buttons:
        assert 'form="appeal-form"' in button and 'formaction="/i18n/keep/?next=/appeals/new/"' in button
        assert "formnovalidate" in button and 'formenctype="application/x-www-form-urlencoded"' in button


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
    assert "formaction" not in "".join(re.findall(r"<button[^>]*name=\"language\"[^>]*>", page))


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_in_chromium_without_javascript_the_switch_keeps_the_appeal(live_server, people):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

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
        WebDriverWait(driver, 20).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru")
        assert driver.find_element(By.NAME, "subject").get_attribute("value") == "Яма во дворе"
        assert driver.find_element(By.NAME, "text").get_attribute("value") == TEXT
        assert Select(driver.find_element(By.NAME, "region")).first_selected_option.get_attribute("value") == "KZ-75"
        assert driver.find_element(By.NAME, "is_public").is_selected()
        assert not Appeal.objects.exists()
