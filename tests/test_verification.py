"""Levels of verification and SMS codes: what each step needs, how a person reaches a level, and what is stored."""

import datetime as dt
import http.server
import json
import re
import threading
import time
import urllib.parse

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts import services, sms
from ashyq.accounts.identifiers import identity_hash, normalise_phone, validate_iin
from ashyq.accounts.models import PhoneDevice, Role, Verification
from ashyq.core import identity
from ashyq.dialogue import services as dialogue
from tests.chromium import headless_chromium, needs_chromium
from tests.conftest import PASSWORD

PHONE = "+77011234567"


class FailingGateway:
    def send(self, phone, text):
        raise sms.SmsGatewayError("gateway down")


@pytest.fixture(autouse=True)
def _memory_gateway(settings):
    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.MemoryGateway"
    sms.MemoryGateway.outbox.clear()
    yield
    sms.MemoryGateway.outbox.clear()


def levels(settings, **changes):
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, **changes}


def last_code() -> str:
    return re.search(r"\b(\d{6})\b", sms.MemoryGateway.outbox[-1]["text"]).group(1)


def confirm_phone_in_browser(driver, wait, caplog):
    """On the phone page: type the number, send, read the console gateway's code from the log, type it, send."""
    from selenium.webdriver.common.by import By

    wait.until(lambda d: d.find_element(By.ID, "id_phone")).send_keys("8 701 123 45 67")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait.until(lambda d: d.find_element(By.ID, "id_code"))
    code = re.search(r"Ashyq code: (\d{6})", caplog.text).group(1)
    driver.find_element(By.ID, "id_code").send_keys(code)
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def signed_in(client, user):
    client.force_login(user)
    return client


# --- identifiers ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+7 701 123 45 67", "8 701 123 45 67", "+7(701)123-45-67", "7011234567", "87011234567"])
def test_kazakh_mobile_numbers_are_normalised_however_typed(typed):
    assert normalise_phone(typed) == PHONE


@pytest.mark.parametrize("typed", ["", "12345", "+7 727 250 12 34", "+7 916 123 45 67", "+1 202 555 0101", "not a phone"])
def test_landlines_foreign_and_garbage_numbers_are_refused_with_what_is_expected(typed):
    with pytest.raises(ValidationError) as exc:
        normalise_phone(typed)
    assert "+7 701 123 45 67" in exc.value.messages[0]


def test_iin_control_digit_is_checked():
    base = "90010130001"
    good = next(base + str(d) for d in range(10) if _valid(base + str(d)))
    assert validate_iin(good) == good
    bad = base + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError):
        validate_iin(bad)
    with pytest.raises(ValidationError):
        validate_iin("12345")


def _valid(iin):
    try:
        validate_iin(iin)
        return True
    except ValidationError:
        return False


def test_the_identity_hash_is_keyed_and_never_the_number(settings):
    first = identity_hash("phone", PHONE)
    assert PHONE not in first and "7011234567" not in first and len(first) == 64
    settings.ASHYQ_IDENTITY_HASH_KEY = "another key"
    assert identity_hash("phone", PHONE) != first


# --- levels and what each step needs -----------------------------------------------------------------------------


def test_an_active_account_with_email_has_the_email_level_and_may_write(people, submit):
    assert identity.level_of(people["applicant"]) == identity.Level.EMAIL
    assert submit(people["applicant"]).number


