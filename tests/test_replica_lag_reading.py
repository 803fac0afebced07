"""The replica's lag as /health/ reads it, without a server: a reading of a moment between receiving a record and
replaying it must not take a healthy replica out of the load balancer, and a lag that lasts must still show."""

import contextlib

import pytest

from ashyq.core import replica


class ScriptedReplica:
    """A connection whose lag query answers the scripted rows in turn (standby, receiving, lag)."""

    def __init__(self, rows):
        self.rows = list(rows)
        self.asked = 0

    @contextlib.contextmanager
    def cursor(self):
        outer = self

        class Cursor:
            def execute(self, sql):
                assert sql == replica.LAG_SQL

            def fetchone(self):
                outer.asked += 1
                return outer.rows.pop(0)

        yield Cursor()


@pytest.fixture
def replica_answering(monkeypatch, settings):
    settings.ASHYQ_HEALTH_MAX_REPLICA_LAG_SECONDS = 30
    monkeypatch.setattr(replica, "enabled", lambda: True)
    monkeypatch.setattr(replica, "LAG_SAMPLE_PAUSE_SECONDS", 0)

    def answering(rows):
        connection = ScriptedReplica(rows)
        monkeypatch.setattr(replica, "connections", {replica.REPLICA: connection})
        return connection

    return answering


def test_a_lag_read_at_the_instant_a_record_arrives_on_a_quiet_primary_is_read_again(replica_answering):
    # The last commit was ten minutes ago; a running-transactions record has arrived and is replayed a moment later.
    connection = replica_answering([(True, True, 600.0), (True, True, 0)])
    assert replica.status()["status"] == "ok"
    assert connection.asked == 2


def test_a_lag_that_lasts_is_reported_as_the_smallest_reading(replica_answering):
    connection = replica_answering([(True, True, 45.2), (True, True, 45.3), (True, True, 45.4)])
    answer = replica.status()
    assert answer["status"] == "lagging" and answer["lag_seconds"] == 45.2
    assert connection.asked == replica.LAG_SAMPLES


def test_a_replica_that_has_replayed_everything_is_read_once(replica_answering):
    connection = replica_answering([(True, True, 0)])
    assert replica.status() == {
        "status": "ok",
        "reachable": True,
        "standby": True,
        "receiving": True,
        "lag_seconds": 0.0,
        "max_lag_seconds": 30,
    }
    assert connection.asked == 1
