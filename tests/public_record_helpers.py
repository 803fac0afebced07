"""Helpers for the public-record tests: publish an appeal (and its answer) as moderation would."""

from django.utils import timezone

from ashyq.dialogue import search
from ashyq.dialogue.models import Answer, Appeal


def publish(appeal, subject, text, *, show_name=None, when=None):
    """Set the moderated public copy and publish it (moderation is built separately; the fields are the contract)."""
    fields = {"is_public": True, "public_subject": subject, "public_text": text, "published_at": when or timezone.now()}
    if show_name is not None:
        fields["show_name"] = show_name
    Appeal.objects.filter(pk=appeal.pk).update(**fields)
    appeal.refresh_from_db()
    search.index_appeal(appeal)  # as moderation's save() does
    return appeal


def publish_answer(appeal, text, when=None):
    Answer.objects.filter(appeal=appeal).update(public_text=text, published_at=when or timezone.now())
    appeal.refresh_from_db()
    search.index_appeal(appeal)
    return appeal
