"""Background work of open data (the queue's convention: core/tasks.py)."""

from ashyq.core.tasks import task


@task()
def validate_upload(job_id: str) -> str:
    """Read, validate and load one queued upload (services.run_upload_job); returns the job's final state."""
    from . import services

    return services.run_upload_job(job_id)