def test_a_step_above_the_level_is_refused_by_the_service_and_explained_on_the_page(settings, people, submit, client, bodies):
    levels(settings, write_appeal="sms")
    with pytest.raises(PermissionDenied, match="phone confirmed by an SMS code"):
        submit(people["applicant"])
    page = signed_in(client, people["applicant"]).get(reverse("dialogue:new"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'name="subject"' not in text, "no form that cannot be sent"
    assert "phone confirmed by an SMS code" in text
    assert reverse("accounts:verification") + "?next=/appeals/new/" in text


def test_the_official_answer_keeps_working_by_default_and_follows_the_setting(settings, people, submit, client):
    appeal = submit(people["applicant"])
    levels(settings, official_answer="eds")
    with pytest.raises(PermissionDenied):
        dialogue.answer_appeal(people["official"], appeal, text="Done.", outcome="resolved")
    page = signed_in(client, people["official"]).get(reverse("dialogue:detail", args=[appeal.pk]))
    assert 'id="form-answer"' not in page.content.decode()
    assert "digital signature (EDS) or in person" in page.content.decode()
    levels(settings, official_answer="none")
    assert dialogue.answer_appeal(people["official"], appeal, text="Done.", outcome="resolved").pk


def test_the_verification_page_lists_every_step_and_how_to_reach_each_level(client, people):
    text = signed_in(client, people["applicant"]).get(reverse("accounts:verification")).content.decode()
    for step in identity.Step:
        label = str(step.label)
        assert label[0].upper() + label[1:] in text
    assert reverse("accounts:verify-phone") in text


# --- SMS codes ---------------------------------------------------------------------------------------------------


def send(client, phone="+7 701 123 45 67", **extra):
    return client.post(reverse("accounts:verify-phone"), {"phone": phone, **extra})


def test_a_citizen_confirms_a_phone_by_sms_and_reaches_the_sms_level(client, people, settings, submit):
    user = people["applicant"]
    signed_in(client, user)
    response = send(client, next="/appeals/new/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:verify-code"))
    assert sms.MemoryGateway.outbox[-1]["phone"] == PHONE
    response = client.post(response["Location"], {"code": last_code(), "next": "/appeals/new/"})
    assert response.status_code == 302 and response["Location"] == "/appeals/new/"
    assert identity.level_of(user) == identity.Level.PHONE
    verification = Verification.objects.get(user=user, method="sms")
    assert verification.identity_hash == identity_hash("phone", PHONE)
    assert verification.expires_at > timezone.now() + dt.timedelta(days=300)
    levels(settings, write_appeal="sms")
    assert submit(user).number


def test_no_phone_number_is_stored_readable(client, people):
    signed_in(client, people["applicant"])
    client.post(send(client)["Location"], {"code": last_code()})
    for row in list(Verification.objects.values()) + list(PhoneDevice.objects.values()):
        assert not any("7011234567" in str(value) for value in row.values()), row


def test_a_code_works_once(client, people):
    signed_in(client, people["applicant"])
    code_url = send(client)["Location"]
    code = last_code()
    assert client.post(code_url, {"code": code}).status_code == 302
    with pytest.raises(ValidationError, match="no code waiting"):
        services.confirm_phone_code(people["applicant"], PHONE, code)


def test_a_wrong_code_is_refused_and_counted_and_too_many_void_the_code(client, people, settings):
    settings.ASHYQ_SMS_MAX_TRIES = 3
    user = people["applicant"]
    signed_in(client, user)
    code_url = send(client)["Location"]
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(code_url, {"code": wrong})
    assert response.status_code == 400 and "not right" in response.content.decode()
    for _ in range(2):
        PhoneDevice.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1))
        response = client.post(code_url, {"code": wrong})
    assert "too many times" in response.content.decode()
    PhoneDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    assert client.post(code_url, {"code": code}).status_code == 400, "the right code no longer works once voided"
    assert identity.level_of(user) == identity.Level.EMAIL


def test_wrong_codes_in_quick_succession_must_wait(client, people):
    signed_in(client, people["applicant"])
    code_url = send(client)["Location"]
    wrong = "000000" if last_code() != "000000" else "111111"
    client.post(code_url, {"code": wrong})
    response = client.post(code_url, {"code": last_code()})
    assert response.status_code == 400 and "Please wait" in response.content.decode()


def test_an_expired_code_is_refused(client, people):
    user = people["applicant"]
    signed_in(client, user)
    code_url = send(client)["Location"]
    PhoneDevice.objects.filter(user=user).update(valid_until=timezone.now() - dt.timedelta(seconds=1))
    response = client.post(code_url, {"code": last_code()})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert identity.level_of(user) == identity.Level.EMAIL


def test_another_code_only_after_the_wait(client, people):
    user = people["applicant"]
    signed_in(client, user)
    send(client)
    response = client.post(reverse("accounts:resend-code"))
    assert response.status_code == 400 and "ask for another one in" in response.content.decode()
    assert len(sms.MemoryGateway.outbox) == 1
    PhoneDevice.objects.filter(user=user).update(last_generated_timestamp=timezone.now() - dt.timedelta(minutes=5))
    assert client.post(reverse("accounts:resend-code")).status_code == 302
    assert len(sms.MemoryGateway.outbox) == 2


def test_codes_are_limited_per_phone_across_accounts(client, people, settings, make_user):
    settings.ASHYQ_SMS_PER_PHONE = "2/d"
    settings.ASHYQ_SMS_RESEND_SECONDS = 0
    signed_in(client, people["applicant"])
    assert send(client).status_code == 302
    assert send(client).status_code == 302
    other = make_user(Role.APPLICANT)
    client.force_login(other)
    response = send(client)
    assert response.status_code == 429 and "Too many codes" in response.content.decode()
    assert len(sms.MemoryGateway.outbox) == 2


