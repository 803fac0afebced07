"""The `can` mapping that templates read instead of checking roles themselves.

Every page gets `can` (the context processor below): `{% if can.moderate %}` asks the same function the moderation
queue's view asks, so a link is never offered to someone the page refuses, nor hidden from someone it serves. Each
app registers its site-wide rules here, by name, from its own permissions module in its AppConfig.ready() (core
knows none of them); a page can add rules about its own object (`Can(user, assign=..., ...)`, the appeal page).

Rules run lazily, once per request, and only those the page asks. A name nobody registered raises KeyError, which a
template shows as false; tests/test_permissions_matrix.py checks every `can.<name>` the templates use exists.
"""

from collections.abc import Callable, Iterator, Mapping

from django.contrib.auth.models import AnonymousUser

_rules: dict[str, Callable] = {}


def register_rule(name: str, rule: Callable) -> None:
    """`rule(user) -> bool`: may this person (perhaps anonymous) do `name` on the site."""
    if _rules.get(name, rule) is not rule:
        raise ValueError(f"The rule {name!r} is already registered by another function.")
    _rules[name] = rule


def rules() -> dict[str, Callable]:
    return dict(_rules)


class Can(Mapping):
    def __init__(self, user, **own):
        self._user = user
        self._own = own  # this page's rules about its own object, already decided
        self._seen: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name in self._own:
            return self._own[name]
        if name not in self._seen:
            self._seen[name] = bool(_rules[name](self._user))
        return self._seen[name]

    def __iter__(self) -> Iterator[str]:
        return iter({**_rules, **self._own})

    def __len__(self) -> int:
        return len({**_rules, **self._own})


def context_processor(request) -> dict:
    # A request built outside the middleware (a panel rendered in a test) has no user: it is nobody's.
    return {"can": Can(getattr(request, "user", None) or AnonymousUser())}
