"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) over the appeals.

- GET  services.{json,xml}: one service per appeal type.
- POST requests.{json,xml}: write an appeal with an applicant's API token (api_key), through
  dialogue.services.submit_appeal like the pages and the JSON API.
- GET  requests.{json,xml} and requests/{id}.{json,xml}: published appeals only, their public copies only.

Errors are Open311-shaped: [{"code": 400, "description": "..."}] (or <errors><error>...</error></errors>).
Nothing here reads the original subject, text or answer, or any applicant's identity.
"""

import datetime as dt
import re
import xml.etree.ElementTree as ET

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from ashyq.accounts.models import ApiToken
from ashyq.bodies.models import Body
from ashyq.core import clock, pagecache
from ashyq.core.models import Region
from ashyq.dialogue import selectors, services, submission_cap
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import OPEN_STATUSES, AppealType, Status

DEFAULT_WINDOW_DAYS = 90
MAX_RESULTS = 1000
SUBJECT_FROM_DESCRIPTION = 120

SERVICE_DESCRIPTIONS = {  # translated when served
    AppealType.APPLICATION: (gettext_noop("Ask for your rights or freedoms to be realised"), "application,request,right"),
    AppealType.COMPLAINT: (gettext_noop("Complain that your rights or interests were violated"), "complaint,violation"),
    AppealType.REPORT: (gettext_noop("Report a violation of the law or a problem"), "report,violation,problem"),
    AppealType.FEEDBACK: (gettext_noop("Give your opinion on the work of a body"), "feedback,opinion"),
    AppealType.PROPOSAL: (gettext_noop("Propose how to improve laws or the work of a body"), "proposal,improvement"),
    AppealType.REQUEST: (gettext_noop("Ask for information"), "request,information"),
}


# --- output ----------------------------------------------------------------------------------------------------


def _xml(root_tag: str, item_tag: str, items: list[dict]) -> bytes:
    root = ET.Element(root_tag)
    for item in items:
        element = ET.SubElement(root, item_tag)
        for key, value in item.items():
            child = ET.SubElement(element, key)
            if value is None:
                continue
            child.text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _respond(fmt: str, root_tag: str, item_tag: str, items: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(_xml(root_tag, item_tag, items), content_type="text/xml; charset=utf-8", status=status)
    response = JsonResponse(items, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(fmt: str, code: int, description: str) -> HttpResponse:
    return _respond(fmt, "errors", "error", [{"code": code, "description": description}], status=code)


def error_response(request, status, detail, errors=None):
    """Open311's error shape for errors met before or around a view (core/input_guard.py), in the format the
    path asks for; a field-level detail is said in the description, as Open311 has no field of its own for it."""
    fmt = "xml" if request.path_info.endswith(".xml") else "json"
    fields = "; ".join(
        f"{'description' if k == 'text' else k}: {' '.join(v)}" for k, v in (errors or {}).items() if k != "__all__"
    )
    return _error(fmt, status, fields or detail)


def _when(value) -> str | None:
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _limited(request, group: str, rate: str) -> bool:
    """Per client address (behind the configured proxies, as for the pages)."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method=request.method, increment=True)


# --- services --------------------------------------------------------------------------------------------------


def service_list() -> list[dict]:
    return [
        {
            "service_code": value,
            "service_name": str(label).capitalize(),
            "description": _(SERVICE_DESCRIPTIONS[value][0]),
            "metadata": False,
            "type": "realtime",
            "keywords": SERVICE_DESCRIPTIONS[value][1],
            "group": _("Appeals to the heads of state bodies"),
        }
        for value, label in AppealType.choices
    ]


@require_GET
def services_view(request, fmt):
    return _respond(fmt, "services", "service", service_list())


# --- requests: reading -----------------------------------------------------------------------------------------


