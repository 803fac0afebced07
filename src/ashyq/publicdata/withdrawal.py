"""An appeal that leaves the public record leaves the served export at once, not at the next nightly run.

When an appeal is hidden (after reports of abuse, or kept hidden by a moderator), its rows are removed from the
export's appeals, events and stays files, and its leaves in merkle_leaves.csv stop naming it, right after the change
commits: each file is rewritten and replaced atomically, so a reader gets the old file or the new one, never half
of either. The other files hold counts only (figures over all appeals), which reveal nothing of one appeal. The
export lock (export.export_lock) orders this with a nightly export that may be writing from a snapshot taken before
the hide: whichever runs second wins, and both leave the appeal out.
"""

import csv
import functools
import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path

from django.db import transaction

from ashyq.core import csv_safe
from ashyq.dialogue.models import Appeal, EventKind

from . import export

log = logging.getLogger(__name__)

# Events after which an appeal is no longer public (dialogue.selectors.PUBLISHED).
WITHDRAWING_KINDS = {EventKind.HIDDEN}
# file stem -> the column holding the appeal's number
TABLES = {"appeals": "number", "events": "appeal", "stays": "appeal"}
# The Merkle tree's leaves keep their rows (each is part of every signed root) but stop naming the appeal and the
# event, as the nightly export writes the leaves of an appeal that is not public (export.leaf_rows); a leaf that
# still named them would make verify_record.py report the appeal's events as removed from the record.
LEAVES, LEAF_NAMING = "merkle_leaves.csv", ("appeal", "seq")


def on_event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.kind in WITHDRAWING_KINDS:
        transaction.on_commit(functools.partial(_withdraw_after_commit, instance.appeal_id))


def _withdraw_after_commit(appeal_id):
    number = Appeal.objects.filter(pk=appeal_id).values_list("number", flat=True).first()
    try:
        withdraw({number})
    except Exception:  # the hide stands; the served file still has the appeal until this is repaired: say so loudly
        log.exception("publicdata: could not remove appeal %s from the served export; run export_public_data", number)


def withdraw(numbers: set[str], directory: Path | None = None) -> int:
    """Remove the appeals `numbers` from the export's appeals, events and stays files. Returns the rows removed."""
    directory = Path(directory or export.export_dir())
    numbers = {n for n in numbers if n}
    if not numbers:
        return 0
    removed = 0
    with export.export_lock(directory):
        changed = {}
        for stem, column in TABLES.items():
            for suffix, rewrite in ((".csv", _without_csv_rows), (".json", _without_json_rows)):
                path = directory / f"{stem}{suffix}"
                if path.exists():
                    count = rewrite(path, column, numbers)
                    if count:
                        changed[path.name] = path
                        removed += count if suffix == ".csv" else 0
        leaves = directory / LEAVES
        if leaves.exists() and _without_csv_rows(leaves, "appeal", numbers, blank=LEAF_NAMING):
            changed[leaves.name] = leaves
        if changed:
            _describe_again(directory, changed)
    return removed


def _replace(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _without_csv_rows(path: Path, column: str, numbers: set[str], blank: tuple = ()) -> int:
    """Drop the rows of the appeals `numbers`; or, given `blank`, keep them with those columns emptied."""
    with path.open(newline="", encoding="utf-8") as source:
        rows = csv.reader(source)
        header = next(rows, None)
        if header is None or column not in header:
            return 0
        at = header.index(column)
        emptied = [header.index(name) for name in blank if name in header]
        kept, dropped = [header], 0
        for row in rows:
            if len(row) > at and row[at] in numbers:
                dropped += 1
                if blank:
                    kept.append(["" if i in emptied else value for i, value in enumerate(row)])
            else:
                kept.append(row)
    if dropped:
        _replace(path, lambda out: csv_safe.writer(out).writerows(kept))  # idempotent on cells it already made safe
    return dropped


def _without_json_rows(path: Path, column: str, numbers: set[str]) -> int:
    """The export writes one object per line between "[" and "]" (export._write_table): filter line by line."""
    needles = {json.dumps(n, ensure_ascii=False) for n in numbers}
    kept, dropped = [], 0
    with path.open(encoding="utf-8") as source:
        for line in source:
            line = line.rstrip("\n")
            if line in ("[", "]", ""):
                continue
            item = line.rstrip(",")
            if any(needle in item for needle in needles) and json.loads(item).get(column) in numbers:
                dropped += 1
                continue
            kept.append(item)
    if dropped:
        _replace(
            path,
            lambda out: out.write("[" + "".join(("\n" if i == 0 else ",\n") + item for i, item in enumerate(kept)) + "\n]\n"),
        )
    return dropped


def _describe_again(directory: Path, changed: dict) -> None:
    """Keep the descriptor true of the files it describes: their sizes and hashes, where it states them."""
    descriptor = directory / "datapackage.json"
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    touched = False
    for resource in package.get("resources", []):
        path = changed.get(resource.get("path"))
        if path is None:
            continue
        data = path.read_bytes()
        if "bytes" in resource:
            resource["bytes"], touched = len(data), True
        if "hash" in resource:
            algorithm, _, _ = str(resource["hash"]).rpartition(":")
            digest = hashlib.new(algorithm or "md5", data).hexdigest()
            resource["hash"], touched = (f"{algorithm}:{digest}" if algorithm else digest), True
    if touched:
        _replace(descriptor, lambda out: out.write(json.dumps(package, ensure_ascii=False, indent=2) + "\n"))
