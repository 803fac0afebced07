"""An appeal's deadline marks as the pages show them: the badge of its deadline state and the working days left or
late. Written here in Python, once per row, because the lists of appeals (the inbox, the overdue list, my appeals)
show 50 rows or more and a template included per row cost most of the page (docs/benchmarks.md); the appeal page
shows the same badge through the `deadline_badge` tag, so the words and classes are written once.
"""

from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, ngettext

from .deadlines import DeadlineState

# The class of the badge (its colour) and its words, for each state that has one (a closed appeal has none).
BADGES = {
    DeadlineState.VERY_OVERDUE: ("danger", gettext_lazy("very overdue")),
    DeadlineState.OVERDUE: ("danger", gettext_lazy("overdue")),
    DeadlineState.DUE_TODAY: ("warn", gettext_lazy("due today")),
    DeadlineState.SOON_DUE: ("warn", gettext_lazy("due soon")),
    DeadlineState.ON_TIME: ("ok", gettext_lazy("on time")),
}


def badge(state) -> SafeString:
    """<span class="badge ...">words</span>, or nothing for a state without a badge."""
    if state not in BADGES:
        return mark_safe("")
    css, words = BADGES[state]
    return format_html('<span class="badge {}">{}</span>', css, words)


def working_days(days_late: int | None, days_left: int | None) -> SafeString:
    """'3 working days late', or '2 working days left', or nothing (the translations are the catalog's, as written)."""
    if days_late:
        return mark_safe(ngettext("%(n)s working day late", "%(n)s working days late", days_late) % {"n": localize(days_late)})
    if days_left is not None:
        return mark_safe(ngettext("%(n)s working day left", "%(n)s working days left", days_left) % {"n": localize(days_left)})
    return mark_safe("")
