"""Reading an uploaded resource, inferring its Table Schema (frictionless), validating it and loading it.

Every problem becomes an entry of the report a publisher sees: {"row", "column", "field", "type", "message"}
(row and column are 1-based as in a spreadsheet, the header being row 1; None where they do not apply).

The schema is inferred by frictionless from the header and the first INFER_ROWS rows (identifier-like columns
whose numbers have leading zeros anywhere in the file stay text). Then one of two paths:

- CSV on PostgreSQL (the fast path, for big files): the file is streamed unchanged into a table typed from that
  schema with COPY (datastore.copy_csv), so PostgreSQL checks every cell while it loads: a ragged row, a byte that
  is not UTF-8, a value that does not fit its column's type (or the CHECK that mirrors the Table Schema type for
  dates, booleans and the like) stops the load. A scan of the raw bytes runs beside COPY for what PostgreSQL
  would accept but frictionless would not (numbers with a leading zero, 0x-style integers, blank rows). If COPY
  refuses the file or the scan finds such a cell, nothing of the load is kept (a savepoint) and the whole file is
  read and validated with frictionless, row by row, which is slow but names every problem with its row and column.
- Everything else (XLSX, JSON, CSV on SQLite, CSV in a dialect or with types COPY cannot check exactly): the whole
  file is read and validated with frictionless before the transaction (prepare()), then loaded row by row.

A file that does not validate is never loaded; the caller keeps it as an invalid version with its report.
"""

import codecs
import csv
import io
import itertools
import json
import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from ashyq.core import characters

from . import datastore, limits

log = logging.getLogger(__name__)
# Rows (after the header) that frictionless infers the column types from.
INFER_ROWS = 1000
FIELD_CONFIDENCE = 0.9
# The Table Schema types whose every value PostgreSQL checks while COPY loads (datastore.py maps each to a
# column type, or to TEXT with a CHECK no looser than frictionless). Others (geopoint, duration, object, array,
# geojson) take the row-by-row path.
COPY_TYPES = {"integer", "number", "string", "any", *datastore.TEXT_CHECKS}
NUMERIC = ("integer", "number")


@dataclass
class CsvSource:
    """The raw bytes of a CSV upload as COPY reads them: data[start:end] (no byte order mark, no trailing newlines)."""

    data: bytes
    start: int
    end: int
    delimiter: str
    quotechar: str
    has_quotes: bool


@dataclass
class Parsed:
    header: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    schema: dict = field(default_factory=dict)
    report: list[dict] = field(default_factory=list)
    # Set when the file goes the COPY path: rows then holds only the inference sample, and the file is
    # validated while it loads (load()).
    source: CsvSource | None = None
    # The schema of the version served now: a column it has keeps its type (see keep_types), unless the publisher
    # confirmed a new structure.
    expected: dict | None = None

    @property
    def valid(self) -> bool:
        return not self.report


def problem(message, type_="format-error", row=None, column=None, field_name=""):
    return {"row": row, "column": column, "field": field_name, "type": type_, "message": str(message)}


def max_bytes() -> int:
    return getattr(settings, "ASHYQ_OPENDATA_MAX_BYTES", 50 * 1024 * 1024)


# --- reading -------------------------------------------------------------------------------------------------

# Control characters as UTF-8 bytes (C0 but tab, line feed and carriage return; DEL; C1 as \xc2\x80-\x9f), refused in
# text files as everywhere else (core/characters.py): they would make every XML and many CSV readers of the data fail.
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x9f]")


def _control_characters(data: bytes, fmt: str) -> dict | None:
    """A problem naming the line and character of the first control character of a CSV or JSON file, or None.
    (An XLSX cannot hold them: its XML forbids them; a JSON file's escaped ones are found once it is parsed.)"""
    if fmt not in ("CSV", "JSON"):
        return None
    match = CONTROL_BYTES.search(data)
    if match is None:
        return None
    line = data.count(b"\n", 0, match.start()) + 1
    code = ord(match.group().decode("utf-8"))
    return problem(
        _(
            "Line %(line)s holds a control character (U+%(code)04X), which open data may not contain; remove it and upload "
            "the file again."
        )
        % {"line": line, "code": code},
        "control-character",
        row=line,
    )


