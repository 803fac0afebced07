import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from ashyq.bodies.models import Body
from ashyq.core.api_auth import OptionalBearerToken
from ashyq.core.models import Region

from . import presenters, selectors, services
from .models import Appeal

router = Router(tags=["appeals"])


class AppealIn(Schema):
    body: str = Field(description="Slug of the state body, see GET /bodies")
    type: str = Field(description="application, complaint, report, feedback, proposal or request")
    subject: str
    text: str
    region: str = Field(description="ISO 3166-2:KZ code, see GET /regions")
    is_public: bool = False
    show_name: bool = Field(False, description="On a public appeal, show the applicant's name instead of the pseudonym")


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


class RedirectIn(Schema):
    to_body: str
    reason: str


class ExtendIn(Schema):
    until: dt.date
    reason: str


class AnswerIn(Schema):
    text: str
    outcome: str = Field(description="resolved, explained, refused or left_without_consideration")
    legal_ground: str = ""


class FeedbackIn(Schema):
    resolved: str = Field(description="yes, partly or no")
    rating: int = Field(description="satisfaction from 1 to 5")
    comment: str = ""


class WithdrawIn(Schema):
    reason: str = ""


def _visible(request, appeal_id: int) -> Appeal:
    return get_object_or_404(selectors.appeals_visible_to(request.user), pk=appeal_id)


def _body_or_error(slug: str, field: str) -> Body:
    body = Body.objects.filter(slug=slug).first()
    if body is None:
        raise ValidationError({field: f"Unknown body {slug!r}; see GET /api/v1/bodies."})
    return body


def _out(request, appeal: Appeal) -> dict:
    return presenters.appeal_as_dict(appeal, viewer=request.user)


@router.post("", response={201: AppealOut}, summary="Write an appeal to the head of a body")
def create_appeal(request, payload: AppealIn):
    """Registers the appeal and returns its number and due date. Send an `Idempotency-Key` header
    to make retries safe: the same key returns the appeal already registered."""
    region = Region.objects.filter(iso_code=payload.region).first()
    body = Body.objects.filter(slug=payload.body).first()
    errors = {}
    if body is None:
        errors["body"] = [f"Unknown body {payload.body!r}; see GET /api/v1/bodies."]
    if region is None:
        errors["region"] = [f"Unknown region {payload.region!r}; see GET /api/v1/regions."]
    if errors:
        raise ValidationError(errors)
    appeal = services.submit_appeal(
        request.user, body=body, type=payload.type, subject=payload.subject, text=payload.text,
        region=region, is_public=payload.is_public, show_name=payload.show_name,
        idempotency_key=request.headers.get("Idempotency-Key"),
    )
    return Status(201, _out(request, appeal))


@router.get("/{int:appeal_id}", response=AppealOut, auth=OptionalBearerToken(), summary="One appeal")
def get_appeal(request, appeal_id: int):
    return _out(request, _visible(request, appeal_id))


@router.get("/{int:appeal_id}/events", response=list[EventOut], auth=OptionalBearerToken(), summary="The appeal's record")
def get_events(request, appeal_id: int):
    appeal = _visible(request, appeal_id)
    return presenters.events_as_dicts(appeal, viewer=request.user)


def _acted(request, appeal_id: int, action) -> dict:
    appeal = _visible(request, appeal_id)
    action(appeal)
    return _out(request, Appeal.objects.get(pk=appeal.pk))


@router.post("/{int:appeal_id}/redirect", response=AppealOut, summary="Redirect to the competent body")
def redirect(request, appeal_id: int, payload: RedirectIn):
    return _acted(request, appeal_id, lambda a: services.redirect_appeal(
        request.user, a, _body_or_error(payload.to_body, "to_body"), payload.reason))


@router.post("/{int:appeal_id}/extend", response=AppealOut, summary="Extend the term (head of the body)")
def extend(request, appeal_id: int, payload: ExtendIn):
    return _acted(request, appeal_id, lambda a: services.extend_deadline(request.user, a, payload.until, payload.reason))


@router.post("/{int:appeal_id}/answer", response=AppealOut, summary="Answer the appeal")
def answer(request, appeal_id: int, payload: AnswerIn):
    return _acted(request, appeal_id, lambda a: services.answer_appeal(
        request.user, a, text=payload.text, outcome=payload.outcome, legal_ground=payload.legal_ground))


@router.post("/{int:appeal_id}/feedback", response=AppealOut, summary="Say whether the answer solved the problem")
def feedback(request, appeal_id: int, payload: FeedbackIn):
    return _acted(request, appeal_id, lambda a: services.record_feedback(
        request.user, a, resolution=payload.resolved, rating=payload.rating, comment=payload.comment))


@router.post("/{int:appeal_id}/withdraw", response=AppealOut, summary="Withdraw the appeal (applicant)")
def withdraw(request, appeal_id: int, payload: WithdrawIn | None = None):
    return _acted(request, appeal_id, lambda a: services.withdraw_appeal(request.user, a, payload.reason if payload else ""))
