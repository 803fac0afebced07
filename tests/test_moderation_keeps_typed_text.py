"""The moderation item page keeps what the moderator typed, without a script (core/language_draft.py).

Its steps (add a redaction, remove one, approve, refuse; for a hidden appeal restore and keep hidden) are one form
whose buttons post it to each step's address, its fields named by step (add-fragment, refuse-note). So the header's
language buttons send every step's fields to /i18n/keep/, and the page comes back in the other language with all of
them; a redaction added or removed, a step sent with errors and "No, go back" from a confirmation keep the other
steps' text too. Enter in a field neither switches the language nor takes a step. Checked with the test client and in
headless Chromium with JavaScript switched off.
"""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ashyq.core import language_draft
from ashyq.dialogue.models import Appeal
from ashyq.moderation.models import ModerationDecision, RedactionEdit

from .chromium import headless_chromium, needs_chromium
from .language_buttons import assert_language_buttons_keep
from .test_confirm_irreversible import hidden  # noqa: F401 (fixture: an appeal hidden after three reports)
from .test_moderation import PDF, TEXT

NOTE = "Дубликат обращения 2026-1.\nЗаявитель уведомлён."


@pytest.fixture
def awaiting(people, submit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = [SimpleUploadedFile(f"scan{i}.pdf", PDF, content_type="application/pdf") for i in range(2)]
    return submit(people["applicant"], subject="Взятка", text=TEXT, is_public=True, attachments=files)


def _moderator(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["moderator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _token(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def _nothing_decided(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    return appeal.published_at is None and not ModerationDecision.objects.filter(appeal=appeal).exists()


def test_the_item_page_is_one_form_and_its_language_buttons_send_every_step(people, awaiting):
    client = _moderator(people)
    url = reverse("moderation:item", args=[awaiting.pk, "appeal"])
    page = client.get(url).content.decode()
    main = page[page.index("<main") :]
    assert main.count("<form") == 1 and 'id="moderation-actions"' in main
    for name in ("add-field", "add-fragment", "add-kind", "approve-attachments", "refuse-reason", "refuse-note"):
        assert f'name="{name}"' in main
    assert re.search(r'<button type="submit" formaction="[^"]+/redactions/remove/" name="remove" value="text:\d+:\d+"', main)
    assert_language_buttons_keep(page, "moderation-actions", url)


def test_switching_the_language_keeps_every_field_typed_on_the_item_page(people, awaiting):
    client = _moderator(people)
    url = reverse("moderation:item", args=[awaiting.pk, "appeal"])
    first, second = awaiting.attachments.order_by("pk")
    typed = {
        "add-field": "subject",
        "add-fragment": "Сейткалиев",
        "add-kind": "NAME",
        "approve-attachments": [str(second.pk)],
        "refuse-reason": "duplicate",
        "refuse-note": NOTE,
    }
    token = _token(client.get(url).content.decode())
    response = client.post(reverse("language-keep") + "?next=" + url, {"csrfmiddlewaretoken": token, "language": "kk", **typed})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode().replace("\r\n", "\n")
    assert '<html lang="kk">' in page
    assert re.search(r'<option value="subject"[^>]*selected', page) and re.search(r'<option value="NAME"[^>]*selected', page)
    assert 'name="add-fragment" value="Сейткалиев"' in page
    assert re.search(rf'name="approve-attachments" value="{second.pk}"[^>]*checked', page)
    assert not re.search(rf'name="approve-attachments" value="{first.pk}"[^>]*checked', page)
    assert re.search(r'name="refuse-reason" value="duplicate"[^>]*checked', page)
    assert NOTE in page
    # Nothing was sent: no redaction added, no decision; and the kept text is given once.
    assert not RedactionEdit.objects.exists() and _nothing_decided(awaiting)
    assert "Дубликат обращения" not in client.get(url).content.decode()


def test_attachments_unchecked_before_the_switch_stay_unchecked(people, awaiting):
    awaiting.attachments.update(is_public=True)  # both offered checked
    client = _moderator(people)
    url = reverse("moderation:item", args=[awaiting.pk, "appeal"])
    page = client.get(url).content.decode()
    assert len(re.findall(r'name="approve-attachments" value="\d+"[^>]*checked', page)) == 2
    client.post(reverse("language-keep") + "?next=" + url, {"csrfmiddlewaretoken": _token(page), "language": "ru"})
    # Nothing of the form but its unchecked boxes: the session keeps nothing, the page offers them checked again.
    assert language_draft.SESSION_KEY not in client.session
    client.post(
        reverse("language-keep") + "?next=" + url,
        {"csrfmiddlewaretoken": _token(page), "language": "ru", "refuse-note": "Файлы с ИИН."},
    )
    page = client.get(url).content.decode()
    assert '<html lang="ru">' in page and "Файлы с ИИН." in page
    assert not re.search(r'name="approve-attachments" value="\d+"[^>]*checked', page)


def test_a_hidden_appeals_page_keeps_the_restore_and_keep_texts(people, hidden):
    client = _moderator(people)
    url = reverse("moderation:item", args=[hidden.pk, "hidden"])
    page = client.get(url).content.decode()
    assert page.count('name="restore-note"') == 1 and page.count('name="keep-note"') == 1
    typed = {"restore-note": "Жалобы необоснованны.", "keep-reason": "offensive", "keep-note": "Оскорбления в тексте."}
    client.post(reverse("language-keep") + "?next=" + url, {"csrfmiddlewaretoken": _token(page), "language": "ru", **typed})
    page = client.get(url).content.decode()
    assert '<html lang="ru">' in page and "Жалобы необоснованны." in page and "Оскорбления в тексте." in page
    assert re.search(r'name="keep-reason" value="offensive"[^>]*checked', page)
    assert Appeal.objects.get(pk=hidden.pk).hidden_at is not None


def test_adding_a_redaction_keeps_what_was_typed_in_the_other_steps(client, people, awaiting):
    client.force_login(people["moderator"])
    url = reverse("moderation:item", args=[awaiting.pk, "appeal"])
    response = client.post(
        reverse("moderation:add_redaction", args=[awaiting.pk, "appeal"]),
        {"add-field": "text", "add-fragment": "50000", "add-kind": "OTHER", "refuse-reason": "duplicate", "refuse-note": NOTE},
    )
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode().replace("\r\n", "\n")
    assert "The redaction is added." in page and "требовал [REDACTED] тенге" in page
    assert NOTE in page and re.search(r'name="refuse-reason" value="duplicate"[^>]*checked', page)
    assert 'name="add-fragment" value="50000"' not in page  # the step just taken starts empty
    assert _nothing_decided(awaiting)


def test_removing_a_redaction_keeps_what_was_typed_and_a_stale_one_says_so(client, people, awaiting):
    client.force_login(people["moderator"])
    url = reverse("moderation:item", args=[awaiting.pk, "appeal"])
    page = client.get(url).content.decode()
    value = re.search(r'name="remove" value="(text:\d+:\d+)"', page)[1]
    remove = reverse("moderation:remove_redaction", args=[awaiting.pk, "appeal"])
    response = client.post(remove, {"remove": value, "refuse-note": NOTE, "add-fragment": "Иванов"})
    assert response.status_code == 302 and response["Location"] == url
    page = client.get(url).content.decode().replace("\r\n", "\n")
    assert "The redaction is removed." in page and f'name="remove" value="{value}"' not in page
    assert NOTE in page and 'name="add-fragment" value="Иванов"' in page
    # Removed already (by another moderator, or a second click): said, and the typed text is still kept.
    page = client.post(remove, {"remove": value, "refuse-note": NOTE}, follow=True).content.decode()
    assert "This redaction is no longer proposed." in page and NOTE in page.replace("\r\n", "\n")
    assert "This redaction is no longer proposed." in client.post(remove, {"remove": "nonsense"}, follow=True).content.decode()


def test_a_step_sent_with_errors_keeps_the_other_steps_text(client, people, awaiting):
    client.force_login(people["moderator"])
    response = client.post(
        reverse("moderation:refuse", args=[awaiting.pk, "appeal"]), {"refuse-note": NOTE, "add-fragment": "Сейткалиев"}
    )
    page = response.content.decode().replace("\r\n", "\n")
    assert response.status_code == 400 and "This field is required" in page
    assert NOTE in page and 'name="add-fragment" value="Сейткалиев"' in page
    assert _nothing_decided(awaiting)


def test_going_back_from_a_confirmation_keeps_the_other_steps_text(client, people, awaiting):
    client.force_login(people["moderator"])
    first, second = awaiting.attachments.order_by("pk")
    approve = reverse("moderation:approve", args=[awaiting.pk, "appeal"])
    typed = {"approve-attachments": [str(second.pk)], "refuse-note": NOTE, "add-fragment": "Сейткалиев"}
    confirmation = client.post(approve, typed).content.decode()
    assert "This cannot be undone" in confirmation and "scan1.pdf" in confirmation
    assert '<input type="hidden" name="add-fragment" value="Сейткалиев">' in confirmation
    back = client.post(approve, {**typed, "change": "yes"}).content.decode().replace("\r\n", "\n")
    assert "This cannot be undone" not in back
    assert NOTE in back and 'name="add-fragment" value="Сейткалиев"' in back
    assert re.search(rf'name="approve-attachments" value="{second.pk}"[^>]*checked', back)
    assert _nothing_decided(awaiting)


def _wait(driver, seconds=20):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, ignored_exceptions=(StaleElementReferenceException,))


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_in_chromium_without_javascript_the_item_page_keeps_every_typed_field(live_server, people, submit):
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select

    appeal = submit(people["applicant"], subject="Взятка", text=TEXT, is_public=True)
    session = Client()
    session.force_login(people["moderator"])

    def value(name):
        return driver.find_element(By.NAME, name).get_attribute("value").replace("\r\n", "\n")

    with headless_chromium(language="en", javascript=False) as driver:
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(f"{live_server.url}/moderation/{appeal.pk}/appeal/")
        # Scripts are off: site.js would have lifted the field's maxlength for its counter.
        assert driver.find_element(By.NAME, "add-fragment").get_attribute("maxlength")
        Select(driver.find_element(By.NAME, "add-field")).select_by_value("text")
        Select(driver.find_element(By.NAME, "add-kind")).select_by_value("NAME")
        driver.find_element(By.NAME, "add-fragment").send_keys("50000")
        driver.find_element(By.CSS_SELECTOR, "input[name=refuse-reason][value=duplicate]").click()
        driver.find_element(By.NAME, "refuse-note").send_keys(NOTE)

        # Enter in a text field: no language switch, no step taken; the page stays as it is.
        html = driver.find_element(By.TAG_NAME, "html")
        driver.find_element(By.NAME, "add-fragment").send_keys(Keys.ENTER)
        with pytest.raises(TimeoutException):
            _wait(driver, 3).until(expected_conditions.staleness_of(html))
        assert html.get_attribute("lang") == "en" and value("add-fragment") == "50000"
        assert not RedactionEdit.objects.exists()

        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=kk]").click()
        _wait(driver).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "kk")
        assert value("add-fragment") == "50000" and value("refuse-note") == NOTE
        assert Select(driver.find_element(By.NAME, "add-field")).first_selected_option.get_attribute("value") == "text"
        assert Select(driver.find_element(By.NAME, "add-kind")).first_selected_option.get_attribute("value") == "NAME"
        assert driver.find_element(By.CSS_SELECTOR, "input[name=refuse-reason][value=duplicate]").is_selected()
        assert _nothing_decided(appeal) and not RedactionEdit.objects.exists()

        # The redaction is added from the page in Kazakh: the refusal's note and reason are still there.
        driver.find_element(By.CSS_SELECTOR, "#h-add ~ button[type=submit]").click()
        _wait(driver).until(lambda d: "требовал [NAME] тенге" in d.find_element(By.ID, "redacted-text").text)
        assert value("refuse-note") == NOTE and value("add-fragment") == ""
        assert driver.find_element(By.CSS_SELECTOR, "input[name=refuse-reason][value=duplicate]").is_selected()

        # Refusing asks first; going back keeps everything; Yes refuses.
        driver.find_element(By.CSS_SELECTOR, "#h-refuse ~ button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "confirm-back"))
        assert "Заявитель уведомлён." in driver.find_element(By.ID, "entered").text
        back = driver.find_element(By.ID, "confirm-back")
        back.click()
        # The confirmation carries the typed fields too (hidden, to send them back): wait for the item page itself.
        _wait(driver).until(expected_conditions.staleness_of(back))
        _wait(driver).until(lambda d: d.find_elements(By.ID, "h-refuse"))
        assert value("refuse-note") == NOTE
        driver.find_element(By.CSS_SELECTOR, "#h-refuse ~ button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "confirm-yes"))
        driver.find_element(By.ID, "confirm-yes").click()
        _wait(driver).until(lambda d: not d.find_elements(By.ID, "confirm-yes"))
    decision = ModerationDecision.objects.get(appeal=appeal)
    assert decision.decision == "refused" and "Заявитель уведомлён." in decision.note
