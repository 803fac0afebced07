"""The server is killed outright in the middle of a burst of API submissions; nothing is half-written.

gunicorn (from the virtual environment, as in production) serves Ashyq over the test database on a
free loopback port. Several client threads submit appeals through POST /api/v1/appeals with an
applicant's bearer token, each with its own Idempotency-Key. Mid-burst the whole gunicorn process
group (master and workers) gets SIGKILL: no graceful shutdown, requests cut off wherever they were,
some inside their transaction. Then:

- every appeal whose 201 reached the client is in the database, with its number and registration event;
- nothing is half-written: every appeal has a number and at least one event, no event lacks its
  appeal, every hash chain verifies (integrity.verify_all) and the stored state equals the replay;
- after a restart, a client that never got its answer retries with the same Idempotency-Key and
  gets 201, and each key is exactly one appeal, never two.

A transaction is all or nothing in PostgreSQL, so this is what the one-transaction-per-service rule
promises; the test keeps it true. PostgreSQL only (SQLite's writer would be a file of the killed
process tree's own, a different story): `make test-postgres` or `bash .ci/run postgres`.
Requests are bounded in number and time, and go to 127.0.0.1 only.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from ashyq.accounts.models import Role
from ashyq.dialogue.integrity import verify_all
from ashyq.dialogue.models import Appeal, AppealEvent, EventKind
from ashyq.dialogue.replay import replay, stored_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="kills a gunicorn serving PostgreSQL mid-transaction; needs PostgreSQL (bash .ci/run postgres)",
    ),
]

SRC = Path(__file__).resolve().parent.parent / "src"
CLIENT_THREADS = 6
REQUESTS_PER_THREAD = 40  # at most 240 submissions in the burst
KILL_AFTER_CREATED = 30  # SIGKILL once this many 201s have come back...
BURST_DEADLINE = 30.0  # ...or after this many seconds, whichever is first
START_TIMEOUT = 30.0
SERVER_APPLICATION_NAME = "ashyq-crash-safety-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    """The database this test sees (pytest-django's test_<name>), as a URL for the server's environment."""
    d = connection.settings_dict
    quote = lambda v: urllib.parse.quote(str(v or ""), safe="")  # noqa: E731
    auth = quote(d["USER"]) + (":" + quote(d["PASSWORD"]) if d.get("PASSWORD") else "")
    host = d.get("HOST") or "127.0.0.1"
    port = f":{d['PORT']}" if d.get("PORT") else ""
    # The server's sessions carry their own application_name, so that the wait below counts only them and not a
    # connection some earlier test in this worker left open.
    return f"postgres://{auth}@{host}{port}/{quote(d['NAME'])}?application_name={SERVER_APPLICATION_NAME}"


class Server:
    """One gunicorn in its own process group, so master and workers can be killed together by its id."""

    def __init__(self, var_dir: Path, log_path: Path):
        self.var_dir, self.log_path = var_dir, log_path
        self.proc = None
        self.port = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, token: str):
        self.port = _free_port()
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "ASHYQ_VAR_DIR": str(self.var_dir),
            "ASHYQ_ENVIRONMENT": "development",
            "ASHYQ_DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "ashyq.settings",
        }
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--chdir",
                str(SRC),
                "ashyq.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--error-logfile",
                "-",
                "--access-logfile",
                "-",
            ],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"gunicorn exited with {self.proc.returncode}:\n{self.log_text()}"
            try:
                r = requests.get(self.url + "/api/v1/regions", headers={"Authorization": f"Bearer {token}"}, timeout=2)
                if r.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer within {START_TIMEOUT}s:\n{self.log_text()}")

    def kill(self):
        """SIGKILL the master and every worker at once: the whole process group this test started."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.proc:
            self.log.close()

    def log_text(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def servers(tmp_path):
    started = []

    def make():
        server = Server(tmp_path / "var", tmp_path / f"gunicorn-{len(started)}.log")
        started.append(server)
        return server

    yield make
    for server in started:
        try:
            server.stop()
        except Exception:  # noqa: BLE001 - a failed stop must not hide the test's own failure
            server.kill()


def _payload(key: str) -> dict:
    return {
        "body": "anti-corruption-agency",
        "type": "report",
        "region": "KZ-75",
        "subject": f"Permit delayed until a payment ({key})",
        "text": "The district office said the permit would come faster for a fee.",
    }


def _submit(url: str, token: str, key: str):
    return requests.post(
        url + "/api/v1/appeals",
        json=_payload(key),
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        timeout=(2, 15),
    )


def _server_sessions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, backend_start, left(query, 120) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [SERVER_APPLICATION_NAME],
        )
        return cursor.fetchall()


def _wait_for_server_sessions_to_end(timeout=90.0):
    """PostgreSQL ends a killed client's session (and rolls back its open transaction) once it sees the socket closed."""
    # A wait, not a speed check: PostgreSQL ends a killed client's session when it next notices the closed socket,
    # which on a loaded 2-core CI machine took over 20 s once.
    deadline = time.monotonic() + timeout
    while sessions := _server_sessions():
        assert time.monotonic() < deadline, f"sessions of the killed server still open after {timeout}s: {sessions}"
        time.sleep(0.1)


def _assert_nothing_half_written():
    appeals = list(Appeal.objects.order_by("pk"))
    assert not [a.pk for a in appeals if not a.number], "appeals without a number"
    event_counts = {a.pk: 0 for a in appeals}
    for appeal_id in AppealEvent.objects.values_list("appeal_id", flat=True):
        event_counts[appeal_id] = event_counts.get(appeal_id, 0) + 1
    assert not [pk for pk, n in event_counts.items() if n == 0], "appeals without any event"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {AppealEvent._meta.db_table} e "
            f"LEFT JOIN {Appeal._meta.db_table} a ON a.id = e.appeal_id WHERE a.id IS NULL"
        )
        assert cursor.fetchone()[0] == 0, "events without their appeal"
    assert list(verify_all()) == [], "event chains that do not verify"
    for appeal in appeals:
        events = list(appeal.events.order_by("seq"))
        assert events[0].kind == EventKind.REGISTERED and events[0].data["number"] == appeal.number
        assert stored_state(appeal) == replay(events), f"stored state of {appeal.number} differs from its replay"
    return appeals


