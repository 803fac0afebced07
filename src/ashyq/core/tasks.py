"""The project's one background queue: Django's tasks framework (the django-tasks backport), with its database
backend, so tasks are rows in Ashyq's own database and no other service is needed. `manage.py db_worker` runs
them (`make run` starts it beside the web server; docs/operations.md has the systemd unit).

The convention every task follows (docs/ARCHITECTURE.md):

- A task is a function in its app's tasks.py, decorated with `@task()`, taking only JSON-serialisable
  arguments (ids as strings, never model instances), and it does its work through the app's services.
- A task is idempotent: the worker may run it twice (a crash after the work but before the result is
  recorded, an operator re-enqueuing it). It reads the state it needs from the database, locks the row,
  returns early when the work is already done, and records "done" in the same transaction as the work.
- A task is enqueued inside the transaction that creates what it works on (the database backend stores the
  task in that same transaction), so a rolled-back request leaves no task behind.
- Progress a person waits for is recorded on the app's own row (e.g. opendata.UploadJob), not on the task,
  so pages read it through the app's selectors and permissions.
"""
from django_tasks import task

__all__ = ["task"]
