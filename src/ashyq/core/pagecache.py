"""Public pages for visitors who are not signed in, served from Django's cache with ETag and Last-Modified.

A cached page names the scopes of the record it shows (`@public_page(RECORD, FIGURES)`). Each scope has a
generation in the cache: the time of its last change. A page's key holds the generations of its scopes, so
a change makes every page that shows it miss at once, O(1) whatever the number of pages cached (the old
entries simply age out). Whoever changes a scope calls `bump(scope)`: dialogue on each event of a published
appeal or a moderation step, the worker's tasks once the figures they derive are stored (`bump_soon`: at most
once per ASHYQ_FIGURES_PAGE_LAG_SECONDS, so those pages may be that much behind the figures; never the record), open data on each
dataset saved, legal acts on each step of a discussion, blogs on each
public step of a post or a web conference, bodies on each save of a body (every scope: its name is
on pages of all of them), accounts when a person's public name changes. `bump` runs in the change's transaction and again once it commits, so a page rendered from
the data before the commit is never kept under the new generation.

Only a page that holds nothing of a person is shared (`_private_request`, `_storable`): a request with a
session (signed in), a token, a message or any cookie but the language and the CSRF one is served by the view
itself; a response that sets a cookie, rendered a CSRF token or added a message is never kept. The key also
holds the host, the language and today's date in Kazakhstan (pages say what is overdue today), and an entry
lives at most ASHYQ_PAGE_CACHE_SECONDS as a bound on what no event announces.

The generations live in the `pages` cache (settings.CACHES), which every process must share (Redis in
production, files on one machine): a bump in the worker reaches the web servers.
"""

import contextlib
import datetime as dt
import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from . import clock, replica

log = logging.getLogger(__name__)

RECORD = "record"  # published appeals: public copies, answers, status, route; the bodies' lists of them
FIGURES = "figures"  # what the worker derives from the record: assessment figures, content-analysis rows
DATA = "data"  # the open-data catalogue: datasets, resources, versions
LEGAL = "legal"  # Open Legal Acts: drafts under discussion and their stages (the panel on body pages)
BLOGS = "blogs"  # the heads' blogs and web conferences (the panel on body pages)
SCOPES = (RECORD, FIGURES, DATA, LEGAL, BLOGS)

ALIAS = "pages"
# The cookies a visitor without an account may carry and still be served the shared page: the language they
# chose (part of the key) and the CSRF cookie a form page left (the shared page holds no token).
SHARED_COOKIES = frozenset({settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME})
# Headers of the view's response kept with the page; the middleware adds the site-wide ones on every answer.
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Access-Control-Allow-Origin")


# The scopes whose renewal may wait (bump_soon): the figures the worker derives, renewed at most once per
# ASHYQ_FIGURES_PAGE_LAG_SECONDS. Never the record itself: a visitor must see an answer or a hiding at once.
LAGGED = frozenset({FIGURES})


def _now_ns() -> int:
    return time.time_ns()


def _cache():
    return caches[ALIAS]


def _generation_key(scope: str) -> str:
    return f"ashyq:generation:{scope}"


def _pending_key(scope: str) -> str:
    return f"ashyq:pending:{scope}"


def _write(scopes) -> None:
    try:
        stamp = _now_ns()
        _cache().set_many({_generation_key(s): stamp for s in scopes}, timeout=None)
    except Exception:  # a cache that is down must not undo the change; entries still expire (module docstring)
        log.exception("Could not invalidate the cached public pages of %s", ", ".join(scopes))


def bump(*scopes: str) -> None:
    """Every cached page showing one of `scopes` is rendered afresh from now on (see the module's docstring)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown:
        raise ValueError(f"Unknown page-cache scopes: {sorted(unknown)}")
    _write(scopes)
    transaction.on_commit(lambda: _write(scopes), robust=True)


def bump_soon(scope: str) -> None:
    """Like bump(scope) for a scope of derived figures (LAGGED), at most once per ASHYQ_FIGURES_PAGE_LAG_SECONDS:
    under a stream of events the worker's every batch would otherwise empty the cache of those pages. A change
    within the window since the last renewal is marked pending, and the first page asked for once the window has
    passed renews the scope (generations()): the pages show the change at the latest by the window's end."""
    if scope not in LAGGED:
        raise ValueError(f"Only the derived figures may be renewed late, not {scope!r}")
    if settings.ASHYQ_FIGURES_PAGE_LAG_SECONDS <= 0:
        bump(scope)
        return
    _renew_or_mark(scope)
    # Again once the change is committed: a page rendered from the data before it must not stay the latest.
    transaction.on_commit(lambda: _renew_or_mark(scope), robust=True)


def _lag_ns() -> float:
    return settings.ASHYQ_FIGURES_PAGE_LAG_SECONDS * 1e9


