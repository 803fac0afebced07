"""Anonymous reports (APPC): refused unless they report a crime or a threat to public safety; those are screened by a
moderator and registered as appeals without an applicant, which the body considers under the usual terms."""

import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import AnonymousReport, Appeal, EventKind

from .chromium import headless_chromium, needs_chromium

REPORT = {
    "ground": "crime",
    "subject": "Drugs sold near school No. 12",
    "text": "Every evening after six, behind the gym.",
    "region": "KZ-75",
    "body": "anti-corruption-agency",
    "confirmed": "on",
}


def send(client, **changes):
    return client.post(reverse("dialogue:report-anonymously"), {**REPORT, **changes})


@pytest.fixture
def pending(client, reference):
    response = send(client)
    assert response.status_code == 302
    return AnonymousReport.objects.get()


def test_a_crime_is_reported_without_an_account_and_waits_for_screening(client, reference):
    response = send(client)
    report = AnonymousReport.objects.get()
    assert response["Location"] == reverse("dialogue:anonymous-status", args=[report.reference])
    assert len(report.reference) >= 20 and report.state == "pending"
    assert not Appeal.objects.exists(), "nothing reaches a body before a moderator screened it"
    page = client.get(response["Location"]).content.decode()
    assert "awaiting screening" in page and "Drugs sold" not in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"ground": ""}, "only when they report a crime or a threat"),
        ({"ground": "complaint"}, "only when they report a crime or a threat"),
        ({"confirmed": ""}, "Confirm that you are reporting a crime"),
        ({"text": ""}, "This field is required"),
    ],
)
def test_any_other_anonymous_appeal_is_refused_with_the_reason(client, reference, changes, message):
    response = send(client, **changes)
    assert response.status_code == 400 and message in response.content.decode()
    assert 'value="Drugs sold near school No. 12"' in response.content.decode(), "what was typed is kept"
    assert not AnonymousReport.objects.exists()


def test_anonymous_reports_are_rate_limited_per_address(client, reference, settings):
    settings.ASHYQ_ANONYMOUS_REPORTS_PER_ADDRESS = "2/d"
    assert send(client).status_code == 302
    assert send(client).status_code == 302
    assert send(client).status_code == 429
    assert AnonymousReport.objects.count() == 2


