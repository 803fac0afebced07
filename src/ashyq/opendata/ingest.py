"""Reading an uploaded resource into rows, inferring its Table Schema and validating it (frictionless).

Every problem becomes an entry of the report a publisher sees: {"row", "column", "field", "type", "message"}
(row and column are 1-based as in a spreadsheet, the header being row 1; None where they do not apply).
"""
import csv
import io
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass
class Parsed:
    header: list[str] = field(default_factory=list)
    rows: list[list] = field(default_factory=list)
    schema: dict = field(default_factory=dict)
    report: list[dict] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.report


def problem(message, type_="format-error", row=None, column=None, field_name=""):
    return {"row": row, "column": column, "field": field_name, "type": type_, "message": str(message)}


def max_bytes() -> int:
    return getattr(settings, "ASHYQ_OPENDATA_MAX_BYTES", 50 * 1024 * 1024)


def read_table(data: bytes, fmt: str) -> Parsed:
    """Rows of a CSV, XLSX or JSON file as text cells, or a report of why they cannot be read."""
    if len(data) > max_bytes():
        return Parsed(report=[problem(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes.") % {"size": len(data), "limit": max_bytes()},
            "oversized")])
    if not data.strip():
        return Parsed(report=[problem(_("The file is empty."), "empty")])
    reader = {"CSV": _read_csv, "XLSX": _read_xlsx, "JSON": _read_json}[fmt]
    return reader(data)


def _read_csv(data: bytes) -> Parsed:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return Parsed(report=[problem(
            _("The file is not UTF-8 text (byte %(byte)s on line %(line)s). Save it as CSV UTF-8 and upload it again.")
            % {"byte": error.start, "line": line}, "encoding-error", row=line)])
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if row]
    return Parsed(header=rows[0] if rows else [], rows=rows[1:])


def _read_xlsx(data: bytes) -> Parsed:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds on a file that is not a workbook
        return Parsed(report=[problem(_("The file is not a readable XLSX workbook."), "format-error")])
    sheet = book.worksheets[0]
    report, rows = [], []
    for r, row in enumerate(sheet.iter_rows(), start=1):
        cells = []
        for c, cell in enumerate(row, start=1):
            value = cell.value
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                report.append(problem(
                    _("Cell %(cell)s holds a formula; upload the values (paste as values) instead.") % {"cell": f"{cell.column_letter}{r}"},
                    "formula", row=r, column=c))
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
    not_tabular = _("The JSON is not a table: upload a list of objects with the same keys, or a list of rows whose first row is the header.")
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return Parsed(report=[problem(_("The file is not valid JSON: %(error)s") % {"error": error}, "format-error")])
    if isinstance(value, dict) and isinstance(value.get("records"), list):
        value = value["records"]
    if not isinstance(value, list) or not value:
        return Parsed(report=[problem(not_tabular, "not-tabular")])
    if all(isinstance(item, dict) for item in value):
        header = []
        for item in value:
            header += [k for k in item if k not in header]
        rows = []
        for n, item in enumerate(value, start=2):
            if any(isinstance(v, (dict, list)) for v in item.values()):
                return Parsed(report=[problem(not_tabular, "not-tabular", row=n)])
            rows.append(["" if item.get(k) is None else str(item.get(k)) for k in header])
        return Parsed(header=header, rows=rows)
    if all(isinstance(item, list) for item in value):
        if any(isinstance(v, (dict, list)) for item in value for v in item):
            return Parsed(report=[problem(not_tabular, "not-tabular")])
        rows = [["" if v is None else str(v) for v in item] for item in value]
        return Parsed(header=rows[0], rows=rows[1:])
    return Parsed(report=[problem(not_tabular, "not-tabular")])


def validate(parsed: Parsed) -> Parsed:
    """Infer the Table Schema with frictionless and validate every row against it."""
    from frictionless import Resource, Detector

    if parsed.report:
        return parsed
    if not parsed.header or any(not h.strip() for h in parsed.header):
        parsed.report.append(problem(_("The first row must name every column."), "blank-header", row=1))
        return parsed
    if len(set(parsed.header)) != len(parsed.header):
        parsed.report.append(problem(_("Two columns have the same name."), "duplicate-label", row=1))
        return parsed
    resource = Resource(data=[parsed.header, *parsed.rows], detector=Detector(sample_size=10000, field_confidence=0.9))
    resource.infer()
    for i, f in enumerate(resource.schema.fields):
        # Codes with leading zeros (HS "0702", postcodes) are identifiers, not numbers.
        if f.type in ("integer", "number") and any(len(r) > i and len(r[i]) > 1 and r[i][0] == "0" and r[i][1].isdigit() for r in parsed.rows):
            resource.schema.set_field_type(f.name, "string")
    parsed.schema = {"fields": [{"name": f.name, "type": f.type} for f in resource.schema.fields]}
    report = resource.validate(limit_errors=200)
    for row, column, field_name, type_, message in report.flatten(["rowNumber", "fieldNumber", "fieldName", "type", "message"]):
        parsed.report.append(problem(message, type_, row=row, column=column, field_name=field_name or ""))
    return parsed


def cast(value: str, type_: str):
    """A cell as the datastore stores it (integers and numbers typed, everything else text; empty is NULL)."""
    if value is None or value == "":
        return None
    if type_ == "integer":
        return int(value)
    if type_ == "number":
        return float(value)
    return value


def typed_rows(parsed: Parsed) -> list[tuple]:
    types = [f["type"] for f in parsed.schema["fields"]]
    return [tuple(cast(v, t) for v, t in zip(row, types)) for row in parsed.rows]
