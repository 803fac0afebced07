"""Every URL the project serves is either on the explicit public list or refuses an anonymous visitor.

The patterns are not listed by hand: they are read from Django's resolver (pages, admin, the API's
operations, and whatever other apps add later). For each pattern a concrete URL is built (the path
parameters point at a real, *private* appeal, its attachment, a real body, ...) and requested
anonymously with GET, POST and every method the OpenAPI schema lists for it.

- A pattern on PUBLIC may answer (never with a 500).
- Every other pattern must refuse: 302 to a login page, 401, 403, 404 or 405. Never 200, never 500.

A new pattern that is neither on PUBLIC nor refusing fails this test with its route named: either make
it refuse anonymous visitors, or, if it really is public, add it to PUBLIC with the reason.
"""

import fnmatch
import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from PIL import Image

from ashyq.accounts.models import Role

# (route glob, methods) -> why it is public. Globs are matched against the full route as Django prints
# it ("appeals/<int:pk>/"); methods "*" means any method may be answered.
PUBLIC = {
    ("", "*"): "home page",
    ("i18n/setlang/", "*"): "language switcher",
    ("i18n/keep/", "*"): "language switcher that keeps a form's typed values in the visitor's own session (POST only)",
    ("health/", "*"): "load balancers' probe: status, counts and ages only, no personal data (core/health.py)",
    ("accounts/signup/", "*"): "sign-up",
    ("accounts/login/", "*"): "sign-in",
    ("accounts/confirm/<*>/", "*"): "email confirmation link (a bad token is a 400 page)",
    ("accounts/confirm/resend/", "*"): "ask for a new confirmation link (the answer never says whether the email has an account)",
    ("accounts/logout/", "*"): "signing out is harmless for an anonymous visitor",
    ("appeals/<int:pk>/", "GET"): "appeal page: published public appeals only; a private one is 404 (PRIVATE_404)",
    ("appeals/public/*", "*"): "the public list of published appeals",
    (
        "appeals/report-anonymously/",
        "*",
    ): "a report of a crime or a threat without an account (APPC): screened by a moderator, rate limited per address",
    (
        "appeals/anonymous/status/<str:reference>/",
        "GET",
    ): "the sender's status page, found only by its unguessable reference (a wrong one is 404)",
    ("bodies/", "*"): "list of state bodies (the view answers POST like GET: a read, harmless)",
    ("bodies/*", "*"): "a state body's public page",
    ("open-data/*", "*"): "open data downloads",
    ("open311/v2/*", "GET"): "Open311 GeoReport v2 reads (POST needs an api_key)",
    ("api/v1/regions", "GET"): "reference data",
    ("api/v1/bodies", "GET"): "reference data",
    ("api/v1/budget/*", "GET"): "the budget: published figures, read-only (tables, facts, aggregates)",
    ("api/v1/openapi.json", "*"): "the API's contract (ninja answers any method)",
    ("api/v1/docs", "*"): "the API's interactive docs (ninja answers any method)",
    ("api/v1/appeals/<int:appeal_id>", "GET"): "published public appeals only; a private one is 404 (PRIVATE_404)",
    ("api/v1/appeals/<int:appeal_id>/events", "GET"): "published public appeals only; a private one is 404 (PRIVATE_404)",
    (
        "api/v1/analysis/suggest-bodies",
        "POST",
    ): "which body should receive a text: reads the text, stores nothing, rate limited per address",
    ("api/v1/analysis/causes", "GET"): "reference data: the causes an appeal may be labelled with",
    ("assessment/", "GET"): "assessment of bodies: the ranking (precomputed public figures, no appeal texts)",
    ("assessment/*ranking*", "GET"): "assessment: ranking downloads",
    ("assessment/bodies/*", "GET"): "assessment: a body's scorecard and its downloads",
    ("assessment/regions*", "GET"): "assessment: regional figures and downloads",
    ("polls/", "GET"): "polls of state bodies: titles, dates, bodies",
    ("polls/<int:pk>/", "GET"): "a poll: its questions; results only once it has closed (counts, never who chose what)",
    ("polls/<int:pk>/results.csv", "GET"): "a closed poll's results (403 until it closes, for everyone)",
    ("assessment/channels*", "GET"): "assessment: appeals by channel and their downloads (counts only, no appeal texts)",
    ("assessment/funnel*", "GET"): "assessment: the funnel plot's figures (public counts per body)",
    ("assessment/methodology*", "GET"): "assessment: the methodology page and JSON",
    ("analysis/", "GET"): "content analysis of appeals, all bodies (aggregate counts only, no appeal texts)",
    ("analysis/compare*", "GET"): "content analysis: bodies compared, and its downloads",
    ("analysis/bodies/*", "GET"): "content analysis: a body's report and its table downloads",
    ("analysis/(?P<table>*", "GET"): "content analysis: downloads of the all-bodies report's tables",
    ("data/", "*"): "open data catalogue (a read; the view answers POST like GET)",
    ("data/datasets/*", "*"): "open data: datasets, previews, downloads and diffs (reads)",
    ("data/silk-road/compare*", "*"): "the Silk Road country comparison and its CSV/JSON downloads (reads)",
    ("data/silk-road/*", "*"): "the Silk Road cooperation explorer (reads)",
    ("data/catalog*", "*"): "the DCAT-AP catalogue (Turtle, JSON-LD)",
    ("data/sitemap.xml", "*"): "the sitemap for search engines",
    ("budget/", "GET"): "open budget: the republican budget by function and administrator, and its downloads (reads)",
    (
        "budget/*",
        "GET",
    ): "open budget: administrators, regions, search, the citizen's budget, datapackage.json (reads; POST is 405)",
    ("api/3/action/<str:name>", "*"): "CKAN-compatible Action API: read-only actions (POST carries JSON parameters, as in CKAN)",
    ("api/action/<str:name>", "*"): "the same CKAN Action API at CKAN's unversioned path",
    ("legal-acts/", "GET"): "Open Legal Acts: the lists of public discussions",
    (
        "legal-acts/processes/<int:pk>/",
        "GET",
    ): "a discussion: the draft's text and its published comments (moderated copies, pseudonyms)",
    ("legal-acts/processes/<int:pk>/diff/", "GET"): "the difference between two versions of a public draft",
    ("legal-acts/processes/<int:pk>/report/", "GET"): "the developer's report (public once published)",
    ("legal-acts/processes/(?P<pk>*", "GET"): "the developer's report as CSV/JSON (404 until published)",
    ("legal-acts/acts/*", "GET"): "the register of adopted acts",
    ("legal-acts/agreements/", "GET"): "the register of international agreements",
    ("legal-acts/bodies/<slug:slug>/feed.atom", "GET"): "Atom feed of a body's drafts for discussion",
    ("api/v1/legal-acts/*", "GET"): "Open Legal Acts API: read-only public records (published comments only)",
    ("blogs/", "GET"): "heads' blogs and web conferences: published posts and announced conferences",
    ("blogs/bodies/<slug:slug>/", "GET"): "a body's blog: its published posts and announced conferences",
    (
        "blogs/posts/<int:pk>/",
        "*",
    ): "a published post with its published answers (a draft is 404); a question needs sign-in (POST sends to the login)",
    (
        "blogs/conferences/<int:pk>/",
        "*",
    ): "an announced conference with its archive of published answers; a question needs sign-in (POST sends to the login)",
    ("admin/login/", "*"): "the admin's sign-in page",
    ("admin/logout/", "*"): "signing out is harmless (an anonymous visitor is sent to the admin's login)",
}

