"""A head lets named officials of their own body write the blog and run the web conferences in the head's name, and
withdraws that: who may write, what the public reads of who wrote, what is refused across bodies, and the record."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from ashyq.blogs import permissions, services
from ashyq.blogs.models import BlogEvent, Delegation, EventKind, Post
from tests.blogs_helpers import conference_values, open_conference, post_values

PUBLIC_BYLINE = "Published on behalf of the head by an official of the body."


@pytest.fixture
def official(people):
    official = people["official"]
    official.first_name, official.last_name = "Dana", "Serikova"
    official.save()
    return official


def _byline(client, post):
    page = client.get(reverse("blogs:post", args=[post.pk]))
    assert page.status_code == 200
    return page.content.decode()


def test_a_delegated_official_publishes_in_the_heads_name_and_the_public_reads_no_name(people, official):
    head = people["head"]
    delegation = services.delegate_blog(head, official)
    assert permissions.writes_blog(official) and not permissions.delegates(official)

    post = services.write_post(official, publish=True, **post_values(title_ru="График приёма граждан"))
    assert post.body == head.body and post.author == official and post.delegation == delegation and post.is_published
    conference = open_conference(official)
    assert conference.body == head.body

    public = _byline(Client(), post)
    assert PUBLIC_BYLINE in public
    assert "Serikova" not in public and official.username not in public and official.email not in public
    # The body's own staff and oversight read who wrote it, as they do on appeals.
    for who in ("head", "monitor"):
        viewer = Client()
        viewer.force_login(people[who])
        assert "Published on behalf of the head by Dana Serikova." in _byline(viewer, post)
    # A post the head writes says nothing of the kind.
    own = services.write_post(head, publish=True, **post_values(title_ru="Слово руководителя"))
    assert "on behalf of the head" not in _byline(Client(), own)


def test_the_delegation_and_each_post_are_on_the_record_with_who_and_when(people, official):
    head = people["head"]
    delegation = services.delegate_blog(head, official)
    assert services.delegate_blog(head, official) == delegation  # asked twice: one delegation, one record
    post = services.write_post(official, **post_values())
    services.set_post_published(official, post, True)
    services.edit_post(head, post, **post_values(title_ru="Исправленный заголовок"))
    services.withdraw_delegation(head, delegation)

    given, withdrawn = (BlogEvent.objects.get(kind=kind) for kind in (EventKind.DELEGATED, EventKind.DELEGATION_WITHDRAWN))
    assert (given.actor, given.body, given.delegation, given.data["official"]) == (head, head.body, delegation, official.pk)
    assert (withdrawn.actor, withdrawn.delegation) == (head, delegation) and withdrawn.at >= given.at
    by_post = [(e.kind, e.actor, e.delegation) for e in BlogEvent.objects.filter(post=post)]
    assert by_post == [
        (EventKind.POST_CREATED, official, delegation),
        (EventKind.POST_PUBLISHED, official, delegation),
        (EventKind.POST_EDITED, head, None),
    ]
    delegation.refresh_from_db()
    assert (delegation.granted_by, delegation.withdrawn_by) == (head, head) and delegation.withdrawn_at is not None


def test_after_withdrawal_the_official_writes_nothing_and_their_posts_stay(people, official):
    head = people["head"]
    delegation = services.delegate_blog(head, official)
    post = services.write_post(official, publish=True, **post_values())
    conference = services.plan_conference(official, **conference_values())
    services.withdraw_delegation(head, delegation)

    assert not permissions.writes_blog(official)
    for attempt in (
        lambda: services.write_post(official, publish=True, **post_values(title_ru="После отзыва")),
        lambda: services.edit_post(official, post, **post_values(title_ru="После отзыва")),
        lambda: services.set_post_published(official, post, False),
        lambda: services.announce_conference(official, conference),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    post.refresh_from_db()
    conference.refresh_from_db()
    assert post.is_published and post.title_ru == "Как мы принимаем обращения" and conference.announced_at is None
    assert Post.objects.count() == 1
    assert PUBLIC_BYLINE in _byline(Client(), post)  # still says it was published on the head's behalf
    browser = Client()
    browser.force_login(official)
    assert browser.get(reverse("blogs:manage")).status_code == 403
    # Delegated again later: a new delegation, the old one stays withdrawn on the record.
    again = services.delegate_blog(head, official)
    assert again.pk != delegation.pk and Delegation.objects.filter(withdrawn_at__isnull=True).get() == again


@pytest.mark.parametrize("role", ["official", "other_head", "other_official", "moderator", "monitor", "admin", "applicant"])
def test_only_the_head_of_the_body_delegates_and_withdraws(people, official, role):
    with pytest.raises(PermissionDenied):
        services.delegate_blog(people[role], official)
    delegation = services.delegate_blog(people["head"], official)
    with pytest.raises(PermissionDenied):
        services.withdraw_delegation(people[role], delegation)
    delegation.refresh_from_db()
    assert delegation.in_force and Delegation.objects.count() == 1
    assert not BlogEvent.objects.filter(kind=EventKind.DELEGATION_WITHDRAWN).exists()


def test_a_delegate_cannot_pass_the_blog_on(people, official, make_user):
    colleague = make_user("official", people["head"].body, username="acc-colleague")
    services.delegate_blog(people["head"], official)
    with pytest.raises(PermissionDenied):
        services.delegate_blog(official, colleague)
    assert not permissions.writes_blog(colleague)


@pytest.mark.parametrize("who", ["other_official", "other_head", "applicant", "moderator"])
def test_no_one_outside_the_heads_body_is_ever_delegated(people, who):
    with pytest.raises(PermissionDenied):
        services.delegate_blog(people["head"], people[who])
    assert not Delegation.objects.exists() and not BlogEvent.objects.exists()
    assert not permissions.writes_blog(people[who]) or who == "other_head"


def test_a_delegate_touches_only_their_own_bodys_blog_and_loses_it_on_moving(people, official, bodies):
    services.delegate_blog(people["head"], official)
    theirs = services.write_post(people["other_head"], **post_values(title_ru="Чужой блог"))
    their_conference = open_conference(people["other_head"])
    for attempt in (
        lambda: services.edit_post(official, theirs, **post_values(title_ru="Захвачено")),
        lambda: services.set_post_published(official, theirs, True),
        lambda: services.cancel_conference(official, their_conference),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    theirs.refresh_from_db()
    assert theirs.title_ru == "Чужой блог" and not theirs.is_published
    browser = Client()
    browser.force_login(official)
    assert browser.get(reverse("blogs:post-edit", args=[theirs.pk])).status_code == 404
    # Moved to another body, the official no longer writes either blog: the delegation was the old body's.
    official.body = people["other_head"].body
    official.save()
    assert not permissions.writes_blog(official)
    with pytest.raises(PermissionDenied):
        services.write_post(official, **post_values())


def test_the_head_delegates_and_withdraws_through_the_page_and_the_delegate_writes_through_theirs(people, official):
    head, browser = people["head"], Client()
    browser.force_login(head)
    page = browser.get(reverse("blogs:delegates"))
    assert page.status_code == 200 and "Dana Serikova" in page.content.decode()
    assert people["other_official"].username not in page.content.decode()  # another body's officials are not offered
    refused = browser.post(reverse("blogs:delegates"), {"official": people["other_official"].pk})
    assert refused.status_code == 400 and not Delegation.objects.exists()
    empty = browser.post(reverse("blogs:delegates"), {})
    assert empty.status_code == 400 and "This field is required." in empty.content.decode()
    assert browser.post(reverse("blogs:delegates"), {"official": official.pk}).status_code == 302
    delegation = Delegation.objects.get()
    assert delegation.official == official and "in force" in browser.get(reverse("blogs:delegates")).content.decode()

    writer = Client()
    writer.force_login(official)
    manage = writer.get(reverse("blogs:manage")).content.decode()
    assert "in the head's name" in manage and reverse("blogs:delegates") not in manage
    assert writer.get(reverse("blogs:delegates")).status_code == 403
    assert writer.post(reverse("blogs:delegate-withdraw", args=[delegation.pk])).status_code == 403
    sent = writer.post(
        reverse("blogs:post-new"), {"title_ru": "Приём по субботам", "text_ru": "Работаем по субботам.", "action": "publish"}
    )
    assert sent.status_code == 302
    post = Post.objects.get(title_ru="Приём по субботам")
    assert post.delegation == delegation and PUBLIC_BYLINE in _byline(Client(), post)

    assert browser.post(reverse("blogs:delegate-withdraw", args=[delegation.pk]), {"confirmed": "yes"}).status_code == 302
    delegation.refresh_from_db()
    assert not delegation.in_force
    assert writer.get(reverse("blogs:manage")).status_code == 403
    other_head = Client()
    other_head.force_login(people["other_head"])
    assert other_head.post(reverse("blogs:delegate-withdraw", args=[delegation.pk])).status_code == 404