def test_a_moderator_registers_it_as_an_appeal_without_an_applicant(client, pending, people):
    client.force_login(people["moderator"])
    assert "Drugs sold near school No. 12" in client.get(reverse("dialogue:anonymous-queue")).content.decode()
    response = client.post(
        reverse("dialogue:anonymous-decide", args=[pending.pk]), {f"r{pending.pk}-decision": "register", "confirmed": "yes"}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    appeal = pending.appeal
    assert appeal.applicant is None and appeal.is_anonymous and appeal.type == "report" and not appeal.is_public
    assert appeal.body.slug == "anti-corruption-agency" and appeal.due_on > appeal.received_on
    event = appeal.events.get()
    assert event.kind == EventKind.REGISTERED and event.actor == people["moderator"] and event.data["anonymous"] == "crime"
    client.logout()
    status = client.get(reverse("dialogue:anonymous-status", args=[pending.reference])).content.decode()
    assert appeal.number in status and appeal.due_on.strftime("%d.%m.%Y") in status


def test_the_body_considers_it_and_no_email_goes_to_an_applicant(client, pending, people, run_queue):
    appeal = services.register_anonymous_report(people["moderator"], pending)
    client.force_login(people["official"])
    assert appeal.number in client.get(reverse("dialogue:inbox")).content.decode()
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    assert "anonymous report of a crime" in page and 'id="form-answer"' in page
    run_queue()
    mail.outbox.clear()
    services.answer_appeal(people["official"], appeal, text="Police informed.", outcome="resolved")
    assert run_queue() >= 1, "the applicant's email task ran, and found nobody to write to"
    assert not mail.outbox


def test_a_moderator_refuses_with_a_reason_the_sender_reads(client, pending, people):
    client.force_login(people["moderator"])
    url = reverse("dialogue:anonymous-decide", args=[pending.pk])
    response = client.post(url, {f"r{pending.pk}-decision": "refuse", f"r{pending.pk}-reason": " "})
    assert response.status_code == 400 and "Write why it is refused" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == "pending"
    reason = "A request for information, not a crime: write an appeal."
    client.post(url, {f"r{pending.pk}-decision": "refuse", f"r{pending.pk}-reason": reason, "confirmed": "yes"})
    pending.refresh_from_db()
    assert pending.state == "refused" and pending.appeal is None
    client.logout()
    assert "not a crime" in client.get(reverse("dialogue:anonymous-status", args=[pending.reference])).content.decode()


def test_only_moderators_screen_and_only_once(client, pending, people):
    for role in ("applicant", "official", "monitor"):
        client.force_login(people[role])
        assert client.get(reverse("dialogue:anonymous-queue")).status_code == 403
        decide = reverse("dialogue:anonymous-decide", args=[pending.pk])
        assert client.post(decide, {f"r{pending.pk}-decision": "register"}).status_code == 403
        assert client.post(decide, {f"r{pending.pk}-decision": "register", "confirmed": "yes"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.register_anonymous_report(people[role], pending)
    services.refuse_anonymous_report(people["moderator"], pending, "Spam.")
    with pytest.raises(Conflict):
        services.register_anonymous_report(people["moderator"], pending)


def test_an_unknown_reference_is_404(client, reference):
    assert client.get(reverse("dialogue:anonymous-status", args=["no-such-reference-at-all"])).status_code == 404


# --- screening is final, so it is confirmed on a second page (core/confirmation.py) ---------------------------------


@pytest.fixture
def two_pending(client, reference):
    assert send(client).status_code == 302
    assert send(client, subject="Gas smell in the stairwell of block 4", ground="public_safety").status_code == 302
    client.cookies.clear()
    return list(AnonymousReport.objects.order_by("pk"))


def _screen(client, report, **fields):
    return client.post(
        reverse("dialogue:anonymous-decide", args=[report.pk]),
        {f"r{report.pk}-{name}" if name not in ("confirmed", "change") else name: value for name, value in fields.items()},
    )


def test_registering_asks_first_and_says_a_term_starts(client, pending, people):
    client.force_login(people["moderator"])
    page = _screen(client, pending, decision="register")
    text = page.content.decode()
    assert page.status_code == 200 and "Register this anonymous report as an appeal?" in text
    assert "This cannot be undone" in text and "Drugs sold near school No. 12" in text
    assert "Register it: it reports a crime or a threat to public safety" in text  # the decision read back
    pending.refresh_from_db()
    assert pending.state == "pending" and not Appeal.objects.exists()
    assert _screen(client, pending, decision="register", confirmed="yes").status_code == 302
    pending.refresh_from_db()
    assert pending.state == "registered" and pending.appeal is not None


def test_going_back_from_a_refusal_keeps_the_reason_for_that_report_only(client, two_pending, people):
    first, second = two_pending
    client.force_login(people["moderator"])
    reason = "A request for information,\nnot a crime."
    confirm = _screen(client, second, decision="refuse", reason=reason).content.decode()
    assert "Refuse this anonymous report?" in confirm and "Gas smell in the stairwell of block 4" in confirm
    assert "A request for information,<br>not a crime." in confirm  # read back as typed
    back = _screen(client, second, decision="refuse", reason=reason, change="yes")
    page = back.content.decode().replace("\r\n", "\n")
    assert back.status_code == 200 and "This cannot be undone" not in page
    assert f'<textarea name="r{second.pk}-reason"' in page and reason in page
    assert page.count(reason) == 1  # in that report's field, not the other's
    assert re.search(rf'name="r{second.pk}-decision" value="refuse"[^>]*checked', page)
    assert not re.search(rf'name="r{first.pk}-decision" value="refuse"[^>]*checked', page)
    assert AnonymousReport.objects.filter(state="pending").count() == 2


def test_switching_the_language_on_the_confirmation_returns_to_the_queue_with_the_reason(two_pending, people):
    from django.conf import settings
    from django.test import Client

    first, second = two_pending
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["moderator"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    queue = reverse("dialogue:anonymous-queue")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get(queue).content.decode())[1]
    fields = {"csrfmiddlewaretoken": token, f"r{second.pk}-decision": "refuse", f"r{second.pk}-reason": "Спам."}
    confirm = client.post(reverse("dialogue:anonymous-decide", args=[second.pk]), fields).content.decode()
    assert f'formaction="/i18n/keep/?next={queue}"' in confirm and 'form="confirm-form"' in confirm
    # The confirmation's language buttons post its hidden copy of the form to the switch, for the queue's address.
    response = client.post(reverse("language-keep") + "?next=" + queue, {**fields, "language": "ru"})
    assert response.status_code == 302 and response["Location"] == queue
    page = client.get(queue).content.decode()
    assert '<html lang="ru">' in page and "Спам." in page
    assert re.search(rf'name="r{second.pk}-decision" value="refuse"[^>]*checked', page)
    assert AnonymousReport.objects.filter(state="pending").count() == 2


def test_a_report_screened_meanwhile_is_not_asked_about_again(client, pending, people):
    services.refuse_anonymous_report(people["moderator"], pending, "Spam.")
    client.force_login(people["moderator"])
    response = _screen(client, pending, decision="register")
    assert response.status_code == 302 and response["Location"] == reverse("dialogue:anonymous-queue")
    assert "already been screened" in client.get(response["Location"]).content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_in_chromium_without_javascript_screening_asks_first_and_a_language_switch_keeps_the_reason(
    live_server, client, reference, people
):
    from django.test import Client
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    assert send(client).status_code == 302
    report = AnonymousReport.objects.get()
    reason = "Запрос информации, а не преступление.\nНапишите обращение."
    session = Client()
    session.force_login(people["moderator"])
    with headless_chromium(language="en", javascript=False) as driver:
        wait = WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + reverse("dialogue:anonymous-queue"))
        form = f"#screen-r{report.pk}"
        driver.find_element(By.CSS_SELECTOR, f"{form} input[value=refuse]").click()
        driver.find_element(By.CSS_SELECTOR, f"{form} textarea").send_keys(reason)
        driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.ID, "confirm-yes"))
        assert "This cannot be undone" in driver.find_element(By.TAG_NAME, "main").text
        assert "Напишите обращение." in driver.find_element(By.ID, "entered").text
        # The language is switched on the confirmation: back to the queue in Kazakh, the reason still typed.
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=kk]").click()
        wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "kk")
        assert driver.find_element(By.CSS_SELECTOR, f"{form} textarea").get_attribute("value") == reason
        assert driver.find_element(By.CSS_SELECTOR, f"{form} input[value=refuse]").is_selected()
        report.refresh_from_db()
        assert report.state == "pending"
        driver.find_element(By.CSS_SELECTOR, f"{form} button[type=submit]").click()
        wait.until(lambda d: d.find_elements(By.ID, "confirm-yes"))
        driver.find_element(By.ID, "confirm-yes").click()
        wait.until(lambda d: not d.find_elements(By.ID, "confirm-yes"))
    report.refresh_from_db()
    assert report.state == "refused" and report.reason.replace("\r\n", "\n") == reason  # a browser sends CRLF
