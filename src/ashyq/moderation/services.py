"""Every change moderation makes: redaction edits, decisions on the public record, reports of abuse.

Each runs in one transaction that locks the appeal (dialogue.services.lock_appeal), checks that the
actor is a moderator (PermissionDenied), validates (ValidationError with a field dict; Conflict when
the item is no longer awaiting this step), changes only the public copies and flags, and appends the
appeal event. The original subject, text and answer are never changed. Event data holds counts, never
the redacted fragments: the public can read a published appeal's events.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ashyq.core import clock
from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import Answer, Attachment, EventKind, PublicReason

from . import notifications, redaction, selectors
from .models import (
    REASON_FIELD_PREFIX,
    AbuseReport,
    Decision,
    Field,
    ModerationDecision,
    RedactionEdit,
    RedactionKind,
    RefusalReason,
    ReportReason,
    Target,
)

MAX_NOTE_LENGTH = 2_000
MAX_FRAGMENT_LENGTH = 500
MAX_COMMENT_LENGTH = 1_000


def reports_to_hide() -> int:
    return int(getattr(settings, "ASHYQ_REPORTS_TO_HIDE", 3))


def _note(value, field="note", limit=MAX_NOTE_LENGTH) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters (you wrote %(n)d).") % {"limit": limit, "n": len(value)}})
    return value


def _locked_item(moderator, appeal, target):
    """Lock the appeal, check the moderator and that the item still awaits review."""
    selectors.require_moderator(moderator)
    appeal = dialogue_services.lock_appeal(appeal)
    if not selectors.is_awaiting(appeal, target):
        raise Conflict(_("This item is no longer awaiting review: another moderator may have decided it."))
    return appeal


# --- redaction edits ---------------------------------------------------------------------------------------


def add_redaction(moderator, appeal, *, target, field, fragment, kind=RedactionKind.OTHER) -> int:
    """Redact every occurrence of a fragment the moderator typed. Returns how many were added."""
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, target)
        errors = {}
        if field not in selectors.fields_of(appeal, target):
            errors["field"] = _("Choose one of this item's texts.")
        if kind not in RedactionKind.values:
            errors["kind"] = _("Choose what kind of personal data this is.")
        try:
            fragment = _note(fragment, "fragment", MAX_FRAGMENT_LENGTH)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if not errors and not fragment:
            errors["fragment"] = _("Type the words to redact, as they appear in the original.")
        if errors:
            raise ValidationError(errors)
        found = redaction.find_fragment(selectors.original(appeal, field), fragment)
        if not found:
            raise ValidationError({"fragment": _("These words are not in the original; type them as they appear there.")})
        now = clock.now()
        RedactionEdit.objects.bulk_create(
            [
                RedactionEdit(
                    appeal=appeal,
                    field=field,
                    start=start,
                    end=end,
                    kind=kind,
                    action=RedactionEdit.ADD,
                    moderator=moderator,
                    at=now,
                )
                for start, end in found
            ]
        )
    return len(found)


def remove_redaction(moderator, appeal, *, target, field, start, end) -> None:
    """Withdraw a proposed redaction (the words will be shown as written)."""
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, target)
        if field not in selectors.fields_of(appeal, target):
            raise ValidationError({"field": _("Choose one of this item's texts.")})
        proposal = next((p for p in selectors.proposed_redactions(appeal, field) if (p["start"], p["end"]) == (start, end)), None)
        if proposal is None:
            raise Conflict(_("This redaction is no longer proposed."))
        RedactionEdit.objects.create(
            appeal=appeal,
            field=field,
            start=start,
            end=end,
            kind=proposal["kind"],
            action=RedactionEdit.REMOVE,
            moderator=moderator,
            at=clock.now(),
        )


# --- decisions ---------------------------------------------------------------------------------------------


def _applied(appeal, target) -> tuple[dict, list]:
    texts, log = {}, []
    for field in selectors.fields_of(appeal, target):
        proposals = selectors.proposed_redactions(appeal, field)
        texts[field] = selectors.redacted(appeal, field, proposals)
        log.extend({"field": field, **p} for p in proposals)
    return texts, log


def _count_kinds(log) -> dict:
    counts = {}
    for item in log:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    return counts


def _decide_reasons(appeal, texts, now, *, published: bool) -> int:
    """Write the public copies of the item's officials' reasons: redacted when approved, none when refused."""
    fields = [f for f in texts if f.startswith(REASON_FIELD_PREFIX)]
    for field in fields:
        event = appeal.events.get(seq=int(field.removeprefix(REASON_FIELD_PREFIX)))
        PublicReason.objects.create(event=event, text=texts[field] if published else "", published=published, decided_at=now)
    return len(fields)


def approve(moderator, appeal, *, target, public_attachments=()) -> ModerationDecision:
    """Publish the redacted copies of an item's texts together: the appeal's subject and text with the officials'
    reasons already on its record (and the attachments chosen); an answer with its legal ground; or a published
    appeal's later reasons."""
    if target not in (Target.APPEAL, Target.ANSWER, Target.REASONS):
        raise ValidationError({"target": _("Only an appeal, an answer or officials' reasons can be approved.")})
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, target)
        texts, log = _applied(appeal, target)
        now = clock.now()
        chosen = []
        if target == Target.APPEAL:
            wanted = {int(pk) for pk in public_attachments}
            attachments = list(Attachment.objects.filter(appeal=appeal))
            unknown = wanted - {a.pk for a in attachments}
            if unknown:
                raise ValidationError({"attachments": _("Choose among this appeal's attachments.")})
            for attachment in attachments:
                attachment.is_public = attachment.pk in wanted
                attachment.save(update_fields=["is_public"])
            chosen = sorted(wanted)
            appeal.public_subject = texts["subject"][:255]
            appeal.public_text = texts["text"]
            appeal.published_at = now
            appeal.save(update_fields=["public_subject", "public_text", "published_at", "updated_at"])
            kind = EventKind.PUBLISHED
        elif target == Target.ANSWER:
            answer = Answer.objects.select_for_update().get(appeal=appeal)
            answer.public_text = texts["answer"]
            answer.public_legal_ground = texts.get(Field.LEGAL_GROUND, "")
            answer.published_at = now
            answer.save(update_fields=["public_text", "public_legal_ground", "published_at"])
            kind = EventKind.ANSWER_PUBLISHED
        else:
            kind = EventKind.REASONS_PUBLISHED
        reasons = _decide_reasons(appeal, texts, now, published=True)
        data = {"redactions": len(log), "redaction_kinds": _count_kinds(log), "public_attachments": len(chosen)}
        if reasons:
            data["reasons"] = reasons
        event = dialogue_services.append_event(appeal, kind, actor=moderator, data=data)
        return ModerationDecision.objects.create(
            appeal=appeal,
            target=target,
            decision=Decision.APPROVED,
            redactions=log,
            public_attachments=chosen,
            moderator=moderator,
            decided_at=now,
            event=event,
        )


