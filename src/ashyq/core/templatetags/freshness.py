"""{% figures_as_of %}: the moment a page of derived figures (rankings, scorecards, content analysis) counts up to.

The figures are kept by the background worker, and their cached pages are renewed at most once per
ASHYQ_FIGURES_PAGE_LAG_SECONDS (core/pagecache.py), so a page may trail the record by a little. It says so: the
figures include every step up to the time shown, which is when the page was rendered or, while steps still wait in
the queue, when the oldest of them was queued. Read only when such a page is rendered, never for a cached copy."""

from django import template

from ashyq.core import clock
from ashyq.core.tasks import oldest_pending_at

register = template.Library()


@register.inclusion_tag("core/_figures_as_of.html")
def figures_as_of():
    now = clock.now()
    pending = oldest_pending_at()
    return {"as_of": min(now, pending) if pending else now, "still_counting": bool(pending and pending < now)}
