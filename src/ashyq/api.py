"""The JSON API at /api/v1/ (docs/api.md). Handlers are thin: they parse, call a service or selector, and shape JSON."""
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError
from ninja.security import HttpBearer
from ninja.throttling import AnonRateThrottle, AuthRateThrottle

from ashyq.accounts.models import ApiToken
from ashyq.dialogue.errors import Conflict


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>`; tokens come from `manage.py create_api_token`."""

    def authenticate(self, request, token):
        try:
            api_token = ApiToken.objects.select_related("user").get(digest=ApiToken.hash(token), revoked_at__isnull=True)
        except ApiToken.DoesNotExist:
            raise AuthenticationError()
        if not api_token.user.is_active:
            raise AuthenticationError()
        # One write per minute at most, so a busy client does not turn every read into a write.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        request.user = api_token.user
        return api_token.user


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

    def get_cache_key(self, request):
        if not _anonymous(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class TokenRateThrottle(AuthRateThrottle):
    """Per user for requests with a token; per client address otherwise, never one bucket shared by all the public."""

    def get_cache_key(self, request):
        ident = self.get_ident(request) if _anonymous(request) else f"user-{request.auth.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


api = NinjaAPI(
    title="Ashyq API",
    version="1",
    description="Appeals to state bodies of Kazakhstan: submit, follow, answer, redirect, extend. See docs/api.md.",
    urls_namespace="api-v1",
    auth=BearerToken(),
    throttle=[PublicRateThrottle("60/m"), TokenRateThrottle("600/m")],
)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(SchemaValidationError)
def schema_invalid(request, exc):
    errors = {}
    for error in exc.errors:
        # loc is (source, parameter, *field path): ("body", "payload", "region"), ("path", "appeal_id").
        # Drop the source, and for a JSON body the handler's parameter name; keep the field, even one called "body".
        loc = [str(part) for part in error.get("loc", ())]
        loc = loc[2:] if loc[:1] == ["body"] else loc[1:]
        errors.setdefault(".".join(loc) or "__all__", []).append(error.get("msg", "Invalid value."))
    return _error(request, 400, "The request is invalid.", errors)


@api.exception_handler(Conflict)
def conflict(request, exc):
    return _error(request, 409, " ".join(exc.messages))


@api.exception_handler(ValidationError)
def invalid(request, exc):
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, "The request is invalid.", errors)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or "You may not do this.")


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "Not found.")


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, "A valid bearer token is required.")


@api.exception_handler(Throttled)
def throttled(request, exc):
    response = _error(request, 429, "Too many requests; slow down.")
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


def _register_routers():
    from ashyq.analysis.api import router as analysis_router
    from ashyq.bodies.api import router as bodies_router
    from ashyq.dialogue.api import router as dialogue_router

    api.add_router("/", bodies_router)
    api.add_router("/appeals", dialogue_router)
    # /analysis/... and /appeals/{number}/labels: at the root, beside the appeals' own operations.
    api.add_router("/", analysis_router)


_register_routers()
