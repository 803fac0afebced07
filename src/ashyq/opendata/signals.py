"""What open data tells the apps that build on it, without importing them.

`dataset_changed` is sent inside the transaction that saved a body's dataset, resource or version (services.py),
with `body_id`. The assessment counts each body's datasets, their updates and quality and refreshes them after
the commit (assessment/apps.py connects it); a receiver defers its work with transaction.on_commit() and must
not raise, so a publication never fails because of what follows it.
"""

from django.dispatch import Signal

dataset_changed = Signal()
