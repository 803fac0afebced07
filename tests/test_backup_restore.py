"""Backups restore into a database whose appeal records are whole and verify (docs/operations.md, section 4).

PostgreSQL: appeals with full histories (the demo's scripted appeals: every kind of step, played through the services)
are dumped with the server's own pg_dump in custom format, restored with pg_restore into a fresh
database, and the restored copy must hold the same number of appeals, events, answers, feedback and
users, the same hash chain event by event, chains that verify (`manage.py verify_event_chains`
against the copy, as an operator would run it) and stored states equal to their replay.

SQLite (runs everywhere, whatever database the suite uses): a database file is migrated and given
the demo's scripted appeals, then copied with `manage.py backup_sqlite` (SQLite's online backup API) once while
another process keeps registering appeals, and once at rest; both copies must verify the same way,
and the copy at rest must equal the source.
"""

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.utils import load_backend

from ashyq.accounts.models import User
from ashyq.demo.loader import load_appeal_histories
from ashyq.dialogue import integrity
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, Attachment, EventKind, Feedback
from ashyq.dialogue.replay import replay, stored_state

ROOT = Path(__file__).resolve().parent.parent
IN_CI = bool(os.environ.get("CI"))
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
COUNTED = {
    "appeals": Appeal,
    "events": AppealEvent,
    "answers": Answer,
    "feedback": Feedback,
    "users": User,
    "attachments": Attachment,
}


@contextlib.contextmanager
def database_alias(alias: str, settings_dict: dict):
    """Make another database reachable as `alias` (Model.objects.using(alias)) for the length of the block.

    The connection is registered only with the connection handler, not in settings.DATABASES: Django's
    test case then treats it as a connection made on the fly, not as a database the test forgot to declare.
    """
    full = connections.configure_settings({"default": dict(connection.settings_dict), alias: dict(settings_dict)})[alias]
    wrapper = load_backend(full["ENGINE"]).DatabaseWrapper(full, alias)
    connections[alias] = wrapper
    try:
        yield alias
    finally:
        wrapper.close()
        del connections[alias]


def snapshot(alias: str) -> dict:
    """What a restore must carry over: how many of each thing, and every event's place and hash."""
    return {
        "counts": {name: model.objects.using(alias).count() for name, model in COUNTED.items()},
        "chain": list(
            AppealEvent.objects.using(alias).order_by("appeal_id", "seq").values_list("appeal_id", "seq", "kind", "hash")
        ),
        "appeals": list(Appeal.objects.using(alias).order_by("pk").values_list("pk", "number", "status", "body_id", "due_on")),
    }


def assert_whole(alias: str):
    """Every appeal has a number and events, its chain verifies, and its stored state equals the replay."""
    appeals = list(Appeal.objects.using(alias).order_by("pk"))
    assert appeals, f"no appeals in {alias}"
    events_by_appeal = {}
    for event in AppealEvent.objects.using(alias).order_by("appeal_id", "seq"):
        events_by_appeal.setdefault(event.appeal_id, []).append(event)
    assert set(events_by_appeal) <= {a.pk for a in appeals}, "events without their appeal"
    for appeal in appeals:
        events = events_by_appeal.get(appeal.pk, [])
        assert appeal.number and events, f"appeal {appeal.pk} is half-written: number {appeal.number!r}, {len(events)} events"
        assert events[0].kind == EventKind.REGISTERED
        assert integrity.broken_link(events) is None, f"the chain of {appeal.number} does not verify"
        assert stored_state(appeal) == replay(events), f"stored state of {appeal.number} differs from its replay"
    return appeals