def test_codes_are_limited_per_address(client, people, settings, make_user):
    settings.ASHYQ_SMS_PER_ADDRESS = "2/d"
    settings.ASHYQ_SMS_RESEND_SECONDS = 0
    signed_in(client, people["applicant"])
    send(client, "+7 701 000 00 01")
    send(client, "+7 701 000 00 02")
    client.force_login(make_user(Role.APPLICANT))
    assert send(client, "+7 701 000 00 03").status_code == 429


def test_a_failing_gateway_gives_a_clear_message_never_a_500(client, people, settings):
    settings.ASHYQ_SMS_BACKEND = "tests.test_verification.FailingGateway"
    user = people["applicant"]
    signed_in(client, user)
    response = send(client)
    assert response.status_code == 503
    assert "SMS service is not answering" in response.content.decode()
    assert 'value="+7 701 123 45 67"' in response.content.decode(), "what was typed is kept"
    assert not PhoneDevice.objects.filter(user=user, token__isnull=False).exists(), "no code left waiting"
    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.MemoryGateway"
    assert send(client).status_code == 302, "no wait imposed by a message that was never sent"


def test_one_phone_confirms_one_account(client, people):
    signed_in(client, people["applicant"])
    client.post(send(client)["Location"], {"code": last_code()})
    client.force_login(people["other_applicant"])
    response = client.post(send(client)["Location"], {"code": last_code()})
    assert response.status_code == 400 and "already confirms another Ashyq account" in response.content.decode()
    assert identity.level_of(people["other_applicant"]) == identity.Level.EMAIL


def test_a_bad_number_is_refused_beside_the_field(client, people):
    signed_in(client, people["applicant"])
    response = send(client, "+7 727 250 12 34")
    assert response.status_code == 400 and "Kazakhstan mobile number" in response.content.decode()
    assert not sms.MemoryGateway.outbox


def test_the_code_page_without_a_number_sends_back_to_the_phone_page(client, people):
    signed_in(client, people["applicant"])
    assert client.get(reverse("accounts:verify-code"))["Location"] == reverse("accounts:verify-phone")


