"""Issue 11, point 5: the record as one Merkle tree with signed daily checkpoints. Each way of rewriting it
behind the application's back (alter an event, delete an appeal's last event, delete a whole appeal, swap
two events, insert one) is caught by `verify_event_chains` and by the standalone verifier run on a fresh
export, naming the appeal and the event."""

import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ashyq.dialogue import integrity, services, transparency, verify_record
from ashyq.dialogue.models import Appeal, AppealEvent, RecordCheckpoint, RecordLeaf
from ashyq.publicdata import export

START = dt.date(2025, 3, 3)


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.ASHYQ_CHECKPOINT_KEY = transparency.new_key_b64()


@pytest.fixture
def record(people, bodies, submit, at):
    """Three published appeals with a few events each, one private, and a checkpoint of them."""
    made = []
    for i in range(3):
        with at(START + dt.timedelta(days=i)):
            a = submit(people["applicant"], subject=f"Road {i}")
            services.assign_executor(people["official"], a, people["official"])
        with at(START + dt.timedelta(days=i + 2)):
            services.answer_appeal(people["official"], a, text="Measures taken.", outcome="resolved")
        made.append(a)
    with at(START):
        private = submit(people["other_applicant"], subject="Private matter")
    Appeal.objects.filter(pk__in=[a.pk for a in made]).update(is_public=True, published_at=timezone.now())
    with at(START + dt.timedelta(days=10)):
        checkpoint = transparency.make_checkpoint()
    return {"published": made, "private": private, "checkpoint": checkpoint}


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _event(appeal, seq):
    return AppealEvent.objects.get(appeal=appeal, seq=seq)


def _db_findings() -> str:
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_event_chains", stdout=out)
    return out.getvalue()


def _export_findings(tmp_path) -> list[str]:
    directory = tmp_path / "export"
    export.write_export(directory)
    return verify_record.check_export(directory)


def test_a_fresh_record_verifies_in_the_database_and_from_the_export_by_the_standalone_script(
    record, tmp_path, at, people, submit
):
    out = io.StringIO()
    call_command("verify_event_chains", stdout=out)
    assert "The record matches its 1 signed checkpoints." in out.getvalue()
    checkpoint = record["checkpoint"]
    assert checkpoint.tree_size == AppealEvent.objects.count() == RecordLeaf.objects.count()
    # A second day: new events, a second checkpoint, consistent with the first.
    with at(START + dt.timedelta(days=12)):
        submit(people["applicant"], subject="Another road")
    with at(START + dt.timedelta(days=13)):
        second = transparency.make_checkpoint()
    assert second.tree_size > checkpoint.tree_size and second.consistency_proof
    assert verify_record.verify_consistency(
        checkpoint.tree_size,
        second.tree_size,
        bytes.fromhex(checkpoint.root_hash),
        bytes.fromhex(second.root_hash),
        [bytes.fromhex(h) for h in second.consistency_proof],
    )
    directory = tmp_path / "export"
    export.write_export(directory)
    assert verify_record.check_export(directory) == []
    # The script alone (isolated: no Ashyq on its path), as a researcher would run it on the downloaded files.
    script = subprocess.run(
        [sys.executable, "-I", str(directory / "verify_record.py"), str(directory)], capture_output=True, text=True, cwd=tmp_path
    )
    assert script.returncode == 0, script.stdout + script.stderr
    assert "intact" in script.stdout
    # The private appeal's events are leaves too, but the export does not say whose.
    leaves = (directory / "merkle_leaves.csv").read_text()
    assert record["private"].number not in leaves and record["published"][0].number in leaves
    # The checkpoints at their public URL.
    published = Client_get_json(reverse("record-checkpoints"))
    assert [c["root_hash"] for c in published["checkpoints"]] == [checkpoint.root_hash, second.root_hash]


def Client_get_json(url):
    from django.test import Client

    response = Client().get(url)
    assert response.status_code == 200
    return response.json()


def test_altering_an_event_is_caught_by_both(record, tmp_path):
    appeal = record["published"][1]
    event = _event(appeal, 2)
    _sql("UPDATE dialogue_appealevent SET kind = %s WHERE id = %s", ["withdrawn", event.pk])
    db = _db_findings()
    assert f"ALTERED appeal {appeal.number}: chain breaks at event 2" in db
    assert f"appeal {appeal.number}, event 2 (leaf {event.leaf.index}): changed" in db
    assert any(f"appeal {appeal.number}, event 2 (withdrawn): differs from leaf" in p for p in _export_findings(tmp_path))


def test_deleting_an_appeals_last_event_is_caught_by_both(record, tmp_path):
    appeal = record["published"][0]
    last = appeal.events.order_by("-seq").first()
    _sql("DELETE FROM dialogue_appealevent WHERE id = %s", [last.pk])
    assert integrity.broken_link(appeal.events.order_by("seq")) is None  # the chain alone cannot see it
    assert (
        f"appeal {appeal.number}, event {last.seq} (leaf {RecordLeaf.objects.get(event_id=last.pk).index}): removed"
        in _db_findings()
    )
    assert any(f"appeal {appeal.number}, event {last.seq}" in p and "removed" in p for p in _export_findings(tmp_path))


