"""What the apps above dialogue add to its public copies and its appeal form, registered in their AppConfig.ready()
(like Wagtail's hooks). Dialogue never imports those apps: it asks this registry, and what nobody registered is
simply absent (a form without body suggestions). Panels on dialogue's pages go through core/registry.py, the one
registry of panels for every app.

- Public-text filters: `register_public_text_filter(fn)`; text -> text, applied in order to the officials'
  reasons and legal grounds that the public reads (moderation's redaction of personal data). With none
  registered the public reads none of that text.
- The appeal form's assistant: `register_form_assistant(assistant)`, at most one (analysis' "Which body should
  receive this?"). See FormAssistant.
"""

from collections.abc import Callable
from typing import Protocol

_public_text_filters: list[Callable[[str], str]] = []
_form_assistant = None

# The rate-limit bucket that asking the form's assistant counts in, shared by the form's button and its script.
ASSISTANT_RATE_GROUP = "appeal-body-suggestions"


def register_public_text_filter(fn: Callable[[str], str]) -> None:
    if fn not in _public_text_filters:
        _public_text_filters.append(fn)


def for_public(text: str) -> str:
    # Fail closed: with no filter registered the public gets nothing rather than text nobody checked.
    if not _public_text_filters:
        return ""
    for fn in _public_text_filters:
        text = fn(text)
    return text


class FormAssistant(Protocol):
    """Helps while the appeal form is written. Some POSTs of the form are for it (`asks`), not submissions: the
    form is shown again with the entries kept and `context(data, chosen)` added (template key "body_suggestions"),
    and nothing is registered. `chosen(data)` is the body the applicant picked from its suggestions. Asking has
    its own limits, `rate_per_user()` and `rate_per_address()` in ASSISTANT_RATE_GROUP, apart from submitting."""

    def asks(self, request) -> bool: ...
    def chosen(self, data) -> str: ...
    def context(self, data, chosen: str) -> dict: ...
    def rate_per_user(self) -> str: ...
    def rate_per_address(self) -> str: ...


def register_form_assistant(assistant: FormAssistant) -> None:
    global _form_assistant
    _form_assistant = assistant


def form_assistant() -> FormAssistant | None:
    return _form_assistant


def assistant_asks(request) -> bool:
    return _form_assistant is not None and _form_assistant.asks(request)
