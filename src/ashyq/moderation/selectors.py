"""What moderators see: the queue, and the proposed redactions of an item. Only moderators and admins."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ashyq.core.roles import Role
from ashyq.dialogue.models import REASONED_KINDS, Appeal, AppealEvent, EventKind, Status, published_q

from . import redaction
from .models import FIELDS_OF, REASON_FIELD_PREFIX, Decision, Field, ModerationDecision, RedactionEdit, Target

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


def _pending_reasons():
    """Officials' reasons (a redirect's, an extension's) that no moderator has approved or refused yet."""
    return AppealEvent.objects.filter(kind__in=REASONED_KINDS, public_reason__isnull=True).exclude(reason="")


def reasons_awaiting_review() -> QuerySet[Appeal]:
    """Published appeals with an official's reason written since their publication, not yet moderated."""
    return (
        Appeal.objects.select_related(*_RELATED)
        .filter(published_q())
        .filter(Exists(_pending_reasons().filter(appeal=OuterRef("pk"))))
        .order_by("updated_at")
    )


AWAITING = {
    Target.APPEAL: appeals_awaiting_review,
    Target.ANSWER: answers_awaiting_review,
    Target.HIDDEN: hidden_awaiting_review,
    Target.REASONS: reasons_awaiting_review,
}


def queue(user) -> dict:
    require_moderator(user)
    return {target: list(AWAITING[target]()[:500]) for target in AWAITING}


def is_awaiting(appeal, target) -> bool:
    return target in AWAITING and AWAITING[target]().filter(pk=appeal.pk).exists()


def pending_reason_events(appeal) -> list[AppealEvent]:
    return list(_pending_reasons().filter(appeal=appeal).order_by("seq"))


def fields_of(appeal, target) -> list[str]:
    """The texts a moderator approves together for this item: every text of it that the public will read.

    An appeal's publication covers its subject and text and every official's reason already on its record, so
    nothing of it is public before each of these is approved; an answer's covers its text and its legal ground;
    a published appeal's later reasons are their own item (Target.REASONS)."""
    fields = list(FIELDS_OF.get(target, ()))
    if target == Target.ANSWER and not getattr(getattr(appeal, "answer", None), "legal_ground", ""):
        fields.remove(Field.LEGAL_GROUND)
    if target in (Target.APPEAL, Target.REASONS):
        fields += [f"{REASON_FIELD_PREFIX}{event.seq}" for event in pending_reason_events(appeal)]
    return fields


def _reason_event(appeal, field):
    try:
        seq = int(field.removeprefix(REASON_FIELD_PREFIX))
    except ValueError:
        return None
    return appeal.events.filter(seq=seq, kind__in=REASONED_KINDS).first()


def field_label(appeal, field) -> str:
    if field in Field.values:
        return Field(field).label
    event = _reason_event(appeal, field)
    if event is None:
        return field
    when = timezone.localtime(event.at).strftime("%d.%m.%Y")
    if event.kind == EventKind.REDIRECTED:
        return _("reason for the redirect of %(date)s") % {"date": when}
    return _("reason for the extension of %(date)s") % {"date": when}


def original(appeal, field) -> str:
    """The original text of a field: for moderators' eyes only."""
    if field == Field.SUBJECT:
        return appeal.subject
    if field == Field.TEXT:
        return appeal.text
    if field.startswith(REASON_FIELD_PREFIX):
        event = _reason_event(appeal, field)
        return event.reason if event is not None else ""
    answer = getattr(appeal, "answer", None)
    if answer is None:
        return ""
    return answer.legal_ground if field == Field.LEGAL_GROUND else answer.text


def proposed_redactions(appeal, field) -> list[dict]:
    """The automatic proposal for a field with the moderators' additions and removals applied, in order."""
    text = original(appeal, field)
    spans = {
        (s.start, s.end): {"start": s.start, "end": s.end, "kind": s.kind, "text": s.text, "source": "auto"}
        for s in redaction.find_personal_data(text)
    }
    for edit in RedactionEdit.objects.filter(appeal=appeal, field=field).order_by("id"):
        key = (edit.start, edit.end)
        if edit.action == RedactionEdit.ADD:
            spans[key] = {
                "start": edit.start,
                "end": edit.end,
                "kind": edit.kind,
                "text": text[edit.start : edit.end],
                "source": "moderator",
            }
        else:
            spans.pop(key, None)
    return [spans[k] for k in sorted(spans)]


def redacted(appeal, field, proposals=None) -> str:
    proposals = proposed_redactions(appeal, field) if proposals is None else proposals
    spans = [redaction.Span(p["start"], p["end"], p["kind"], p["text"]) for p in proposals]
    return redaction.apply_redactions(original(appeal, field), spans)


def open_reports(appeal):
    return appeal.abuse_reports.filter(resolved_at__isnull=True).order_by("created_at")
