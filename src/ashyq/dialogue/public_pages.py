"""The public record's cached pages follow the record (core/pagecache.py): an event on a published appeal, or a
step that changes what is published, renders the record's pages afresh. Steps on appeals the public cannot see
(registration, an executor on an unpublished appeal) leave the cache alone, so a country's flow of new appeals
does not empty it."""

from ashyq.core import pagecache

from .signals import MODERATION, VISIBILITY


def on_event_appended(sender, event, effects, **kwargs):
    if effects & {VISIBILITY, MODERATION} or event.appeal.is_published:
        pagecache.bump(pagecache.RECORD)
