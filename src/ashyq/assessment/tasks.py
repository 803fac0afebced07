"""Background work of the assessment (the queue's convention: core/tasks.py). Each task replaces stored figures
with what the record says now, so running it twice, late or after a retry changes nothing more."""

import datetime as dt

from ashyq.core import pagecache
from ashyq.core.tasks import task


def _figures_of_appeals(calls) -> None:
    """The figures tasks of a worker's batch at once (contributions.apply_many: each appeal once)."""
    from . import contributions

    contributions.apply_many([appeal_id for (appeal_id,) in calls])
    pagecache.bump_soon(pagecache.FIGURES)  # the rankings and scorecards show the new figures within the lag


@task(many=_figures_of_appeals)
def refresh_appeal_figures(appeal_id: int) -> None:
    """Apply the change one of the appeal's events made to the figures (contributions.apply; signals.py)."""
    _figures_of_appeals([(appeal_id,)])


@task()
def refresh_dataset_figures(body_id: int) -> None:
    """The body's open-data figures, after one of its datasets or versions was saved (signals.py)."""
    from . import figures

    figures.refresh_for_body_datasets(body_id)
    pagecache.bump_soon(pagecache.FIGURES)


@task()
def refresh_legal_figures(body_id: int, first_day: str, last_day: str) -> None:
    """The body's legal-acts figures for the months a draft's report may fall due in (signals.py)."""
    from . import figures

    figures.refresh_for_legal_process(body_id, dt.date.fromisoformat(first_day), dt.date.fromisoformat(last_day))
    pagecache.bump_soon(pagecache.FIGURES)
