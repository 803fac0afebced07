"""The public record's cached pages follow the record (core/pagecache.py): an event on a published appeal, or a
step that changes what is published, renders the record's pages afresh. Steps on appeals the public cannot see
(registration, an executor on an unpublished appeal) leave the cache alone, so a country's flow of new appeals
does not empty it."""

from ashyq.core import pagecache

from .signals import MODERATION, VISIBILITY


def on_event_appended(sender, event, effects, **kwargs):
    if effects & {VISIBILITY, MODERATION} or event.appeal.is_published:
        pagecache.bump(pagecache.RECORD)


def on_appeal_saved(sender, instance, raw=False, **kwargs):
    """A published appeal saved outside a step (a moderator's edit of its public copy) shows at once too."""
    if not raw and (instance.published_at is not None or instance.hidden_at is not None):
        pagecache.bump(pagecache.RECORD)


def on_answer_saved(sender, instance, raw=False, **kwargs):
    if not raw and instance.published_at is not None:
        pagecache.bump(pagecache.RECORD)