def request_as_dict(appeal, once=None) -> dict:
    """One published appeal in GeoReport v2's shape, from its public copies only.

    `once(key, make)` keeps the texts a list repeats (a type's name, a body's, the translated notes) so each is
    made once per answer, not once per row (requests_as_dicts)."""
    once = once or (lambda key, make: make())
    answer = getattr(appeal, "answer", None)
    closed = appeal.status not in OPEN_STATUSES
    if appeal.status == Status.ANSWERED and answer is not None:
        notes = once(
            ("answered", answer.outcome), lambda: _("Answered: %(outcome)s.") % {"outcome": answer.get_outcome_display()}
        )
    elif appeal.status == Status.WITHDRAWN:
        notes = once("withdrawn", lambda: _("Withdrawn by the applicant."))
    else:
        notes = once(("open", appeal.body_id), lambda: _("Under consideration by %(body)s.") % {"body": appeal.body.name})
    due = timezone.make_aware(dt.datetime.combine(appeal.due_on, dt.time(23, 59, 59)))
    return {
        "service_request_id": appeal.number,
        "status": "closed" if closed else "open",
        "status_notes": notes,
        "service_name": once(("type", appeal.type), lambda: appeal.get_type_display().capitalize()),
        "service_code": appeal.type,
        # An extension of GeoReport v2 (clients ignore what they do not know): the door the appeal came through.
        "channel": appeal.channel,
        "description": appeal.public_text,
        "agency_responsible": once(("body", appeal.body_id), lambda: appeal.body.name),
        "service_notice": once(
            ("due", appeal.due_on), lambda: _("The answer is due by %(date)s.") % {"date": appeal.due_on.strftime("%d.%m.%Y")}
        ),
        "requested_datetime": _when(appeal.registered_at),
        "updated_datetime": _when(appeal.updated_at),
        "expected_datetime": _when(due),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def requests_as_dicts(appeals) -> list[dict]:
    """Many requests at once (a list answers up to MAX_RESULTS): each repeated text is translated once; gettext
    and the translated choices took about half of a 1 000-row answer (docs/benchmarks.md)."""
    made: dict = {}

    def once(key, make):
        if key not in made:
            made[key] = make()
        return made[key]

    return [request_as_dict(appeal, once) for appeal in appeals]


def _bound(value: str, *, end: bool = False) -> Q:
    """start_date/end_date: an ISO 8601 moment, or a day (Kazakhstan time) taken whole. ValueError if neither."""
    value = (value or "").strip().replace(" ", "+")  # the '+' of an offset often arrives decoded as a space
    # A bare day first: parse_datetime() would read "2026-11-02" as that day's midnight.
    moment = None if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else parse_datetime(value)
    if moment is not None:
        moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        return Q(registered_at__lte=moment) if end else Q(registered_at__gte=moment)
    day = parse_date(value)
    if day is None:
        raise ValueError(value)
    if end:
        return Q(registered_at__lt=timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)))
    return Q(registered_at__gte=timezone.make_aware(dt.datetime.combine(day, dt.time.min)))


# What a request shows, and no more: the public copies (never the original subject and text), the body's name and
# the answer's outcome; no applicant, region or regulation rows. Reading 1 000 whole appeals joined to five tables
# took half a second at a million appeals.
_SHOWN = (
    "number",
    "type",
    "channel",
    "status",
    "public_text",
    "registered_at",
    "updated_at",
    "due_on",
    "body",
    "answer__outcome",
)


def _public_requests():
    shown = selectors.public_appeals().select_related(None).select_related("body", "answer").only(*_SHOWN)
    return shown.order_by("-registered_at", "-id")


@require_GET
@pagecache.public_page(pagecache.RECORD)
def request_detail(request, number, fmt):
    if _limited(request, "open311-read", "120/m"):
        return _error(fmt, 429, _("Too many requests; slow down."))
    appeal = _public_requests().filter(number=number).first()
    if appeal is None:
        return _error(fmt, 404, _("No public request with this id."))
    return _respond(fmt, "service_requests", "request", [request_as_dict(appeal)])


def _query(request, fmt):
    params = request.GET
    qs = _public_requests()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # the standard: ids override every other parameter
        return qs.filter(number__in=ids[:MAX_RESULTS]), None
    try:
        if params.get("start_date"):
            qs = qs.filter(_bound(params["start_date"]))
        if params.get("end_date"):
            qs = qs.filter(_bound(params["end_date"], end=True))
    except (ValueError, OverflowError):
        return None, _error(fmt, 400, _("start_date and end_date must be ISO 8601, e.g. 2026-11-01T00:00:00+05:00."))
    if not params.get("start_date") and not params.get("end_date"):
        qs = qs.filter(registered_at__gte=clock.now() - dt.timedelta(days=DEFAULT_WINDOW_DAYS))
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        unknown = [c for c in codes if c not in AppealType.values]
        if unknown:
            return None, _error(fmt, 400, _("Unknown service_code %(code)s; see services.json.") % {"code": unknown[0]})
        qs = qs.filter(type__in=codes)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        return None, _error(fmt, 400, _("status must be open or closed."))
    if statuses == {"open"}:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif statuses == {"closed"}:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    return qs, None


