"""The appeal page and API as the public sees a published appeal: no private links, moderators named as such."""

import datetime as dt

from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.models import EventKind
from tests.public_record_helpers import publish

MONDAY = dt.date(2026, 11, 2)


def test_a_private_complaint_is_not_revealed_through_the_public_appeal(client, people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], is_public=True)
        services.answer_appeal(people["official"], appeal, text="Formal reply.", outcome="explained")
        complaint = services.complain_about_answer(people["applicant"], appeal, text="Unanswered.", is_public=False)
    publish(appeal, "Public subject", "Public text")
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    events = client.get(f"/api/v1/appeals/{appeal.pk}/events").json()
    assert "Public text" in page
    assert complaint.number not in page
    assert all(complaint.number not in str(e["data"]) for e in events)
    assert any(e["kind"] == "complained" for e in events)  # the step itself stays on the public record
    client.force_login(people["applicant"])
    assert complaint.number in client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()


def test_the_applicant_sees_why_their_appeal_is_not_public(client, people, submit, at):
    from django.db import transaction

    from ashyq.dialogue.services import append_event, lock_appeal

    with at(MONDAY):
        appeal = submit(people["applicant"], is_public=True)
    client.force_login(people["applicant"])
    assert "public after moderation" in client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    with transaction.atomic():
        append_event(lock_appeal(appeal), EventKind.PUBLICATION_REFUSED, actor=people["moderator"], reason="Personal data")
    assert "refused by moderation" in client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()


def test_the_public_sees_moderation_steps_as_the_moderators(client, people, submit, at):
    from django.db import transaction

    from ashyq.dialogue.services import append_event, lock_appeal

    with at(MONDAY):
        appeal = submit(people["applicant"], is_public=True)
    with transaction.atomic():
        append_event(lock_appeal(appeal), EventKind.PUBLISHED, actor=people["moderator"])
    publish(appeal, "Subject", "Text")
    actors = {e["kind"]: e["actor"] for e in client.get(f"/api/v1/appeals/{appeal.pk}/events").json()}
    assert actors == {"registered": "applicant", "published": "moderator"}