def _renew_or_mark(scope: str) -> None:
    try:
        cache = _cache()
        generation = cache.get(_generation_key(scope))
        if generation is None or _now_ns() - generation >= _lag_ns():
            _write([scope])
            cache.delete(_pending_key(scope))
        else:
            cache.set(_pending_key(scope), 1, timeout=None)
    except Exception:  # a cache that is down must not undo the change; entries still expire (module docstring)
        log.exception("Could not mark the cached pages of %s for renewal", scope)


def generations(scopes) -> dict[str, int]:
    """The current generation of each scope; a scope never bumped (or evicted) starts now. A lagged scope with a
    change pending whose window has passed is renewed here (bump_soon)."""
    cache = _cache()
    keys = {_generation_key(s): s for s in scopes}
    pending = {_pending_key(s): s for s in scopes if s in LAGGED}
    found = cache.get_many([*keys, *pending])
    for key in keys.keys() - found.keys():
        cache.add(key, _now_ns(), timeout=None)
        found[key] = cache.get(key) or _now_ns()
    for key, scope in pending.items():
        generation_key = _generation_key(scope)
        if key in found and _now_ns() - found[generation_key] >= _lag_ns():
            found[generation_key] = _now_ns()
            cache.set(generation_key, found[generation_key], timeout=None)
            cache.delete(key)
    return {keys[k]: found[k] for k in keys}


def _private_request(request) -> bool:
    """Anything that may make the page someone's own (the same rule as core.middleware.PrivateResponsesMiddleware,
    plus any cookie but the two shared ones: a session, a message waiting to be shown)."""
    return (
        request.method not in ("GET", "HEAD")
        or "HTTP_AUTHORIZATION" in request.META
        or "api_key" in request.GET
        or any(name not in SHARED_COOKIES for name in request.COOKIES)
    )


def _storable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page rendered a CSRF token: it belongs to this visitor's cookie
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and len(messages):
        return False
    return b"csrfmiddlewaretoken" not in response.content


def _key(request, view_name: str, gens: dict) -> str:
    parts = [view_name, request.get_host(), get_language() or "", request.get_full_path(), clock.today().isoformat()]
    parts += [f"{scope}={gens[scope]}" for scope in sorted(gens)]
    return "ashyq:page:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entry(response, last_changed_ns: int) -> dict:
    return {
        "content": response.content,
        "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        "etag": '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"',
        # The page is as new as the last change it shows, or today's start (what is overdue changes with the day).
        "last_modified": int(last_changed_ns / 1e9),
    }


def _serve(request, entry: dict, state: str):
    response = HttpResponse(entry["content"])
    for header, value in entry["headers"].items():
        response[header] = value
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["last_modified"])
    # Shared caches and browsers may keep it but ask again each time; the ETag makes that answer a 304.
    response["Cache-Control"] = "public, no-cache"
    response["X-Page-Cache"] = state
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return get_conditional_response(request, etag=entry["etag"], last_modified=entry["last_modified"], response=response)


def public_page(*scopes: str):
    """Serve the view's page from the shared cache to visitors who are not signed in (see the module's docstring)."""
    unknown = set(scopes) - set(SCOPES)
    if unknown or not scopes:
        raise ValueError(f"public_page needs known scopes, not {sorted(unknown) or 'none'}")

    def decorate(view):
        view_name = f"{view.__module__}.{view.__qualname__}"

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if settings.ASHYQ_PAGE_CACHE_SECONDS <= 0 or _private_request(request):
                return view(request, *args, **kwargs)
            try:
                gens = generations(scopes)
                key = _key(request, view_name, gens)
                entry = _cache().get(key)
            except Exception:
                log.exception("The page cache is unavailable; rendering %s", request.path)
                return view(request, *args, **kwargs)
            if entry is not None:
                return _serve(request, entry, "hit")
            fresh = _now_ns() - max(gens.values()) < settings.ASHYQ_REPLICA_PIN_SECONDS * 1e9
            # Soon after a change a lagging replica may not have it yet: the page kept for everyone reads the primary.
            with replica.primary_reads() if fresh else contextlib.nullcontext():
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            if not _storable(request, response):
                return response
            today_start_ns = int(timezone.make_aware(dt.datetime.combine(clock.today(), dt.time.min)).timestamp() * 1e9)
            entry = _entry(response, max([*gens.values(), today_start_ns]))
            try:
                _cache().set(key, entry, timeout=settings.ASHYQ_PAGE_CACHE_SECONDS)
            except Exception:
                log.exception("Could not keep the page %s in the cache", request.path)
            return _serve(request, entry, "miss")

        wrapper.public_page_scopes = scopes
        return wrapper

    return decorate