@csrf_exempt  # authenticated by the api_key in the form, not by a session cookie
@require_http_methods(["GET", "POST"])
# The lists are the public record's (RECORD scope): served from the shared cache, rendered afresh after any event of
# a published appeal; a POST (a new request, with its api_key) always reaches the view.
@pagecache.public_page(pagecache.RECORD)
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    if _limited(request, "open311-read", "120/m"):
        return _error(fmt, 429, _("Too many requests; slow down."))
    qs, error = _query(request, fmt)
    if error is not None:
        return error
    return _respond(fmt, "service_requests", "request", requests_as_dicts(qs[:MAX_RESULTS]))


# --- requests: writing -----------------------------------------------------------------------------------------


def _token_user(api_key: str):
    if not api_key:
        return None
    token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash(api_key), revoked_at__isnull=True).first()
    if token is None or not token.user.is_active:
        return None
    return token.user


def _subject(post) -> str:
    subject = (post.get("attribute[subject]") or post.get("title") or "").strip()
    if subject:
        return subject
    description = " ".join((post.get("description") or "").split())
    if len(description) <= SUBJECT_FROM_DESCRIPTION:
        return description
    return description[:SUBJECT_FROM_DESCRIPTION].rsplit(" ", 1)[0] + "…"


def _create(request, fmt):
    if _limited(request, "open311-write", "60/h"):
        return _error(fmt, 429, _("Too many requests; slow down."))
    post = request.POST
    user = _token_user(post.get("api_key", ""))
    if user is None:
        return _error(fmt, 403, _("A valid api_key (an Ashyq API token) is required."))
    # The per-address write limit above guards the endpoint itself (bad keys included); this is the one cap on
    # new appeals that every channel shares (dialogue/submission_cap.py).
    wait = submission_cap.wait_seconds(request, user)
    if wait:
        response = _error(fmt, 429, submission_cap.message(wait))
        response["Retry-After"] = str(wait)
        return response
    service_code = post.get("service_code", "")
    if service_code not in AppealType.values:
        return _error(fmt, 400, _("Unknown service_code %(code)s; see services.json.") % {"code": service_code[:40]})
    body = Body.objects.filter(slug=post.get("attribute[body]", "")).first()
    if body is None:
        return _error(fmt, 400, _("attribute[body] must be the slug of a state body; see /api/v1/bodies."))
    region = Region.objects.filter(iso_code=post.get("attribute[region]", "")).first()
    if region is None:
        return _error(fmt, 400, _("attribute[region] must be an ISO 3166-2:KZ code; see /api/v1/regions."))
    is_public = (post.get("attribute[is_public]") or "").strip().lower() in {"1", "true", "yes", "on"}
    # `email` is accepted for compatibility and ignored: the appeal belongs to the token's user, and
    # nothing the client sends as an email is stored or echoed.
    try:
        appeal = services.submit_appeal(
            user,
            body=body,
            type=service_code,
            subject=_subject(post),
            text=post.get("description", ""),
            region=region,
            is_public=is_public,
        )
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        text = "; ".join(
            f"{'description' if k == 'text' else k}: {' '.join(v)}" if k else " ".join(v) for k, v in messages.items()
        )
        return _error(fmt, 400, text)
    except PermissionDenied as exc:
        return _error(fmt, 403, str(exc) or _("You may not do this."))
    except Conflict as exc:
        return _error(fmt, 409, " ".join(exc.messages))
    notice = _("Registered as No. %(number)s. The answer is due by %(due)s.") % {
        "number": appeal.number,
        "due": appeal.due_on.strftime("%d.%m.%Y"),
    }
    if is_public:
        notice += " " + _("It becomes public after moderation.")
    return _respond(
        fmt, "service_requests", "request", [{"service_request_id": appeal.number, "service_notice": notice, "account_id": None}]
    )
