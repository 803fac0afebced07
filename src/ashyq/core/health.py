"""`/health/` for load balancers and monitoring: is this instance fit to serve?

JSON with the database (answers a query), the migrations (none of the code's is unapplied) and the background
queue (tasks waiting and how long the oldest due one has waited), and with a read replica (ASHYQ_REPLICA_URL) the
replica (answers, receives the primary's WAL, replay lag in seconds). 200 when the instance can serve, 503 when the database does not answer,
migrations are missing, or the replica that serves its reads does not answer or lags more than
ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS (its pages would fail, or show a past state); a queue that lags only makes it
"degraded" (still 200): the web pages work, the figures and emails are late, and taking the web servers out of
rotation would not help.
Counts and ages only: no names, no addresses, no task arguments. Never cached.
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import replica, tasks

log = logging.getLogger("ashyq.health")
# Once every migration is applied it stays so for the life of this process (a migration is applied before the
# new code starts), so the migration graph is read once, not at every probe.
_migrated = False


def _migrations_applied() -> bool:
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        _migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return _migrated


@never_cache
@require_GET
def health(request):
    # The database and queue checks are about the primary, whatever the router would choose for a GET; the replica
    # is checked on its own connection (replica.status).
    with replica.primary_reads():
        return _health()


def _health():
    checks = {}
    healthy = True
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure to answer is "down"; the log has the reason
        log.exception("health: the database does not answer")
        return JsonResponse({"status": "down", "checks": {"database": "down"}}, status=503)
    migrated = _migrations_applied()
    checks["migrations"] = "ok" if migrated else "pending"
    healthy = migrated
    queue = tasks.queue_status()
    lagging = queue["oldest_seconds"] is not None and queue["oldest_seconds"] > settings.ASHYQ_HEALTH_MAX_QUEUE_SECONDS
    checks["queue"] = {
        "status": "lagging" if lagging else "ok",
        "waiting": queue["waiting"],
        "oldest_seconds": queue["oldest_seconds"],
        "failed": queue["failed"],
    }
    standby = replica.status()
    if standby is not None:
        checks["replica"] = standby
        # A replica cut off from the primary still serves what it has until that is older than the limit.
        healthy = healthy and standby["status"] in ("ok", "disconnected")
    # A replica cut off from the primary, or a queue that lags: the pages work, but someone must look.
    degraded = lagging or (standby is not None and standby["status"] == "disconnected")
    status = "down" if not healthy else "degraded" if degraded else "ok"
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)