def _reason_and_note(reason, note) -> str:
    """Check a refusal's reason and note together, so the moderator sees both problems at once."""
    errors = {}
    if reason not in RefusalReason.values:
        errors["reason"] = _("Choose a reason.")
    try:
        note = _note(note)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return note


def refuse(moderator, appeal, *, target, reason, note="") -> ModerationDecision:
    """Refuse to publish the appeal or its answer (the appeal stays private, or its answer and legal ground
    unpublished), or a published appeal's later reasons (the public reads none of them; the steps stay shown)."""
    if target not in (Target.APPEAL, Target.ANSWER, Target.REASONS):
        raise ValidationError({"target": _("Only an appeal, an answer or officials' reasons can be refused.")})
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, target)
        note = _reason_and_note(reason, note)
        if target == Target.REASONS:
            _decide_reasons(appeal, dict.fromkeys(selectors.fields_of(appeal, target), ""), clock.now(), published=False)
        event = dialogue_services.append_event(
            appeal,
            EventKind.PUBLICATION_REFUSED,
            actor=moderator,
            reason=note,
            data={"target": target, "reason": reason},
        )
        return ModerationDecision.objects.create(
            appeal=appeal,
            target=target,
            decision=Decision.REFUSED,
            reason=reason,
            note=note,
            moderator=moderator,
            decided_at=clock.now(),
            event=event,
        )


