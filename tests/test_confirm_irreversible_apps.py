"""Irreversible steps outside the appeal pages take two pages too (core/confirmation.py): a head's cancelling of a web
conference and withdrawing of a delegate, a moderator's decisions on comments to a draft legal act, a developer's
decision, reply, extension and report, and the open-data steps that cannot be taken back. For each: a post without
"Yes" changes nothing and shows what will happen; "No, go back" changes nothing (and keeps what was typed); "Yes"
takes the step; someone who may not take it is never asked."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from ashyq.blogs import services as blogs
from ashyq.blogs.models import Conference, Delegation
from ashyq.legalacts import services as legalacts
from ashyq.legalacts.models import Comment, Decision, Process, Reply

from .blogs_helpers import open_conference
from .legalacts_helpers import publish, rule  # noqa: F401 (fixture)

UNDONE = "This cannot be undone"


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- a head's blog ------------------------------------------------------------------------------------------------


def test_cancelling_a_web_conference_asks_first(people):
    conference = open_conference(people["head"])
    head = _signed_in(people["head"])
    url = reverse("blogs:conference-action", args=[conference.pk, "cancel"])

    page = head.post(url)
    text = page.content.decode()
    assert page.status_code == 200 and UNDONE in text and conference.title_en in text
    assert "no one can ask it questions any more" in text and 'id="confirm-yes"' in text
    assert Conference.objects.get(pk=conference.pk).cancelled_at is None

    back = head.post(url, {"change": "yes"})
    assert back.status_code == 302 and back["Location"] == reverse("blogs:manage")
    assert Conference.objects.get(pk=conference.pk).cancelled_at is None

    assert head.post(url, {"confirmed": "yes"}).status_code == 302
    assert Conference.objects.get(pk=conference.pk).cancelled_at is not None
    # Cancelled already (say, from a second tab): nothing to ask.
    assert head.post(url).status_code == 302


def test_no_one_but_the_conferences_writer_is_asked_to_cancel_it(people):
    conference = open_conference(people["head"])
    url = reverse("blogs:conference-action", args=[conference.pk, "cancel"])
    assert _signed_in(people["other_head"]).post(url).status_code == 404
    assert _signed_in(people["official"]).post(url, {"confirmed": "yes"}).status_code == 403
    assert Conference.objects.get(pk=conference.pk).cancelled_at is None


def test_the_manage_page_leads_to_the_confirmation_without_a_script(people):
    conference = open_conference(people["head"])
    page = _signed_in(people["head"]).get(reverse("blogs:manage")).content.decode()
    url = reverse("blogs:conference-action", args=[conference.pk, "cancel"])
    form = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert 'name="confirmed"' not in form  # the list's button leads to the question, never past it


def test_withdrawing_a_delegate_asks_first(people):
    head = people["head"]
    delegation = blogs.delegate_blog(head, people["official"])
    browser = _signed_in(head)
    url = reverse("blogs:delegate-withdraw", args=[delegation.pk])

    page = browser.post(url)
    text = page.content.decode()
    assert page.status_code == 200 and UNDONE in text and people["official"].display_name in text
    assert Delegation.objects.get(pk=delegation.pk).in_force

    back = browser.post(url, {"change": "yes"})
    assert back.status_code == 302 and back["Location"] == reverse("blogs:delegates")
    assert Delegation.objects.get(pk=delegation.pk).in_force

    assert browser.post(url, {"confirmed": "yes"}).status_code == 302
    assert not Delegation.objects.get(pk=delegation.pk).in_force
    assert _signed_in(people["other_head"]).post(url).status_code == 404


# --- comments on a draft legal act --------------------------------------------------------------------------------

OPEN_DAY, CLOSING_DAY, AFTER = dt.date(2026, 3, 16), dt.date(2026, 3, 30), dt.date(2026, 3, 31)


@pytest.fixture
def discussion(people, rule, at):
    """An open draft with a published comment and one awaiting moderation."""
    with at(OPEN_DAY):
        process = publish(people["official"], opens_on=OPEN_DAY, closes_on=CLOSING_DAY)
        published = legalacts.comment(people["applicant"], process, provision_eid="chp_1__para_1", text="Бесплатно — хорошо.")
        legalacts.moderate(people["moderator"], published, "publish")
        pending = legalacts.comment(people["other_applicant"], process, text="Звоните Асету, +7 701 123 45 67")
    return process, published, pending


def _status(comment):
    return Comment.objects.get(pk=comment.pk).status


# step: (who, which comment, the form's fields, words the question says, the typed text read back, status after "Yes")
COMMENT_STEPS = {
    "publish": (
        "moderator",
        "pending",
        {"public_text": "Звоните [NAME], [PHONE]"},
        "people may already have read it",
        "published",
    ),
    "refuse": ("moderator", "pending", {}, "a refused comment cannot be published later", "refused"),
    "hide": ("moderator", "published", {}, "A moderator can restore it later", "hidden"),
}


@pytest.mark.parametrize("name", COMMENT_STEPS)
def test_a_moderators_decision_on_a_comment_asks_first(people, at, discussion, name):
    who, which, data, words, after = COMMENT_STEPS[name]
    process, published, pending = discussion
    comment = {"published": published, "pending": pending}[which]
    before = _status(comment)
    moderator = _signed_in(people[who])
    url = reverse("legalacts:comment-action", args=[comment.pk, name])
    posted = {**data, "next": reverse("legalacts:moderation")}
    with at(OPEN_DAY):
        page = moderator.post(url, posted)
        text = page.content.decode()
        assert page.status_code == 200 and words in text and process.title in text
        assert all(value in text for value in data.values())  # read back, and carried to "Yes"
        assert _status(comment) == before

        back = moderator.post(url, {**posted, "change": "yes"})
        assert back.status_code in (200, 302) and _status(comment) == before
        if data:  # the queue again, with the public copy as the moderator wrote it
            assert back.status_code == 200 and data["public_text"] in back.content.decode()
            assert words not in back.content.decode()

        assert moderator.post(url, {**posted, "confirmed": "yes"}).status_code == 302
    assert _status(comment) == after
    if name == "publish":
        assert Comment.objects.get(pk=comment.pk).public_text == data["public_text"]


@pytest.mark.parametrize("name", COMMENT_STEPS)
def test_no_one_but_a_moderator_is_asked_about_a_comment(people, at, discussion, name):
    who, which, data, words, _ = COMMENT_STEPS[name]
    comment = {"published": discussion[1], "pending": discussion[2]}[which]
    before = _status(comment)
    for role in ("official", "applicant"):
        with at(OPEN_DAY):
            response = _signed_in(people[role]).post(reverse("legalacts:comment-action", args=[comment.pk, name]), data)
        assert response.status_code in (403, 404) and words not in response.content.decode()
    assert _status(comment) == before


def test_a_public_copy_past_the_limit_is_refused_not_published(people, at, discussion):
    _, _, pending = discussion
    with at(OPEN_DAY):
        response = _signed_in(people["moderator"]).post(
            reverse("legalacts:comment-action", args=[pending.pk, "publish"]), {"public_text": "x" * 5001, "confirmed": "yes"}
        )
    assert response.status_code == 400 and "at most 5000 characters" in response.content.decode()
    assert _status(pending) == "pending"


def test_a_developers_reply_asks_first_and_going_back_keeps_it(people, at, discussion):
    process, published, _ = discussion
    developer = _signed_in(people["official"])
    url = reverse("legalacts:comment-action", args=[published.pk, "reply"])
    manage = reverse("legalacts:manage", args=[process.pk])
    typed = {"text": "Спасибо: услуга останется бесплатной.", "next": manage}
    with at(OPEN_DAY):
        page = developer.post(url, typed).content.decode()
        assert "a reply cannot be changed or deleted" in page and typed["text"] in page
        assert not Reply.objects.exists()
        back = developer.post(url, {**typed, "change": "yes"})
        html = back.content.decode()
        assert back.status_code == 200 and f'id="r{published.pk}_text"' in html and typed["text"] in html
        assert not Reply.objects.exists()
        assert developer.post(url, {**typed, "confirmed": "yes"})["Location"].startswith(manage)
    assert Reply.objects.get().text == typed["text"]
    with at(OPEN_DAY):
        assert _signed_in(people["other_official"]).post(url, typed).status_code == 403
    assert Reply.objects.count() == 1


def test_a_decision_is_saved_at_once_because_it_changes_until_the_report(people, at, discussion):
    """Not asked: a decision is read by no one but the developer before the report, and may change until it."""
    _, published, _ = discussion
    with at(OPEN_DAY):
        response = _signed_in(people["official"]).post(
            reverse("legalacts:comment-action", args=[published.pk, "decide"]), {"decision": "accepted", "reason": "Учтено."}
        )
    assert response.status_code == 302 and Comment.objects.get(pk=published.pk).decision == "accepted"


def test_extending_the_discussion_asks_first(people, at, discussion):
    process = discussion[0]
    developer = _signed_in(people["official"])
    url = reverse("legalacts:manage-action", args=[process.pk, "extend"])
    with at(OPEN_DAY):
        page = developer.post(url, {"closes_on": "2026-04-10"}).content.decode()
        assert "cannot be shortened again" in page and "10.04.2026" in page and "30.03.2026" in page
        assert Process.objects.get(pk=process.pk).closes_on == CLOSING_DAY
        back = developer.post(url, {"closes_on": "2026-04-10", "change": "yes"}).content.decode()
        assert 'value="2026-04-10"' in back and "cannot be shortened again" not in back
        assert Process.objects.get(pk=process.pk).closes_on == CLOSING_DAY
        assert developer.post(url, {"closes_on": "2026-04-10", "confirmed": "yes"}).status_code == 302
    assert Process.objects.get(pk=process.pk).closes_on == dt.date(2026, 4, 10)


def test_publishing_the_report_asks_first_and_only_when_it_can_be_published(people, at, discussion):
    process, published, pending = discussion
    developer = _signed_in(people["official"])
    url = reverse("legalacts:manage-action", args=[process.pk, "report"])
    with at(AFTER):
        refused = developer.post(url, {"summary": "Итоги"})  # a comment awaits moderation, another has no decision
        assert refused.status_code == 400 and "still await moderation" in refused.content.decode()
        assert "This cannot be undone" not in refused.content.decode()
        legalacts.moderate(people["moderator"], pending, "refuse")
        legalacts.decide(people["official"], published, Decision.ACCEPTED, "Учтено.")
        page = developer.post(url, {"summary": "Итоги обсуждения"}).content.decode()
        assert "its decisions are final" in page and "Итоги обсуждения" in page
        assert Process.objects.get(pk=process.pk).stage == "published"
        assert developer.post(url, {"summary": "Итоги обсуждения", "confirmed": "yes"}).status_code == 302
    assert Process.objects.get(pk=process.pk).stage == "report_published"
