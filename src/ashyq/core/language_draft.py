"""Switching the language keeps what was typed, without a script.

On a page whose form opts in, the language buttons in the header belong to that form (the HTML `form` attribute)
and send its fields to `keep` instead of the form's own action: nothing is submitted, validated or stored in the
record. `keep` puts the typed values in the session, once, for that page only, then switches the language as
Django's set_language does and goes back to the page. There the opted-in form (`KeepsTypedText`) starts from those
values instead of empty ones. With the site's script the same happens (the script's own copy in sessionStorage is
then not needed). A step that redirects back to its own page can leave the page's other fields there the same way
(`keep_for`).

Never kept: passwords, files (a browser cannot send them again), the CSRF token; nothing past MAX_CHARS in all;
a draft older than MAX_AGE or for another page is dropped."""

import contextlib
import contextvars
import time

from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

SESSION_KEY = "language_draft"
MAX_CHARS = 200_000  # more than the longest form (an appeal's text and subject) can hold
MAX_AGE = 30 * 60  # seconds: a switch comes back at once; an old draft is not someone's current writing
NOT_KEPT = {"csrfmiddlewaretoken", "language", "next", "action"}

_draft: contextvars.ContextVar[dict | None] = contextvars.ContextVar("language_draft", default=None)


def _kept(post, leave_out=()) -> dict[str, list[str]] | None:
    data, size = {}, 0
    for name in post:
        if name in NOT_KEPT or name in leave_out or "password" in name.lower():
            continue
        values = post.getlist(name)
        size += sum(len(v) for v in values)
        if size > MAX_CHARS:
            return None
        data[name] = values
    return data


@require_POST
def keep(request):
    """Keep the posted fields for the page in `next`, then switch the language (Django's set_language answers)."""
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        keep_for(request, target)
    return set_language(request)


def keep_for(request, page: str, *, leave_out=()) -> None:
    """Keep the posted fields (but `leave_out`, e.g. those of a step just taken) for the next GET of `page`: a step
    whose answer is a redirect back to the page it was sent from (a redaction added on the moderation page) leaves
    what was typed in the page's other steps there."""
    data = _kept(request.POST, leave_out)
    if data:
        request.session[SESSION_KEY] = {"path": page.split("?")[0], "at": time.time(), "data": data}


@contextlib.contextmanager
def typed(post):
    """Forms made inside start from `post` (a request's fields), as after a switch of language: a page shown again
    after one of its forms was sent keeps what was typed in the others (dialogue/views.py). None: no change."""
    token = _draft.set(_kept(post) if post else _draft.get())
    try:
        yield
    finally:
        _draft.reset(token)


class LanguageDraftMiddleware:
    """Hands the kept values to the forms of the page they were typed on, on its next GET, once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        draft = None
        if request.method == "GET" and session is not None and SESSION_KEY in session:
            kept = session.get(SESSION_KEY) or {}
            if kept.get("path") == request.path:
                del session[SESSION_KEY]
                if time.time() - kept.get("at", 0) <= MAX_AGE:
                    draft = kept.get("data") or None
        token = _draft.set(draft)
        try:
            return self.get_response(request)
        finally:
            _draft.reset(token)


class KeepsTypedText:
    """A form mixin: an unbound form starts from what was typed before the language was switched."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        draft = _draft.get()
        if self.is_bound or not draft:
            return
        from django import forms  # noqa: PLC0415  (kept beside its one use)

        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field, forms.FileField):
                continue
            if isinstance(field.widget, forms.CheckboxInput):
                # An unchecked box sends nothing: absent from the kept form means unchecked.
                self.initial[name] = key in draft
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                # The same for a group of boxes: absent means every box was left unchecked.
                self.initial[name] = draft.get(key, [])
            elif key in draft:
                values = draft[key]
                self.initial[name] = values if isinstance(field, forms.MultipleChoiceField) else values[-1]