def _resolve_reports(appeal, decision):
    AbuseReport.objects.filter(appeal=appeal, resolved_at__isnull=True).update(
        resolved_at=decision.decided_at, resolution=decision
    )


def restore(moderator, appeal, *, note="") -> ModerationDecision:
    """A hidden appeal is fine after all: the public sees it again."""
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, Target.HIDDEN)
        note = _note(note)
        appeal.hidden_at = None
        appeal.save(update_fields=["hidden_at", "updated_at"])
        event = dialogue_services.append_event(appeal, EventKind.RESTORED, actor=moderator, reason=note)
        decision = ModerationDecision.objects.create(
            appeal=appeal,
            target=Target.HIDDEN,
            decision=Decision.RESTORED,
            note=note,
            moderator=moderator,
            decided_at=clock.now(),
            event=event,
        )
        _resolve_reports(appeal, decision)
    return decision


def keep_hidden(moderator, appeal, *, reason, note="") -> ModerationDecision:
    """The reports were right: the appeal stays hidden from the public (the applicant still sees it)."""
    with transaction.atomic():
        appeal = _locked_item(moderator, appeal, Target.HIDDEN)
        note = _reason_and_note(reason, note)
        event = dialogue_services.append_event(
            appeal,
            EventKind.HIDDEN,
            actor=moderator,
            reason=note,
            data={"kept_after_review": True, "reason": reason},
        )
        decision = ModerationDecision.objects.create(
            appeal=appeal,
            target=Target.HIDDEN,
            decision=Decision.KEPT_HIDDEN,
            reason=reason,
            note=note,
            moderator=moderator,
            decided_at=clock.now(),
            event=event,
        )
        _resolve_reports(appeal, decision)
    return decision


# --- reports of abuse ------------------------------------------------------------------------------------


def address_hash(address: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()


def report_abuse(reporter, address: str, appeal, *, target, reason, comment="") -> AbuseReport | None:
    """Anyone may report a published appeal or answer. A repeat report by the same account or from the
    same address is not counted again (returns None). When the distinct reporters reach
    ASHYQ_REPORTS_TO_HIDE, the appeal is hidden pending review and the applicant is emailed."""
    with transaction.atomic():
        appeal = dialogue_services.lock_appeal(appeal)
        if not appeal.is_published:
            raise Conflict(_("This appeal is not public."))
        errors = {}
        if target not in (Target.APPEAL, Target.ANSWER):
            errors["target"] = _("Choose the appeal or the answer.")
        elif target == Target.ANSWER:
            answer = getattr(appeal, "answer", None)
            if answer is None or answer.published_at is None:
                errors["target"] = _("This appeal has no published answer.")
        if reason not in ReportReason.values:
            errors["reason"] = _("Choose a reason.")
        try:
            comment = _note(comment, "comment", MAX_COMMENT_LENGTH)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        if reporter is not None and not reporter.is_authenticated:
            reporter = None
        if reporter is not None and reporter.pk == appeal.applicant_id:
            raise PermissionDenied(_("You cannot report your own appeal."))
        digest = address_hash(address)
        reports = selectors.open_reports(appeal)
        same = reports.filter(address_hash=digest)
        if reporter is not None:
            same = same | reports.filter(reporter=reporter)
        if same.exists():
            return None
        now = clock.now()
        report = AbuseReport.objects.create(
            appeal=appeal,
            target=target,
            reason=reason,
            comment=comment,
            reporter=reporter,
            address_hash=digest,
            created_at=now,
        )
        count = reports.count()
        if count >= reports_to_hide():
            appeal.hidden_at = now
            appeal.save(update_fields=["hidden_at", "updated_at"])
            dialogue_services.append_event(appeal, EventKind.HIDDEN, data={"reports": count})
            notifications.on_commit_notify_hidden(appeal)
    return report
