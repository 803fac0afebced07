"""What moderators see: the queue, and the proposed redactions of an item. Only moderators and admins."""
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet

from ashyq.core.roles import Role
from ashyq.dialogue.models import Appeal, Status, published_q

from . import redaction
from .models import Decision, Field, ModerationDecision, RedactionEdit, Target

_RELATED = ("body", "region", "applicant")


def can_moderate(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role in (Role.MODERATOR, Role.ADMIN))


def require_moderator(user):
    if not can_moderate(user):
        raise PermissionDenied("Only moderators may review the public record.")


def _refused(target):
    return Exists(ModerationDecision.objects.filter(appeal=OuterRef("pk"), target=target, decision=Decision.REFUSED))


def appeals_awaiting_review() -> QuerySet[Appeal]:
    """Appeals their applicants made public that no moderator has published or refused yet."""
    return (
        Appeal.objects.select_related(*_RELATED)
        .filter(is_public=True, published_at__isnull=True, hidden_at__isnull=True)
        # An applicant who withdrew the appeal before it was published is not published against their will.
        .exclude(status=Status.WITHDRAWN)
        .exclude(_refused(Target.APPEAL))
        .order_by("registered_at")
    )


def answers_awaiting_review() -> QuerySet[Appeal]:
    """Published appeals whose answer is not yet published (nor refused)."""
    return (
        Appeal.objects.select_related(*_RELATED, "answer")
        .filter(published_q(), answer__isnull=False, answer__published_at__isnull=True)
        .exclude(_refused(Target.ANSWER))
        .order_by("answer__answered_at")
    )


def hidden_awaiting_review() -> QuerySet[Appeal]:
    """Published appeals hidden after reports that no moderator has restored or kept hidden since."""
    kept = ModerationDecision.objects.filter(
        appeal=OuterRef("pk"), target=Target.HIDDEN, decision=Decision.KEPT_HIDDEN, decided_at__gte=OuterRef("hidden_at")
    )
    return (
        Appeal.objects.select_related(*_RELATED)
        .filter(is_public=True, published_at__isnull=False, hidden_at__isnull=False)
        .exclude(Exists(kept))
        .order_by("hidden_at")
    )


AWAITING = {Target.APPEAL: appeals_awaiting_review, Target.ANSWER: answers_awaiting_review, Target.HIDDEN: hidden_awaiting_review}


def queue(user) -> dict:
    require_moderator(user)
    return {target: list(AWAITING[target]()[:500]) for target in AWAITING}


def is_awaiting(appeal, target) -> bool:
    return target in AWAITING and AWAITING[target]().filter(pk=appeal.pk).exists()


def original(appeal, field) -> str:
    """The original text of a field: for moderators' eyes only."""
    if field == Field.SUBJECT:
        return appeal.subject
    if field == Field.TEXT:
        return appeal.text
    answer = getattr(appeal, "answer", None)
    return answer.text if answer is not None else ""


def proposed_redactions(appeal, field) -> list[dict]:
    """The automatic proposal for a field with the moderators' additions and removals applied, in order."""
    text = original(appeal, field)
    spans = {(s.start, s.end): {"start": s.start, "end": s.end, "kind": s.kind, "text": s.text, "source": "auto"}
             for s in redaction.find_personal_data(text)}
    for edit in RedactionEdit.objects.filter(appeal=appeal, field=field).order_by("id"):
        key = (edit.start, edit.end)
        if edit.action == RedactionEdit.ADD:
            spans[key] = {"start": edit.start, "end": edit.end, "kind": edit.kind, "text": text[edit.start:edit.end], "source": "moderator"}
        else:
            spans.pop(key, None)
    return [spans[k] for k in sorted(spans)]


def redacted(appeal, field, proposals=None) -> str:
    proposals = proposed_redactions(appeal, field) if proposals is None else proposals
    spans = [redaction.Span(p["start"], p["end"], p["kind"], p["text"]) for p in proposals]
    return redaction.apply_redactions(original(appeal, field), spans)


def open_reports(appeal):
    return appeal.abuse_reports.filter(resolved_at__isnull=True).order_by("created_at")