def test_deleting_a_whole_appeal_is_caught_by_both(record, tmp_path):
    appeal = record["published"][2]
    seqs = list(appeal.events.values_list("seq", flat=True))
    _sql("DELETE FROM dialogue_appealevent WHERE appeal_id = %s", [appeal.pk])
    _sql("DELETE FROM dialogue_answer WHERE appeal_id = %s", [appeal.pk])
    _sql("DELETE FROM dialogue_appealstay WHERE appeal_id = %s", [appeal.pk])
    _sql("DELETE FROM dialogue_appeal WHERE id = %s", [appeal.pk])
    db = _db_findings()
    found = _export_findings(tmp_path)
    for seq in seqs:
        assert f"appeal {appeal.number}, event {seq} (leaf" in db and "removed from the record" in db
        assert any(f"appeal {appeal.number}, event {seq} (leaf" in p and "removed" in p for p in found)


def test_swapping_two_events_is_caught_by_both(record, tmp_path):
    appeal = record["published"][0]
    second, third = _event(appeal, 2), _event(appeal, 3)
    _sql("UPDATE dialogue_appealevent SET seq = 99 WHERE id = %s", [second.pk])
    _sql("UPDATE dialogue_appealevent SET seq = 2 WHERE id = %s", [third.pk])
    _sql("UPDATE dialogue_appealevent SET seq = 3 WHERE id = %s", [second.pk])
    db = _db_findings()
    assert f"ALTERED appeal {appeal.number}: chain breaks at event 2" in db
    assert (
        f"appeal {appeal.number}, event 2 (leaf {second.leaf.index}): now stands as appeal {appeal.number}, event 3: reordered"
        in db
    )
    found = _export_findings(tmp_path)
    assert any(f"appeal {appeal.number}, event 2" in p and "changed" in p for p in found)
    assert any(f"appeal {appeal.number}, event 3" in p and "changed" in p for p in found)


def test_inserting_an_event_is_caught_by_both(record, tmp_path):
    """An insertion with a valid chain hash (whoever inserts can compute it), dated before the checkpoint."""
    appeal = record["published"][1]
    last = appeal.events.order_by("-seq").first()
    forged = AppealEvent(
        appeal=appeal,
        seq=last.seq + 1,
        kind="withdrawn",
        at=last.at + dt.timedelta(hours=1),
        from_body=appeal.body,
        prev_hash=last.hash,
    )
    forged.hash = integrity.event_digest(forged, forged.prev_hash)
    forged.save(force_insert=True)
    assert integrity.broken_link(appeal.events.order_by("seq")) is None  # the chain alone accepts it
    db = _db_findings()
    assert f"appeal {appeal.number}, event {forged.seq} (withdrawn): not in the tree though older than the checkpoint" in db
    assert any(
        f"appeal {appeal.number}, event {forged.seq} (withdrawn): not in the tree" in p for p in _export_findings(tmp_path)
    )


def test_rewriting_every_hash_still_breaks_the_signed_root(record, tmp_path):
    """Someone who recomputes the chain and the stored leaves of an altered event cannot re-sign the root."""
    appeal = record["published"][1]
    event = _event(appeal, 3)
    _sql("UPDATE dialogue_appealevent SET kind = %s WHERE id = %s", ["explained", event.pk])
    event.refresh_from_db()
    chain = integrity.event_digest(event, event.prev_hash)
    _sql("UPDATE dialogue_appealevent SET hash = %s WHERE id = %s", [chain, event.pk])
    event.refresh_from_db()
    leaf = transparency.leaf_of(
        appeal.number, event.seq, event.kind, event.at, None, event.to_body.slug if event.to_body else None, chain
    )
    _sql("UPDATE dialogue_recordleaf SET leaf_hash = %s WHERE event_id = %s", [leaf, event.pk])
    db = _db_findings()
    assert "do not give the root signed" in db and "ALTERED" not in db
    assert any("do not give the root signed" in p for p in _export_findings(tmp_path))


def test_a_tampered_checkpoint_file_fails_its_signature(record, tmp_path):
    directory = tmp_path / "export"
    export.write_export(directory)
    data = json.loads((directory / "checkpoints.json").read_text())
    data["checkpoints"][0]["tree_size"] -= 1
    (directory / "checkpoints.json").write_text(json.dumps(data))
    assert any("signature does not verify" in p for p in verify_record.check_export(directory))


def test_production_without_a_key_says_so(settings, db):
    settings.ASHYQ_CHECKPOINT_KEY = ""
    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured, match="ASHYQ_CHECKPOINT_KEY is not set"):
        transparency.make_checkpoint()
    assert not RecordCheckpoint.objects.exists()


def test_development_generates_a_key_once(settings, db):
    settings.ASHYQ_CHECKPOINT_KEY = ""
    first = transparency.make_checkpoint()
    second = transparency.make_checkpoint()
    assert first.public_key == second.public_key
    assert (settings.VAR_DIR / "checkpoint-key").stat().st_mode & 0o077 == 0


def test_the_tree_follows_rfc_6962():
    leaves = [verify_record.leaf_hash(bytes([i])) for i in range(7)]
    # MTH for 3 leaves: node(node(l0, l1), l2).
    n = verify_record.node_hash
    assert verify_record.root_of(leaves[:3]) == n(n(leaves[0], leaves[1]), leaves[2])
    assert verify_record.root_of([]) == verify_record.EMPTY_ROOT
    for m in range(1, 8):
        for size in range(m, 8):
            proof = verify_record.consistency_proof(m, size, verify_record.subtree_from(leaves))
            assert verify_record.verify_consistency(
                m, size, verify_record.root_of(leaves[:m]), verify_record.root_of(leaves[:size]), proof
            )
            if m < size:
                bent = leaves[:size]
                bent[m - 1] = verify_record.leaf_hash(b"changed")
                assert not verify_record.verify_consistency(
                    m, size, verify_record.root_of(leaves[:m]), verify_record.root_of(bent), proof
                )
