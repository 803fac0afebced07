"""What an uploaded table may hold, checked before it is read, so that a small hostile file cannot take the
server's memory or minutes of its time (a 1 MB CSV of 100,000 columns, a 670 KB XLSX that unpacks to gigabytes
or declares a million rows).

- check(data, fmt): from the first line of a CSV (its columns, and its lines times columns), or from an XLSX's
  zip directory (the unpacked size and packing ratio of each part) and its first sheet's declared dimension.
  Cheap: nothing is parsed. A refusal is a ValidationError with a message for the publisher.
- Budget: counts the cells while a file is read and watches the clock; ingest.py charges it row by row, and it
  raises TooLarge past the limits (the dimension an XLSX declares may lie, the cells read cannot).

The limits are settings (ASHYQ_OPENDATA_MAX_*, docs/operations.md).
"""

import contextvars
import io
import re
import time
import zipfile
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEAD_BYTES = 1024 * 1024
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')


class TooLarge(ValidationError):
    """The file is beyond a limit: refused as a whole, nothing of it stored."""


def max_columns() -> int:
    return settings.ASHYQ_OPENDATA_MAX_COLUMNS


def max_cells() -> int:
    return settings.ASHYQ_OPENDATA_MAX_CELLS


def _too_many_columns(columns: int) -> TooLarge:
    return TooLarge(
        _("The table has %(columns)s columns; the limit is %(limit)s. Split it into several tables.")
        % {"columns": f"{columns:,}", "limit": f"{max_columns():,}"},
        code="too_many_columns",
    )


def _too_many_cells(cells: int) -> TooLarge:
    return TooLarge(
        _(
            "The table has about %(cells)s cells (rows times columns); the limit is %(limit)s. "
            "Split it into several resources, for example one a year."
        )
        % {"cells": f"{cells:,}", "limit": f"{max_cells():,}"},
        code="too_many_cells",
    )


def check(data: bytes, fmt: str) -> None:
    """Refuse (TooLarge) a file whose shape is beyond the limits, before anything reads it."""
    if fmt == "CSV":
        _check_csv(data)
    elif fmt == "XLSX":
        _check_xlsx(data)


def _check_csv(data: bytes) -> None:
    end = data.find(b"\n", 0, HEAD_BYTES)
    header = data[: end if end >= 0 else HEAD_BYTES]
    # The delimiter is one of these (ingest._sniff); counting the commonest overestimates only when a header
    # quotes its separators, which the limit can afford.
    columns = max(header.count(d) for d in (b",", b";", b"\t")) + 1
    if end < 0 and len(data) > HEAD_BYTES:
        columns = max(columns, len(data))  # a first line longer than a megabyte is no header
    if columns > max_columns():
        raise _too_many_columns(columns)
    cells = (data.count(b"\n") + 1) * columns
    if cells > max_cells():
        raise _too_many_cells(cells)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _check_xlsx(data: bytes) -> None:
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a workbook: the reader says so
    unpacked = sum(m.file_size for m in members)
    if unpacked > settings.ASHYQ_OPENDATA_MAX_UNPACKED_BYTES or len(members) > 10000:
        raise TooLarge(
            _("The workbook unpacks to %(size)s; the limit is %(limit)s. Save the data as CSV, or split it.")
            % {"size": filesizeformat(unpacked), "limit": filesizeformat(settings.ASHYQ_OPENDATA_MAX_UNPACKED_BYTES)},
            code="unpacked_size",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > HEAD_BYTES and ratio > settings.ASHYQ_OPENDATA_MAX_PACKING_RATIO:
            raise TooLarge(
                _(
                    "The workbook is packed %(ratio)s times tighter than spreadsheets are; it is refused as a "
                    "possible zip bomb. Save the data as CSV and upload that."
                )
                % {"ratio": int(ratio)},
                code="packing_ratio",
            )
    sheets = sorted(m.filename for m in members if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", m.filename))
    if not sheets:
        return
    with book.open(sheets[0]) as sheet:
        head = sheet.read(64 * 1024)
    match = _DIMENSION.search(head)
    if match and match[3] and match[4]:
        columns = _column_number(match[3]) - (_column_number(match[1]) if match[1] else 1) + 1
        rows = int(match[4]) - (int(match[2]) if match[2] else 1) + 1
        if columns > max_columns():
            raise _too_many_columns(columns)
        if rows * columns > max_cells():
            raise _too_many_cells(rows * columns)


class Budget:
    """Cells read and seconds spent so far on one file; charge() raises TooLarge past a limit."""

    def __init__(self, seconds: float | None = None, cells: int | None = None, progress=None):
        self.started = time.monotonic()
        self.seconds = settings.ASHYQ_OPENDATA_MAX_SECONDS if seconds is None else seconds
        self.cells_left = max_cells() if cells is None else cells
        self.progress = progress  # called with the number of rows read, now and then (the progress page)
        self.rows = 0

    def charge(self, cells: int) -> None:
        if cells > max_columns():
            raise _too_many_columns(cells)
        self.cells_left -= cells
        self.rows += 1
        if self.cells_left < 0:
            raise _too_many_cells(max_cells() - self.cells_left)
        if self.rows % 5000 == 0:
            self.check_time()
            if self.progress is not None:
                self.progress(self.rows)

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.seconds:
            raise TooLarge(
                _("Reading and checking the file took longer than %(seconds)s seconds. Split it into smaller resources.")
                % {"seconds": int(self.seconds)},
                code="too_slow",
            )


_current: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("opendata_budget", default=None)


@contextmanager
def budget(progress=None):
    """One Budget for everything read inside the block (a file may be read twice: sampled, then whole)."""
    token = _current.set(Budget(progress=progress))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def current() -> Budget:
    """The block's Budget, or a fresh one for a read outside any block."""
    return _current.get() or Budget()