# Public patterns whose sample URL points at a private appeal: the public must get a 404 there.
PRIVATE_404 = {
    "appeals/<int:pk>/",
    "api/v1/appeals/<int:appeal_id>",
    "api/v1/appeals/<int:appeal_id>/events",
    "open311/v2/requests/*",
}
# Whatever a public URL answers, the private appeal's subject and text never appear in it.
PRIVATE_SUBJECT = "Private matter qz7 about my neighbour's debts"
PRIVATE_TEXT = "Only the body may read this: qz7-private-text."

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")
REFUSALS = {401, 403, 404, 405}
API_PREFIX = "api/v1/"

# Path parameters by name: several values are all requested (every page action, and one that does not exist).
PAGE_ACTIONS = ["assign", "redirect", "extend", "answer", "feedback", "withdraw", "complain", "no-such-action"]


# ---------------------------------------------------------------------------------------------------------
# Walking the resolver


def _route_text(pattern) -> str:
    return str(pattern.pattern)


def iter_patterns(patterns=None, prefix=(), namespace=""):
    """Yield (route, name, levels, callback) for every URLPattern, recursively; levels are the pattern objects."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        levels = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from iter_patterns(entry.url_patterns, levels, ns)
        elif isinstance(entry, URLPattern):
            route = "".join(str(level) for level in levels)
            yield route, f"{namespace}{entry.name or ''}", levels, entry.callback


def all_routes():
    return [route for route, *_ in iter_patterns()]


_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _candidates(name: str, converter: str, context: dict) -> list[str]:
    """Values to try for one path parameter, best first."""
    if name in context.get("by_name", {}):
        values = context["by_name"][name]
        return [str(v) for v in (values if isinstance(values, list) else [values])]
    if converter == "int" or name in ("pk", "id") or name.endswith("_id"):
        return [str(context["appeal"].pk), "1"]
    if converter == "uuid":
        return [str(uuid.uuid4())]
    if converter == "slug":
        return [context["body"].slug, "x"]
    return [context["body"].slug, str(context["appeal"].pk), context["appeal"].number, "x", "1"]


def _route_level_samples(text: str, context: dict) -> list[str]:
    """Every sample expansion of one RoutePattern level (a cartesian product over multi-valued parameters)."""
    samples = [""]
    position = 0
    for match in _ROUTE_PARAM.finditer(text):
        literal = text[position : match.start()]
        values = _candidates(match["name"], match["converter"] or "str", context)
        if match["name"] not in context.get("by_name", {}):
            values = values[:1]  # one good value; the resolve() check below says if it fits
        samples = [s + literal + v for s in samples for v in values]
        position = match.end()
    return [s + text[position:] for s in samples]


def _regex_group_values(name: str, body: str, context: dict) -> list[str]:
    """Every literal alternative of a group like (?P<fmt>json|xml); else the first candidate that fits."""
    alternatives = body.split("|")
    if all(re.fullmatch(r"[\w-]+", a) for a in alternatives):
        return alternatives
    for value in [*_candidates(name, "str", context), *context.get("extra_strings", [])]:
        if re.fullmatch(body, value):
            return [value]
    raise AssertionError(
        f"no sample value for the URL parameter {name}={body!r}; add one to url_context in tests/test_url_access.py"
    )


def _regex_level_samples(text: str, context: dict) -> list[str]:
    samples, i = [""], 0
    text = text.lstrip("^")
    while i < len(text):
        if text.startswith("(?P<", i):
            end_name = text.index(">", i)
            name = text[i + 4 : end_name]
            depth, j = 1, end_name + 1
            while depth:
                if text[j - 1] != "\\":
                    depth += {"(": 1, ")": -1}.get(text[j], 0)
                j += 1
            values = _regex_group_values(name, text[end_name + 1 : j - 1], context)
            samples = [s + v for s in samples for v in values]
            i = j
        elif text[i] == "\\" and i + 1 < len(text):
            samples = [s + text[i + 1] for s in samples]
            i += 2
        elif text[i] == "$" and i == len(text) - 1:
            i += 1
        else:
            samples = [s + text[i] for s in samples]
            i += 1
    return samples


def sample_urls(levels, callback, context: dict) -> list[str]:
    """Concrete URLs that resolve to this pattern's view. Raises with a clear message when none can be built."""
    urls = [""]
    for level in levels:
        if isinstance(level, RoutePattern):
            parts = _route_level_samples(str(level), context)
        elif isinstance(level, RegexPattern):
            parts = _regex_level_samples(str(level), context)
        else:  # LocalePrefixPattern and friends
            parts = [level.describe().strip("'") if hasattr(level, "describe") else ""]
        urls = [u + p for u in urls for p in parts]
    good = []
    for url in urls:
        path = "/" + url
        try:
            match = resolve(path)
        except Exception:
            continue
        if match.route == "".join(str(level) for level in levels) or match.func == callback:
            good.append(path)
    if not good:
        route = "".join(str(level) for level in levels)
        raise AssertionError(
            f"Cannot build a URL for the pattern {route!r} (tried {['/' + u for u in urls]}); "
            "add a sample value for its parameters to _candidates() in tests/test_url_access.py"
        )
    return good


