"""Shapes appeals for output (API and pages) with what the viewer may see of the people involved."""

import datetime as dt

from ashyq.core import eds

from . import deadlines, permissions, selectors
from .models import REASONED_KINDS, EventKind, Resolution


def redirect_chain(appeal) -> list:
    """The bodies the appeal went through, first addressee first, current body last: its stays (stays.py),
    as prefetched with the appeal when they were (with_parts, known_new), else read now."""
    if "stays" in getattr(appeal, "_prefetched_objects_cache", {}):
        return [stay.body for stay in sorted(appeal.stays.all(), key=lambda stay: stay.seq)]
    return [stay.body for stay in appeal.stays.select_related("body").order_by("seq")]


def with_parts(appeals):
    """`appeals` (a queryset) with what appeal_as_dict reads of each: the bodies, region and regulation, the answer
    and the feedback joined, the stays with their bodies and the attachments prefetched (three queries in all).

    Only these joins: PostgreSQL's planning time grows fast with the number of joined tables (at a million appeals,
    about 1 ms with four of them, 2-10 ms with the seven of selectors' lists, 9-20 ms with eleven), and for a lookup
    by id planning is most of the query's cost. The answer's body, the complaint's number and the people are read
    when shown (an answered appeal, a complaint)."""
    from django.db.models import Prefetch

    from .models import AppealStay

    return (
        appeals.select_related(None)
        .select_related("body", "addressed_body", "region", "regulation", "answer", "feedback")
        .prefetch_related(Prefetch("stays", queryset=AppealStay.objects.select_related("body")), "attachments")
    )


def known_new(appeal, *, stay, attachments=()) -> None:
    """Remember on a just-registered appeal what it is known to have: no answer, no feedback, its one stay (at
    the addressed body) and the attachments just saved (services.submit_appeal's `registered_now`), in Django's
    own caches of related rows, so presenting it in the answer to its submission asks the database nothing more.
    Only for an instance presented at once: a later step on it would not be seen until it is read again."""
    from .models import Appeal

    Appeal.answer.related.set_cached_value(appeal, None)
    Appeal.feedback.related.set_cached_value(appeal, None)
    stay.body = appeal.addressed_body
    cache = getattr(appeal, "_prefetched_objects_cache", None)
    if cache is None:
        cache = appeal._prefetched_objects_cache = {}
    for name, rows in (("stays", [stay]), ("attachments", list(attachments))):
        rows_queryset = getattr(appeal, name).get_queryset()
        rows_queryset._result_cache, rows_queryset._prefetch_done = rows, True  # as prefetch_related leaves them
        cache[name] = rows_queryset


def sees_people(viewer, appeal) -> bool:
    """Names of the applicant and of officials are shown only to those on the case and to oversight."""
    return (
        permissions.is_applicant(viewer, appeal)
        or permissions.is_oversight(viewer)
        or permissions.handled_by_users_body(viewer, appeal)
    )


def actor_label(event, viewer, appeal) -> str | None:
    if event.actor_id is None:
        return None
    if sees_people(viewer, appeal):
        return event.actor.display_name
    if event.actor_id == appeal.applicant_id:
        return "applicant"
    return "moderator" if event.kind in MODERATION_KINDS else "official"


def publication_state(appeal) -> str:
    """private, awaiting (moderation), published, hidden (after reports) or refused (by moderation)."""
    if appeal.is_published:
        return "published"
    if not appeal.is_public:
        return "private"
    if appeal.published_at is not None:
        return "hidden"
    if appeal.events.filter(kind=EventKind.PUBLICATION_REFUSED).exists():
        return "refused"
    return "awaiting"


def public_view(appeal, viewer) -> bool:
    """True when the viewer is the public: they get only the moderated, redacted copies."""
    return not sees_people(viewer, appeal)


def shown_texts(appeal, viewer) -> dict:
    """The subject, text and answer text this viewer may read. The public never gets the originals."""
    answer = getattr(appeal, "answer", None)
    if public_view(appeal, viewer):
        published = answer is not None and answer.published_at is not None
        return {
            "subject": appeal.public_subject,
            "text": appeal.public_text,
            "answer_text": answer.public_text if published else None,
            # Approved with the answer, redacted by the moderator; never the official's original.
            "legal_ground": answer.public_legal_ground if published else "",
        }
    return {
        "subject": appeal.subject,
        "text": appeal.text,
        "answer_text": answer.text if answer is not None else None,
        "legal_ground": answer.legal_ground if answer is not None else "",
    }


