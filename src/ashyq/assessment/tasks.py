"""Background work of the assessment (the queue's convention: core/tasks.py). Each task replaces stored figures
with what the record says now, so running it twice, late or after a retry changes nothing more."""

import datetime as dt

from ashyq.core import pagecache
from ashyq.core.tasks import task


@task()
def refresh_appeal_figures(appeal_id: int) -> None:
    """Apply the change one of the appeal's events made to the figures (contributions.apply; signals.py)."""
    from . import contributions

    contributions.apply(appeal_id)
    pagecache.bump(pagecache.FIGURES)  # the rankings and scorecards now show the new figures


@task()
def refresh_dataset_figures(body_id: int) -> None:
    """The body's open-data figures, after one of its datasets or versions was saved (signals.py)."""
    from . import figures

    figures.refresh_for_body_datasets(body_id)
    pagecache.bump(pagecache.FIGURES)


@task()
def refresh_legal_figures(body_id: int, first_day: str, last_day: str) -> None:
    """The body's legal-acts figures for the months a draft's report may fall due in (signals.py)."""
    from . import figures

    figures.refresh_for_legal_process(body_id, dt.date.fromisoformat(first_day), dt.date.fromisoformat(last_day))
    pagecache.bump(pagecache.FIGURES)
