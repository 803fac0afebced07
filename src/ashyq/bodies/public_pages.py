"""A body's name, head and place are on pages of every scope of the page cache (the body's own page and the list of
bodies, the rankings and scorecards, the open-data catalogue, the legal drafts), so any save of a body, from the
admin, the reference loader or a service, renders every cached public page afresh (core/pagecache.py). Bodies
change seldom; emptying the cache then costs little."""

from ashyq.core import pagecache


def on_body_changed(sender, instance=None, raw=False, **kwargs):
    if not raw:
        pagecache.bump(*pagecache.SCOPES)