def appeal_as_dict(appeal, viewer) -> dict:
    answer = getattr(appeal, "answer", None)
    feedback = getattr(appeal, "feedback", None)
    texts = shown_texts(appeal, viewer)
    return {
        "id": appeal.pk,
        "number": appeal.number,
        "type": appeal.type,
        "channel": appeal.channel,
        "subject": texts["subject"],
        "text": texts["text"],
        "status": appeal.status,
        "body": appeal.body.slug,
        "addressed_body": appeal.addressed_body.slug,
        "redirect_chain": [b.slug for b in redirect_chain(appeal)],
        "region": appeal.region.iso_code,
        "is_public": appeal.is_public,
        "registered_at": appeal.registered_at,
        "received_on": appeal.received_on,
        "due_on": appeal.due_on,
        "deadline_state": str(deadlines.deadline_state(appeal)),
        "regulation_version": appeal.regulation.version,
        "complaint_about": appeal.complaint_about.number if appeal.complaint_about_id else None,
        "answer": None
        if answer is None
        else {
            "body": answer.body.slug,
            "text": texts["answer_text"] or "",
            "outcome": answer.outcome,
            "legal_ground": texts["legal_ground"],
            "answered_at": answer.answered_at,
            "answered_on_time": answer.answered_on_time,
        },
        "feedback": None
        if feedback is None or public_view(appeal, viewer)
        else {
            "resolution": feedback.resolution,
            "rating": feedback.rating,
            "comment": feedback.comment,
            "created_at": feedback.created_at,
        },
        "attachments": [
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in appeal.attachments.all()
        ]
        if sees_people(viewer, appeal)
        else [],
    }


MODERATION_KINDS = {
    EventKind.PUBLISHED,
    EventKind.PUBLICATION_REFUSED,
    EventKind.ANSWER_PUBLISHED,
    EventKind.HIDDEN,
    EventKind.RESTORED,
    EventKind.REASONS_PUBLISHED,
}

# Event data the public may read: dates, outcomes and verdicts. Not who executes the appeal, nor the
# numbers of linked appeals (a complaint may be private while the appeal it is about is public).
PUBLIC_DATA_KEYS = {
    "due_on",
    "previous_due_on",
    "received_on",
    "redirect_deadline",
    "regulation_version",
    "outcome",
    "on_time",
    "resolution",
    "rating",
    "attachments",
    "signed",
    "valid_on",
}

# Reasons the public may read, each only as its moderated copy: officials' reasons for redirects and extensions
# (PublicReason) and an answer's legal ground (Answer.public_legal_ground). The applicant's own words (withdrawal
# reason, feedback comment) and moderators' notes stay with those on the case.
PUBLIC_REASON_KINDS = {*REASONED_KINDS, EventKind.ANSWERED}


def public_reason(event, appeal) -> str | None:
    """The moderated copy of an official's reason on this step; "" if there is none to show, None while it awaits
    moderation (the public then sees no reason, and is told it comes after moderation)."""
    if event.kind not in PUBLIC_REASON_KINDS or not event.reason:
        return ""
    if event.kind == EventKind.ANSWERED:
        answer = getattr(appeal, "answer", None)
        if answer is None or answer.published_at is None:
            return None
        return answer.public_legal_ground
    copy = getattr(event, "public_reason", None)
    if copy is None:
        return None
    return copy.text if copy.published else ""


def shown_reason(event, viewer, appeal) -> str:
    if sees_people(viewer, appeal):
        return event.reason
    return public_reason(event, appeal) or ""


def signatures(appeal, viewer) -> dict:
    """The appeal's signatures by what they sign ("appeal", "answer"): how (EDS or SMS code), the date it was checked
    (the certificate was valid on it), and whether the text still is the one signed, for everyone who sees the appeal;
    the signer's name and the certificate's details only for those who see people, and never once the signer's
    account is anonymised (their details are gone)."""
    people = sees_people(viewer, appeal)
    texts = {"appeal": appeal.text, "answer": getattr(getattr(appeal, "answer", None), "text", None)}
    shown = {}
    for signature in appeal.signatures.select_related("details"):
        current = texts.get(signature.signed)
        shown[signature.signed] = {
            "method": signature.method,
            "valid_on": signature.checked_at,
            "valid_until": signature.valid_until,
            # Signatures older than the text's fingerprint (empty) are not judged here: their CMS was checked over it.
            "text_changed": bool(signature.text_sha256)
            and current is not None
            and eds.text_sha256(current) != signature.text_sha256,
            "signer_name": signature.signer_name if people else "",
            "organisation": signature.organisation if people else "",
            "issuer": signature.issuer if people else "",
            "serial": signature.certificate_serial if people else "",
        }
    return shown


def _date(value):
    return dt.date.fromisoformat(value) if value else None


def timeline(appeal, viewer) -> list[dict]:
    """The record as the viewer may see it: each event with its actor label, its reason, and its
    dates and verdict ready to show in the viewer's language."""
    items = []
    for e in selectors.events_of(appeal):
        resolution = e.data.get("resolution")
        items.append(
            {
                "event": e,
                "actor": actor_label(e, viewer, appeal),
                "reason": shown_reason(e, viewer, appeal),
                "reason_awaits_moderation": public_view(appeal, viewer) and public_reason(e, appeal) is None,
                "due_on": _date(e.data.get("due_on")),
                "previous_due_on": _date(e.data.get("previous_due_on")),
                "resolution": Resolution(resolution).label if resolution in Resolution.values else None,
            }
        )
    return items


def events_as_dicts(appeal, viewer) -> list[dict]:
    return [
        {
            "seq": e.seq,
            "kind": e.kind,
            "at": e.at,
            "actor": actor_label(e, viewer, appeal),
            "from_body": e.from_body.slug if e.from_body_id else None,
            "to_body": e.to_body.slug if e.to_body_id else None,
            "reason": shown_reason(e, viewer, appeal),
            "data": e.data if sees_people(viewer, appeal) else {k: v for k, v in e.data.items() if k in PUBLIC_DATA_KEYS},
        }
        for e in selectors.events_of(appeal)
    ]
