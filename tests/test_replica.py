"""Reads from a real PostgreSQL streaming replica (core/replica.py): public pages and the read API read from it;
writes, and a client's reads right after its own write, stay on the primary; the page cache never keeps what a
lagging replica said.

These tests need a replica: `.ci/run` starts one of its throwaway server (pg_basebackup -R, a second postgres on
another free port), lets the application's role pause and resume its replay, and runs this module with
ASHYQ_REPLICA_URL. Without it they are skipped. Pausing the replay makes the replica lag on purpose, so each test
can tell which server answered by what the page shows.
"""

import contextlib
import json
import os
import time

import dj_database_url
import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ashyq.core import replica
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target

REPLICA_URL = os.environ.get("ASHYQ_REPLICA_URL", "")

pytestmark = [
    pytest.mark.replica,
    pytest.mark.postgres,
    pytest.mark.skipif(not REPLICA_URL, reason="needs a streaming replica (ASHYQ_REPLICA_URL; .ci/run starts one)"),
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]

NEW_APPEAL = {
    "body": "anti-corruption-agency",
    "type": "report",
    "subject": "Permit office asks for a fee twice",
    "text": "The clerk asked for a second payment.",
    "region": "KZ-75",
}


@pytest.fixture
def real_replica():
    """The `replica` alias (a mirror of the primary in ordinary test runs) pointed at the real replica's copy of
    the test database. It stays marked as a mirror, so the end of each test flushes only the primary."""
    conn = connections["replica"]
    before = conn.settings_dict
    primary = connections["default"].settings_dict
    url = dj_database_url.parse(REPLICA_URL)
    conn.close()
    conn.settings_dict = {
        **primary,
        **{k: url[k] for k in ("HOST", "PORT", "USER", "PASSWORD")},
        "NAME": primary["NAME"],
        "TEST": {**primary.get("TEST", {}), "MIRROR": "default"},
    }
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], "ASHYQ_REPLICA_URL is not a standby"
    yield conn
    resume_replay()
    conn.close()
    conn.settings_dict = before


def caught_up(timeout=30.0):
    """Wait until the replica has replayed everything the primary has written so far (its insert position: with
    synchronous_commit off, as on CI's throwaway server, a commit may not have reached the WAL files yet)."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        lsn = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up within 30 s")


def pause_replay():
    caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")


def resume_replay():
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_wal_replay_paused()")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT pg_wal_replay_resume()")


@contextlib.contextmanager
def queries():
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections["replica"]) as standby:
        yield primary, standby


def reads_of(captured, table):
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]]


@pytest.fixture
def published(people, submit):
    appeal = submit(people["applicant"], subject="Streetlights out on Abay avenue", is_public=True)
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    return appeal


def test_the_replica_is_a_read_only_streaming_standby(real_replica):
    with pytest.raises(Exception, match="read-only"):
        with real_replica.cursor() as cursor:
            cursor.execute("CREATE TABLE not_here (id int)")
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is False


def test_public_pages_and_the_read_api_read_from_the_replica(real_replica, settings, published, submit, token_for, people):
    settings.ASHYQ_PAGE_CACHE_SECONDS = 0  # the view itself, every time
    token = token_for(people["applicant"])
    pause_replay()
    # Published while the replica's replay is paused: the primary has it, the replica not yet.
    late = submit(people["applicant"], subject="Playground fence is broken", is_public=True)
    moderation.approve(people["moderator"], late, target=Target.APPEAL)
    with queries() as (primary, standby):
        page = Client().get("/appeals/public/").content.decode()
        answer = Client().get(f"/api/v1/appeals/{published.pk}", headers={"Authorization": f"Bearer {token}"})
    assert "Streetlights out on Abay avenue" in page and "Playground fence is broken" not in page  # what the replica has
    assert answer.status_code == 200 and answer.json()["number"] == published.number
    assert reads_of(standby, "dialogue_appeal") and not reads_of(primary, "dialogue_appeal")
    resume_replay()
    caught_up()
    assert "Playground fence is broken" in Client().get("/appeals/public/").content.decode()


def test_a_clients_reads_after_its_own_write_stay_on_the_primary(real_replica, people, token_for):
    token, other_token = token_for(people["applicant"]), token_for(people["applicant"])
    browser, other_browser = Client(), Client()
    browser.force_login(people["applicant"])
    other_browser.force_login(people["applicant"])
    pause_replay()

    created = browser.post("/api/v1/appeals", json.dumps(NEW_APPEAL), content_type="application/json", headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert created.status_code == 201
    appeal_id = created.json()["id"]
    # The same API client reads what it just wrote (pinned to the primary by its token) ...
    with queries() as (primary, standby):
        assert browser.get(f"/api/v1/appeals/{appeal_id}", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert reads_of(primary, "dialogue_appeal") and not reads_of(standby, "dialogue_appeal")
    # ... and so does the browser that made the write (the pin cookie of the write's answer), while a client that
    # wrote nothing reads the replica, which has not replayed the write yet.
    assert replica.PIN_COOKIE in browser.cookies
    assert NEW_APPEAL["subject"] in browser.get("/appeals/mine/").content.decode()
    assert NEW_APPEAL["subject"] not in other_browser.get("/appeals/mine/").content.decode()
    assert Client().get(f"/api/v1/appeals/{appeal_id}", headers={"Authorization": f"Bearer {other_token}"}).status_code == 404

    resume_replay()
    caught_up()
    assert NEW_APPEAL["subject"] in other_browser.get("/appeals/mine/").content.decode()


def test_the_page_cache_never_keeps_what_a_lagging_replica_said(real_replica, people, submit):
    appeal = submit(people["applicant"], subject="Bus stop without a roof", is_public=True)
    caught_up()
    assert "Bus stop without a roof" not in Client().get("/appeals/public/").content.decode()
    pause_replay()
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)  # on the primary; the replica lags
    # The page is rendered for the shared cache right after the change: from the primary, so it is right.
    assert "Bus stop without a roof" in Client().get("/appeals/public/").content.decode()
    assert "Bus stop without a roof" in Client().get("/appeals/public/").content.decode()


def _health():
    response = Client().get("/health/")
    return response.status_code, json.loads(response.content)


def test_health_reports_the_replica_and_answers_503_while_it_lags_too_far(real_replica, settings, people, submit):
    caught_up()
    code, data = _health()
    assert code == 200 and data["status"] == "ok", data
    replica_check = data["checks"]["replica"]
    # A replica that has replayed all it received reads 0; the primary's own background writes (a commit of the
    # test server's, its periodic running-transactions record) may arrive in between, so allow what a healthy
    # streaming replica shows: well under a second.
    assert replica_check.pop("lag_seconds") < 1, data
    assert replica_check == {
        "status": "ok",
        "reachable": True,
        "standby": True,
        "receiving": True,
        "max_lag_seconds": settings.ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS,
    }
    settings.ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS = 1
    pause_replay()
    submit(people["applicant"], subject="Written while the replica stands still")  # the primary moves on
    deadline = time.monotonic() + 20
    while (found := _health())[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    code, data = found
    assert code == 503 and data["status"] == "down", data
    assert data["checks"]["replica"]["status"] == "lagging" and data["checks"]["replica"]["lag_seconds"] > 1
    assert data["checks"]["database"] == "ok" and data["checks"]["migrations"] == "ok"
    resume_replay()
    caught_up()
    code, data = _health()
    assert code == 200 and data["checks"]["replica"]["status"] == "ok", data
    assert data["checks"]["replica"]["lag_seconds"] < 1, data


def test_health_answers_503_when_the_replica_does_not_answer(real_replica):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    working = real_replica.settings_dict
    real_replica.close()
    real_replica.settings_dict = {**working, "HOST": "127.0.0.1", "PORT": str(dead_port)}
    try:
        code, data = _health()
    finally:
        real_replica.close()
        real_replica.settings_dict = working
    assert code == 503 and data["status"] == "down"
    assert data["checks"]["replica"] == {"status": "down", "reachable": False, "lag_seconds": None}
    assert data["checks"]["database"] == "ok"  # the primary answered: only the replica is down
    code, data = _health()
    assert code == 200 and data["checks"]["replica"]["reachable"] is True


def _primary(sql, params=()):
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _senders():
    return [pid for (pid,) in _primary("SELECT pid FROM pg_stat_replication")]


def _cut_off(wait=20.0):
    """End the primary's WAL senders; returns once a replica that reconnected has been cut off again."""
    deadline = time.monotonic() + wait
    while not _senders() and time.monotonic() < deadline:
        time.sleep(0.1)
    ended = _primary("SELECT pg_terminate_backend(pid) FROM pg_stat_replication")
    assert ended and all(ok for (ok,) in ended), "the WAL sender could not be ended"