def test_killing_the_server_mid_burst_leaves_no_half_written_appeal(transactional_db, reference, make_user, token_for, servers):
    applicant = make_user(Role.APPLICANT, username="burst-citizen")
    token = token_for(applicant)  # committed: transactional_db, so the server sees it

    server = servers()
    server.start(token)
    assert _server_sessions(), "the server's database sessions cannot be told apart, so the wait below would wait for nothing"

    outcomes = {}  # Idempotency-Key -> ("created", appeal id, number) | ("status", code, text) | ("error", repr)
    lock = threading.Lock()
    created = threading.Event()
    stop = threading.Event()
    started_at = time.monotonic()

    def client(thread_no):
        for i in range(REQUESTS_PER_THREAD):
            if stop.is_set() or time.monotonic() - started_at > BURST_DEADLINE:
                return
            key = f"burst-{thread_no}-{i}"
            try:
                r = _submit(server.url, token, key)
            except requests.RequestException as exc:
                with lock:
                    outcomes[key] = ("error", type(exc).__name__)
                stop.set()  # the server is gone; this thread's next request would only be refused
                return
            with lock:
                if r.status_code == 201:
                    body = r.json()
                    outcomes[key] = ("created", body["id"], body["number"])
                    if sum(1 for o in outcomes.values() if o[0] == "created") >= KILL_AFTER_CREATED:
                        created.set()
                else:
                    outcomes[key] = ("status", r.status_code, r.text[:300])

    threads = [threading.Thread(target=client, args=(n,), name=f"client-{n}") for n in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    created.wait(timeout=BURST_DEADLINE)
    server.kill()  # mid-burst: the other threads still have requests in flight
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a client thread hung"

    answered = {k: o for k, o in outcomes.items() if o[0] == "created"}
    refused = {k: o for k, o in outcomes.items() if o[0] == "status"}
    cut_off = {k: o for k, o in outcomes.items() if o[0] == "error"}
    assert len(answered) >= KILL_AFTER_CREATED, f"the burst never got going: {outcomes}\n{server.log_text()}"
    assert not refused, f"the server answered something other than 201 before it was killed: {refused}"
    assert cut_off, "the kill came after the burst ended; nothing was in flight"

    t_kill = time.monotonic()
    _wait_for_server_sessions_to_end()
    print(
        f"burst: {len(answered)} answered 201, {len(cut_off)} cut off by the kill after {t_kill - started_at:.1f}s; "
        f"sessions gone after {time.monotonic() - t_kill:.1f}s"
    )

    # Every appeal the client was told about is there, whole.
    by_key = {a.idempotency_key: a for a in _assert_nothing_half_written()}
    for key, (_, appeal_id, number) in answered.items():
        appeal = by_key.get(key)
        assert appeal is not None, f"{number} was confirmed to the client (201) but is not in the database"
        assert (appeal.pk, appeal.number) == (appeal_id, number)
        assert appeal.events.filter(seq=1, kind=EventKind.REGISTERED).exists()
    print(f"{len(by_key)} appeals in the database, {len(set(by_key) & set(cut_off))} of them from cut-off requests")
    # Cut-off requests either committed whole (the answer was lost on the way) or left no trace.
    assert set(by_key) <= set(outcomes), "an appeal appeared under a key no client sent"

    # A restarted server: clients that got no answer retry with the same key and get exactly one appeal each.
    server = servers()
    server.start(token)
    for key in cut_off:
        r = _submit(server.url, token, key)
        assert r.status_code == 201, f"retry of {key}: {r.status_code} {r.text[:300]}"
        if key in by_key:
            assert r.json()["id"] == by_key[key].pk, f"the retry of {key} registered a second appeal"
    server.stop()
    _wait_for_server_sessions_to_end()

    appeals = _assert_nothing_half_written()
    keys = [a.idempotency_key for a in appeals]
    assert len(keys) == len(set(keys)), "a key registered two appeals"
    assert set(keys) == set(answered) | set(cut_off)
