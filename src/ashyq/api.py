"""The JSON API at /api/v1/ (docs/api.md). Handlers are thin: they parse, call a service or selector, and shape JSON."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as SchemaValidationError

from ashyq.analysis.api import router as analysis_router
from ashyq.bodies.api import router as bodies_router
from ashyq.budget.api import router as budget_router
from ashyq.core.api_auth import BearerToken, OptionalBearerToken, PublicRateThrottle, TokenRateThrottle  # noqa: F401
from ashyq.dialogue.api import router as dialogue_router
from ashyq.dialogue.errors import Conflict
from ashyq.legalacts.api import router as legalacts_router

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "errors"],
    "properties": {
        "detail": {"type": "string", "description": "A sentence for people."},
        "errors": {
            "type": "object",
            "description": "Request field -> its messages ('__all__' for the whole body).",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
}
ERROR_RESPONSES = {
    400: "Invalid input (field messages in `errors`), or a control character in any string.",
    401: "A valid bearer token is required.",
    403: "You may see this but not do it.",
    404: "Not found, or not visible to you.",
    409: "The appeal's state does not allow this step.",
    413: "The request body is larger than 2 MB.",
    429: "Too many requests; see Retry-After.",
}


class AshyqAPI(NinjaAPI):
    """The API whose OpenAPI document also describes its errors: every operation may answer the statuses of
    ERROR_RESPONSES with the one error shape, so clients and fuzzers (tests/test_schemathesis.py) can check them."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": error})
        return schema


api = AshyqAPI(
    title="Ashyq API",
    version="1",
    description="Appeals to state bodies of Kazakhstan: submit, follow, answer, redirect, extend. See docs/api.md.",
    urls_namespace="api-v1",
    auth=BearerToken(),
    throttle=[PublicRateThrottle("60/m"), TokenRateThrottle("600/m")],
)


def _error(request, status, detail, errors=None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


def error_response(request, status, detail, errors=None):
    """The API's error shape for errors met before or around a handler (core/input_guard.py)."""
    return JsonResponse({"detail": detail, "errors": errors or {}}, status=status, json_dumps_params={"ensure_ascii": False})


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
    response = _error(request, 429, getattr(exc, "detail", None) or "Too many requests; slow down.")
    if exc.wait:
        response["Retry-After"] = str(int(exc.wait) + 1)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    return _error(request, exc.status_code, str(exc))


api.add_router("/", bodies_router)
api.add_router("/appeals", dialogue_router)
# /analysis/... and /appeals/{number}/labels: at the root, beside the appeals' own operations.
api.add_router("/", analysis_router)
api.add_router("/", budget_router)
api.add_router("/", legalacts_router)  # /legal-acts/... (read-only)
