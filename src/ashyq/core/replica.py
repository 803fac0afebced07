"""Reads from a PostgreSQL streaming replica (ASHYQ_REPLICA_URL), writes and fresh reads on the primary.

With a replica configured, settings add the database alias `replica` and this module's router. What may read from it
is decided per request by `ReplicaMiddleware`, never by a model:

- a GET or HEAD (public pages, the read API, a signed-in person's pages) reads from the replica;
- a write request (POST, PUT, PATCH, DELETE) does everything on the primary, its reads included, and pins its client
  to the primary for ASHYQ_REPLICA_PIN_SECONDS: a browser by a cookie, an API client by its token (a key in the
  shared cache), so the pages and answers right after a person's change read what they just changed, whatever the
  replica's lag;
- a read inside a transaction on the primary (a service's `select_for_update`, a task) stays on the primary;
- a public page rendered for the shared cache soon after a change to what it shows reads from the primary
  (`primary_reads`, core/pagecache.py), so the cache never keeps what a lagging replica said.
Everything outside a request (the worker, commands) reads from the primary. Writes always go to the primary;
migrations run only there (the replica follows them through the WAL).
"""

import contextlib
import contextvars
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections

log = logging.getLogger("ashyq.replica")

REPLICA = "replica"
PIN_COOKIE = "ashyq_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

_reads_from: contextvars.ContextVar[str] = contextvars.ContextVar("ashyq_reads_from", default=DEFAULT_DB_ALIAS)


def enabled() -> bool:
    return REPLICA in settings.DATABASES


def reading_from() -> str:
    """The alias a read issued now would use (for tests and diagnostics)."""
    return ReplicaRouter().db_for_read(None)


@contextlib.contextmanager
def primary_reads():
    """Every read inside the block goes to the primary."""
    token = _reads_from.set(DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        _reads_from.reset(token)


# The replica's replay lag in seconds. While it receives WAL (a WAL receiver runs: pg_stat_wal_receiver has a row,
# which any role may see), zero when it has replayed all it received (an idle primary sends none, so the time since
# the last replayed commit would grow without any lag), otherwise the age of the last commit it replayed. A standby
# that has lost the primary receives nothing, so "replayed all it received" proves nothing: its lag is then the age
# of the last commit it replayed, an upper bound that grows until it is back. On a server that is not a standby the
# lag is zero.
LAG_SQL = """
SELECT pg_is_in_recovery(),
       EXISTS (SELECT 1 FROM pg_stat_wal_receiver),
       CASE WHEN NOT pg_is_in_recovery() THEN 0
            WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver)
                 AND (pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()) THEN 0
            ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
       END
"""


LAG_SAMPLES = 3
LAG_SAMPLE_PAUSE_SECONDS = 0.05


def status() -> dict | None:
    """The replica as /health/ reports it: None without one; else whether it answers, whether it is a standby,
    whether it receives the primary's WAL, its replay lag in seconds and whether that lag is beyond
    ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS. A standby cut off from the primary says "disconnected" while the last
    commit it replayed is recent, and "lagging" once that is older than the limit."""
    if not enabled():
        return None
    conn = connections[REPLICA]
    try:
        with conn.cursor() as cursor:
            # A standby that has received a record (a commit, or the primary's periodic running-transactions note)
            # and not yet replayed it reads, for that instant, as lagging by the age of its last replayed commit,
            # which on a quiet primary can be minutes: one such reading would take a healthy replica out of the
            # load balancer. A real lag lasts, so a lag is read again, briefly, and the smallest reading is kept.
            lag = None
            for _ in range(LAG_SAMPLES):
                cursor.execute(LAG_SQL)
                standby, receiving, sampled = cursor.fetchone()
                lag = sampled if lag is None else min(lag, sampled)
                if not lag:
                    break
                time.sleep(LAG_SAMPLE_PAUSE_SECONDS)
    except Exception:  # noqa: BLE001 - any failure to answer is "down"; the log has the reason
        log.exception("health: the replica does not answer")
        with contextlib.suppress(Exception):
            conn.close()  # the next probe or request connects afresh
        return {"status": "down", "reachable": False, "lag_seconds": None}
    lag = round(float(lag), 1)
    limit = settings.ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS
    receiving = bool(receiving) or not standby  # a primary (a misconfigured URL) receives from no one
    return {
        "status": "lagging" if lag > limit else "ok" if receiving else "disconnected",
        "reachable": True,
        "standby": bool(standby),
        "receiving": receiving,
        "lag_seconds": lag,
        "max_lag_seconds": limit,
    }


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reads_from.get() == REPLICA and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same rows on both servers

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _client_key(request) -> str | None:
    """An API client's pin, kept in the shared cache: by its token (never stored readable: a hash)."""
    credential = request.META.get("HTTP_AUTHORIZATION") or request.GET.get("api_key")
    if not credential:
        return None
    return "ashyq:primary-pin:" + hashlib.sha256(credential.encode()).hexdigest()


def _pinned(request) -> bool:
    if PIN_COOKIE in request.COOKIES:
        return True
    key = _client_key(request)
    return key is not None and cache.get(key) is not None


def _pin(request, response) -> None:
    seconds = settings.ASHYQ_REPLICA_PIN_SECONDS
    response.set_cookie(PIN_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    key = _client_key(request)
    if key is not None:
        cache.set(key, 1, timeout=seconds)


class ReplicaMiddleware:
    """Chooses where the request reads (the module's docstring). Does nothing without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        write = request.method not in SAFE_METHODS
        token = _reads_from.set(DEFAULT_DB_ALIAS if write or _pinned(request) else REPLICA)
        try:
            response = self.get_response(request)
        finally:
            _reads_from.reset(token)
        if write:
            _pin(request, response)
        return response