def test_health_says_when_the_replica_has_lost_the_primary_and_fails_once_it_is_too_old(real_replica, settings, people, submit):
    """A replica cut off from the primary has replayed everything it received, which proves nothing: /health/ says
    "disconnected" (200, "degraded") while its last replayed commit is recent, then 503 once that is older than the
    limit, and "ok" again once it is back.

    CI streams to the replica as a role that is no superuser and lets the application's role end that role's
    sessions. A replica retries at once after its first failure, then waits wal_retrieve_retry_interval (20 s in
    CI): the sender is ended twice, the second time after the replica came back."""
    caught_up()
    senders = _primary("SELECT r.usename, a.rolsuper FROM pg_stat_replication r JOIN pg_roles a ON a.rolname = r.usename")
    assert senders, "the primary streams to no replica"
    assert not any(superuser for _, superuser in senders), "CI must stream to the replica as a role that is no superuser"
    first = set(_senders())
    _cut_off()
    deadline = time.monotonic() + 20
    while not (set(_senders()) - first) and time.monotonic() < deadline:  # it reconnects at once the first time
        time.sleep(0.1)
    _cut_off()
    deadline = time.monotonic() + 10
    while (found := _health())[1]["checks"]["replica"].get("receiving") and time.monotonic() < deadline:
        time.sleep(0.1)
    code, data = found
    assert code == 200 and data["status"] == "degraded", data
    assert data["checks"]["replica"]["status"] == "disconnected" and data["checks"]["replica"]["receiving"] is False, data
    settings.ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS = 1
    submit(people["applicant"], subject="Written while the replica is cut off")  # the primary moves on
    time.sleep(1.5)  # the last commit the replica replayed is now older than the limit
    code, data = _health()
    assert code == 503 and data["status"] == "down", data
    assert data["checks"]["replica"]["status"] == "lagging" and data["checks"]["replica"]["lag_seconds"] > 1, data
    deadline = time.monotonic() + 60  # the replica comes back by itself
    while not _health()[1]["checks"]["replica"]["receiving"] and time.monotonic() < deadline:
        time.sleep(0.5)
    caught_up(timeout=60)
    code, data = _health()
    assert code == 200 and data["status"] == "ok", data
    assert data["checks"]["replica"]["receiving"] is True and data["checks"]["replica"]["lag_seconds"] == 0.0
