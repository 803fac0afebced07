"""A record nobody can rewrite quietly: every event, in order, is a leaf of one append-only Merkle tree
(RFC 6962), and each day Ashyq signs a checkpoint of it (tree size, root, time; Ed25519).

The per-appeal hash chain (integrity.py) shows an edited event but not a deleted last one, and anyone with
database access can recompute every hash. The tree's signed roots are published outside the database (the
open export, /open-data/checkpoints.json), so a rewrite shows against the roots people already hold.

- `make_checkpoint()` (daily, `manage.py make_checkpoint` and the export job) appends the events not yet in
  the tree as leaves, in the order of their ids, extends the stored frontier (O(new events + log n): no
  event write and no request ever computes the tree), and signs the new root with the consistency proof
  from the previous checkpoint.
- `verify_record()` (`manage.py verify_event_chains`) rereads every leaf against its event and every signed
  root against the leaves, naming the appeal and the event where it can.

The hashing and the proofs are those of verify_record.py, the standalone verifier anyone can run on the export.
"""

import base64
import datetime as dt
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max

from ashyq.core import clock

from . import verify_record as tree
from .models import AppealEvent, RecordCheckpoint, RecordLeaf

log = logging.getLogger("ashyq.dialogue")
KEY_ENV = "ASHYQ_CHECKPOINT_KEY"
CHUNK = 5000
# An event committed this long before a checkpoint was signed must be in it: one missing is an insertion.
INSERTION_MARGIN = dt.timedelta(hours=1)


# --- the key -------------------------------------------------------------------------------------------------


def _development_key_path() -> Path:
    return Path(settings.VAR_DIR) / "checkpoint-key"


def signing_key():
    """The Ed25519 private key: ASHYQ_CHECKPOINT_KEY (base64 of the 32-byte seed). In development one is
    generated on first use and kept in VAR_DIR; in production a missing key is an error, never a silent skip."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    raw = getattr(settings, "ASHYQ_CHECKPOINT_KEY", "") or os.environ.get(KEY_ENV, "")
    if not raw:
        if settings.PRODUCTION:
            raise ImproperlyConfigured(
                f"{KEY_ENV} is not set: Ashyq cannot sign the checkpoints of its record. Generate a key with "
                "`manage.py make_checkpoint --generate-key`, keep it secret, set it in the environment and "
                "publish its public key (docs/operations.md)."
            )
        path = _development_key_path()
        if not path.exists():
            key = Ed25519PrivateKey.generate()
            seed = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
            path.write_text(base64.b64encode(seed).decode())
            path.chmod(0o600)
            log.warning("generated a development checkpoint key in %s", path)
        raw = path.read_text().strip()
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(raw, validate=True))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{KEY_ENV} is not the base64 of a 32-byte Ed25519 private key.") from exc


def new_key_b64() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    seed = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(seed).decode()


def public_key_b64(key=None) -> str:
    from cryptography.hazmat.primitives import serialization

    key = key or signing_key()
    return base64.b64encode(key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)).decode()


# --- leaves ----------------------------------------------------------------------------------------------------

LEAF_COLUMNS = ("pk", "appeal_id", "appeal__number", "seq", "kind", "at", "from_body__slug", "to_body__slug", "hash")


def leaf_of(number, seq, kind, at, from_body, to_body, chain) -> str:
    return tree.leaf_hash(tree.event_leaf(number or "", seq, kind, at.isoformat(), from_body, to_body, chain)).hex()


def _append_leaves(start: int) -> list[bytes]:
    """Give every event not yet in the tree its leaf, from index `start`, in the order of the events' ids."""
    pending = AppealEvent.objects.filter(leaf__isnull=True).order_by("pk").values_list(*LEAF_COLUMNS)
    added, batch, index = [], [], start
    for pk, appeal_id, number, seq, kind, at, from_body, to_body, chain in pending.iterator(chunk_size=CHUNK):
        h = leaf_of(number, seq, kind, at, from_body, to_body, chain)
        batch.append(RecordLeaf(index=index, event_id=pk, appeal_id=appeal_id, appeal_number=number or "", seq=seq, leaf_hash=h))
        added.append(bytes.fromhex(h))
        index += 1
        if len(batch) >= CHUNK:
            RecordLeaf.objects.bulk_create(batch)
            batch = []
    RecordLeaf.objects.bulk_create(batch)
    return added


class _Leaves:
    """Leaf hashes by index for the consistency proof: the new ones in memory, older ones (rarely needed:
    the frontier answers for them) read from the table."""

    def __init__(self, start: int, new: list[bytes]):
        self.start, self.new = start, new

    def __getitem__(self, i):
        if i >= self.start:
            return self.new[i - self.start]
        return bytes.fromhex(RecordLeaf.objects.values_list("leaf_hash", flat=True).get(index=i))


