"""Reports of abuse: anyone may report a published appeal; after ASHYQ_REPORTS_TO_HIDE distinct reporters it is
hidden pending review and the applicant is emailed; a moderator restores it or keeps it hidden; rate limits."""

import pytest
from django.core import mail

from ashyq.dialogue.models import EventKind
from ashyq.dialogue.selectors import public_appeals
from ashyq.moderation import selectors, services
from ashyq.moderation.models import AbuseReport, Decision, Target


@pytest.fixture
def published(people, submit):
    appeal = submit(people["applicant"], subject="Ямы на дороге", text="Ямы на улице.", is_public=True)
    services.approve(people["moderator"], appeal, target=Target.APPEAL)
    appeal.refresh_from_db()
    return appeal


def report(client, appeal, ip, **data):
    return client.post(f"/moderation/report/{appeal.pk}/", {"target": "appeal", "reason": "offensive", **data}, REMOTE_ADDR=ip)


def test_the_appeal_page_offers_the_report_form_to_the_public_only_when_published(client, people, submit, published):
    # A visitor who is not signed in reads the shared cached page: it links to the form's own page (no CSRF token).
    page = client.get(f"/appeals/{published.pk}/").content.decode()
    assert 'id="link-report"' in page and 'id="form-report"' not in page
    form_page = client.get(f"/moderation/report/{published.pk}/")
    assert form_page.status_code == 200 and 'id="form-report"' in form_page.content.decode()
    client.force_login(people["other_applicant"])
    assert 'id="form-report"' in client.get(f"/appeals/{published.pk}/").content.decode()
    client.force_login(people["applicant"])
    assert 'id="form-report"' not in client.get(f"/appeals/{published.pk}/").content.decode()
    private = submit(people["applicant"], is_public=True)
    assert 'id="form-report"' not in client.get(f"/appeals/{private.pk}/").content.decode()


def test_three_distinct_reporters_hide_the_appeal_and_the_applicant_is_told(client, people, published, run_queue):
    run_queue()  # the emails about the appeal's earlier steps
    mail.outbox.clear()
    assert report(client, published, "10.0.0.1").status_code == 302
    assert report(client, published, "10.0.0.1").status_code == 302  # same address: not counted again
    client.force_login(people["other_applicant"])
    assert report(client, published, "10.0.0.2", comment="оскорбления").status_code == 302
    assert report(client, published, "10.0.0.3").status_code == 302  # same account: not counted again
    published.refresh_from_db()
    assert published.hidden_at is None and AbuseReport.objects.count() == 2
    client.logout()
    with run_queue:
        assert report(client, published, "10.0.0.4").status_code == 302
    published.refresh_from_db()
    assert published.hidden_at is not None
    assert published.pk not in public_appeals().values_list("pk", flat=True)
    assert client.get(f"/appeals/{published.pk}/").status_code == 404
    event = published.events.order_by("-seq").first()
    assert event.kind == EventKind.HIDDEN and event.data == {"reports": 3} and event.reason == ""
    assert len(mail.outbox) == 1 and published.number in mail.outbox[0].subject
    assert mail.outbox[0].to == [people["applicant"].email]
    assert [a.pk for a in selectors.queue(people["moderator"])[Target.HIDDEN]] == [published.pk]
    # The applicant still sees their appeal.
    client.force_login(people["applicant"])
    assert client.get(f"/appeals/{published.pk}/").status_code == 200


def test_the_threshold_is_a_setting(client, settings, published):
    settings.ASHYQ_REPORTS_TO_HIDE = 1
    report(client, published, "10.0.0.9")
    published.refresh_from_db()
    assert published.hidden_at is not None


def _hide(published, people):
    for i in range(3):
        services.report_abuse(None, f"10.1.0.{i}", published, target="appeal", reason="spam")
    published.refresh_from_db()


def test_a_moderator_restores_a_hidden_appeal(client, people, published):
    _hide(published, people)
    client.force_login(people["moderator"])
    page = client.get(f"/moderation/{published.pk}/hidden/").content.decode()
    assert "spam or advertising" in page
    assert (
        client.post(
            f"/moderation/{published.pk}/hidden/restore/", {"restore-note": "Всё в порядке", "confirmed": "yes"}
        ).status_code
        == 302
    )
    published.refresh_from_db()
    assert published.hidden_at is None and published.pk in public_appeals().values_list("pk", flat=True)
    assert published.events.order_by("-seq").first().kind == EventKind.RESTORED
    assert not AbuseReport.objects.filter(resolved_at__isnull=True).exists()
    assert selectors.queue(people["moderator"])[Target.HIDDEN] == []
    # Reports start again from zero after a review.
    services.report_abuse(None, "10.1.0.0", published, target="appeal", reason="spam")
    published.refresh_from_db()
    assert published.hidden_at is None


def test_a_moderator_keeps_it_hidden(client, people, published):
    _hide(published, people)
    client.force_login(people["admin"])
    assert client.post(f"/moderation/{published.pk}/hidden/keep/", {"keep-note": "x"}).status_code == 400
    assert (
        client.post(f"/moderation/{published.pk}/hidden/keep/", {"keep-reason": "offensive", "confirmed": "yes"}).status_code
        == 302
    )
    published.refresh_from_db()
    assert published.hidden_at is not None
    assert published.moderation_decisions.first().decision == Decision.KEPT_HIDDEN
    last = published.events.order_by("-seq").first()
    assert last.kind == EventKind.HIDDEN and last.actor == people["admin"]
    assert selectors.queue(people["moderator"])[Target.HIDDEN] == []


def test_a_private_or_unpublished_appeal_cannot_be_reported(client, people, submit):
    appeal = submit(people["applicant"], is_public=True)
    assert report(client, appeal, "10.0.0.1").status_code == 404
    assert client.get(f"/moderation/report/{appeal.pk}/").status_code == 404  # nor its form shown
    assert not AbuseReport.objects.exists()


def test_an_unpublished_answer_cannot_be_reported_and_a_reason_is_required(client, published):
    response = report(client, published, "10.0.0.1", target="answer")
    assert response.status_code == 400
    response = client.post(f"/moderation/report/{published.pk}/", {"target": "appeal"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 400 and 'id="form-report"' in response.content.decode()
    assert not AbuseReport.objects.exists()


def test_reports_are_rate_limited_per_address_with_a_clear_message(client, people, submit, settings):
    settings.ASHYQ_REPORTS_TO_HIDE = 1000
    appeals = []
    for _i in range(21):
        appeal = submit(people["applicant"], is_public=True)
        services.approve(people["moderator"], appeal, target=Target.APPEAL)
        appeals.append(appeal)
    for appeal in appeals[:20]:
        assert report(client, appeal, "10.9.9.9").status_code == 302
    response = report(client, appeals[20], "10.9.9.9")
    assert response.status_code == 429
    assert "too many reports" in response.content.decode()
    assert report(client, appeals[20], "10.9.9.10").status_code == 302  # another address is not limited


def test_reports_are_rate_limited_per_account(client, people, submit, settings):
    settings.ASHYQ_REPORTS_TO_HIDE = 1000
    client.force_login(people["other_applicant"])
    appeals = []
    for _i in range(11):
        appeal = submit(people["applicant"], is_public=True)
        services.approve(people["moderator"], appeal, target=Target.APPEAL)
        appeals.append(appeal)
    for i, appeal in enumerate(appeals[:10]):
        assert report(client, appeal, f"10.8.0.{i}").status_code == 302
    response = report(client, appeals[10], "10.8.0.99")  # a fresh address does not help a signed-in account
    assert response.status_code == 429 and "too many reports" in response.content.decode()