def manage(*args, database_url: str, var_dir: Path, check=True, **popen):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ASHYQ_VAR_DIR": str(var_dir),
        "ASHYQ_ENVIRONMENT": "development",
        "ASHYQ_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "ashyq.settings",
    }
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    if popen:
        return subprocess.Popen(command, env=env, cwd=ROOT, text=True, **popen)
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    if check:
        assert result.returncode == 0, (
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def assert_verify_event_chains_passes(database_url: str, var_dir: Path, appeals: int):
    result = manage("verify_event_chains", database_url=database_url, var_dir=var_dir)
    assert f"All {appeals} appeal histories are intact." in result.stdout, result.stdout


# ------------------------------------------------------------------------------------------------
# PostgreSQL: pg_dump --format=custom, pg_restore into a fresh database


def _pg_tool(name: str) -> str:
    """The client tool of the server's own major version (Debian keeps each under /usr/lib/postgresql/N/bin)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        major = int(cursor.fetchone()[0]) // 10000
    own = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    found = str(own) if own.exists() else shutil.which(name)
    if not found:
        if IN_CI:
            pytest.fail(f"{name} is missing; CI installs the postgresql package, which has it")
        pytest.skip(f"{name} (PostgreSQL {major} client tools) is not installed")
    return found


def _pg_env(name: str) -> dict:
    d = connection.settings_dict
    env = {**os.environ, "PGDATABASE": name, "PGUSER": d["USER"] or "", "PGHOST": d["HOST"] or "127.0.0.1"}
    if d.get("PORT"):
        env["PGPORT"] = str(d["PORT"])
    if d.get("PASSWORD"):
        env["PGPASSWORD"] = d["PASSWORD"]
    return env


def _pg_url(name: str) -> str:
    d = connection.settings_dict
    quote = lambda v: urllib.parse.quote(str(v or ""), safe="")  # noqa: E731
    auth = quote(d["USER"]) + (":" + quote(d["PASSWORD"]) if d.get("PASSWORD") else "")
    port = f":{d['PORT']}" if d.get("PORT") else ""
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}{port}/{quote(name)}"


@pytest.fixture
def restored_database():
    """A fresh, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        # Not DROP ... WITH (FORCE): after a restore an autovacuum worker is often busy in the new database, and
        # FORCE refuses to signal a process of no role unless the test's role is a superuser. Our own sessions
        # are ended here; a plain DROP then stops the autovacuum worker itself, waiting for it a few seconds.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND usename = current_user", [name]
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRES, reason="pg_dump and pg_restore need PostgreSQL (bash .ci/run postgres)")
def test_pg_dump_restores_into_a_fresh_database_with_every_record_whole(transactional_db, reference, restored_database, tmp_path):
    load_appeal_histories()  # committed: transactional_db, so pg_dump sees it
    source_name = connection.settings_dict["NAME"]
    source = snapshot("default")
    assert source["counts"]["appeals"] >= 10 and {k for _, _, k, _ in source["chain"]} >= {
        EventKind.REGISTERED,
        EventKind.EXECUTOR_ASSIGNED,
        EventKind.REDIRECTED,
        EventKind.EXTENDED,
        EventKind.ANSWERED,
        EventKind.FEEDBACK,
        EventKind.COMPLAINED,
        EventKind.WITHDRAWN,
    }, "the demo no longer covers every kind of step; give this test histories that do"

    dump = tmp_path / "ashyq.dump"
    run = lambda *cmd, db: subprocess.run(cmd, env=_pg_env(db), capture_output=True, text=True, timeout=120)  # noqa: E731
    dumped = run(_pg_tool("pg_dump"), "--format=custom", f"--file={dump}", db=source_name)
    assert dumped.returncode == 0, dumped.stderr
    restored = run(
        _pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={restored_database}", str(dump), db=restored_database
    )
    assert restored.returncode == 0, restored.stderr

    with database_alias("restored", {**connection.settings_dict, "NAME": restored_database}):
        assert snapshot("restored") == source
        assert_whole("restored")
    assert_verify_event_chains_passes(_pg_url(restored_database), tmp_path / "var", source["counts"]["appeals"])


# ------------------------------------------------------------------------------------------------
# SQLite: manage.py backup_sqlite (the online backup API), at rest and while another process writes

WRITTEN = 80
WRITER = """
from ashyq.accounts.models import User
from ashyq.bodies.models import Body
from ashyq.core.models import Region
import time
from ashyq.dialogue import services
citizen = User.objects.get(username="demo-citizen")
body, region = Body.objects.get(slug="anti-corruption-agency"), Region.objects.get(iso_code="KZ-75")
for i in range({n}):
    appeal = services.submit_appeal(citizen, body=body, type="report", subject=f"Written during the backup {{i}}",
                                    text="Registered while the database was being copied.", region=region)
    print(appeal.number, flush=True)
    time.sleep(0.03)  # a steady trickle, so the copy surely lands in the middle
"""


def test_sqlite_online_backup_copies_a_whole_database_even_while_it_is_written(django_db_blocker, tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    source_file = var / "ashyq.sqlite3"
    source_url = f"sqlite:///{source_file}"
    manage("migrate", "--noinput", database_url=source_url, var_dir=var)
    manage(
        "shell",
        "-c",
        "from ashyq.demo.loader import load_appeal_histories; load_appeal_histories()",
        database_url=source_url,
        var_dir=var,
    )
    with contextlib.closing(sqlite3.connect(source_file)) as db:
        demo_appeals = db.execute("SELECT count(*) FROM dialogue_appeal").fetchone()[0]

    # 1. Online: a second process registers appeals while the copy is taken.
    writer = manage(
        "shell",
        "-c",
        WRITER.format(n=WRITTEN),
        database_url=source_url,
        var_dir=var,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        written = [writer.stdout.readline() for _ in range(10)]  # the writer is well under way
        assert all(written), f"the writer stopped early: {writer.stderr.read() if writer.poll() is not None else ''}"
        during = tmp_path / "during.sqlite3"
        result = manage("backup_sqlite", str(during), database_url=source_url, var_dir=var)
        assert "Backed up" in result.stdout
        out, err = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, err

    # 2. At rest: the copy must equal the source.
    after = tmp_path / "after.sqlite3"
    manage("backup_sqlite", str(after), database_url=source_url, var_dir=var)
    refused = manage("backup_sqlite", str(after), database_url=source_url, var_dir=var, check=False)
    assert refused.returncode != 0 and "exists" in refused.stderr, "a backup must never overwrite another"

    with django_db_blocker.unblock():
        with database_alias("source", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(source_file)}):
            source = snapshot("source")
        with database_alias("during", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(during)}):
            copied_during = snapshot("during")
            assert_whole("during")
        with database_alias("after", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(after)}):
            assert snapshot("after") == source
            assert_whole("after")

    total = source["counts"]["appeals"]
    assert total == demo_appeals + WRITTEN
    print(f"online copy: {copied_during['counts']['appeals']} of {total} appeals")
    # The online copy is one consistent moment of the writing: a prefix of what the source holds now.
    assert demo_appeals < copied_during["counts"]["appeals"] <= total
    assert copied_during["appeals"] == [a for a in source["appeals"] if a[0] <= copied_during["appeals"][-1][0]]
    assert set(copied_during["chain"]) <= set(source["chain"])
    for copy, appeals in ((during, copied_during["counts"]["appeals"]), (after, total)):
        assert not Path(f"{copy}-wal").exists(), "the backup is one self-contained file"
        assert_verify_event_chains_passes(f"sqlite:///{copy}", var, appeals)
