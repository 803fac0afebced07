"""Reading a labelled CSV for training or evaluation: UTF-8 (with or without BOM), any delimiter the
sniffer recognises, text that may carry HTML. Problems are reported with the row, never skipped silently."""

import csv
import io
import sys
from pathlib import Path

from django.core.management.base import CommandError

from .text import plain

MAX_FIELD = 10 * 1024 * 1024


def read_labelled(path: str, text_column: str, label_column: str, extra_columns=()) -> tuple[list[str], list[str], list[dict]]:
    """(texts, labels, extra values per row) of the rows that have both a text and a label."""
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file")
    raw = file.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CommandError(f"{path}: not UTF-8 (line {line}, byte {exc.start}); save it as UTF-8 and try again") from None
    csv.field_size_limit(min(sys.maxsize, MAX_FIELD))
    try:
        dialect = csv.Sniffer().sniff(content[:20000], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(content, newline=""), dialect=dialect)
    columns = reader.fieldnames or []
    for name in (text_column, label_column, *extra_columns):
        if name not in columns:
            raise CommandError(f"{path}: no column {name!r}; the columns are: {', '.join(columns) or '(none)'}")
    texts, labels, extras, skipped = [], [], [], 0
    try:
        for row in reader:
            text, label = plain(row.get(text_column) or ""), (row.get(label_column) or "").strip()
            if not text or not label:
                skipped += 1
                continue
            texts.append(text)
            labels.append(label)
            extras.append({name: (row.get(name) or "").strip() for name in extra_columns})
    except csv.Error as exc:
        raise CommandError(f"{path}: line {reader.line_num}: {exc}") from None
    if not texts:
        raise CommandError(f"{path}: no row has both a text in {text_column!r} and a label in {label_column!r}")
    return texts, labels, extras
