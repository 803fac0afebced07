"""CSRF: every page that accepts a POST refuses one without the token, and every form carries the token.

The URL patterns are read from the resolver (tests/test_url_access.py), so pages added later are covered
without editing this file. The token-authenticated API (and Open311's POST with an api_key) are exempt
by design: they take bearer tokens / keys, never the session cookie, which is checked here too.
"""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import User
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal
from tests.conftest import PASSWORD
from tests.test_url_access import api_schema_methods, iter_patterns, sample_urls, url_context  # noqa: F401 (fixture)

# Views that may skip Django's CSRF check: they authenticate every request by a header or key, not a cookie.
CSRF_EXEMPT_PREFIXES = ("api/v1/", "open311/v2/", "api/3/action/", "api/action/")  # CKAN Action API: read-only, no session


class FormCollector(HTMLParser):
    """The <form>s of a page: method, action, id and the named fields with their default values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "id": attrs.get("id"),
                "fields": {},
                "formactions": [],  # buttons that post the form elsewhere (the appeal page's steps)
            }
            self.forms.append(self._current)
        elif self._current is not None and tag == "button" and attrs.get("formaction"):
            self._current["formactions"].append(attrs["formaction"])
        elif self._current is not None and tag in ("input", "select", "textarea") and attrs.get("name"):
            if tag == "input" and attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            if tag == "input" and attrs.get("type") in ("submit", "file", "button"):
                return
            self._current["fields"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def forms_of(html: str) -> list[dict]:
    parser = FormCollector()
    parser.feed(html)
    return parser.forms


def _normalized(route: str) -> str:
    return route.replace("^", "").replace("$", "")


def _page_patterns():
    for route, name, levels, callback in iter_patterns():
        if not _normalized(route).startswith(CSRF_EXEMPT_PREFIXES):
            yield route, name, levels, callback


def _csrf_refused(response) -> bool:
    """Refused by the CSRF check itself (not by a permission check that also answers 403)."""
    return response.status_code == 403 and b"CSRF verification failed" in response.content


def _all_counts() -> dict:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


# ---------------------------------------------------------------------------------------------------------


def test_only_token_authenticated_endpoints_skip_the_csrf_check():
    exempt = [route for route, _, _, callback in iter_patterns() if getattr(callback, "csrf_exempt", False)]
    wrong = [r for r in exempt if not _normalized(r).startswith(CSRF_EXEMPT_PREFIXES)]
    assert not wrong, f"csrf_exempt views outside the token-authenticated API: {wrong}"


@pytest.mark.parametrize("who", ["anonymous", "admin", "applicant", "moderator"])
def test_every_page_post_without_the_token_is_refused_and_changes_nothing(url_context, who):
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login(url_context["people"][who])
    client.get("/")  # a CSRF cookie exists, only the token in the form is missing
    before = _all_counts()
    problems, checked = [], 0
    for route, name, levels, callback in _page_patterns():
        for url in sample_urls(levels, callback, url_context):
            response = client.post(
                url, {"reason": "x", "text": "x", "language": "ru", "username": "citizen", "password": PASSWORD}
            )
            checked += 1
            if not _csrf_refused(response):
                problems.append(f"POST {url} (/{route}, {name!r}) without a CSRF token as {who}: {response.status_code}, not 403")
    assert not problems, "\n".join(problems)
    assert _all_counts() == before, "a refused POST changed the database"
    assert checked > 30
    assert not mail.outbox


def test_the_csrf_refusal_page_is_a_clear_403(client, people):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("accounts:login"), {"username": "citizen", "password": PASSWORD})
    assert _csrf_refused(response)
    assert "_auth_user_id" not in strict.session


def _token(client, url) -> str:
    html = client.get(url).content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, f"no CSRF token in the form on {url}"
    return match[1]


def test_with_the_token_the_forms_work(people, submit, bodies, regions):
    client = Client(enforce_csrf_checks=True)
    # Sign up
    token = _token(client, reverse("accounts:signup"))
    response = client.post(
        reverse("accounts:signup"),
        {
            "csrfmiddlewaretoken": token,
            "username": "new-citizen",
            "email": "new@example.kz",
            "first_name": "Aigerim",
            "last_name": "Sadykova",
            "language": "en",
            "password1": "long-enough-password-77",
            "password2": "long-enough-password-77",
        },
    )
    assert response.status_code == 200 and User.objects.filter(username="new-citizen").exists()
    # Sign in
    token = _token(client, reverse("accounts:login"))
    response = client.post(reverse("accounts:login"), {"csrfmiddlewaretoken": token, "username": "citizen", "password": PASSWORD})
    assert response.status_code == 302
    # Write an appeal
    token = _token(client, reverse("dialogue:new"))
    response = client.post(
        reverse("dialogue:new"),
        {
            "csrfmiddlewaretoken": token,
            "body": "anti-corruption-agency",
            "type": "report",
            "subject": "Bribe",
            "text": "Money was asked.",
            "region": "KZ-75",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(applicant=people["applicant"])
    # Switch the language
    token = _token(client, "/")
    response = client.post(reverse("set_language"), {"csrfmiddlewaretoken": token, "language": "ru", "next": "/"})
    assert response.status_code == 302
    # An official answers
    official = Client(enforce_csrf_checks=True)
    official.force_login(people["official"])
    token = _token(official, reverse("dialogue:detail", args=[appeal.pk]))
    response = official.post(
        reverse("dialogue:action", args=[appeal.pk, "answer"]),
        {"csrfmiddlewaretoken": token, "answer-outcome": "resolved", "answer-text": "Done.", "confirmed": "yes"},
    )
    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == "answered"
    # Sign out
    token = _token(client, "/")
    assert client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token}).status_code == 302
    assert "_auth_user_id" not in client.session


# ---------------------------------------------------------------------------------------------------------
# Every <form method="post"> on every page carries the token, and the token is accepted


@pytest.fixture
def form_context(url_context, people, submit, at):
    """Appeals in the states that show every action form: open (public, awaiting moderation) and answered."""
    open_appeal = submit(people["applicant"], is_public=True)
    answered = submit(people["applicant"], is_public=True)
    services.answer_appeal(people["official"], answered, text="Explained.", outcome="explained")
    context = dict(url_context)
    # pk: the appeals, and the open-data resource (the publisher's dataset, resource, upload and report forms).
    context["by_name"] = dict(
        url_context["by_name"], pk=[open_appeal.pk, answered.pk, url_context["by_name"]["pk"][1]], appeal_id=[open_appeal.pk]
    )
    return context


VIEWERS = ["anonymous", "applicant", "official", "head", "moderator", "monitor", "admin"]


def _html_pages(client, context, who):
    for route, _name, levels, callback in _page_patterns():
        if route.startswith("admin/") and who != "admin" and route != "admin/login/":
            continue  # the admin sends everyone else to its login page (tests/test_url_access.py)
        for url in sample_urls(levels, callback, context):
            response = client.get(url)
            if response.status_code in (200, 400) and "text/html" in response.get("Content-Type", ""):
                yield url, response.content.decode()


def test_every_post_form_on_every_page_carries_the_csrf_token_and_it_is_accepted(form_context):
    problems, forms_seen, submitted = [], 0, set()
    for who in VIEWERS:
        client = Client(enforce_csrf_checks=True)
        if who != "anonymous":
            client.force_login(form_context["people"][who])
        for url, html in _html_pages(client, form_context, who):
            for form in forms_of(html):
                if form["method"] != "post":
                    continue
                forms_seen += 1
                if not form["fields"].get("csrfmiddlewaretoken"):
                    problems.append(
                        f"{url} as {who}: <form method=post action={form['action']!r} id={form['id']!r}> has no csrfmiddlewaretoken"
                    )
                    continue
                for target in form["formactions"] or [form["action"] or url]:
                    key = (who, target, tuple(sorted(form["fields"])))
                    if key in submitted or "/delete/" in url:
                        continue  # (a delete confirmation would remove the objects later pages show)
                    submitted.add(key)
                    # Submit the form as rendered (its hidden fields and defaults) from a fresh session of the same user.
                    fresh = Client(enforce_csrf_checks=True)
                    if who != "anonymous":
                        fresh.force_login(form_context["people"][who])
                    fresh_form = [
                        f
                        for f in forms_of(fresh.get(url).content.decode())
                        if f["method"] == "post" and (f["action"], f["id"]) == (form["action"], form["id"])
                    ]
                    if not fresh_form:
                        continue  # the page changed meanwhile (an earlier form acted on the appeal)
                    response = fresh.post(target, fresh_form[0]["fields"])
                    if _csrf_refused(response) or response.status_code >= 500:
                        problems.append(
                            f"{url} as {who}: submitting <form action={form['action']!r}> to {target} with its token gave "
                            f"{response.status_code}"
                        )
    assert not problems, "\n".join(problems)
    assert forms_seen > 20


def test_the_publisher_pages_are_on_the_walk(form_context, client):
    """The walk above reaches the open-data publisher's forms (so it checks their tokens): the body's official sees them."""
    from django.urls import resolve

    client.force_login(form_context["people"]["official"])
    seen = set()
    for url, html in _html_pages(client, form_context, "official"):
        if any(f["method"] == "post" and f["fields"].get("csrfmiddlewaretoken") for f in forms_of(html)):
            seen.add(resolve(url).url_name)
    assert {"dataset-new", "dataset-edit", "resource-new", "upload", "report"} <= seen


def test_pages_with_action_forms_render_them(form_context, client):
    """The walk above sees the action forms (so it checks them): the official's view of an open appeal."""
    client.force_login(form_context["people"]["official"])
    pk = form_context["by_name"]["pk"][0]
    forms = {f["id"]: f for f in forms_of(client.get(reverse("dialogue:detail", args=[pk])).content.decode())}
    steps = forms["appeal-actions"]
    assert steps["method"] == "post" and steps["fields"].get("csrfmiddlewaretoken")
    assert {reverse("dialogue:action", args=[pk, name]) for name in ("assign", "answer", "redirect")} <= set(steps["formactions"])


