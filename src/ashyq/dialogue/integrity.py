"""Tamper evidence for the appeal record.

Each event carries a SHA-256 over its own content and the hash of the event before it on the same
appeal, so editing, deleting or reordering any stored event breaks the chain from that point on.
`manage.py verify_event_chains` recomputes every chain and names the appeals whose history was
altered behind the application's back.
"""

import datetime as dt
import hashlib
import json

GENESIS = "0" * 64


def event_digest(event, previous_hash: str) -> str:
    at = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    content = [
        previous_hash,
        event.appeal_id,
        event.seq,
        event.kind,
        at,
        event.actor_id,
        event.from_body_id,
        event.to_body_id,
        event.reason,
        event.data,
    ]
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def broken_link(events) -> int | None:
    """The seq of the first event whose hash does not follow from the chain, or None if it is whole."""
    previous = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != previous or event.hash != event_digest(event, previous):
            return event.seq
        previous = event.hash
        expected_seq += 1
    return None


def verify_all(appeals_qs=None):
    """Yield (appeal number, first broken seq) for every appeal whose chain is broken."""
    from .models import Appeal, AppealEvent

    appeals = appeals_qs if appeals_qs is not None else Appeal.objects.all()
    for appeal_id, number in appeals.order_by("pk").values_list("pk", "number").iterator(chunk_size=2000):
        seq = broken_link(AppealEvent.objects.filter(appeal_id=appeal_id).order_by("seq"))
        if seq is not None:
            yield number, seq