def public_reason(route: str, method: str) -> str | None:
    route = route.replace("^", "").replace("$", "")  # regex routes: "open311/v2/^services\\.(?P<fmt>json|xml)$"
    for (glob, methods), reason in PUBLIC.items():
        if (methods == "*" or method in methods.split(",")) and fnmatch.fnmatchcase(route, glob):
            return reason
    return None


def api_schema_methods() -> dict[str, set[str]]:
    """Route (as Django prints it) -> HTTP methods of the API's operations there, read from the OpenAPI schema."""
    from ashyq.api import api

    schema = api.get_openapi_schema()
    out = {}
    for path, operations in schema["paths"].items():
        # /api/v1/appeals/{appeal_id} -> api/v1/appeals/<int:appeal_id> (matched by the shape, not the converter)
        key = re.sub(r"\{[^}]+\}", "{}", path.lstrip("/"))
        out[key] = {m.upper() for m in operations if m.lower() in ("get", "post", "put", "patch", "delete")}
    return out


def _api_key(route: str) -> str:
    return _ROUTE_PARAM.sub("{}", route)


# ---------------------------------------------------------------------------------------------------------
# The data the sample URLs point at


def png_bytes(size=(4, 4), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def opendata_sample(people, body):
    """A dataset of the ACA whose identifier is the body's slug (what slug parameters are given), with a file resource
    whose version 1 is valid and version 2 is not (so the publisher's report and upload forms are on the walk)."""
    from ashyq.opendata import services as opendata

    dataset = opendata.create_dataset(
        people["official"], body, body.slug, title_en="Appeals received by month", title_ru="Обращения по месяцам"
    )
    resource, _ = opendata.add_file_resource(
        people["official"], dataset, "months", "CSV", b"month,received\n2026-01,10\n2026-02,12\n", "m.csv"
    )
    opendata.upload_version(people["official"], resource, b"month,received\n2026-01,10,extra\n", "bad.csv")
    return resource


def legalacts_sample(people):
    """An open discussion at the ACA with a published comment and one awaiting moderation (its page shows every
    comment form), and an adopted act in the register."""
    import datetime as dt

    from ashyq.core import clock
    from ashyq.legalacts import services as legal

    from .legalacts_helpers import ensure_rule, publish

    ensure_rule()
    today = clock.today()
    process = publish(people["official"], opens_on=today, closes_on=today + dt.timedelta(days=30))
    comment = legal.comment(
        people["other_applicant"], process, provision_eid="chp_1__para_1", text="A published comment on the first point"
    )
    legal.moderate(people["moderator"], comment, "publish")
    legal.comment(people["other_applicant"], process, text="Awaiting moderation qz7-pending")
    return process


@pytest.fixture
def url_context(people, submit, bodies):
    """A private appeal with an attachment, answered, at the ACA; a body for slug parameters and an open-data resource
    of that body (pk parameters try the appeal and the resource: each route keeps the values that fit it)."""
    appeal = submit(
        people["applicant"],
        subject=PRIVATE_SUBJECT,
        text=PRIVATE_TEXT,
        attachments=[SimpleUploadedFile("scan.png", png_bytes(), "image/png")],
    )
    attachment = appeal.attachments.get()
    resource = opendata_sample(people, bodies["anti-corruption-agency"])
    process = legalacts_sample(people)
    return {
        "appeal": appeal,
        "body": bodies["anti-corruption-agency"],
        "people": people,
        "by_name": {
            "pk": [appeal.pk, str(resource.pk), process.pk],
            "version_number": [1, 2],
            "appeal_id": appeal.pk,
            "attachment_id": attachment.pk,
            "action": PAGE_ACTIONS,
            "token": "not-a-valid-confirmation-token",
            "app_label": "dialogue",
            "object_id": appeal.pk,
            "content_type_id": 1,
            "id": people["applicant"].pk,
            "url": "no-such-page/",
            "number": appeal.number,
            "target": _moderation_targets(),
            "task": ["cause", "sector", "routing", "x"],
        },
        "extra_strings": ["appeals.csv", "appeals.json", "datapackage.json", "json", "xml"],
    }


def _content(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _moderation_targets() -> list[str]:
    try:
        from ashyq.moderation.models import Target
    except ImportError:
        return ["appeal", "answer"]
    return [*Target.values, "no-such-target"]


def _refusal_problem(response) -> str | None:
    status = response.status_code
    if status in REFUSALS:
        return None
    if status == 302 and response["Location"].split("?")[0].endswith(LOGIN_PATHS):
        return None
    where = f" -> {response['Location']}" if status in (301, 302, 303, 307, 308) else ""
    return f"{status}{where}"


def test_every_url_pattern_is_public_or_refuses_anonymous_visitors(url_context, db):
    client = Client()
    api_methods = api_schema_methods()
    problems, checked, public_seen = [], 0, set()
    for route, name, levels, callback in iter_patterns():
        methods = {"GET", "POST"} | api_methods.get(_api_key(route), set())
        for url in sample_urls(levels, callback, url_context):
            for method in sorted(methods):
                response = getattr(client, method.lower())(url)
                checked += 1
                label = f"{method} /{route} (name {name!r}, requested as {url})"
                if response.status_code >= 500:
                    problems.append(f"{label}: server error {response.status_code}")
                    continue
                reason = public_reason(route, method)
                if reason:
                    public_seen.add(route)
                    normalized = route.replace("^", "").replace("$", "")
                    if method == "GET" and any(fnmatch.fnmatchcase(normalized, glob) for glob in PRIVATE_404):
                        if response.status_code != 404:
                            problems.append(f"{label}: a private appeal must be 404 to the public, got {response.status_code}")
                    content = _content(response)
                    if PRIVATE_SUBJECT in content or PRIVATE_TEXT in content or "qz7" in content:
                        problems.append(f"{label}: shows the private appeal's text to an anonymous visitor")
                    continue
                problem = _refusal_problem(response)
                if problem:
                    problems.append(
                        f"{label}: answered an anonymous visitor with {problem}. Make it refuse (login, 401, 403, 404), "
                        "or if it is meant to be public add it to PUBLIC in tests/test_url_access.py"
                    )
    assert not problems, "\n".join(problems)
    assert checked > 50
    assert {"", "accounts/login/", "api/v1/regions", "appeals/<int:pk>/"} <= public_seen


def test_the_api_schema_and_the_url_patterns_agree():
    """Every operation in the OpenAPI schema has a URL pattern, so the walk above reaches it."""
    routes = {_api_key(r) for r in all_routes() if r.startswith(API_PREFIX)}
    missing = set(api_schema_methods()) - routes
    assert not missing, f"operations in the OpenAPI schema without a URL pattern: {sorted(missing)}"


def test_the_public_list_has_no_dead_entries_for_the_core_pages():
    routes = all_routes()
    for glob in ("", "accounts/login/", "accounts/signup/", "appeals/<int:pk>/", "bodies/", "api/v1/regions", "api/v1/bodies"):
        assert any(fnmatch.fnmatchcase(r, glob) for r in routes), f"PUBLIC entry {glob!r} matches no URL pattern"


def test_signed_in_users_without_the_role_are_refused_the_staff_pages(url_context, client):
    """Not only the anonymous: an applicant gets 403 on the pages of staff and oversight, never a 200 or a 500."""
    client.force_login(url_context["people"]["other_applicant"])
    resource = url_context["by_name"]["pk"][1]
    slug = url_context["body"].slug
    for url in (
        "/appeals/inbox/",
        "/appeals/overdue/",
        f"/appeals/{url_context['appeal'].pk}/",
        f"/appeals/{url_context['appeal'].pk}/attachments/{url_context['by_name']['attachment_id']}/",
        "/admin/",
        # Open data publishing: only the body's officials and heads (and administrators)
        "/data/publish/",
        "/data/publish/new/",
        f"/data/publish/{slug}/edit/",
        f"/data/publish/{slug}/resources/new/",
        f"/data/publish/{slug}/resources/{resource}/upload/",
        f"/data/publish/{slug}/resources/{resource}/v2/report/",
        f"/data/publish/{slug}/withdraw/",
        f"/data/publish/{slug}/resources/{resource}/withdraw/",
        f"/data/publish/{slug}/resources/{resource}/v1/withdraw/",
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith("/admin/login/")


# ---------------------------------------------------------------------------------------------------------
# The role matrix covers every appeal operation the API and the pages expose


# Operations under /appeals/{}/ that are not steps of the dialogue, with where their roles are checked instead.
NOT_DIALOGUE_OPERATIONS = {
    "labels": "content-analysis labels (who may read and set them: tests/test_analysis_labels.py)",
}


def test_the_role_matrix_covers_every_appeal_operation_of_the_api():
    from tests import test_permissions_matrix as matrix

    operations = set()
    for path, methods in api_schema_methods().items():
        match = re.fullmatch(r"api/v1/appeals/\{\}/([\w-]+)", path)
        if match and "POST" in methods and match[1] not in NOT_DIALOGUE_OPERATIONS:
            operations.add(match[1])
        if re.fullmatch(r"api/v1/appeals/\{\}(/[\w-]+)?", path) and "GET" in methods:
            operations.add("view")
    assert operations, "no appeal operations found in the OpenAPI schema"
    missing = operations - set(matrix.MATRIX)
    assert not missing, (
        f"the API exposes appeal operations {sorted(missing)} that tests/test_permissions_matrix.py does not check; "
        "add a row per operation to MATRIX"
    )
    api_actions = {a for a in matrix.MATRIX if a != "view"}
    assert api_actions <= operations, (
        f"MATRIX checks {sorted(api_actions - operations)} through the API, which has no such operation"
    )


def test_the_role_matrix_covers_every_page_action():
    from ashyq.dialogue.actions import ACTIONS
    from tests import test_permissions_matrix as matrix

    assert set(ACTIONS) == set(matrix.MATRIX) - {"view"}
    assert set(PAGE_ACTIONS) - {"no-such-action"} == set(ACTIONS)


def test_every_role_has_a_column_in_the_matrix():
    from tests import test_permissions_matrix as matrix

    roles = set(Role.values)
    covered = {"applicant" if r in ("owner", "other_applicant") else r.replace("other_", "") for r in matrix.ROLES} - {
        "anonymous"
    }
    assert roles <= covered, f"roles without a column in the matrix: {sorted(roles - covered)}"