def test_the_walk_sees_the_content_analysis_label_forms(form_context, client):
    """The official's page carries the label forms of the content-analysis panel, so the walk above checks their token."""
    client.force_login(form_context["people"]["official"])
    pk = form_context["by_name"]["pk"][0]
    forms = {f["id"]: f for f in forms_of(client.get(reverse("dialogue:detail", args=[pk])).content.decode())}
    for task in ("cause", "sector"):
        form = forms[f"form-label-{task}"]
        assert form["method"] == "post" and form["fields"].get("csrfmiddlewaretoken")
        assert form["action"] == reverse("analysis_labels:set", args=[pk, task])


# ---------------------------------------------------------------------------------------------------------
# The API never accepts the session cookie in place of a token


# API operations anyone may call without a token (so a session changes nothing there either); the test
# below still checks that a signed-in session's POST to them changes nothing.
PUBLIC_API_POSTS = {"api/v1/analysis/suggest-bodies"}


def _api_post_operations(appeal_pk):
    for path, methods in api_schema_methods().items():
        if "POST" in methods:
            yield "/" + path.replace("{}", str(appeal_pk))


@pytest.mark.parametrize("enforce", [False, True])
def test_a_signed_in_session_alone_cannot_use_the_api(people, submit, enforce):
    appeal = submit(people["applicant"])
    for who in ("applicant", "official", "head", "admin"):
        client = Client(enforce_csrf_checks=enforce)
        client.force_login(people[who])
        before = _all_counts()
        for url in _api_post_operations(appeal.pk):
            response = client.post(
                url,
                {
                    "body": "anti-corruption-agency",
                    "type": "report",
                    "subject": "S",
                    "text": "T",
                    "region": "KZ-75",
                    "reason": "r",
                    "outcome": "resolved",
                    "task": "cause",
                    "value": "red_tape",
                },
                content_type="application/json",
            )
            if url.lstrip("/") in PUBLIC_API_POSTS:
                continue  # answers anyone; the counts below show it changed nothing
            assert response.status_code == 401, (who, url, response.status_code)
        assert _all_counts() == before
        # Reads, too: the session does not make a private appeal visible through the API.
        assert client.get(f"/api/v1/appeals/{appeal.pk}").status_code == 404


def test_the_admin_shows_a_regulation_in_use_read_only(people, submit):
    """Regression: saving an in-use regulation in the admin was a 500 (Regulation.save raises ValueError)."""
    appeal = submit(people["applicant"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["admin"])
    url = reverse("admin:dialogue_regulation_change", args=[appeal.regulation.pk])
    page = client.get(url)
    assert page.status_code == 200
    token = [f for f in forms_of(page.content.decode()) if f["method"] == "post"]
    fields = token[0]["fields"] if token else {"csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    response = client.post(url, dict(fields, title="Rewritten"))
    assert response.status_code in (302, 403)
    appeal.regulation.refresh_from_db()
    assert appeal.regulation.title != "Rewritten"