def read_table(data: bytes, fmt: str) -> Parsed:
    """Rows of a CSV, XLSX or JSON file as text cells, or a report of why they cannot be read."""
    if len(data) > max_bytes():
        return Parsed(
            report=[
                problem(
                    _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": len(data), "limit": max_bytes()},
                    "oversized",
                )
            ]
        )
    if not data.strip():
        return Parsed(report=[problem(_("The file is empty."), "empty")])
    limits.check(data, fmt)  # raises limits.TooLarge: refused before it is read
    refused = _control_characters(data, fmt)
    if refused:
        return Parsed(report=[refused])
    reader = {"CSV": _read_csv, "XLSX": _read_xlsx, "JSON": _read_json}[fmt]
    return reader(data)


def _sniff(text: str):
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        return csv.excel
    if not dialect.escapechar:
        # Without an escape character a quote inside a quoted cell can only be doubled (RFC 4180). The sniffer
        # says otherwise whenever its sample happens to hold no doubled quote, and the reader then garbles them.
        dialect.doublequote = True
    return dialect


def _read_csv(data: bytes) -> Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Parsed(
            report=[
                problem(
                    _("The file is not UTF-8 text (byte %(byte)s on line %(line)s). Save it as CSV UTF-8 and upload it again.")
                    % {"byte": error.start, "line": line},
                    "encoding-error",
                    row=line,
                )
            ]
        )
    budget, rows = limits.current(), []
    for row in csv.reader(io.StringIO(text), _sniff(text)):
        if row:
            budget.charge(len(row))
            rows.append(row)
    return Parsed(header=rows[0] if rows else [], rows=rows[1:])


def _read_xlsx(data: bytes) -> Parsed:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        return Parsed(report=[problem(_("The file is not a readable XLSX workbook."), "format-error")])
    sheet = book.worksheets[0]
    # The dimension a file declares is not trusted (limits.check refused the absurd ones): rows are read as they
    # are, not padded to it, and every row read is charged to the budget.
    sheet.reset_dimensions()
    budget = limits.current()
    report, rows = [], []
    for r, row in enumerate(sheet.iter_rows(), start=1):
        budget.charge(len(row))
        cells = []
        for c, cell in enumerate(row, start=1):
            value = cell.value
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                report.append(
                    problem(
                        _("Cell %(cell)s holds a formula; upload the values (paste as values) instead.")
                        % {"cell": f"{cell.column_letter}{r}"},
                        "formula",
                        row=r,
                        column=c,
                    )
                )
            cells.append("" if value is None else str(value))
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append(cells)
    book.close()
    if report:
        return Parsed(report=report)
    return Parsed(header=rows[0] if rows else [], rows=rows[1:])


def _read_json(data: bytes) -> Parsed:
    not_tabular = _(
        "The JSON is not a table: upload a list of objects with the same keys, or a list of rows whose first row is the header."
    )
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return Parsed(report=[problem(_("The file is not valid JSON: %(error)s") % {"error": error}, "format-error")])
    found = characters.find_in(value)
    if found:
        where, message = found
        return Parsed(report=[problem(f"{where}: {message}", "control-character")])
    if isinstance(value, dict) and isinstance(value.get("records"), list):
        value = value["records"]
    if not isinstance(value, list) or not value:
        return Parsed(report=[problem(not_tabular, "not-tabular")])
    if all(isinstance(item, dict) for item in value):
        seen = {}  # keys in order of first appearance (a dict: a list's "in" made this quadratic)
        for item in value:
            seen.update(dict.fromkeys(item))
            if len(seen) > limits.max_columns():
                limits.current().charge(len(seen))
        header = list(seen)
        rows, budget = [], limits.current()
        budget.charge(len(header))
        for n, item in enumerate(value, start=2):
            budget.charge(len(header))
            if any(isinstance(v, (dict, list)) for v in item.values()):
                return Parsed(report=[problem(not_tabular, "not-tabular", row=n)])
            rows.append(["" if item.get(k) is None else str(item.get(k)) for k in header])
        return Parsed(header=header, rows=rows)
    if all(isinstance(item, list) for item in value):
        if any(isinstance(v, (dict, list)) for item in value for v in item):
            return Parsed(report=[problem(not_tabular, "not-tabular")])
        budget = limits.current()
        for item in value:
            budget.charge(len(item))
        rows = [["" if v is None else str(v) for v in item] for item in value]
        return Parsed(header=rows[0], rows=rows[1:])
    return Parsed(report=[problem(not_tabular, "not-tabular")])


