"""The assessment's formulas in words: one text each, shown on the methodology page in the reader's language and
published in English in methodology.json (the same strings, so the page and the data never say different things)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

UNIT = _("Counts per body and month in which the body received the appeal; periods are sums of months.")
ASHYQ_SCORE = _("100 × sum(weight × component) / sum(weights of the components that can be measured)")
ASHYQ = {
    "outcome": _(
        "sum over the final states of (stays in that state × its value) / stays judged; judged = every stay received "
        "except the neutral states and those not judged yet"
    ),
    "timeliness": _("(answered on time without an extension + 0.5 × on time thanks to an extension) / stays judged"),
    "no_repeat": _(
        "(answers in a judged state − answers followed within %(days)s days by the same applicant's appeal to the same "
        "body) / stays judged"
    ),
    "no_complaint": _("(answers in a judged state − answers complained about to the higher body) / stays judged"),
    "data_quality": _(
        "sum of the body's datasets' quality scores (0-100, checklist at each month's end) / (100 × dataset-months); "
        "none for a body without datasets"
    ),
    "legal_comments": _(
        "published comments on the body's drafts answered with a decision and a reason / published comments, filed "
        "under the month the developer's report fell due (once due or published; withdrawn drafts excluded); none for a "
        "body without such comments"
    ),
}
REDIRECT_JUSTIFIED = _(
    "the receiving body kept the appeal (no redirect back or onward) and answered it 'resolved' or 'refused', without "
    "the applicant's 'no' or an upheld complaint"
)
OFFICIAL_SCORE = _("mean of the components, each 1 + 9 × share, rounded to 0.1")
OFFICIAL = {
    "response": _("(answers + redirects away) / appeals received"),
    "timeliness": _("(answers by the due date + redirects away) / (answers + redirects away)"),
    "uploads": _(
        "dataset-months with a valid new version / dataset-months (the body's datasets, each month of the period); none "
        "for a body without datasets"
    ),
}
OFFICIAL_LABELS = {
    "response": _("Response"),
    "timeliness": _("Timeliness"),
    "uploads": _("Uploads of open data"),
}
INTERVALS = _("Wilson score interval, 95 per cent")


def shown(text, repeat_window_days: int) -> str:
    """A formula in the active language, with the repeat window filled in."""
    value = str(text)
    return value % {"days": repeat_window_days} if "%(days)s" in value else value


def english(text, repeat_window_days: int) -> str:
    with override("en"):
        return shown(text, repeat_window_days)
