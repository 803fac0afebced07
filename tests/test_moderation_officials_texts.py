"""Moderators review officials' texts through the same pages as the applicant's: a published appeal's later
reasons have their own queue entry, with the original beside the redacted copy, redaction proposals and
approve/refuse; an answer's item holds its legal ground. Only moderators reach them."""

import datetime as dt

import pytest
from django.urls import reverse

from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.models import EventKind, PublicReason
from ashyq.moderation import services
from ashyq.moderation.models import Target

MONDAY = dt.date(2026, 11, 2)
REASON = "Документы запрошены у Сейткалиева И.И., тел. +7 701 123 45 67, kzmarker"


@pytest.fixture
def redirected_after_publication(people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], body="general-prosecutors-office", subject="Свет", text="Нет света.", is_public=True)
    services.approve(people["moderator"], appeal, target=Target.APPEAL)
    with at(MONDAY + dt.timedelta(days=1)):
        dialogue_services.redirect_appeal(people["other_official"], appeal, people["official"].body, REASON)
    return appeal


def test_a_later_reason_is_reviewed_on_its_own_page_and_published_redacted(client, people, redirected_after_publication):
    appeal = redirected_after_publication
    client.force_login(people["moderator"])
    queue = client.get(reverse("moderation:queue")).content.decode()
    assert 'id="queue-reasons"' in queue and reverse("moderation:item", args=[appeal.pk, "reasons"]) in queue
    page = client.get(reverse("moderation:item", args=[appeal.pk, "reasons"])).content.decode()
    field = f"reason-{appeal.events.get(kind=EventKind.REDIRECTED).seq}"
    assert "reason for the redirect of" in page and f'id="original-{field}"' in page
    assert "+7 701 123 45 67" in page  # the original, for the moderator
    response = client.post(
        reverse("moderation:add_redaction", args=[appeal.pk, "reasons"]),
        {"add-field": field, "add-fragment": "kzmarker", "add-kind": "OTHER"},
    )
    assert response.status_code == 302
    assert client.post(reverse("moderation:approve", args=[appeal.pk, "reasons"]), {"confirmed": "yes"}).status_code == 302
    copy = PublicReason.objects.get(event__appeal=appeal)
    assert copy.published and "kzmarker" not in copy.text and "701 123" not in copy.text and "Документы запрошены" in copy.text
    assert appeal.events.order_by("-seq").first().kind == EventKind.REASONS_PUBLISHED
    client.logout()
    public = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    assert copy.text.split(",")[0] in public and "kzmarker" not in public


@pytest.mark.parametrize("role", ["applicant", "official", "head", "monitor"])
def test_only_moderators_review_officials_texts(client, people, role, redirected_after_publication):
    client.force_login(people[role])
    appeal = redirected_after_publication
    assert client.get(reverse("moderation:item", args=[appeal.pk, "reasons"])).status_code == 403
    assert client.post(reverse("moderation:approve", args=[appeal.pk, "reasons"])).status_code == 403
    assert not PublicReason.objects.exists()


def test_the_answer_s_item_shows_its_legal_ground_beside_the_text(client, people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], is_public=True)
    services.approve(people["moderator"], appeal, target=Target.APPEAL)
    with at(MONDAY + dt.timedelta(days=2)):
        dialogue_services.answer_appeal(
            people["official"], appeal, text="Отказано.", outcome="refused", legal_ground="ст. 89 АППК; заявитель Иванов И.И."
        )
    client.force_login(people["moderator"])
    page = client.get(reverse("moderation:item", args=[appeal.pk, "answer"])).content.decode()
    assert "legal ground of the answer" in page and 'id="redacted-ground"' in page
    assert "ст. 89 АППК" in page
