#!/usr/bin/env python3
"""Check Ashyq's public record from its open-data export and signed checkpoints alone.

    python verify_record.py EXPORT_DIR [--public-key BASE64]

Needs only the Python standard library and the `cryptography` package (Ed25519 signatures). It checks that
every event of the record, in order, forms the Merkle tree whose roots Ashyq signed each day (RFC 6962:
leaf hash = SHA-256(0x00 || leaf), node hash = SHA-256(0x01 || left || right)); that each checkpoint is
consistent with the one before (consistency proofs: no event changed, removed, reordered or inserted
between them); and that each published event row of the export is the leaf the tree holds at its place.
It names the appeal and the event where it can. Exit status 0: intact; 1: tampered (each finding printed).

Ashyq itself imports this file (ashyq.dialogue.transparency) for the same hashing, so the platform and
anyone checking it run one definition of the tree.
"""

import argparse
import base64
import csv
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

LEAF_VERSION = "ashyq-event-1"
CHECKPOINT_ORIGIN = "ashyq-record-checkpoint-1"


# --- the tree (RFC 6962, section 2.1) -----------------------------------------------------------------------


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def event_leaf(appeal: str, seq: int, kind: str, at: str, from_body: str | None, to_body: str | None, chain: str) -> bytes:
    """The leaf of one event: its public fields and the hash of its full content (the appeal's hash chain,
    which covers the actor, reason and data that stay private). `at` in any ISO 8601 form with an offset:
    the leaf holds it in UTC to the second."""
    moment = dt.datetime.fromisoformat(at).astimezone(dt.UTC).replace(microsecond=0)
    fields = [LEAF_VERSION, appeal, int(seq), kind, moment.isoformat(), from_body or "", to_body or "", chain]
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Frontier:
    """The roots of the perfect subtrees on the right edge of a tree: enough to append leaves and get the
    root of any size without the earlier leaves (O(log n) memory)."""

    def __init__(self, nodes=None):
        self.nodes = [(int(size), bytes(h)) for size, h in (nodes or [])]  # [(size, hash)], largest first

    @property
    def size(self) -> int:
        return sum(size for size, _ in self.nodes)

    def append(self, leaf: bytes):
        size, h = 1, leaf
        while self.nodes and self.nodes[-1][0] == size:
            left_size, left = self.nodes.pop()
            size, h = left_size + size, node_hash(left, h)
        self.nodes.append((size, h))

    def root(self) -> bytes:
        if not self.nodes:
            return EMPTY_ROOT
        h = self.nodes[-1][1]
        for _, left in reversed(self.nodes[:-1]):
            h = node_hash(left, h)
        return h

    def ranges(self) -> dict:
        """{(start, end): hash} of the frontier's subtrees."""
        out, start = {}, 0
        for size, h in self.nodes:
            out[(start, start + size)] = h
            start += size
        return out

    def to_json(self) -> list:
        return [[size, h.hex()] for size, h in self.nodes]

    @classmethod
    def from_json(cls, data) -> "Frontier":
        return cls([(size, bytes.fromhex(h)) for size, h in data])


def root_of(leaves: list[bytes]) -> bytes:
    f = Frontier()
    for leaf in leaves:
        f.append(leaf)
    return f.root()


def consistency_proof(m: int, n: int, subtree) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 6962 2.1.2; subtree(start, end) gives MTH(D[start:end])."""
    if not 0 < m <= n:
        return []

    def sub(m, start, end, complete):
        size = end - start
        if m == size:
            return [] if complete else [subtree(start, end)]
        k = largest_power_of_two_below(size)
        if m <= k:
            return sub(m, start, start + k, complete) + [subtree(start + k, end)]
        return sub(m - k, start + k, end, False) + [subtree(start, start + k)]

    return sub(m, 0, n, True)


def verify_consistency(m: int, n: int, old_root: bytes, new_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2: does the tree of size n with new_root extend the tree of size m with old_root?"""
    if m > n or m < 0:
        return False
    if m == n:
        return not proof and old_root == new_root
    if m == 0:
        return not proof
    proof = list(proof)
    if m & (m - 1) == 0:  # a power of two: the old root is the first node
        proof.insert(0, old_root)
    if not proof:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


def subtree_from(leaves: list[bytes], cache: dict | None = None):
    """subtree(start, end) over a list of leaf hashes, reusing known subtree hashes (a frontier's ranges)."""
    cache = dict(cache or {})

    def subtree(start, end):
        if (start, end) in cache:
            return cache[(start, end)]
        if end - start == 1:
            h = leaves[start]
        else:
            k = largest_power_of_two_below(end - start)
            h = node_hash(subtree(start, start + k), subtree(start + k, end))
        cache[(start, end)] = h
        return h

    return subtree


# --- checkpoints ---------------------------------------------------------------------------------------------


def checkpoint_note(tree_size: int, root: str, signed_at: str) -> bytes:
    """The text a checkpoint's signature covers."""
    return f"{CHECKPOINT_ORIGIN}\n{int(tree_size)}\n{root}\n{signed_at}\n".encode()


def signature_valid(public_key_b64: str, checkpoint: dict) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    try:
        key.verify(
            base64.b64decode(checkpoint["signature"]),
            checkpoint_note(checkpoint["tree_size"], checkpoint["root_hash"], checkpoint["signed_at"]),
        )
        return True
    except (InvalidSignature, ValueError):
        return False


