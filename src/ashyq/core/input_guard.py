"""The first check every request meets: no forbidden characters, no oversized body, errors in the caller's format.

- Every query parameter, form field, uploaded file's name and JSON string (keys too, at any depth) is checked
  for the characters of core/characters.py before any view runs; one found is a 400 that names the field.
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 saying the limit, not a bare 400.
- The machine interfaces (the JSON API, the CKAN API, Open311) answer every error in their own format, JSON or
  Open311's XML, never an HTML page: a 404 for an unknown path, a 405, a 429 from a rate limit and a 500 too.
  Which paths those are, and the function that shapes their errors, is configuration
  (settings.ASHYQ_ERROR_RESPONDERS), so this lowest layer imports none of them.
"""

import json
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import characters

JSON_TYPES = ("application/json",)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Paths that take JSON bodies only: their bodies are read raw, never parsed as a form.
JSON_ONLY_PREFIX = "/api/"


def responder_for(path: str):
    """The error-shaping function configured for this path, or None for the HTML pages."""
    for prefix, dotted in settings.ASHYQ_ERROR_RESPONDERS.items():
        if path.startswith(prefix):
            return import_string(dotted)
    return None


def _field_problem(name: str, values) -> tuple[str, str] | None:
    for value in (name, *values):
        message = characters.problem(value)
        if message:
            return name if characters.problem(name) is None else "__all__", message
    return None


def _json_problem(request) -> tuple[str, str] | None:
    body = request.body  # RequestDataTooBig above the limit
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "__all__", _("The request body is not valid UTF-8.")
    # A forbidden character arrives escaped (\u0000, \ud800) or raw (which makes the JSON invalid: the view says so).
    if "\\u" not in text and not characters.FORBIDDEN.search(text):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None  # the view answers that the JSON is invalid
    return characters.find_in(data)


def find_problem(request) -> tuple[str, str] | None:
    """(field, message) for the first forbidden character anywhere in the request, or None."""
    for name, values in request.GET.lists():
        found = _field_problem(name, values)
        if found:
            return found
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return None
    if request.content_type in JSON_TYPES or request.path_info.startswith(JSON_ONLY_PREFIX):
        return _json_problem(request)
    if request.content_type in FORM_TYPES:
        for name, values in request.POST.lists():
            found = _field_problem(name, values)
            if found:
                return found
        for name, files in request.FILES.lists():
            found = _field_problem(name, [f.name or "" for f in files])
            if found:
                return found
    return None


def error_response(request, status: int, detail: str, errors: dict | None = None):
    responder = responder_for(request.path_info)
    if responder is not None:
        return responder(request, status, detail, errors or {})
    title = _("Request too large") if status == 413 else _("Bad request")
    return render(request, "core/error.html", {"title": title, "message": detail}, status=status)


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            found = find_problem(request)
        except RequestDataTooBig:
            return error_response(
                request,
                413,
                _("The request is too large: at most %(n)d bytes of form fields or JSON (files are limited separately).")
                % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
            )
        except TooManyFieldsSent:
            return error_response(request, 400, _("The request has too many fields."))
        if found:
            field, message = found
            return error_response(request, 400, message, {field: [message]})
        response = self.get_response(request)
        if response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html"):
            responder = responder_for(request.path_info)
            if responder is not None:
                # A page-shaped error (404 of an unknown path, 405, a rate limit's 429, a 500) where a program reads.
                phrase = (
                    HTTPStatus(response.status_code).phrase if response.status_code in HTTPStatus._value2member_map_ else "Error"
                )
                shaped = responder(request, response.status_code, phrase + ".", {})
                for header in ("Retry-After", "Allow"):
                    if header in response:
                        shaped[header] = response[header]
                return shaped
        return response
