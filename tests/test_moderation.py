"""The moderation queue: only moderators see it; approving publishes the redacted copies, refusing keeps
the appeal private; every decision is logged and is an event on the appeal; the original never changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import EventKind
from ashyq.dialogue.selectors import public_appeals
from ashyq.moderation import selectors, services
from ashyq.moderation.models import Decision, ModerationDecision, Target

TEXT = "Инспектор Сейткалиев И.И. требовал 50000 тенге. Мой телефон +7 701 123 45 67."
# A one-page PDF a real parser opens (attachments are parsed, and a file without a catalog is not a PDF).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def public_appeal(people, submit):
    return submit(people["applicant"], subject="Взятка, Иванов И.И.", text=TEXT, is_public=True)


def test_the_queue_lists_public_appeals_awaiting_publication_only(people, submit, public_appeal):
    private = submit(people["applicant"], is_public=False)
    items = selectors.queue(people["moderator"])
    assert [a.pk for a in items[Target.APPEAL]] == [public_appeal.pk]
    assert private.pk not in [a.pk for a in items[Target.APPEAL]]
    assert items[Target.ANSWER] == [] and items[Target.HIDDEN] == []


@pytest.mark.parametrize("role", ["applicant", "official", "head", "monitor", "other_applicant"])
def test_the_queue_is_refused_to_everyone_but_moderators(people, role, public_appeal):
    with pytest.raises(PermissionDenied):
        selectors.queue(people[role])
    with pytest.raises(PermissionDenied):
        services.approve(people[role], public_appeal, target=Target.APPEAL)
    with pytest.raises(PermissionDenied):
        services.refuse(people[role], public_appeal, target=Target.APPEAL, reason="offensive")
    assert public_appeal.pk not in public_appeals().values_list("pk", flat=True)


def test_approving_publishes_the_redacted_copy_and_keeps_the_original(people, public_appeal):
    decision = services.approve(people["moderator"], public_appeal, target=Target.APPEAL)
    public_appeal.refresh_from_db()
    assert public_appeal.subject == "Взятка, Иванов И.И." and public_appeal.text == TEXT
    assert public_appeal.public_subject == "Взятка, [NAME]"
    assert public_appeal.public_text == "Инспектор [NAME] требовал 50000 тенге. Мой телефон [PHONE]."
    assert public_appeal.published_at is not None
    assert public_appeal.pk in public_appeals().values_list("pk", flat=True)
    event = public_appeal.events.order_by("-seq").first()
    assert event.kind == EventKind.PUBLISHED and event.actor == people["moderator"]
    # The event is public once the appeal is: it carries counts, never the redacted words.
    assert event.data == {"redactions": 3, "redaction_kinds": {"NAME": 2, "PHONE": 1}, "public_attachments": 0}
    assert "Сейткалиев" not in str(event.data) and "701" not in str(event.data)
    assert decision.decision == Decision.APPROVED and decision.event == event and decision.moderator == people["moderator"]
    assert {(r["field"], r["text"], r["kind"]) for r in decision.redactions} == {
        ("subject", "Иванов И.И.", "NAME"),
        ("text", "Сейткалиев И.И.", "NAME"),
        ("text", "+7 701 123 45 67", "PHONE"),
    }
    assert selectors.queue(people["moderator"])[Target.APPEAL] == []
    with pytest.raises(Conflict):
        services.approve(people["admin"], public_appeal, target=Target.APPEAL)


def test_refusal_keeps_the_appeal_private_and_out_of_the_queue(people, public_appeal):
    decision = services.refuse(people["admin"], public_appeal, target=Target.APPEAL, reason="not_an_appeal", note="Реклама")
    public_appeal.refresh_from_db()
    assert public_appeal.published_at is None and public_appeal.public_text == ""
    assert public_appeal.pk not in public_appeals().values_list("pk", flat=True)
    assert selectors.queue(people["moderator"])[Target.APPEAL] == []
    event = public_appeal.events.order_by("-seq").first()
    assert event.kind == EventKind.PUBLICATION_REFUSED and event.reason == "Реклама"
    assert event.data == {"target": "appeal", "reason": "not_an_appeal"}
    assert (decision.reason, decision.note, decision.event) == ("not_an_appeal", "Реклама", event)


def test_refusal_needs_a_reason_from_the_list(people, public_appeal):
    with pytest.raises(ValidationError) as exc:
        services.refuse(people["moderator"], public_appeal, target=Target.APPEAL, reason="boring")
    assert "reason" in exc.value.message_dict
    assert not ModerationDecision.objects.exists()


def test_moderator_adds_and_removes_redactions_before_approving(people, public_appeal):
    mod = people["moderator"]
    assert (
        services.add_redaction(mod, public_appeal, target=Target.APPEAL, field="text", fragment="50000 тенге", kind="OTHER") == 1
    )
    with pytest.raises(ValidationError) as exc:
        services.add_redaction(mod, public_appeal, target=Target.APPEAL, field="text", fragment="нет такого", kind="OTHER")
    assert "fragment" in exc.value.message_dict
    phone = next(p for p in selectors.proposed_redactions(public_appeal, "text") if p["kind"] == "PHONE")
    services.remove_redaction(mod, public_appeal, target=Target.APPEAL, field="text", start=phone["start"], end=phone["end"])
    with pytest.raises(Conflict):
        services.remove_redaction(mod, public_appeal, target=Target.APPEAL, field="text", start=phone["start"], end=phone["end"])
    services.approve(mod, public_appeal, target=Target.APPEAL)
    public_appeal.refresh_from_db()
    assert public_appeal.public_text == "Инспектор [NAME] требовал [REDACTED]. Мой телефон +7 701 123 45 67."
    assert public_appeal.text == TEXT


def test_the_moderator_chooses_which_attachments_become_public(people, submit, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = [SimpleUploadedFile(f"scan{i}.pdf", PDF, content_type="application/pdf") for i in range(2)]
    appeal = submit(people["applicant"], is_public=True, attachments=files)
    first, second = appeal.attachments.all()
    with pytest.raises(ValidationError):
        services.approve(people["moderator"], appeal, target=Target.APPEAL, public_attachments=[999999])
    services.approve(people["moderator"], appeal, target=Target.APPEAL, public_attachments=[second.pk])
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.is_public, second.is_public) == (False, True)


def _answered_and_published(people, appeal):
    services.approve(people["moderator"], appeal, target=Target.APPEAL)
    dialogue_services.answer_appeal(
        people["official"], appeal, text="Ответ: звоните Ахметову Н. по 8 701 765 43 21.", outcome="explained"
    )


def test_answers_of_published_appeals_are_moderated_too(people, public_appeal):
    _answered_and_published(people, public_appeal)
    assert [a.pk for a in selectors.queue(people["moderator"])[Target.ANSWER]] == [public_appeal.pk]
    services.approve(people["moderator"], public_appeal, target=Target.ANSWER)
    public_appeal.refresh_from_db()
    answer = public_appeal.answer
    assert answer.public_text == "Ответ: звоните [NAME] по [PHONE]." and answer.published_at is not None
    assert answer.text == "Ответ: звоните Ахметову Н. по 8 701 765 43 21."
    assert public_appeal.events.order_by("-seq").first().kind == EventKind.ANSWER_PUBLISHED
    assert selectors.queue(people["moderator"])[Target.ANSWER] == []


def test_a_refused_answer_stays_unpublished(people, public_appeal):
    _answered_and_published(people, public_appeal)
    services.refuse(people["moderator"], public_appeal, target=Target.ANSWER, reason="personal_data")
    public_appeal.refresh_from_db()
    assert public_appeal.answer.published_at is None and public_appeal.answer.public_text == ""
    assert selectors.queue(people["moderator"])[Target.ANSWER] == []


def test_answers_of_unpublished_appeals_wait(people, public_appeal):
    dialogue_services.answer_appeal(people["official"], public_appeal, text="Ответ.", outcome="explained")
    assert selectors.queue(people["moderator"])[Target.ANSWER] == []


def test_moderation_decisions_keep_the_event_chain_valid(people, public_appeal):
    from ashyq.dialogue import integrity

    services.approve(people["moderator"], public_appeal, target=Target.APPEAL)
    events = list(public_appeal.events.order_by("seq"))
    prev = integrity.GENESIS
    for e in events:
        assert e.prev_hash == prev and e.hash == integrity.event_digest(e, prev)
        prev = e.hash


# --- pages ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [None, "applicant", "official", "head", "monitor"])
def test_moderation_pages_are_403_for_everyone_else(client, people, public_appeal, role):
    if role:
        client.force_login(people[role])
    pk = public_appeal.pk
    for url in ("/moderation/", f"/moderation/{pk}/appeal/"):
        assert client.get(url).status_code == 403
    for url in (
        f"/moderation/{pk}/appeal/approve/",
        f"/moderation/{pk}/appeal/refuse/",
        f"/moderation/{pk}/appeal/redactions/add/",
        f"/moderation/{pk}/appeal/redactions/remove/",
        f"/moderation/{pk}/hidden/restore/",
        f"/moderation/{pk}/hidden/keep/",
    ):
        assert client.post(url, {"reason": "offensive"}).status_code == 403
    public_appeal.refresh_from_db()
    assert public_appeal.published_at is None and not ModerationDecision.objects.exists()


def test_the_nav_shows_the_queue_to_moderators_only(client, people, reference):
    client.force_login(people["applicant"])
    assert "/moderation/" not in client.get("/").content.decode()
    client.force_login(people["moderator"])
    assert 'href="/moderation/"' in client.get("/").content.decode()


def test_the_item_page_shows_original_beside_redacted_and_publishes(client, people, public_appeal):
    client.force_login(people["moderator"])
    page = client.get("/moderation/").content.decode()
    assert f"/moderation/{public_appeal.pk}/appeal/" in page
    page = client.get(f"/moderation/{public_appeal.pk}/appeal/").content.decode()
    assert "Сейткалиев И.И." in page and "Инспектор [NAME] требовал" in page and 'id="proposals-text"' in page
    response = client.post(
        f"/moderation/{public_appeal.pk}/appeal/redactions/add/",
        {"add-field": "text", "add-fragment": "50000", "add-kind": "OTHER"},
    )
    assert response.status_code == 302
    response = client.post(
        f"/moderation/{public_appeal.pk}/appeal/redactions/add/",
        {"add-field": "text", "add-fragment": "nothing like this", "add-kind": "OTHER"},
    )
    assert response.status_code == 400 and "not in the original" in response.content.decode()
    assert client.post(f"/moderation/{public_appeal.pk}/appeal/approve/", {"confirmed": "yes"}).status_code == 302
    public_appeal.refresh_from_db()
    assert public_appeal.public_text == "Инспектор [NAME] требовал [REDACTED] тенге. Мой телефон [PHONE]."
    assert client.get(f"/moderation/{public_appeal.pk}/appeal/").status_code == 404  # decided: off the queue
    client.logout()
    page = client.get(f"/appeals/{public_appeal.pk}/").content.decode()
    assert "[REDACTED]" in page and "Сейткалиев" not in page and "701 123" not in page
    assert 'id="link-report"' in page  # a visitor not signed in: the link to the report form's own page


def test_refusing_through_the_page_needs_a_reason(client, people, public_appeal):
    client.force_login(people["moderator"])
    response = client.post(f"/moderation/{public_appeal.pk}/appeal/refuse/", {"refuse-note": "x"})
    assert response.status_code == 400
    response = client.post(
        f"/moderation/{public_appeal.pk}/appeal/refuse/",
        {"refuse-reason": "duplicate", "refuse-note": "see 2026-1", "confirmed": "yes"},
    )
    assert response.status_code == 302
    public_appeal.refresh_from_db()
    assert public_appeal.published_at is None
    assert client.get(f"/appeals/{public_appeal.pk}/").status_code == 404  # the moderator is not on the case