# --- schema and row-by-row validation -------------------------------------------------------------------------


def _header_problems(header: list[str]) -> list[dict]:
    if not header or any(not h.strip() for h in header):
        return [problem(_("The first row must name every column."), "blank-header", row=1)]
    if len(set(header)) != len(header):
        return [problem(_("Two columns have the same name."), "duplicate-label", row=1)]
    return []


def _leading_zero(value: str) -> bool:
    return len(value) > 1 and value[0] == "0" and value[1].isdigit()


def infer_schema(header: list[str], sample: list[list[str]]) -> dict:
    """The Table Schema frictionless infers from the header and the first INFER_ROWS rows of `sample`.

    The loop of frictionless's Detector.detect_schema (default candidates, missing values and options), with each
    candidate type's cell reader built once and its verdict on each distinct value remembered: frictionless builds
    the reader again for every cell it tries, which made inference most of the time a big upload spent outside
    PostgreSQL. tests/test_opendata_load.py checks the result against frictionless's own inference.
    """
    from frictionless import Field
    from frictionless import settings as defaults

    fragment = sample[:INFER_ROWS]
    if not fragment:
        return {"fields": [{"name": name, "type": defaults.DEFAULT_FIELD_TYPE} for name in header]}
    candidates = [Field.from_descriptor({**candidate, "name": "shared"}) for candidate in defaults.DEFAULT_FIELD_CANDIDATES]
    readers = [candidate.create_cell_reader() for candidate in candidates]
    memo = [{} for _ in candidates]  # a reader's verdict on a value (values repeat: countries, years, codes)
    missing = defaults.DEFAULT_MISSING_VALUES
    threshold = len(fragment) * (FIELD_CONFIDENCE - 1)
    types: list[str | None] = [None] * len(header)
    # Column by column (frictionless goes row by row, but every count it keeps is a column's own). A candidate
    # whose score fell below the threshold is never tried again, so it leaves the active list.
    for index in range(len(header)):
        score, active, top = [0] * len(candidates), list(range(len(candidates))), len(fragment)
        for cells in fragment:
            source = cells[index] if len(cells) > index else None
            is_missing = source in missing
            if is_missing:
                top -= 1
            for k in active:
                if not is_missing:
                    refused = memo[k].get(source)
                    if refused is None:
                        refused = memo[k][source] = bool(readers[k](source)[1])
                    score[k] += -1 if refused else 1
                if top > 0 and score[k] >= top * FIELD_CONFIDENCE:
                    types[index] = candidates[k].type
                    break
            if types[index] is not None:
                break
            if not is_missing:
                active = [k for k in active if score[k] >= threshold]
    return {"fields": [{"name": name, "type": type_ or "any"} for name, type_ in zip(header, types)]}


_DECIMAL_COMMA = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0]\d{3})*,\d+|[+-]?\d+,\d+|[+-]?\d+")


def decimal_commas(schema: dict, sample: list[list[str]]) -> dict:
    """Columns written with a decimal comma (Russian and Kazakh Excel: "1234,5", "1 234,5") read as numbers, with
    frictionless's decimalChar "," (and a space as the thousands separator), instead of as text."""
    fields = []
    for index, f in enumerate(schema["fields"]):
        values = [r[index].strip() for r in sample if len(r) > index and r[index].strip()]
        # frictionless reads "20,4" as a geopoint (a longitude and a latitude); a real one has decimal points.
        if (
            f["type"] in ("string", "any", "geopoint")
            and values
            and any("," in v for v in values)
            and all(_DECIMAL_COMMA.fullmatch(v) for v in values)
            and not any(_leading_zero(v) for v in values)
        ):
            f = {**f, "type": "number", "decimalChar": ",", "groupChar": " "}
        fields.append(f)
    return {**schema, "fields": fields}


