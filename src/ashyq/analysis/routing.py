"""Which body should receive an appeal: the top three, with why, learned from where past appeals were
finally answered after any redirects. The applicant chooses; a suggestion is never applied for them.

Without a trained routing model, the bodies competent for the sectors the text names (bodies registry
topics) are suggested instead, so a fresh installation still helps.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from ashyq.bodies.models import Body

from . import sectors
from .models import Task
from .services import AKIMAT_LABEL, active_model

MIN_TEXT_LENGTH = 20


@dataclass
class BodySuggestion:
    body: Body
    score: float | None
    # The applicant's own words that point to this body.
    because: list[str] = field(default_factory=list)
    # How many of the model's training appeals the body finally answered (after any redirects).
    past_answered: int = 0
    named_sector: str = ""
    # Whether `score` is a calibrated probability (classifier.is_calibrated), which a threshold may read.
    calibrated: bool = False


def _akimat_of(region) -> Body | None:
    if region is None:
        return None
    return Body.objects.filter(kind=Body.Kind.AKIMAT, region=region, accepts_appeals=True).first()


def suggest_bodies(text: str, region=None, k: int = 3) -> list[BodySuggestion]:
    from . import classifier  # scikit-learn loads only when a model is used, not at every start

    text = (text or "").strip()
    if len(text) < MIN_TEXT_LENGTH:
        return []
    model_id, pipeline = active_model(Task.ROUTING)
    if pipeline is None:
        return _from_named_sectors(text, region, k)
    from .models import ClassifierModel

    counts = ClassifierModel.objects.values_list("class_counts", flat=True).get(pk=model_id)
    result: list[BodySuggestion] = []
    bodies = {b.slug: b for b in Body.objects.filter(accepts_appeals=True)}
    calibrated = classifier.is_calibrated(pipeline)
    for s in classifier.suggest(pipeline, text, k=k + 2):
        body = _akimat_of(region) if s.value == AKIMAT_LABEL else bodies.get(s.value)
        if body is None or any(r.body.pk == body.pk for r in result):
            continue
        result.append(BodySuggestion(body, s.score, s.because, counts.get(s.value, 0), calibrated=calibrated))
        if len(result) == k:
            break
    return result


def unsure(suggestions: list[BodySuggestion]) -> bool:
    """Is the model's best body less likely than the threshold (ASHYQ_ROUTING_MIN_CONFIDENCE) to be the right
    one? Then the form says so instead of ranking three bodies with false precision."""
    from django.conf import settings

    best = suggestions[0] if suggestions else None
    return bool(best and best.calibrated and best.score is not None and best.score < settings.ASHYQ_ROUTING_MIN_CONFIDENCE)


def _from_named_sectors(text: str, region, k: int) -> list[BodySuggestion]:
    result: list[BodySuggestion] = []
    for topic in sectors.named_sectors(text):
        # A local akimat of the applicant's region first, then the central bodies competent for the topic.
        candidates = (
            Body.objects.filter(topics__slug=topic, accepts_appeals=True)
            .filter(Q(region__isnull=True) | Q(region=region))
            .order_by("kind", "pk")
        )
        for body in candidates:
            if not any(r.body.pk == body.pk for r in result):
                result.append(BodySuggestion(body, None, named_sector=topic))
                break
        if len(result) == k:
            break
    return result
