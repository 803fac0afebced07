"""Background work of the content analysis (the queue's convention: core/tasks.py)."""

from ashyq.core import pagecache
from ashyq.core.tasks import task


@task()
def refresh_appeal_analysis(appeal_id: int) -> None:
    """Rebuild the appeal's analysis rows from its record and labels (replaces them: safe to run again)."""
    from . import refresh

    refresh.refresh_appeal(appeal_id)
    pagecache.bump(pagecache.FIGURES)  # the content-analysis pages now count the appeal as it stands


@task()
def classify_appeal(appeal_id: int) -> int:
    """Suggest a new appeal's cause and sector and rebuild its rows; a second run adds no second suggestion
    (services.classify_appeal). Returns how many labels it added."""
    from . import services

    added = services.classify_appeal(appeal_id)
    pagecache.bump(pagecache.FIGURES)
    return len(added)