_DOTTED_DATE = re.compile(r"\d{2}\.\d{2}\.\d{4}")


def dotted_dates(schema: dict, sample: list[list[str]]) -> dict:
    """Columns of dates written day.month.year (31.12.2025, as Kazakh and Russian documents write them) read as
    dates with that format rather than as text, when nine in ten of them are real dates: the others (31.02.2026)
    are then reported with their row and column."""
    import datetime as dt

    def real(value):
        try:
            dt.datetime.strptime(value, "%d.%m.%Y")
            return True
        except ValueError:
            return False

    fields = []
    for index, f in enumerate(schema["fields"]):
        values = [r[index].strip() for r in sample if len(r) > index and r[index].strip()]
        if (
            f["type"] in ("string", "any")
            and values
            and all(_DOTTED_DATE.fullmatch(v) for v in values)
            and sum(map(real, values)) >= FIELD_CONFIDENCE * len(values)
        ):
            f = {**f, "type": "date", "format": "%d.%m.%Y"}
        fields.append(f)
    return {**schema, "fields": fields}


def keep_types(schema: dict, expected: dict | None) -> dict:
    """The inferred schema with each column the served version also has set back to that version's type (and
    its number format), so that a cell that no longer fits it ("много" in a number column, 31.02.2026 in a date
    column) is reported with its row and column rather than the column silently becoming text."""
    if not expected:
        return schema
    old = {f["name"]: f for f in expected.get("fields", [])}
    return {
        **schema,
        "fields": [
            {k: v for k, v in old[f["name"]].items() if k in ("name", "type", "format", "decimalChar", "groupChar")}
            if f["name"] in old
            else f
            for f in schema["fields"]
        ],
    }


def type_changes(inferred: dict, expected: dict | None) -> dict[str, tuple[str, str]]:
    """{column: (type served now, type the new file has)} for the columns whose type the new file would change."""
    if not expected:
        return {}
    old = {f["name"]: f["type"] for f in expected.get("fields", [])}
    # Whole numbers in a column that held decimals still fit it; anything fits text.
    fits = {("number", "integer")}
    return {
        f["name"]: (old[f["name"]], f["type"])
        for f in inferred["fields"]
        if f["name"] in old
        and old[f["name"]] != f["type"]
        and old[f["name"]] not in ("string", "any")
        and (old[f["name"]], f["type"]) not in fits
    }


def _frictionless_schema(header: list[str], sample: list[list[str]]) -> dict:
    """frictionless's own inference, to check infer_schema against."""
    from frictionless import Detector, Resource

    resource = Resource(
        data=[header, *sample[:INFER_ROWS]], detector=Detector(sample_size=INFER_ROWS, field_confidence=FIELD_CONFIDENCE)
    )
    resource.infer()
    return {"fields": [{"name": f.name, "type": f.type} for f in resource.schema.fields]}


def as_text(schema: dict, columns) -> dict:
    """The schema with these columns (0-based) made strings: codes with leading zeros (HS "0702", postcodes
    "050000") are identifiers, not numbers."""
    return {
        "fields": [
            {**f, "type": "string"} if i in columns and f["type"] in NUMERIC else f for i, f in enumerate(schema["fields"])
        ]
    }


def _zero_columns(schema: dict, rows) -> set[int]:
    numeric = [i for i, f in enumerate(schema["fields"]) if f["type"] in NUMERIC]
    return {i for i in numeric if any(len(r) > i and _leading_zero(r[i]) for r in rows)}


