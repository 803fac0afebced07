"""Anonymous reports (APPC): refused unless they report a crime or a threat to public safety; those are screened by a
moderator and registered as appeals without an applicant, which the body considers under the usual terms."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import AnonymousReport, Appeal, EventKind

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
    response = client.post(reverse("dialogue:anonymous-decide", args=[pending.pk]), {"decision": "register"})
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
    response = client.post(url, {"decision": "refuse", "reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    client.post(url, {"decision": "refuse", "reason": "A request for information, not a crime: write an appeal."})
    pending.refresh_from_db()
    assert pending.state == "refused" and pending.appeal is None
    client.logout()
    assert "not a crime" in client.get(reverse("dialogue:anonymous-status", args=[pending.reference])).content.decode()


def test_only_moderators_screen_and_only_once(client, pending, people):
    for role in ("applicant", "official", "monitor"):
        client.force_login(people[role])
        assert client.get(reverse("dialogue:anonymous-queue")).status_code == 403
        assert client.post(reverse("dialogue:anonymous-decide", args=[pending.pk]), {"decision": "register"}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.register_anonymous_report(people[role], pending)
    services.refuse_anonymous_report(people["moderator"], pending, "Spam.")
    with pytest.raises(Conflict):
        services.register_anonymous_report(people["moderator"], pending)


def test_an_unknown_reference_is_404(client, reference):
    assert client.get(reverse("dialogue:anonymous-status", args=["no-such-reference-at-all"])).status_code == 404
