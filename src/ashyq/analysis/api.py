"""Content analysis in the JSON API (docs/api.md): which body should receive a text, and an appeal's labels
for those who may label it. Handlers are thin: body_suggestions, appeal_labels and services do the work."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from ashyq.core.api_auth import PublicRateThrottle
from ashyq.core.models import Region
from ashyq.dialogue import selectors
from ashyq.dialogue.services import MAX_SUBJECT_LENGTH, MAX_TEXT_LENGTH

from . import body_suggestions, services
from .appeal_labels import ShownLabel, labels_of
from .models import Cause

router = Router(tags=["content analysis"])


class SuggestionThrottle(PublicRateThrottle):
    """Per client address, in a bucket of its own: classifying a text costs more than reading a row."""

    scope = "suggest-bodies"


class SuggestBodiesIn(Schema):
    text: str = Field(
        max_length=MAX_SUBJECT_LENGTH + MAX_TEXT_LENGTH + 1,
        description="The subject and text of the appeal being written. Read, never stored.",
    )
    region: str | None = Field(None, description="ISO 3166-2:KZ code of the applicant's region (names the local akimat)")


class BodySuggestionOut(Schema):
    body: str = Field(description="slug of the body, as in GET /bodies")
    name: str = Field(description="the body's name in the language of Accept-Language")
    score: float | None = Field(
        description="relative score of a trained model (0-1, for ranking only); null when "
        "suggested from the sectors the text names"
    )
    because: list[str] = Field(description="the text's own words that point to this body")
    past_answered: int = Field(
        description="appeals in the routing model's training data that this body (for an akimat: local akimats) finally answered"
    )
    named_sector: str | None = Field(description="topic slug the text names, when that is the reason")


class LabelOut(Schema):
    task: str
    value: str
    name: str = Field(description="the value's name in the language of Accept-Language")
    source: str = Field(description="model, person or import")
    score: float | None
    model: int | None = Field(description="id of the model that suggested it")
    set_by: str | None = Field(description="who set it (a name for those on the case, else the role)")
    set_at: dt.datetime


class HandlingOut(Schema):
    body: str
    handling: str
    redirected_to: str | None
    final: bool = Field(description="the body that holds the appeal now or answered it")


class LabelsOut(Schema):
    appeal: str = Field(description="the appeal's number")
    language: str
    cause: LabelOut | None
    sector: LabelOut | None
    handling: list[HandlingOut]
    history: list[LabelOut] = Field(description="every label row, newest first")


class LabelIn(Schema):
    task: str = Field(description="cause or sector")
    value: str = Field(
        max_length=100, description="a cause slug (GET /analysis/causes) or a topic slug (the topics of GET /bodies)"
    )


class CauseOut(Schema):
    slug: str
    name_en: str
    name_ru: str
    name_kk: str
    active: bool


@router.post(
    "/analysis/suggest-bodies",
    response=list[BodySuggestionOut],
    auth=None,
    throttle=[SuggestionThrottle("20/m")],
    summary="Which body should receive this text (top three)",
)
def suggest_bodies(request, payload: SuggestBodiesIn):
    """No token needed and nothing stored. Fewer than 20 characters of text give an empty list."""
    region = None
    if payload.region:
        region = Region.objects.filter(iso_code=payload.region).first()
        if region is None:
            raise ValidationError({"region": [f"Unknown region {payload.region!r}; see GET /api/v1/regions."]})
    return [
        {
            "body": s.body.slug,
            "name": s.body.name,
            "score": s.score,
            "because": s.because,
            "past_answered": s.past_answered,
            "named_sector": s.named_sector or None,
        }
        for s in body_suggestions.suggest(payload.text, region)
    ]


@router.get("/analysis/causes", response=list[CauseOut], auth=None, summary="Causes of appeals (values of the cause label)")
def list_causes(request):
    return list(Cause.objects.values("slug", "name_en", "name_ru", "name_kk", "active"))


def _label(shown: ShownLabel | None) -> dict | None:
    if shown is None:
        return None
    return {
        "task": shown.task,
        "value": shown.value,
        "name": shown.name,
        "source": shown.source,
        "score": shown.score,
        "model": shown.model_id,
        "set_by": shown.set_by,
        "set_at": shown.set_at,
    }


def _labellable(request, number: str):
    """The appeal, if the user may see it (else 404) and label it (else 403)."""
    appeal = get_object_or_404(selectors.appeals_visible_to(request.user), number=number)
    if not services.can_label(request.user, appeal):
        raise PermissionDenied("Only the bodies that handled this appeal and moderators may see and set its labels.")
    return appeal


def _labels_out(request, appeal) -> dict:
    labels = labels_of(appeal, request.user)
    return {
        "appeal": appeal.number,
        "language": labels.language,
        "cause": _label(labels.cause),
        "sector": _label(labels.sector),
        "handling": [
            {
                "body": row.body.slug,
                "handling": row.handling,
                "redirected_to": row.redirected_to.slug if row.redirected_to else None,
                "final": row.final,
            }
            for row in labels.handling
        ],
        "history": [_label(h) for h in labels.history],
    }


@router.get("/appeals/{number}/labels", response=LabelsOut, summary="An appeal's content-analysis labels")
def get_labels(request, number: str):
    return _labels_out(request, _labellable(request, number))


@router.post("/appeals/{number}/labels", response={201: LabelsOut}, summary="Confirm or correct the cause or sector")
def set_label(request, number: str, payload: LabelIn):
    appeal = _labellable(request, number)
    services.set_label(request.user, appeal, payload.task, payload.value)
    return Status(201, _labels_out(request, appeal))
