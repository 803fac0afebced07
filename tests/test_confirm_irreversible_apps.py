"""Irreversible steps outside the appeal pages take two pages too (core/confirmation.py): a head's cancelling of a web
conference and withdrawing of a delegate, a moderator's decisions on comments to a draft legal act, a developer's
decision, reply, extension and report, and the open-data steps that cannot be taken back. For each: a post without
"Yes" changes nothing and shows what will happen; "No, go back" changes nothing (and keeps what was typed); "Yes"
takes the step; someone who may not take it is never asked."""

from django.test import Client
from django.urls import reverse

from ashyq.blogs import services as blogs
from ashyq.blogs.models import Conference, Delegation

from .blogs_helpers import open_conference

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
