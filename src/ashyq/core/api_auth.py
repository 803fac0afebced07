"""Authentication and throttling of the JSON API, for every app's router (ashyq/api.py assembles them).

They live at the bottom so that any app's API can use them without importing the module that assembles the
routers (which imports those apps: a circle). The tokens themselves belong to the accounts app, above dialogue:
it registers how a token is looked up (accounts/apps.py), and until it has, no token is accepted.
"""

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from .net import client_ip

# token -> the active user it belongs to, or None. Set once by the accounts app in its ready().
_token_user: Callable | None = None


def register_token_lookup(lookup: Callable) -> None:
    global _token_user
    _token_user = lookup


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `manage.py create_api_token`."""

    def authenticate(self, request, token):
        user = _token_user(token) if _token_user is not None else None
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user


class OptionalBearerToken(BearerToken):
    """Like BearerToken, but a request without the header reads as the anonymous public."""

    def __call__(self, request):
        if not request.headers.get(self.header):
            request.user = AnonymousUser()
            return request.user
        return super().__call__(request)


def _anonymous(request) -> bool:
    # OptionalBearerToken sets request.auth to AnonymousUser, which ninja's throttles take for a signed-in user.
    auth = getattr(request, "auth", None)
    return auth is None or not getattr(auth, "is_authenticated", True)


class PublicRateThrottle(AnonRateThrottle):
    """Per client address, for every request without a token (including public reads of appeals)."""

    def get_ident(self, request):
        return client_ip(request)  # behind the configured proxies only (ninja's own would believe any header)

    def get_cache_key(self, request):
        if not _anonymous(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(AuthRateThrottle):
    """Per user for requests with a token; per client address otherwise, never one bucket shared by all the public."""

    def get_ident(self, request):
        return client_ip(request)

    def get_cache_key(self, request):
        ident = self.get_ident(request) if _anonymous(request) else f"user-{request.auth.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
