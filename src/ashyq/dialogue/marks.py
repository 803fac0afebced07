"""An appeal's deadline marks as the pages show them (the badge of its deadline state and the working days left or
late), and the rows of the lists of appeals that show them. Written here in Python, once per row, because the lists
(the inbox, the overdue list, my appeals) show 50 rows or more and a template rendering each row cost most of the
page (docs/benchmarks.md); the appeal page shows the same badge through the `deadline_badge` tag, so the words and
classes are written once.
"""

from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, ngettext

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


def table_row(appeal, state, *, days_late=None, days_left=None, show_body=False, show_executor=False) -> SafeString:
    """One <tr> of dialogue/_table.html, written here once per row: a template rendering its dozen variables for
    each of 50 rows was most of the inbox page (docs/benchmarks.md). tests/test_appeal_lists_html.py checks it is
    the table the template wrote, character for character, in each language."""
    labels = _labels()
    body = format_html('<td data-label="{}">{}</td>', labels["body"], appeal.body) if show_body else ""
    executor = ""
    if show_executor and appeal.executor:
        executor = format_html(' — <span data-user-content translate="no">{}</span>', appeal.executor.display_name)
    return format_html(
        '\n    <tr class="state-{state}">'
        '\n      <td data-label="{number_label}"><a href="{url}">{number}</a></td>'
        '\n      <td data-label="{subject_label}" data-user-content>{subject}</td>'
        "\n      {body}"
        '\n      <td class="col-status" data-label="{status_label}">{status}{executor}</td>'
        '\n      <td class="col-due" data-label="{due_label}"><time datetime="{due_iso}">{due}</time></td>'
        '\n      <td class="col-deadline" data-label="{deadline_label}">{badge}'
        "\n        {working_days}"
        "\n      </td>"
        "\n    </tr>\n  ",
        state=state,
        number_label=labels["number"],
        url=reverse("dialogue:detail", args=[appeal.pk]),
        number=appeal.number,
        subject_label=labels["subject"],
        subject=appeal.subject,
        body=body,
        status_label=labels["status"],
        status=appeal.get_status_display(),
        executor=executor,
        due_label=labels["due"],
        due_iso=date_format(appeal.due_on, "Y-m-d"),
        due=date_format(appeal.due_on, "d.m.Y"),
        deadline_label=labels["deadline"],
        badge=badge(state),
        working_days=working_days(days_late, days_left),
    )


def _labels() -> dict:
    # The column names, repeated on each cell for phones (the header row is hidden there): _table.html's words.
    return {
        "number": gettext("No."),
        "subject": gettext("Subject"),
        "body": gettext("Body"),
        "status": gettext("Status"),
        "due": gettext("Due"),
        "deadline": gettext("Deadline"),
    }
