"""Background work of the content analysis (the queue's convention: core/tasks.py)."""

from ashyq.core import pagecache
from ashyq.core.tasks import task


def _rows_of_appeals(calls) -> None:
    """The analysis tasks of a worker's batch at once (refresh.refresh_appeals: each appeal once)."""
    from . import refresh

    refresh.refresh_appeals([appeal_id for (appeal_id,) in calls])
    pagecache.bump_soon(pagecache.FIGURES)  # the content-analysis pages count the appeals as they stand, within the lag


def _classify_appeals(calls) -> None:
    """The classification tasks of a worker's batch at once (services.classify_appeals: models read once)."""
    from . import services

    services.classify_appeals([appeal_id for (appeal_id,) in calls])
    pagecache.bump_soon(pagecache.FIGURES)


@task(many=_rows_of_appeals)
def refresh_appeal_analysis(appeal_id: int) -> None:
    """Rebuild the appeal's analysis rows from its record and labels (replaces them: safe to run again)."""
    _rows_of_appeals([(appeal_id,)])


@task(many=_classify_appeals)
def classify_appeal(appeal_id: int) -> None:
    """Suggest a new appeal's cause and sector and rebuild its rows; a second run adds no second suggestion
    (services.classify_appeals)."""
    _classify_appeals([(appeal_id,)])
