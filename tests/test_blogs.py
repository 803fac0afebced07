"""Heads' blogs and web conferences: who may write and run them, what bad input gets, and how a question becomes an
appeal on its own channel whose public answer joins the conference's archive."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ashyq.blogs import markup, selectors, services
from ashyq.blogs.models import BlogEvent, Conference, Post, Question
from ashyq.core import clock
from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.models import Appeal, Channel
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target
from tests.blogs_helpers import VIDEO, conference_values, open_conference, post_values


def _ask(person, target, regions, **fields):
    values = {"subject": "Сроки проверки", "text": "Когда закончится проверка по моему заявлению?", "region": regions["KZ-75"]}
    values.update(fields)
    return services.ask_question(person, target, **values)


# --- who may write -----------------------------------------------------------------------------------------


def test_the_head_publishes_a_post_for_their_own_body(people):
    post = services.write_post(people["head"], publish=True, **post_values())
    assert post.body == people["head"].body and post.is_published
    assert list(selectors.public_posts()) == [post]
    assert [e.kind for e in BlogEvent.objects.filter(post=post)] == ["post_created", "post_published"]


@pytest.mark.parametrize("role", ["official", "other_official", "applicant", "moderator", "monitor"])
def test_nobody_but_a_head_writes_a_blog(people, role):
    with pytest.raises(PermissionDenied):
        services.write_post(people[role], publish=True, **post_values())
    with pytest.raises(PermissionDenied):
        services.plan_conference(people[role], announce=True, **conference_values())
    assert not Post.objects.exists() and not Conference.objects.exists()


@pytest.mark.parametrize("role", ["other_head", "other_official", "official"])
def test_no_one_else_edits_or_runs_a_heads_blog_and_conference(people, role):
    post = services.write_post(people["head"], **post_values())
    conference = open_conference(people["head"])
    for attempt in (
        lambda: services.edit_post(people[role], post, **post_values(title_ru="Чужой заголовок")),
        lambda: services.set_post_published(people[role], post, True),
        lambda: services.edit_conference(people[role], conference, **conference_values(title_en="Taken over")),
        lambda: services.cancel_conference(people[role], conference),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    post.refresh_from_db()
    conference.refresh_from_db()
    assert post.title_ru == "Как мы принимаем обращения" and not post.is_published
    assert conference.title_en == "Web conference on fighting corruption" and conference.cancelled_at is None


def test_another_bodys_official_cannot_answer_a_conference_question(people, regions):
    conference = open_conference(people["head"])
    appeal = _ask(people["applicant"], conference, regions)
    with pytest.raises(PermissionDenied):
        dialogue_services.answer_appeal(people["other_official"], appeal, text="Not ours to answer.", outcome="explained")
    appeal.refresh_from_db()
    assert appeal.status == "registered" and not hasattr(appeal, "answer")


def test_another_bodys_head_cannot_see_or_edit_a_draft_through_the_pages(client, people):
    post = services.write_post(people["head"], **post_values())
    client.force_login(people["other_head"])
    assert client.get(reverse("blogs:post", args=[post.pk])).status_code == 404
    assert client.get(reverse("blogs:post-edit", args=[post.pk])).status_code == 404
    response = client.post(reverse("blogs:post-publication", args=[post.pk]), {"action": "publish"})
    assert response.status_code == 404
    post.refresh_from_db()
    assert not post.is_published
    client.force_login(people["official"])
    assert client.get(reverse("blogs:manage")).status_code == 403
    assert client.get(reverse("blogs:post-new")).status_code == 403


# --- bad input ---------------------------------------------------------------------------------------------


def test_a_post_needs_a_title_and_text_in_at_least_one_language(people):
    with pytest.raises(ValidationError) as empty:
        services.write_post(people["head"], title_kk="", text_kk="  ")
    assert "at least one language" in str(empty.value.message_dict["title_kk"])
    with pytest.raises(ValidationError) as half:
        services.write_post(people["head"], title_en="A title without its text")
    assert "text_en" in half.value.message_dict
    assert not Post.objects.exists() and not BlogEvent.objects.exists()


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://meet.jit.si/room", "https://"),
        ("javascript:alert(1)", "https://"),
        ("https://user:secret@meet.jit.si/room", "user name or password"),
        ("https://", "not a valid web address"),
        ("", "link to the video"),
    ],
)
def test_a_conference_video_link_must_be_https_and_clean(people, url, message):
    with pytest.raises(ValidationError) as refused:
        services.plan_conference(people["head"], announce=True, **conference_values(video_url=url))
    assert message in " ".join(refused.value.message_dict["video_url"])
    assert not Conference.objects.exists() and not BlogEvent.objects.exists()


def test_the_operator_may_name_the_video_services(people, settings):
    settings.ASHYQ_CONFERENCE_VIDEO_HOSTS = ["meet.jit.si", "bbb.gov.kz"]
    with pytest.raises(ValidationError) as refused:
        services.plan_conference(people["head"], **conference_values(video_url="https://video.example.com/live"))
    assert "meet.jit.si, bbb.gov.kz" in " ".join(refused.value.message_dict["video_url"])
    assert services.plan_conference(people["head"], **conference_values(video_url="https://room.bbb.gov.kz/b/abc"))


def test_a_conference_window_closes_before_it_starts(people):
    now = clock.now()
    with pytest.raises(ValidationError) as late:
        services.plan_conference(people["head"], **conference_values(questions_close_at=now + dt.timedelta(days=4)))
    assert "no later than the conference starts" in str(late.value.message_dict["questions_close_at"])
    with pytest.raises(ValidationError) as past:
        services.plan_conference(people["head"], **conference_values(starts_at=now - dt.timedelta(hours=1)))
    assert "future" in str(past.value.message_dict["starts_at"])
    assert not Conference.objects.exists()


def test_a_question_after_the_window_is_refused_and_nothing_is_saved(people, regions, at):
    conference = open_conference(people["head"])
    after = clock.now() + dt.timedelta(days=2, hours=1)
    with clock.frozen_at(after), pytest.raises(ValidationError) as refused:
        _ask(people["applicant"], conference, regions)
    assert "Questions to this conference are taken from" in " ".join(refused.value.messages)
    assert not Appeal.objects.exists() and not Question.objects.exists()
    assert not BlogEvent.objects.filter(kind="question_asked").exists()


def test_a_question_page_after_the_window_says_so_and_offers_no_form(client, people, regions):
    conference = open_conference(people["head"])
    Conference.objects.filter(pk=conference.pk).update(questions_close_at=clock.now() - dt.timedelta(minutes=1))
    client.force_login(people["applicant"])
    url = reverse("blogs:conference", args=[conference.pk])
    assert "window for questions has closed" in client.get(url).content.decode()
    response = client.post(url, {"subject": "Late", "text": "Too late?", "region": "KZ-75", "is_public": "on"})
    assert response.status_code == 400
    assert "Questions to this conference are taken from" in response.content.decode()
    assert not Appeal.objects.exists()


def test_no_question_under_a_draft_or_a_closed_post(people, regions):
    draft = services.write_post(people["head"], **post_values())
    closed = services.write_post(people["head"], publish=True, **post_values(accepts_questions=False))
    for post in (draft, closed):
        with pytest.raises(ValidationError):
            _ask(people["applicant"], post, regions)
    assert not Appeal.objects.exists()


def test_a_question_with_bad_fields_saves_nothing(people, regions):
    conference = open_conference(people["head"])
    with pytest.raises(ValidationError) as refused:
        _ask(people["applicant"], conference, regions, subject="", text="x" * 10_001)
    assert {"subject", "text"} <= set(refused.value.message_dict)
    assert not Appeal.objects.exists() and not Question.objects.exists()


# --- a question is an appeal on its channel; the archive shows only what moderation published ---------------


def test_a_conference_question_is_an_appeal_on_its_channel_and_its_public_answer_joins_the_archive(people, regions):
    conference = open_conference(people["head"])
    appeal = _ask(people["applicant"], conference, regions, text="Проверка идёт три месяца. Мой телефон +7 701 123 45 67.")
    assert appeal.channel == Channel.WEB_CONFERENCE and appeal.body == people["head"].body
    assert appeal.type == "request" and appeal.is_public
    assert appeal.events.get().data["channel"] == Channel.WEB_CONFERENCE
    assert appeal.blog_question.conference == conference
    assert appeal.due_on > clock.today()  # the statutory term of any appeal

    dialogue_services.answer_appeal(people["official"], appeal, text="Проверка завершится до конца месяца.", outcome="explained")
    assert selectors.archive(conference) == [], "nothing is public before moderation"

    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    assert selectors.archive(conference) == [], "the question is public, its answer not yet"
    moderation.approve(people["moderator"], appeal, target=Target.ANSWER)

    [item] = selectors.archive(conference)
    assert item["appeal"] == appeal
    assert item["answer_text"] == "Проверка завершится до конца месяца."
    assert "+7 701 123 45 67" not in item["text"], "personal data are redacted by moderation"
    assert selectors.question_counts(conference=conference) == {"asked": 1, "answered": 1}


def test_the_archive_page_never_shows_originals_or_private_questions(client, people, regions):
    conference = open_conference(people["head"])
    private = _ask(people["applicant"], conference, regions, subject="Private qz9", text="Private text qz9", is_public=False)
    public = _ask(people["other_applicant"], conference, regions, subject="Public question", text="My IIN is 900101300017.")
    for appeal in (private, public):
        dialogue_services.answer_appeal(people["official"], appeal, text="Answered.", outcome="explained")
    moderation.approve(people["moderator"], public, target=Target.APPEAL)
    moderation.approve(people["moderator"], public, target=Target.ANSWER)
    html = client.get(reverse("blogs:conference", args=[conference.pk])).content.decode()
    assert "Public question" in html and "Answered." in html
    assert "qz9" not in html and "900101300017" not in html
    assert "citizen" not in html and "neighbour" not in html


def test_a_blog_question_is_an_appeal_on_the_blog_channel(people, regions):
    post = services.write_post(people["head"], publish=True, **post_values())
    appeal = _ask(people["applicant"], post, regions)
    assert appeal.channel == Channel.BLOG and appeal.blog_question.post == post


def test_asking_through_the_page_registers_the_appeal_and_leads_to_it(client, people):
    conference = open_conference(people["head"])
    url = reverse("blogs:conference", args=[conference.pk])
    assert client.post(url, {"subject": "Q", "text": "Q?", "region": "KZ-75"}).status_code == 302  # to sign in
    assert not Appeal.objects.exists()
    client.force_login(people["applicant"])
    response = client.post(url, {"subject": "Когда?", "text": "Когда будет ответ?", "region": "KZ-75", "is_public": "on"})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("dialogue:detail", args=[appeal.pk]) + "#main"
    assert appeal.channel == Channel.WEB_CONFERENCE
    empty = client.post(url, {"subject": "", "text": "", "region": "KZ-75"})
    assert empty.status_code == 400 and Appeal.objects.count() == 1


def test_a_staff_account_gets_no_question_form_but_the_head_sees_the_questions(client, people, regions):
    conference = open_conference(people["head"])
    appeal = _ask(people["applicant"], conference, regions)
    client.force_login(people["head"])
    html = client.get(reverse("blogs:conference-edit", args=[conference.pk])).content.decode()
    assert appeal.number in html and reverse("dialogue:detail", args=[appeal.pk]) in html


# --- safe output -------------------------------------------------------------------------------------------


def test_markdown_is_rendered_and_html_is_escaped():
    html = markup.render(
        "**Жирный** <script>alert(1)</script> [ссылка](https://egov.kz) [x](javascript:alert(1)) ![pixel](https://t.example/p.png)"
    )
    assert "<strong>Жирный</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="https://egov.kz"' in html and 'rel="nofollow noopener noreferrer"' in html
    assert 'href="javascript' not in html and "[x](javascript:alert(1))" in html  # shown as typed, not a link
    assert "<img" not in html


def test_a_post_page_shows_the_text_in_the_readers_language_and_escapes_it(client, people):
    post = services.write_post(
        people["head"],
        publish=True,
        title_kk="Қазақша тақырып",
        text_kk="Қазақша мәтін",
        title_ru="Заголовок <b>жирный</b>",
        text_ru="Текст <img src=x onerror=alert(1)>",
    )
    url = reverse("blogs:post", args=[post.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="ru", headers={"Cookie": "django_language=ru"}).content.decode()
    assert "Заголовок &lt;b&gt;жирный&lt;/b&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    client.cookies["django_language"] = "kk"
    assert "Қазақша мәтін" in client.get(url).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert 'lang="kk"' in english and "Қазақша мәтін" in english  # no English text: the first written, marked as such


def test_the_head_writes_and_publishes_through_the_pages_without_script(client, people):
    client.force_login(people["head"])
    response = client.post(reverse("blogs:post-new"), {"title_en": "Open doors", "text_en": "We *listen*.", "action": "draft"})
    post = Post.objects.get()
    assert response.status_code == 302 and not post.is_published
    client.post(reverse("blogs:post-publication", args=[post.pk]), {"action": "publish"})
    post.refresh_from_db()
    assert post.is_published
    assert "<em>listen</em>" in client.get(reverse("blogs:post", args=[post.pk])).content.decode()
    bad = client.post(
        reverse("blogs:conference-new"),
        {
            **{k: v for k, v in conference_values().items() if isinstance(v, str | int)},
            "video_url": "http://x.kz/live",
            "starts_at": "2099-01-10T10:00",
            "questions_open_at": "2099-01-01T10:00",
            "questions_close_at": "2099-01-09T10:00",
        },
    )
    assert bad.status_code == 400 and "https://" in bad.content.decode()
    assert not Conference.objects.exists()
    good = client.post(
        reverse("blogs:conference-new"),
        {
            "title_en": "Ask the chairman",
            "duration_minutes": 90,
            "video_url": VIDEO,
            "action": "announce",
            "starts_at": "2099-01-10T10:00",
            "questions_open_at": "2099-01-01T10:00",
            "questions_close_at": "2099-01-09T10:00",
        },
    )
    conference = Conference.objects.get()
    assert good.status_code == 302 and conference.is_announced and conference.duration_minutes == 90
    assert "Ask the chairman" in client.get(reverse("blogs:index")).content.decode()
    assert "Ask the chairman" in client.get(reverse("body", args=[people["head"].body.slug])).content.decode()


def test_the_demo_has_a_blog_and_a_conference_archive_and_loads_once(reference):
    from ashyq.demo import blogs as demo_blogs
    from ashyq.demo.loader import USERS, _user

    for row in USERS:
        _user(*row)
    assert demo_blogs.load() == {"blog_posts": 1, "web_conferences": 2}
    past, upcoming = Conference.objects.order_by("starts_at")
    [item] = selectors.archive(past)
    assert "1424" in item["answer_text"]
    assert upcoming.questions_open(clock.now())
    assert demo_blogs.load() == {"blog_posts": 0}
    assert Conference.objects.count() == 2


def test_the_bodys_public_page_shows_a_post_as_soon_as_it_is_published(client, people):
    """The body's page is served from the page cache to visitors who are not signed in: publishing renews it."""
    body_url = reverse("body", args=[people["head"].body.slug])
    post = services.write_post(people["head"], **post_values(title_ru="Новая запись qz5"))
    assert "qz5" not in client.get(body_url).content.decode()
    cached = client.get(body_url)
    assert cached["X-Page-Cache"] == "hit" and "qz5" not in cached.content.decode()
    services.set_post_published(people["head"], post, True)
    fresh = client.get(body_url)
    assert fresh["X-Page-Cache"] == "miss" and "qz5" in fresh.content.decode()