def validate(parsed: Parsed) -> Parsed:
    """Infer the Table Schema and validate every row against it with frictionless (the row-by-row path)."""
    from frictionless import Resource, Schema

    if parsed.report:
        return parsed
    parsed.report += _header_problems(parsed.header)
    if parsed.report:
        return parsed
    schema = infer_schema(parsed.header, parsed.rows)
    sample = parsed.rows[:INFER_ROWS]
    schema = dotted_dates(decimal_commas(as_text(schema, _zero_columns(schema, parsed.rows)), sample), sample)
    changes = type_changes(schema, parsed.expected)
    parsed.schema = keep_types(schema, parsed.expected)
    resource = Resource(data=[parsed.header, *parsed.rows], schema=Schema.from_descriptor(parsed.schema))
    report = resource.validate(limit_errors=200)
    limits.current().check_time()
    for row, column, field_name, type_, message in report.flatten(["rowNumber", "fieldNumber", "fieldName", "type", "message"]):
        if type_ == "type-error" and field_name in changes:
            # The column's type would change from the version served: say so, with the cell.
            type_ = "type-changed"
            message = _(
                "Row %(row)s, column %(column)s (%(field)s): %(message)s The column is %(old)s in the version served now."
            ) % {"row": row, "column": column, "field": field_name, "message": message, "old": changes[field_name][0]}
        parsed.report.append(problem(message, type_, row=row, column=column, field_name=field_name or ""))
    return parsed


def cast(value: str, type_: str, decimal: str = "."):
    """A cell as the datastore stores it (integers and numbers typed, everything else text; empty is NULL)."""
    if value is None or value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        if decimal != ".":
            value = value.replace(" ", "").replace("\u00a0", "").replace(decimal, ".")
        return float(value)
    return value


def typed_rows(parsed: Parsed) -> list[tuple]:
    fields = [(f["type"], f.get("decimalChar", ".")) for f in parsed.schema["fields"]]
    return [tuple(cast(v, t, d) for v, (t, d) in zip(row, fields)) for row in parsed.rows]


# --- the COPY path --------------------------------------------------------------------------------------------


def prepare(data: bytes, fmt: str, expected: dict | None = None) -> Parsed:
    """What is known before the version is stored. A CSV that PostgreSQL can load and check with COPY is only
    sampled here (its schema inferred, its header checked); any other file is read and validated whole.
    `expected`: the schema of the version served now, whose column types the file must keep (keep_types)."""
    if data.strip() and len(data) <= max_bytes():
        limits.check(data, fmt)  # raises limits.TooLarge before anything is parsed
    if fmt == "CSV" and datastore.copies_csv() and not _control_characters(data, fmt):
        parsed = _prepare_copy(data, expected)
        if parsed is not None:
            return parsed
    parsed = read_table(data, fmt)
    parsed.expected = expected
    return validate(parsed)


def _prepare_copy(data: bytes, expected: dict | None = None) -> Parsed | None:
    """The header, sample and schema of a CSV for the COPY path, or None when the file must be read whole
    (oversized, empty, not UTF-8 in its first rows, a dialect or a type COPY cannot check, a ragged sample)."""
    if len(data) > max_bytes() or not re.search(rb"\S", data):
        return None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    end = len(data)
    while end > start and data[end - 1] in b"\r\n":
        end -= 1
    if data.find(b"\n", start, end) < 0 and data.find(b"\r", start, end) >= 0:
        return None  # lines ended by a carriage return alone: the scan beside COPY reads lines by "\n"
    head = _head(data, start, end)
    if head is None:
        return None
    dialect, rows = head
    if (
        not rows
        or dialect.delimiter not in ",;\t"
        or dialect.quotechar not in "\"'"
        or dialect.skipinitialspace
        or dialect.escapechar
    ):
        return None
    has_quotes = data.find(dialect.quotechar.encode(), start, end) >= 0
    header, sample = rows[0], rows[1 : INFER_ROWS + 1]
    report = _header_problems(header)
    if report:
        return Parsed(header=header, report=report)
    if any(len(r) != len(header) for r in sample):
        return None  # ragged: COPY would refuse it; frictionless tells where
    schema = infer_schema(header, sample)
    schema = dotted_dates(decimal_commas(as_text(schema, _zero_columns(schema, sample)), sample), sample)
    schema = keep_types(schema, expected)  # COPY checks every cell against the served version's types
    if any(f["type"] not in COPY_TYPES or f.get("decimalChar", ".") != "." or "format" in f for f in schema["fields"]):
        return None
    return Parsed(
        header=header,
        rows=sample,
        schema=schema,
        expected=expected,
        source=CsvSource(
            data=data, start=start, end=end, delimiter=dialect.delimiter, quotechar=dialect.quotechar, has_quotes=has_quotes
        ),
    )


