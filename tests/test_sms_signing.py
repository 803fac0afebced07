"""Signing an appeal by a one-time code sent by SMS to the phone the account is confirmed with (as on e-Otinish): the
code names and is bound to the exact text, expires, works once, is rate-limited like every SMS code, and needs the
level ASHYQ_LEVEL_SIGN_APPEAL; the record keeps the signature (method SMS, time, the text's and the phone's hashes,
never the number) and the appeal page says so. Refusals say why and register nothing."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import localtime

from ashyq.accounts import services as accounts
from ashyq.accounts import sms
from ashyq.accounts.identifiers import identity_hash
from ashyq.accounts.models import PhoneDevice
from ashyq.core import eds
from ashyq.dialogue.models import Appeal, AppealEvent, EventKind, Signature, SignerDetails
from tests.chromium import headless_chromium
from tests.test_verification import _memory_gateway, confirm_phone_in_browser, last_code  # noqa: F401 - the autouse gateway fixture

PHONE = "+77011234567"
TEXT = "The street lights on Abai street have been off for a month."
NEW = reverse("dialogue:new")


@pytest.fixture
def citizen(client, people):
    """The applicant, signed in, with their phone confirmed by SMS (the SMS level)."""
    user = people["applicant"]
    client.force_login(user)
    accounts.send_phone_code(user, PHONE)
    accounts.confirm_phone_code(user, PHONE, last_code())
    PhoneDevice.objects.filter(user=user).update(last_generated_timestamp=None)  # no wait left from the verification
    sms.MemoryGateway.outbox.clear()
    return user


def form(regions, bodies, **changes):
    data = {
        "type": "report",
        "subject": "Street lights",
        "text": TEXT,
        "region": "KZ-75",
        "body": "anti-corruption-agency",
        "sign_phone": "8 701 123 45 67",
        "sign_code": "",
    }
    data.update(changes)
    return data


def ask_code(client, regions, bodies, **changes):
    return client.post(NEW, {**form(regions, bodies, **changes), "action": "sms-code"})


def send(client, regions, bodies, code, **changes):
    return client.post(NEW, form(regions, bodies, sign_code=code, **changes))


def nothing_registered():
    return not Appeal.objects.exists() and not Signature.objects.exists()


def test_a_citizen_signs_an_appeal_by_sms_code(client, citizen, regions, bodies):
    page = client.get(NEW).content.decode()
    assert "Sign by a code sent by SMS" in page and "Send me a code" in page
    response = ask_code(client, regions, bodies)
    assert response.status_code == 200
    assert "We have sent a code to +7701***4567" in response.content.decode()
    assert TEXT in response.content.decode(), "the form comes back as typed"
    message = sms.MemoryGateway.outbox[-1]
    assert message["phone"] == PHONE and eds.text_sha256(TEXT)[:8] in message["text"]
    assert not Appeal.objects.exists(), "asking for a code registers nothing"

    response = send(client, regions, bodies, last_code())
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dialogue:detail", args=[appeal.pk])
    signature = Signature.objects.get(appeal=appeal)
    assert (signature.method, signature.signed, signature.signer) == ("sms", "appeal", citizen)
    assert signature.text_sha256 == eds.text_sha256(TEXT) and signature.valid_until is None
    assert signature.details.phone_hash == identity_hash("phone", PHONE)
    event = appeal.events.get(kind=EventKind.SIGNED)
    assert event.data["method"] == "sms" and event.data["text_sha256"] == signature.text_sha256
    stored = str(event.data) + str(Signature.objects.filter(pk=signature.pk).values().get())
    assert PHONE not in stored and "7011234567" not in stored
    page = client.get(response["Location"]).content.decode()
    assert f"Signed by the applicant by SMS code on {localtime(signature.checked_at):%d.%m.%Y}." in page


def test_a_wrong_code_is_refused_beside_the_field_and_nothing_is_registered(client, citizen, regions, bodies):
    ask_code(client, regions, bodies)
    wrong = "000000" if last_code() != "000000" else "111111"
    response = send(client, regions, bodies, wrong)
    assert response.status_code == 400
    assert "This code is not right" in response.content.decode()
    assert TEXT in response.content.decode()
    assert nothing_registered()
    assert PhoneDevice.objects.get(user=citizen).failed_tries == 1, "the wrong try stays counted"


def test_an_expired_code_is_refused(client, citizen, regions, bodies):
    ask_code(client, regions, bodies)
    PhoneDevice.objects.filter(user=citizen).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    response = send(client, regions, bodies, last_code())
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert nothing_registered()


def test_a_code_signs_once(client, citizen, regions, bodies):
    ask_code(client, regions, bodies)
    code = last_code()
    assert send(client, regions, bodies, code).status_code == 302
    response = send(client, regions, bodies, code, subject="Street lights again")
    assert response.status_code == 400 and "no code waiting" in response.content.decode()
    assert Appeal.objects.count() == 1 and Signature.objects.count() == 1


def test_a_code_signs_only_the_text_it_was_sent_for(client, citizen, regions, bodies):
    ask_code(client, regions, bodies)
    response = send(client, regions, bodies, last_code(), text=TEXT + " And the park too.")
    assert response.status_code == 400 and "no code waiting" in response.content.decode()
    assert nothing_registered()


def test_a_code_sent_to_confirm_the_phone_does_not_sign(client, citizen, regions, bodies):
    PhoneDevice.objects.filter(user=citizen).update(last_generated_timestamp=None)
    accounts.send_phone_code(citizen, PHONE)
    response = send(client, regions, bodies, last_code())
    assert response.status_code == 400 and "no code waiting" in response.content.decode()
    assert nothing_registered()


def test_only_the_confirmed_phone_receives_a_signing_code(client, citizen, regions, bodies):
    response = ask_code(client, regions, bodies, sign_phone="+7 702 000 00 00")
    assert response.status_code == 400
    assert "not the phone your account is confirmed with" in response.content.decode()
    assert not sms.MemoryGateway.outbox


def test_signing_codes_share_the_sms_rate_limits(client, citizen, regions, bodies, settings):
    settings.ASHYQ_SMS_PER_PHONE = "1/d"
    assert ask_code(client, regions, bodies).status_code == 200
    PhoneDevice.objects.filter(user=citizen).update(last_generated_timestamp=None)
    response = ask_code(client, regions, bodies)
    assert response.status_code == 429 and "Too many codes" in response.content.decode()
    assert len(sms.MemoryGateway.outbox) == 1


def test_another_code_only_after_the_wait(client, citizen, regions, bodies):
    assert ask_code(client, regions, bodies).status_code == 200
    response = ask_code(client, regions, bodies)
    assert response.status_code == 400 and "A code was sent a moment ago" in response.content.decode()
    assert len(sms.MemoryGateway.outbox) == 1


def test_a_failing_gateway_gives_a_clear_message_never_a_500(client, citizen, regions, bodies, settings):
    settings.ASHYQ_SMS_BACKEND = "tests.test_verification.FailingGateway"
    response = ask_code(client, regions, bodies)
    assert response.status_code == 503
    assert "SMS service is not answering" in response.content.decode()
    assert TEXT in response.content.decode()
    assert not PhoneDevice.objects.filter(user=citizen, token__isnull=False).exists(), "no code left waiting"
    assert nothing_registered()


def test_below_the_signing_level_the_form_says_how_to_reach_it_and_the_service_refuses(
    client, people, regions, bodies, settings, submit
):
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, "sign_appeal": "sms"}
    client.force_login(people["applicant"])  # email level only
    page = client.get(NEW).content.decode()
    assert "Signing an appeal needs this level of verification: phone confirmed by an SMS code." in page
    assert reverse("accounts:verify-phone") in page
    response = ask_code(client, regions, bodies)
    assert response.status_code == 403 and "To sign an appeal you need this level" in response.content.decode()
    response = send(client, regions, bodies, "123456")
    assert response.status_code == 400 and "To sign an appeal you need this level" in response.content.decode()
    assert nothing_registered() and not sms.MemoryGateway.outbox


def test_where_signing_needs_eds_an_sms_code_is_refused_with_the_level(client, citizen, regions, bodies, settings):
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, "sign_appeal": "eds"}
    response = ask_code(client, regions, bodies)
    assert response.status_code == 403
    assert "digital signature (EDS) or in person" in response.content.decode()
    assert not sms.MemoryGateway.outbox and nothing_registered()


def test_where_signing_is_required_an_unsigned_appeal_is_refused_and_the_level_is_told_first(
    client, citizen, people, regions, bodies, settings
):
    settings.ASHYQ_APPEAL_SIGNATURE = "required"
    response = send(client, regions, bodies, "", sign_phone="")
    assert response.status_code == 400 and "This appeal must be signed before it is sent" in response.content.decode()
    assert nothing_registered()
    ask_code(client, regions, bodies)
    assert send(client, regions, bodies, last_code()).status_code == 302
    # Someone who could not sign is told before writing, with the way to the level.
    client.force_login(people["other_applicant"])
    page = client.get(NEW).content.decode()
    assert "phone confirmed by an SMS code" in page and "<textarea" not in page


def test_a_text_changed_after_signing_shows_on_the_appeal_page(client, citizen, regions, bodies):
    ask_code(client, regions, bodies)
    send(client, regions, bodies, last_code())
    appeal = Appeal.objects.get()
    assert "not the text that was signed" not in client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    Appeal.objects.filter(pk=appeal.pk).update(text=TEXT + " (edited)")  # behind the application's back
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    assert "Warning: the text shown here is not the text that was signed" in page


def test_anonymising_removes_the_phone_hash_and_keeps_the_sms_signature(client, citizen, regions, bodies):
    from django.db import transaction

    from ashyq.accounts.models import User

    ask_code(client, regions, bodies)
    send(client, regions, bodies, last_code())
    appeal = Appeal.objects.get()
    from ashyq.dialogue import services

    services.withdraw_appeal(citizen, appeal, "Solved.")
    chain = list(AppealEvent.objects.filter(appeal=appeal).values_list("hash", flat=True))
    with transaction.atomic():
        accounts.anonymise(User.objects.select_for_update().get(pk=citizen.pk), why="test")
    assert not SignerDetails.objects.exists()
    assert Signature.objects.get(appeal=appeal).method == "sms"
    assert list(AppealEvent.objects.filter(appeal=appeal).values_list("hash", flat=True)) == chain


def test_a_citizen_verifies_by_sms_and_signs_an_appeal_by_sms_code_in_chromium(
    live_server, people, regions, bodies, settings, caplog
):
    """The console gateway, as in development: the codes are read from the log."""
    import logging

    from django.test import Client
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.ConsoleGateway"
    settings.ASHYQ_SMS_RESEND_SECONDS = 0
    caplog.set_level(logging.WARNING, logger="ashyq.sms")
    session = Client()
    session.force_login(people["applicant"])
    with headless_chromium(language="en") as driver:
        wait = WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + NEW)
        sms_part = driver.find_element(By.ID, "sms-sign")
        assert "Signing an appeal needs this level of verification" in sms_part.text
        sms_part.find_element(By.LINK_TEXT, "Confirm your phone by SMS").click()
        confirm_phone_in_browser(driver, wait, caplog)
        wait.until(lambda d: d.find_elements(By.NAME, "subject"))
        assert driver.current_url.endswith(NEW)

        Select(driver.find_element(By.NAME, "type")).select_by_value("report")
        driver.find_element(By.NAME, "subject").send_keys("Street lights")
        driver.find_element(By.NAME, "text").send_keys(TEXT)
        Select(driver.find_element(By.NAME, "region")).select_by_value("KZ-75")
        Select(driver.find_element(By.NAME, "body")).select_by_value("anti-corruption-agency")
        driver.find_element(By.NAME, "sign_phone").send_keys("+7 701 123 45 67")
        driver.find_element(By.CSS_SELECTOR, "button[value=sms-code]").click()
        wait.until(lambda d: "We have sent a code" in d.find_element(By.ID, "sms-sign").text)
        code = re.search(r"Ashyq code (\d{6}) signs your appeal", caplog.text).group(1)
        driver.find_element(By.NAME, "sign_code").send_keys(code)
        driver.find_element(By.CSS_SELECTOR, "main form button.primary[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.ID, "signed-appeal"))
        appeal = Appeal.objects.get(applicant=people["applicant"])
        signature = Signature.objects.get(appeal=appeal)
        assert signature.method == "sms"
        assert (
            f"Signed by the applicant by SMS code on {localtime(signature.checked_at):%d.%m.%Y}."
            in driver.find_element(By.ID, "signed-appeal").text
        )
