"""Reference rows in each process's memory: the rows every submission reads and an operator changes a few times a
year (the region, the body, the regulation in force), so a submission does not pay a query for each.

Each app that owns such a model connects its post_save and post_delete to `changed` (core, bodies and dialogue
do, in their AppConfig.ready), and every `migrate` calls it too (a new regulation may come in a migration, whose
historical models send no signal to the real ones). A change renews a version kept in the cache every process
shares (the `pages` cache: Redis in production, files on one machine; settings.CACHES) once its transaction has
committed; every lookup compares that version with the one its process's rows were read under and reads the
rows again when they differ. So a change is seen by the next request of every process once the request that made
it has ended, never a stale regulation after that. A lookup reads the version before the rows, so rows read just
before a change committed are kept under the old version and read again at the next lookup.

A connection that has changed a reference row in its open transaction reads the database directly until the
transaction ends: it sees its own rows not yet committed, which must not stay in memory if it rolls back. Rows kept
are read from the primary, never from a replica that may not have replayed the change yet.

The rows handed out are copies: a caller may set attributes on them (Django caches related objects on the
instance) without reaching the other requests of the process.
"""

import copy
import time

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from . import replica

ALIAS = "pages"  # the cache every process shares (settings.CACHES)
VERSION_KEY = "reference-rows-version"
_DIRTY = "ashyq_reference_rows_changed"  # set on a connection whose open transaction changed a reference row

# This process's rows and the shared version they were read under, replaced together (one assignment), so a thread
# that read an older version fills a dictionary nobody reads any more (a threaded server).
_held: list = [(None, {})]


def _shared_version():
    shared = caches[ALIAS]
    version = shared.get(VERSION_KEY)
    if version is None:  # never set, or evicted: a new version, never equal to one a process read rows under
        shared.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = shared.get(VERSION_KEY)
    return version


def _renew() -> None:
    _held[0] = (None, {})
    caches[ALIAS].set(VERSION_KEY, time.time_ns(), timeout=None)


def changed(sender=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Receiver of a reference model's post_save and post_delete, and of post_migrate: every process reads the
    reference rows again once the change has committed (at once outside a transaction)."""
    _held[0] = (None, {})
    connection = connections[using]
    if connection.in_atomic_block:
        setattr(connection, _DIRTY, True)
    transaction.on_commit(_renew, using=using)


def follow(model) -> None:
    """Read the reference rows again in every process after any `model` row is saved or deleted (its app's
    AppConfig.ready() calls this for its reference models)."""
    from django.db.models.signals import post_delete, post_save

    name = model._meta.model_name
    post_save.connect(changed, sender=model, dispatch_uid=f"ashyq.core.reference.{name}.save")
    post_delete.connect(changed, sender=model, dispatch_uid=f"ashyq.core.reference.{name}.delete")


def get(kind: str, key, load, using: str = DEFAULT_DB_ALIAS):
    """The reference row `kind` named by `key` (a copy), read by `load()` when this process does not hold it under
    the current version. `load` returns the row or None (not kept: a row created later is found at once)."""
    connection = connections[using]
    if getattr(connection, _DIRTY, False):
        if connection.in_atomic_block:
            return load()
        setattr(connection, _DIRTY, False)
    version = _shared_version()
    if version is None:  # a cache that keeps nothing (DummyCache): no version to trust, so no memory either
        return load()
    read_under, rows = _held[0]
    if version != read_under:
        rows = {}
        _held[0] = (version, rows)
    row = rows.get((kind, key))
    if row is None:
        # From the primary even in a request that reads from a replica: a lagging replica's row kept under the new
        # version would stay until the next change.
        with replica.primary_reads():
            row = load()
        if row is None:
            return None
        rows[(kind, key)] = row
    return copy.copy(row)


def forget() -> None:
    """Drop this process's rows (tests: each starts with none, as the rows of a rolled-back test are gone)."""
    _held[0] = (None, {})
    for connection in connections.all(initialized_only=True):
        if hasattr(connection, _DIRTY):
            delattr(connection, _DIRTY)
