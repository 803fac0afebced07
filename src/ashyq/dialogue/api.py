import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import Throttled

from ashyq.bodies.models import Body
from ashyq.core import reference
from ashyq.core.api_auth import OptionalBearerToken
from ashyq.core.models import Region

from . import presenters, selectors, services, submission_cap
from .actions import ACTIONS, Action
from .models import Appeal, EventKind

router = Router(tags=["appeals"])


class SubmissionCapReached(Throttled):
    """The cap on new appeals (submission_cap.py): a 429 with its own message and Retry-After."""

    def __init__(self, wait: int):
        super().__init__(wait)
        self.detail = submission_cap.message(wait)


class AppealIn(Schema):
    body: str = Field(description="Slug of the state body, see GET /bodies")
    type: str = Field(description="application, complaint, report, feedback, proposal or request")
    subject: str
    text: str
    region: str = Field(description="ISO 3166-2:KZ code, see GET /regions")
    is_public: bool = False
    show_name: bool = Field(False, description="On a public appeal, show the applicant's name instead of the pseudonym")
    channel: str = Field(
        "open_dialogue",
        description="open_dialogue (the default) or virtual_reception (addressed to the President's Virtual Reception)",
    )
    signature: str = Field("", description="Optional: the applicant's CMS (CAdES) signature over the text, base64 (docs/api.md)")


class AnswerOut(Schema):
    body: str
    text: str
    outcome: str
    legal_ground: str
    answered_at: dt.datetime
    answered_on_time: bool


class FeedbackOut(Schema):
    resolution: str
    rating: int
    comment: str
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int


class AppealOut(Schema):
    id: int
    number: str
    type: str
    channel: str
    subject: str
    text: str
    status: str
    body: str
    addressed_body: str
    redirect_chain: list[str]
    region: str
    is_public: bool
    registered_at: dt.datetime
    received_on: dt.date
    due_on: dt.date
    deadline_state: str
    regulation_version: int
    complaint_about: str | None
    answer: AnswerOut | None
    feedback: FeedbackOut | None
    attachments: list[AttachmentOut]


class EventOut(Schema):
    seq: int
    kind: str
    at: dt.datetime
    actor: str | None
    from_body: str | None
    to_body: str | None
    reason: str
    data: dict


def _visible(request, appeal_id: int) -> Appeal:
    return get_object_or_404(selectors.appeals_visible_to(request.user), pk=appeal_id)


def _visible_with_parts(request, appeal_id: int) -> Appeal:
    """The appeal with everything its JSON shows, in three queries (presenters.with_parts)."""
    return get_object_or_404(presenters.with_parts(selectors.appeals_visible_to(request.user)), pk=appeal_id)


def _out(request, appeal: Appeal) -> dict:
    return presenters.appeal_as_dict(appeal, viewer=request.user)


@router.post("", response={201: AppealOut}, summary="Write an appeal to the head of a body")
def create_appeal(request, payload: AppealIn):
    """Registers the appeal and returns its number and due date. Send an `Idempotency-Key` header
    to make retries safe: the same key returns the appeal already registered."""
    # Reference rows, from this process's memory while they do not change (core/reference.py).
    region = reference.get("region", payload.region, Region.objects.filter(iso_code=payload.region).first)
    body = reference.get("body", payload.body, Body.objects.filter(slug=payload.body).first)
    errors = {}
    if body is None:
        errors["body"] = [f"Unknown body {payload.body!r}; see GET /api/v1/bodies."]
    if region is None:
        errors["region"] = [f"Unknown region {payload.region!r}; see GET /api/v1/regions."]
    if errors:
        raise ValidationError(errors)
    wait = submission_cap.wait_seconds(request, request.user)
    if wait:
        raise SubmissionCapReached(wait)
    appeal = services.submit_appeal(
        request.user,
        body=body,
        type=payload.type,
        subject=payload.subject,
        text=payload.text,
        region=region,
        is_public=payload.is_public,
        show_name=payload.show_name,
        channel=payload.channel,
        idempotency_key=request.headers.get("Idempotency-Key"),
        signature=payload.signature,
        signature_required=services.signature_required(),  # ASHYQ_APPEAL_SIGNATURE=required: only EDS-signed ones here
    )
    registered_now = getattr(appeal, "registered_now", None)
    if registered_now is not None:  # just registered, not a retry's earlier appeal: its parts are known, not read
        presenters.known_new(appeal, **registered_now)
    return Status(201, _out(request, appeal))


@router.get("/{int:appeal_id}", response=AppealOut, auth=OptionalBearerToken(), summary="One appeal")
def get_appeal(request, appeal_id: int):
    return _out(request, _visible_with_parts(request, appeal_id))


@router.get("/{int:appeal_id}/events", response=list[EventOut], auth=OptionalBearerToken(), summary="The appeal's record")
def get_events(request, appeal_id: int):
    appeal = _visible(request, appeal_id)
    return presenters.events_as_dicts(appeal, viewer=request.user)


def _add_action(action: Action):
    """POST /appeals/{id}/<name> for one row of the table of actions (actions.py)."""

    def run(request, appeal_id: int, payload):
        appeal = _visible(request, appeal_id)
        result = action.api_run(request.user, appeal, payload)
        # A complaint is a new appeal: the client gets it; every other step returns the appeal as it now stands.
        shown = result if action.event == EventKind.COMPLAINED else appeal
        return _out(request, presenters.with_parts(Appeal.objects.all()).get(pk=shown.pk))

    # ninja reads the payload's schema from the annotation; withdrawing needs no body at all.
    if action.name == "withdraw":

        def handler(request, appeal_id: int, payload: action.api_in | None = None):
            return run(request, appeal_id, payload)
    else:

        def handler(request, appeal_id: int, payload: action.api_in):
            return run(request, appeal_id, payload)

    handler.__name__ = action.name
    router.post(f"/{{int:appeal_id}}/{action.name}", response=AppealOut, summary=action.summary)(handler)


for _action in ACTIONS.values():
    _add_action(_action)
