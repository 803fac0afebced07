"""Public pages from the cache (core/pagecache.py): a visitor who is not signed in gets the shared page, with ETag
and Last-Modified; the events that change a page render it afresh (never a stale answer after them); a signed-in
person never gets, nor leaves, a shared page; a shared page holds no personal data and no one's state."""

import datetime as dt

import pytest
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.core import pagecache
from ashyq.dialogue import services
from ashyq.legalacts import services as legal_services
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target
from ashyq.opendata import services as opendata

PUBLIC_LIST = "/appeals/public/"


@pytest.fixture
def published(people, submit):
    appeal = submit(people["applicant"], subject="Broken streetlight on Abay", text="The lamp is out.", is_public=True)
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    appeal.refresh_from_db()
    return appeal


def _get(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code in (200, 304), (url, response.status_code)
    return response


def test_the_second_visitor_gets_the_cached_page_with_validators(client, published):
    first = _get(client, PUBLIC_LIST)
    second = _get(Client(), PUBLIC_LIST)
    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert second["Last-Modified"] and "public" in second["Cache-Control"]
    assert "Cookie" in second["Vary"] and "Accept-Language" in second["Vary"]
    assert not second.cookies


def test_if_none_match_and_if_modified_since_answer_304_until_the_page_changes(client, people, published):
    first = _get(client, f"/appeals/{published.pk}/")
    again = client.get(f"/appeals/{published.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    since = client.get(f"/appeals/{published.pk}/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get(f"/appeals/{published.pk}/", HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    services.answer_appeal(people["official"], published, text="The lamp was replaced on Monday.", outcome="resolved")
    moderation.approve(people["moderator"], published, target=Target.ANSWER)
    changed = client.get(f"/appeals/{published.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "The lamp was replaced on Monday." in changed.content.decode()


def test_publication_answer_and_hiding_show_at_once(client, people, submit, published):
    assert "Broken streetlight on Abay" in _get(client, PUBLIC_LIST).content.decode()
    other = submit(people["applicant"], subject="Bus stop without a roof", is_public=True)
    assert "Bus stop without a roof" not in _get(client, PUBLIC_LIST).content.decode()  # cached before publication
    moderation.approve(people["moderator"], other, target=Target.APPEAL)
    assert "Bus stop without a roof" in _get(client, PUBLIC_LIST).content.decode()

    page = _get(client, f"/appeals/{published.pk}/").content.decode()
    assert "Fixed by the city" not in page
    services.answer_appeal(people["official"], published, text="Fixed by the city.", outcome="resolved")
    moderation.approve(people["moderator"], published, target=Target.ANSWER)
    assert "Fixed by the city" in _get(client, f"/appeals/{published.pk}/").content.decode()
    assert "Fixed by the city" in _get(client, f"/bodies/{published.body.slug}/").content.decode()

    for reporter in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):  # enough distinct reporters hide it pending review
        moderation.report_abuse(None, reporter, published, target="appeal", reason="offensive")
    assert client.get(f"/appeals/{published.pk}/").status_code == 404
    assert "Broken streetlight on Abay" not in _get(client, PUBLIC_LIST).content.decode()


def test_open311_lists_come_from_the_cache_and_show_an_answer_at_once(client, people, published):
    url = "/open311/v2/requests.json"
    first = _get(client, url)
    assert first["X-Page-Cache"] == "miss" and first["Access-Control-Allow-Origin"] == "*"
    [row] = [r for r in first.json() if r["service_request_id"] == published.number]
    assert row["status"] == "open"
    again = _get(Client(), url)
    assert again["X-Page-Cache"] == "hit" and again.json() == first.json()
    assert again["Access-Control-Allow-Origin"] == "*" and again["Content-Type"].startswith("application/json")
    one = f"/open311/v2/requests/{published.number}.xml"
    assert "<status>open</status>" in _get(client, one).content.decode()

    services.answer_appeal(people["official"], published, text="Fixed by the city.", outcome="resolved")
    [row] = [r for r in _get(client, url).json() if r["service_request_id"] == published.number]
    assert row["status"] == "closed" and row["status_notes"].startswith("Answered")
    assert "<status>closed</status>" in _get(client, one).content.decode()


def test_figures_pages_follow_the_worker_within_the_lag_while_the_record_shows_at_once(
    client, people, published, run_queue, settings, monkeypatch
):
    """The worker's figures renew their pages at most once a minute (a stream of events would otherwise keep
    them out of the cache); an answer on the public record shows at once all the same."""
    settings.ASHYQ_FIGURES_PAGE_LAG_SECONDS = 60
    now = [pagecache._now_ns()]
    monkeypatch.setattr(pagecache, "_now_ns", lambda: now[0])
    run_queue()
    before = _get(client, "/assessment/")
    assert _get(client, "/assessment/")["X-Page-Cache"] == "hit"
    assert "The lamp is fixed." not in _get(client, f"/appeals/{published.pk}/").content.decode()
    services.answer_appeal(people["official"], published, text="The lamp is fixed.", outcome="resolved")
    moderation.approve(people["moderator"], published, target=Target.ANSWER)
    # The record: the appeal's public page has the published answer at once, before the worker has even run.
    page = _get(client, f"/appeals/{published.pk}/")
    assert "The lamp is fixed." in page.content.decode() and page["X-Page-Cache"] == "miss"
    run_queue()  # the worker stores the new figures; their pages may lag behind by the window
    now[0] += 59 * 10**9
    lagging = _get(client, "/assessment/")
    assert lagging["X-Page-Cache"] == "hit" and lagging.content == before.content
    now[0] += 2 * 10**9  # the window since the last renewal has passed
    renewed = _get(client, "/assessment/")
    assert renewed["X-Page-Cache"] == "miss" and renewed["ETag"] != before["ETag"]
    assert _get(client, "/assessment/")["X-Page-Cache"] == "hit"
    # Without a change pending, the window's end renews nothing.
    now[0] += 120 * 10**9
    assert _get(client, "/assessment/")["X-Page-Cache"] == "hit"
    # Only the derived figures may lag: the record's scopes refuse to.
    for scope in (pagecache.RECORD, pagecache.DATA, pagecache.LEGAL, pagecache.BLOGS):
        with pytest.raises(ValueError):
            pagecache.bump_soon(scope)


def test_with_no_lag_the_figures_pages_follow_the_worker_at_once(client, people, published, run_queue, settings):
    settings.ASHYQ_FIGURES_PAGE_LAG_SECONDS = 0
    run_queue()
    _get(client, "/assessment/")
    assert _get(client, "/assessment/")["X-Page-Cache"] == "hit"
    services.answer_appeal(people["official"], published, text="Done.", outcome="resolved")
    run_queue()
    assert _get(client, "/assessment/")["X-Page-Cache"] == "miss"


def test_a_new_dataset_shows_in_the_catalogue_at_once(client, make_user, bodies):
    publisher = make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username="mti-official")
    assert "Main trading partners" not in _get(client, "/data/").content.decode()
    opendata.save_dataset(
        publisher,
        publisher.body,
        "partners",
        title_en="Main trading partners",
        title_ru="Основные торговые партнёры",
        licence="CC-BY-4.0",
    )
    assert "Main trading partners" in _get(client, "/data/").content.decode()


def test_a_signed_in_person_never_gets_nor_leaves_a_shared_page(client, people, published):
    anonymous = Client()
    before = _get(anonymous, f"/appeals/{published.pk}/").content
    assert _get(anonymous, f"/appeals/{published.pk}/")["X-Page-Cache"] == "hit"
    for who in ("applicant", "official", "moderator", "other_applicant"):
        client.force_login(people[who])
        response = _get(client, f"/appeals/{published.pk}/")
        assert "X-Page-Cache" not in response and "no-store" in response["Cache-Control"]
        assert 'action="/accounts/logout/"' in response.content.decode()  # their own state: signed in
    # What the signed-in people were shown was never stored for the public: the shared page is the anonymous one.
    shared = _get(Client(), f"/appeals/{published.pk}/")
    assert shared["X-Page-Cache"] == "hit" and shared.content == before
    assert "csrfmiddlewaretoken" not in shared.content.decode()
    assert 'action="/accounts/logout/"' not in shared.content.decode()


def test_the_shared_page_holds_no_personal_data(client, people, published):
    applicant = people["applicant"]
    for url in (PUBLIC_LIST, f"/appeals/{published.pk}/", f"/bodies/{published.body.slug}/", "/"):
        response = _get(client, url)
        page = response.content.decode()
        assert not response.cookies
        for personal in (applicant.username, applicant.email, applicant.get_full_name()):
            assert not personal or personal not in page, (url, personal)
        assert applicant.pseudonym in page or url != PUBLIC_LIST  # the public list names the applicant by it


def test_a_session_or_message_cookie_bypasses_the_shared_page(client, published):
    _get(client, PUBLIC_LIST)
    assert _get(client, PUBLIC_LIST)["X-Page-Cache"] == "hit"
    for cookie in ("sessionid", "messages"):
        other = Client()
        other.cookies[cookie] = "anything"
        assert "X-Page-Cache" not in _get(other, PUBLIC_LIST)
    with_language = Client()
    with_language.cookies["django_language"] = "ru"
    response = _get(with_language, PUBLIC_LIST)
    assert response["X-Page-Cache"] == "miss" and 'lang="ru"' in response.content.decode()


def test_a_page_that_renders_a_csrf_token_or_sets_a_cookie_is_never_kept(db):
    rendered = []

    @pagecache.public_page(pagecache.RECORD)
    def with_token(request):
        rendered.append(1)
        return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")

    @pagecache.public_page(pagecache.RECORD)
    def with_cookie(request):
        rendered.append(1)
        response = HttpResponse("hello")
        response.set_cookie("tracking", "1")
        return response

    factory = RequestFactory()
    for view in (with_token, with_cookie):
        rendered.clear()
        for _ in range(2):
            assert "X-Page-Cache" not in view(factory.get("/x/"))
        assert len(rendered) == 2


def test_the_language_switcher_needs_no_token_and_goes_back_only_to_this_site(client, reference):
    response = client.get("/i18n/setlang/", {"language": "ru", "next": "/appeals/public/"})
    assert response.status_code == 302 and response["Location"] == "/appeals/public/"
    assert response.cookies["django_language"].value == "ru"
    assert 'lang="ru"' in client.get("/appeals/public/").content.decode()
    away = client.get("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/"
    unknown = Client().get("/i18n/setlang/", {"language": "xx", "next": "/"})
    assert unknown.status_code == 302 and "django_language" not in unknown.cookies


def test_a_draft_put_to_discussion_shows_in_the_body_pages_panel_at_once(client, people, at):
    from .legalacts_helpers import ensure_rule, publish

    ensure_rule()
    day = dt.date(2026, 3, 16)
    body_page = f"/bodies/{people['official'].body.slug}/"
    with at(day):
        assert "Draft rules on street lighting" not in _get(client, body_page).content.decode()
        assert _get(client, body_page)["X-Page-Cache"] == "hit"
        process = publish(people["official"], opens_on=day, title_en="Draft rules on street lighting")
        assert "Draft rules on street lighting" in _get(client, body_page).content.decode()
        legal_services.withdraw(people["official"], process, "The ministry drafts a new text.")
        assert "withdrawn" in _get(client, body_page).content.decode()


def test_an_administrators_edit_of_a_body_shows_at_once(client, people, published):
    body = published.body
    assert "Agency for Honest Service" not in _get(client, f"/bodies/{body.slug}/").content.decode()
    assert "Agency for Honest Service" not in _get(client, "/bodies/").content.decode()
    assert _get(client, f"/bodies/{body.slug}/")["X-Page-Cache"] == "hit"
    admin = Client()
    admin.force_login(people["admin"])
    form = admin.get(f"/admin/bodies/body/{body.pk}/change/")
    assert form.status_code == 200
    data = {field.html_name: field.value() for field in form.context["adminform"].form if field.value() is not None}
    data.update(name_en="Agency for Honest Service", head_title_en="Chair of the Agency for Honest Service")
    data["topics"] = [str(t.pk) for t in body.topics.all()]
    saved = admin.post(f"/admin/bodies/body/{body.pk}/change/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    page = _get(client, f"/bodies/{body.slug}/").content.decode()
    assert "Agency for Honest Service" in page and "Chair of the Agency for Honest Service" in page
    assert "Agency for Honest Service" in _get(client, "/bodies/").content.decode()


def test_a_person_named_on_a_public_appeal_who_renames_shows_with_the_new_name_at_once(client, people, submit):
    applicant = people["applicant"]
    applicant.first_name, applicant.last_name = "Aigerim", "Sadykova"
    applicant.save()
    appeal = submit(applicant, subject="Broken streetlight on Abay", is_public=True, show_name=True)
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    assert "Aigerim Sadykova" in _get(client, PUBLIC_LIST).content.decode()
    applicant.last_login = timezone.now()
    applicant.save(update_fields=["last_login"])  # a sign-in changes nothing public: the page stays cached
    assert _get(client, PUBLIC_LIST)["X-Page-Cache"] == "hit"
    applicant.last_name = "Nurlanova"
    applicant.save()
    shown = _get(client, PUBLIC_LIST).content.decode()
    assert "Aigerim Nurlanova" in shown and "Sadykova" not in shown


def test_a_blog_post_shows_on_the_body_page_at_once_and_leaves_the_public_record_cached(client, people, published):
    from ashyq.blogs import services as blogs

    from .blogs_helpers import post_values

    body_page = f"/bodies/{people['head'].body.slug}/"
    assert "Приём по субботам" not in _get(client, body_page).content.decode()
    assert _get(client, body_page)["X-Page-Cache"] == "hit"
    assert _get(client, PUBLIC_LIST)["X-Page-Cache"] in ("hit", "miss")
    assert _get(client, PUBLIC_LIST)["X-Page-Cache"] == "hit"
    post = blogs.write_post(people["head"], publish=True, **post_values(title_ru="Приём по субботам"))
    assert "Приём по субботам" in _get(client, body_page).content.decode()
    # The blog is not the public record: the list of public appeals is still served from the cache.
    assert _get(client, PUBLIC_LIST)["X-Page-Cache"] == "hit"
    blogs.set_post_published(people["head"], post, False)
    assert "Приём по субботам" not in _get(client, body_page).content.decode()