def _head(data: bytes, start: int, end: int):
    """The dialect and first records of the file, read from enough bytes (cut at a line end) for INFER_ROWS + 2
    records; None if those bytes are not UTF-8 or not CSV."""
    size = 256 * 1024
    while True:
        stop = end if start + size >= end else data.rfind(b"\n", start, start + size) + 1
        if stop <= start:
            stop = end
        try:
            text = data[start:stop].decode("utf-8")
        except UnicodeDecodeError:
            return None
        dialect = _sniff(text)
        rows = _records(text, dialect, INFER_ROWS + 2)
        # One record more than needed: the last one read may be cut in the middle of a quoted line break.
        if rows is not None and (stop == end or len(rows) >= INFER_ROWS + 2):
            return dialect, rows
        if stop == end:
            return None
        size *= 4


def _records(text: str, dialect, limit: int) -> list[list[str]] | None:
    try:
        return list(itertools.islice((r for r in csv.reader(io.StringIO(text), dialect) if r), limit))
    except csv.Error:
        return None


@dataclass
class Scan:
    """What PostgreSQL accepts but the Table Schema does not, found in the raw bytes beside COPY."""

    zero_columns: set = field(default_factory=set)  # numeric columns with leading zeros: identifiers, made text
    refuse: str = ""  # why the load cannot stand for frictionless's validation (then the row-by-row path decides)


def scan(source: CsvSource, schema: dict, stop: threading.Event | None = None) -> Scan:
    """Cells of numeric columns that start with a zero followed by a digit (the leading-zero rule) or by a radix
    letter (PostgreSQL 16 reads "0x1F" as an integer and strtod reads it as a number, frictionless reads neither),
    and blank rows (all cells empty: PostgreSQL loads them, frictionless reports them). Everything else a number
    column may hold, PostgreSQL and frictionless read alike.

    Runs in a thread beside COPY, in windows of a few hundred kilobytes: a regular expression holds the GIL for
    as long as it searches, and the thread feeding COPY must not wait that long."""
    fields = schema["fields"]
    numeric = {i for i, f in enumerate(fields) if f["type"] in NUMERIC}
    data, end = source.data, source.end
    # From the end of the header line: the header's cells are names, not values.
    start = data.find(b"\n", source.start, end)
    found = Scan()
    if start < 0:
        return found
    delim, quote = source.delimiter.encode(), source.quotechar.encode()
    d, q = re.escape(delim), re.escape(quote)
    cell = rb"(?:" + q + q + rb")?"
    blank = re.compile(rb"\n" + cell + (d + cell) * (len(fields) - 1) + rb"\r?(?=\n|\Z)")
    candidates = re.compile(rb"[" + d + rb"\n][ \t" + q + rb"]*[+-]?0[0-9xXoObB]")
    for window_start, window_end in _windows(data, start, end):
        if stop is not None and stop.is_set():
            break
        if blank.search(data, window_start, window_end):
            found.refuse = "blank row"
            return found
        if not numeric or len(found.zero_columns) == len(numeric):
            continue
        if source.has_quotes:
            # Columns cannot be told from the bytes when quoted cells may hold delimiters and line breaks.
            if candidates.search(data, window_start, window_end):
                return _scan_rows(source, numeric, len(fields), stop)
            continue
        for match in candidates.finditer(data, window_start, window_end):
            at = match.start()
            if data[at] == 10:  # "\n": the first cell of a line
                column = 0
            else:
                column = data.count(delim, data.rfind(b"\n", start, at) + 1, at) + 1
            if column not in numeric or column in found.zero_columns:
                continue
            value = data[at + 1 : match.end()]
            if _leading_zero(value.decode("ascii")):
                found.zero_columns.add(column)
            elif value.strip(b" \t+-")[1:2] not in b"0123456789":
                found.refuse = "radix prefix"
                return found
    return found