def test_next_never_leaves_the_site(client, people):
    signed_in(client, people["applicant"])
    response = client.post(
        send(client, next="https://evil.example/")["Location"], {"code": last_code(), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts:verification")


# --- in person ---------------------------------------------------------------------------------------------------

IIN = next("85031540012" + str(d) for d in range(10) if _valid("85031540012" + str(d)))


def test_an_official_verifies_a_visitor_in_person_by_iin(client, people):
    signed_in(client, people["official"])
    response = client.post(reverse("accounts:verify-in-person"), {"person": "citizen", "iin": IIN, "document_seen": "on"})
    assert response.status_code == 302
    verification = Verification.objects.get(user=people["applicant"])
    assert verification.method == "in_person" and verification.granted_by == people["official"]
    assert verification.identity_hash == identity_hash("iin", IIN) and IIN not in str(verification.__dict__)
    assert identity.level_of(people["applicant"]) == identity.Level.SIGNATURE


def test_in_person_needs_the_document_a_valid_iin_and_one_account_per_iin(client, people):
    signed_in(client, people["official"])
    url = reverse("accounts:verify-in-person")
    response = client.post(url, {"person": "citizen", "iin": IIN})
    assert response.status_code == 400 and "identity document" in response.content.decode()
    response = client.post(url, {"person": "citizen", "iin": "123456789012", "document_seen": "on"})
    assert response.status_code == 400 and "control digit" in response.content.decode()
    client.post(url, {"person": "citizen", "iin": IIN, "document_seen": "on"})
    response = client.post(url, {"person": "neighbour", "iin": IIN, "document_seen": "on"})
    assert response.status_code == 400 and "another account" in response.content.decode()


def test_only_body_staff_verify_in_person(client, people):
    signed_in(client, people["applicant"])
    assert client.get(reverse("accounts:verify-in-person")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.grant_in_person(people["moderator"], people["other_applicant"], iin=IIN, document_seen=True)


def test_an_expired_verification_no_longer_counts(people):
    user = people["applicant"]
    services.grant_in_person(people["official"], user, iin=IIN, document_seen=True)
    Verification.objects.filter(user=user).update(expires_at=timezone.now() - dt.timedelta(days=1))
    assert identity.level_of(user) == identity.Level.EMAIL


def test_confirming_the_sign_up_email_records_the_email_verification(client, reference, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("accounts:signup"),
            {
                "username": "newcomer",
                "email": "newcomer@example.kz",
                "first_name": "A",
                "last_name": "B",
                "language": "en",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    from django.core import mail

    link = re.search(r"http\S+/accounts/confirm/\S+/", mail.outbox[-1].body).group(0)
    client.get(urllib.parse.urlparse(link).path)
    assert Verification.objects.filter(user__username="newcomer", method="email", level=identity.Level.EMAIL).exists()


# --- the HTTP gateway --------------------------------------------------------------------------------------------


class _Gateway(http.server.BaseHTTPRequestHandler):
    answer = (200, {"code": 0, "data": {"campaignId": "1", "messageId": "42", "status": 1}, "message": ""})
    delay = 0.0
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        type(self).seen.append({"path": self.path, "form": urllib.parse.parse_qs(body)})
        time.sleep(self.delay)
        status, payload = self.answer
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the client gave up (the timeout test): nothing to report


@pytest.fixture
def gateway_server(settings):
    server = _QuietServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.seen = []
    settings.ASHYQ_SMS_API_URL = f"http://127.0.0.1:{server.server_address[1]}"
    settings.ASHYQ_SMS_API_KEY = "test-key"
    settings.ASHYQ_SMS_TIMEOUT_SECONDS = 0.5
    yield _Gateway
    server.shutdown()
    server.server_close()
    _Gateway.answer = (200, {"code": 0, "data": {"messageId": "42"}, "message": ""})
    _Gateway.delay = 0.0


def test_the_http_gateway_sends_and_returns_the_message_id(gateway_server):
    assert sms.MobizonGateway().send(PHONE, "Ashyq code: 123456") == "42"
    request = gateway_server.seen[-1]
    assert request["path"].startswith("/service/Message/SendSmsMessage?") and "apiKey=test-key" in request["path"]
    assert request["form"] == {"recipient": ["77011234567"], "text": ["Ashyq code: 123456"]}


@pytest.mark.parametrize(
    "answer",
    [
        (200, {"code": 1, "data": {}, "message": "Invalid recipient"}),
        (500, {"code": 0}),
        (200, b"<html>maintenance</html>"),
    ],
)
def test_the_http_gateway_turns_every_failure_into_a_gateway_error(gateway_server, answer):
    gateway_server.answer = answer
    with pytest.raises(sms.SmsGatewayError):
        sms.MobizonGateway().send(PHONE, "x")


def test_a_slow_gateway_times_out(gateway_server):
    gateway_server.delay = 2
    started = time.monotonic()
    with pytest.raises(sms.SmsGatewayError, match="too slow|unreachable"):
        sms.MobizonGateway().send(PHONE, "x")
    assert time.monotonic() - started < 1.9


def test_an_unreachable_gateway_is_a_gateway_error(settings):
    settings.ASHYQ_SMS_API_URL = "http://127.0.0.1:9"
    settings.ASHYQ_SMS_API_KEY = "k"
    with pytest.raises(sms.SmsGatewayError):
        sms.MobizonGateway().send(PHONE, "x")


def test_the_page_answers_503_when_the_http_gateway_fails(gateway_server, settings, client, people):
    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.MobizonGateway"
    gateway_server.answer = (502, {"code": 0})
    signed_in(client, people["applicant"])
    assert send(client).status_code == 503


def test_anonymising_an_account_removes_its_phone_hash_and_frees_the_number(client, people):
    user = people["applicant"]
    signed_in(client, user)
    client.post(send(client)["Location"], {"code": last_code()})
    services.anonymise_own_account(user, password=PASSWORD, confirmed=True)
    assert not Verification.objects.filter(user=user).exclude(identity_hash="").exists()
    assert not PhoneDevice.objects.filter(user=user).exists()
    client.force_login(people["other_applicant"])
    client.post(send(client)["Location"], {"code": last_code()})
    assert identity.level_of(people["other_applicant"]) == identity.Level.PHONE


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_a_citizen_verifies_by_sms_in_a_browser_and_comes_back_to_the_form(live_server, people, settings, caplog):
    """The console gateway, as in development: the code is read from the log, as a developer would."""
    import logging

    from django.test import Client
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    settings.ASHYQ_SMS_BACKEND = "ashyq.accounts.sms.ConsoleGateway"
    levels(settings, write_appeal="sms")
    caplog.set_level(logging.WARNING, logger="ashyq.sms")
    session = Client()
    session.force_login(people["applicant"])
    with headless_chromium() as driver:
        wait = WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + "/appeals/new/")
        assert "phone confirmed by an SMS code" in driver.find_element(By.TAG_NAME, "main").text
        driver.find_element(By.PARTIAL_LINK_TEXT, "How to reach this level").click()
        wait.until(lambda d: d.find_element(By.PARTIAL_LINK_TEXT, "confirm your mobile phone")).click()
        confirm_phone_in_browser(driver, wait, caplog)
        wait.until(lambda d: d.find_elements(By.NAME, "subject"))
        assert driver.current_url.endswith("/appeals/new/")
        assert "Your phone is confirmed" in driver.find_element(By.TAG_NAME, "body").text
    assert identity.level_of(people["applicant"]) == identity.Level.PHONE