def check_checkpoints(checkpoints: list[dict], public_key_b64: str) -> list[str]:
    """Signatures, and each checkpoint consistent with the one before (its proof)."""
    problems = []
    ordered = sorted(checkpoints, key=lambda c: (c["tree_size"], c["signed_at"]))
    for c in ordered:
        if not signature_valid(public_key_b64, c):
            problems.append(f"checkpoint of {c['signed_at']} (size {c['tree_size']}): the signature does not verify")
    for before, after in zip(ordered, ordered[1:]):
        proof = [bytes.fromhex(h) for h in after.get("consistency_proof") or []]
        if not verify_consistency(
            before["tree_size"], after["tree_size"], bytes.fromhex(before["root_hash"]), bytes.fromhex(after["root_hash"]), proof
        ):
            problems.append(
                f"checkpoint of {after['signed_at']} (size {after['tree_size']}) is not consistent with the one "
                f"of {before['signed_at']} (size {before['tree_size']}): the record was rewritten between them"
            )
    return problems


# --- the export ----------------------------------------------------------------------------------------------


def _rows(path: Path) -> list[dict]:
    if path.suffix == ".json":
        return json.loads(path.read_text(encoding="utf-8"))
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def check_export(directory, public_key_b64: str | None = None) -> list[str]:
    """Every problem found in an export directory (empty: intact)."""
    directory = Path(directory)
    data = json.loads((directory / "checkpoints.json").read_text(encoding="utf-8"))
    public_key = public_key_b64 or data["public_key"]
    checkpoints = data["checkpoints"]
    problems = check_checkpoints(checkpoints, public_key)

    leaves_rows = _rows(directory / "merkle_leaves.csv")
    leaves, owners = [], {}
    for expected, row in enumerate(leaves_rows):
        if int(row["index"]) != expected:
            problems.append(f"leaf {expected} is missing from the tree (the next leaf has index {row['index']})")
            break
        leaves.append(bytes.fromhex(row["leaf_hash"]))
        if row.get("appeal"):
            owners[(row["appeal"], int(row["seq"]))] = expected

    # Each checkpoint's root from the leaves.
    frontier, sizes = Frontier(), {c["tree_size"]: c for c in checkpoints}
    if 0 in sizes and sizes[0]["root_hash"] != EMPTY_ROOT.hex():
        problems.append("the empty checkpoint has a wrong root")
    for i, leaf in enumerate(leaves, start=1):
        frontier.append(leaf)
        c = sizes.get(i)
        if c and frontier.root().hex() != c["root_hash"]:
            problems.append(
                f"the first {i} events do not give the root signed on {c['signed_at']}: "
                "an event was changed, removed, reordered or inserted before that checkpoint"
            )
    latest = max(checkpoints, key=lambda c: c["tree_size"], default=None)
    if latest and latest["tree_size"] > len(leaves):
        problems.append(
            f"the tree has {len(leaves)} events but the checkpoint of {latest['signed_at']} signed "
            f"{latest['tree_size']}: events were removed"
        )

    # Each published event row is the leaf at its place; each published leaf has its row.
    seen = set()
    events = _rows(directory / "events.csv")
    for row in events:
        key = (row["appeal"], int(row["seq"]))
        seen.add(key)
        index = row.get("leaf_index")
        if index in (None, ""):
            if key in owners:
                problems.append(
                    f"appeal {key[0]}, event {key[1]}: in the tree at leaf {owners[key]} but exported without its place"
                )
            elif (
                latest
                and row["at"]
                and dt.datetime.fromisoformat(row["at"]) < dt.datetime.fromisoformat(latest["signed_at"]) - dt.timedelta(hours=1)
            ):
                problems.append(
                    f"appeal {key[0]}, event {key[1]} ({row['kind']}): not in the tree though older than the "
                    f"checkpoint of {latest['signed_at']}: inserted afterwards"
                )
            continue
        index = int(index)
        leaf = leaf_hash(
            event_leaf(
                row["appeal"],
                key[1],
                row["kind"],
                row["at"],
                row.get("from_body"),
                row.get("to_body"),
                row.get("chain_hash") or "",
            )
        )
        if index >= len(leaves) or leaves[index] != leaf:
            problems.append(
                f"appeal {key[0]}, event {key[1]} ({row['kind']}): differs from leaf {index} of the tree: the event was changed"
            )
        elif owners.get(key, index) != index:
            problems.append(
                f"appeal {key[0]}, event {key[1]}: at leaf {index} but the tree has it at leaf {owners[key]}: reordered"
            )
    for key, index in sorted(owners.items(), key=lambda kv: kv[1]):
        if key not in seen:
            problems.append(f"appeal {key[0]}, event {key[1]} (leaf {index}): in the tree but missing from the record: removed")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Check Ashyq's public record against its signed checkpoints.")
    parser.add_argument("export_dir", help="directory of the open-data export (checkpoints.json, merkle_leaves.csv, events.csv)")
    parser.add_argument(
        "--public-key",
        help="Ashyq's checkpoint public key (base64); default: the one in checkpoints.json. "
        "Pass the key you obtained independently to trust nothing in the export.",
    )
    args = parser.parse_args(argv)
    problems = check_export(args.export_dir, args.public_key)
    for p in problems:
        print("TAMPERED:", p)
    if not problems:
        print("The record is intact: every checkpoint verifies and every published event is in its place.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