def _windows(data: bytes, start: int, end: int, size: int = 256 * 1024):
    """[start, end) in pieces that each begin at a line end (a "\n"), so a pattern that starts with one finds
    every line in exactly one piece."""
    while start < end:
        cut = data.find(b"\n", min(start + size, end), end)
        cut = end if cut < 0 else cut
        yield start, cut
        start = cut


def _scan_rows(source: CsvSource, numeric: set[int], width: int, stop) -> Scan:
    found = Scan()
    text = source.data[source.start : source.end].decode("utf-8", errors="replace")
    dialect = type("Dialect", (csv.excel,), {"delimiter": source.delimiter, "quotechar": source.quotechar})
    radix = re.compile(r"\s*[+-]?0[xXoObB]")
    rows = (row for row in csv.reader(io.StringIO(text), dialect) if row)
    next(rows, None)  # the header
    for n, row in enumerate(rows):
        if stop is not None and n % 10000 == 0 and stop.is_set():
            break
        if len(row) != width or not any(row):
            found.refuse = "ragged or blank row"
            return found
        for i in numeric:
            if _leading_zero(row[i]):
                found.zero_columns.add(i)
            elif radix.match(row[i]):
                found.refuse = "radix prefix"
                return found
    return found


class _Again(Exception):
    """Columns turned out to be identifiers: load once more with them as text."""


def load(version, parsed: Parsed) -> None:
    """Validate (if still to do) and load the upload into the version's datastore table, then record on the version
    whether it is valid, its schema, report and row count. Runs inside the caller's transaction."""
    if parsed.valid and parsed.source is not None:
        loaded = _copy(version, parsed)
        if loaded is not None:
            version.schema, version.row_count = loaded
            return _record(version, valid=True, report=[], loaded=True)
        # Refused: read and validate the whole file with frictionless to tell the publisher what is wrong.
        expected = parsed.expected
        parsed = read_table(parsed.source.data, "CSV")
        parsed.expected = expected
        parsed = validate(parsed)
    if not parsed.valid:
        version.schema, version.row_count = parsed.schema, 0
        return _record(version, valid=False, report=parsed.report, loaded=False)
    version.schema = parsed.schema
    try:
        rows = typed_rows(parsed)
        with transaction.atomic():
            datastore.create_and_load(version, parsed.schema["fields"], rows)
    except (TypeError, ValueError, OverflowError, DatabaseError) as error:
        # Valid for the Table Schema, not for the database (an integer beyond 64 bits): still not loaded.
        version.row_count = 0
        message = _("A value does not fit the column's type in the database: %(error)s") % {"error": str(error).splitlines()[0]}
        return _record(version, valid=False, report=[problem(message, "type-error")], loaded=False)
    version.row_count = len(rows)
    _record(version, valid=True, report=[], loaded=True)


def _record(version, *, valid, report, loaded):
    version.valid, version.report, version.loaded = valid, report, loaded
    version.save(update_fields=["valid", "schema", "report", "row_count", "loaded"])
    if loaded:
        datastore.index_after_commit(version)


def _copy(version, parsed: Parsed):
    """(schema, rows) once COPY has loaded and PostgreSQL has checked the whole file, or None if it refused it."""
    schema, stop = parsed.schema, threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    # The scan of the raw bytes runs on another core while PostgreSQL parses and checks the same bytes.
    scanning = pool.submit(scan, parsed.source, schema, stop)
    try:
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    rows = datastore.copy_csv(version, schema["fields"], parsed.source)
                    found = scanning.result()
                    if found.refuse:
                        log.info("datastore %s: the scan refused the file (%s)", version.table_name, found.refuse)
                        raise datastore.CopyRefused(found.refuse)
                    if found.zero_columns - _text_columns(schema):
                        raise _Again
                return schema, rows
            except _Again:
                schema = as_text(schema, found.zero_columns)
            except datastore.CopyRefused:
                return None
        return None
    finally:
        stop.set()
        pool.shutdown(wait=False)


def _text_columns(schema: dict) -> set[int]:
    return {i for i, f in enumerate(schema["fields"]) if f["type"] not in NUMERIC}