def make_checkpoint() -> RecordCheckpoint:
    """Append the new events to the tree and sign its root (one at a time: the previous checkpoint is locked)."""
    key = signing_key()
    with transaction.atomic():
        previous = RecordCheckpoint.objects.select_for_update().order_by("-tree_size", "-pk").first()
        frontier = tree.Frontier.from_json(previous.frontier) if previous else tree.Frontier()
        start = frontier.size
        stored = RecordLeaf.objects.aggregate(n=Max("index"))["n"]
        if (stored + 1 if stored is not None else 0) != start:
            raise RuntimeError("the tree's leaves do not end where the last checkpoint did: run verify_event_chains")
        old_ranges = frontier.ranges()
        new = _append_leaves(start)
        for leaf in new:
            frontier.append(leaf)
        size, root = frontier.size, frontier.root().hex()
        proof = tree.consistency_proof(start, size, tree.subtree_from(_Leaves(start, new), old_ranges)) if previous else []
        signed_at = clock.now().astimezone(dt.UTC).replace(microsecond=0).isoformat()
        signature = key.sign(tree.checkpoint_note(size, root, signed_at))
        return RecordCheckpoint.objects.create(
            tree_size=size,
            root_hash=root,
            signed_at=signed_at,
            signature=base64.b64encode(signature).decode(),
            public_key=public_key_b64(key),
            frontier=frontier.to_json(),
            consistency_proof=[h.hex() for h in proof],
        )


def checkpoint_dict(c: RecordCheckpoint) -> dict:
    return {
        "tree_size": c.tree_size,
        "root_hash": c.root_hash,
        "signed_at": c.signed_at,
        "signature": c.signature,
        "public_key": c.public_key,
        "consistency_proof": c.consistency_proof,
    }


def published_checkpoints() -> dict:
    """What /open-data/checkpoints.json and the export publish."""
    checkpoints = [checkpoint_dict(c) for c in RecordCheckpoint.objects.order_by("tree_size", "pk")]
    key = checkpoints[-1]["public_key"] if checkpoints else None
    return {
        "description": (
            "Signed checkpoints of Ashyq's record: every event of every appeal, in order, is a leaf of one "
            "Merkle tree (RFC 6962). Check them with verify_record.py (docs/operations.md)."
        ),
        "leaf": 'SHA-256(0x00 || JSON ["ashyq-event-1", appeal number, seq, kind, at (UTC, seconds), from body, to body, chain hash])',
        "signed_text": "ashyq-record-checkpoint-1\\n<tree_size>\\n<root_hash>\\n<signed_at>\\n (Ed25519)",
        "public_key": key,
        "checkpoints": checkpoints,
    }


# --- checking ------------------------------------------------------------------------------------------------


def verify_record() -> list[str]:
    """Every problem of the stored record against its leaves and signed checkpoints (empty: intact)."""
    checkpoints = list(RecordCheckpoint.objects.order_by("tree_size", "pk"))
    if not checkpoints:
        return []
    trusted = public_key_b64()
    problems = [
        f"checkpoint of {c.signed_at} is signed with another key than Ashyq's" for c in checkpoints if c.public_key != trusted
    ]
    problems += tree.check_checkpoints([checkpoint_dict(c) for c in checkpoints], trusted)
    by_size = {c.tree_size: c for c in checkpoints}
    frontier, expected = tree.Frontier(), 0
    leaves = RecordLeaf.objects.order_by("index").values_list("index", "event_id", "appeal_number", "seq", "leaf_hash")
    batch = []

    def check(batch):
        events = {row[0]: row for row in AppealEvent.objects.filter(pk__in=[b[1] for b in batch]).values_list(*LEAF_COLUMNS)}
        for index, event_id, number, seq, stored in batch:
            event = events.get(event_id)
            if event is None:
                problems.append(f"appeal {number}, event {seq} (leaf {index}): removed from the record")
                continue
            _, _, now_number, now_seq, kind, at, from_body, to_body, chain = event
            if (now_number, now_seq) != (number, seq):
                problems.append(
                    f"appeal {number}, event {seq} (leaf {index}): now stands as appeal {now_number}, event {now_seq}: reordered"
                )
            elif leaf_of(now_number, now_seq, kind, at, from_body, to_body, chain) != stored:
                problems.append(f"appeal {number}, event {seq} (leaf {index}): changed since it entered the record")

    for index, event_id, number, seq, stored in leaves.iterator(chunk_size=CHUNK):
        if index != expected:
            problems.append(f"leaf {expected} is missing from the tree (the next leaf has index {index})")
            expected = index
        expected += 1
        frontier.append(bytes.fromhex(stored))
        c = by_size.get(frontier.size)
        if c is not None and frontier.root().hex() != c.root_hash:
            problems.append(
                f"the first {c.tree_size} events do not give the root signed on {c.signed_at}: "
                "the record was rewritten before that checkpoint"
            )
        batch.append((index, event_id, number, seq, stored))
        if len(batch) >= CHUNK:
            check(batch)
            batch = []
    check(batch)
    latest = checkpoints[-1]
    if frontier.size < latest.tree_size:
        problems.append(
            f"the tree has {frontier.size} events but the checkpoint of {latest.signed_at} signed "
            f"{latest.tree_size}: events were removed"
        )
    cutoff = dt.datetime.fromisoformat(latest.signed_at) - INSERTION_MARGIN
    for number, seq, kind in AppealEvent.objects.filter(leaf__isnull=True, at__lt=cutoff).values_list(
        "appeal__number", "seq", "kind"
    ):
        problems.append(
            f"appeal {number}, event {seq} ({kind}): not in the tree though older than the checkpoint of "
            f"{latest.signed_at}: inserted afterwards"
        )
    return problems
