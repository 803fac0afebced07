"""Reading the budget execution reports (data/*.csv.gz, the open-budget portal's monthly exports) into facts.

Pure: no database. Each file is one table of the portal, one block of rows per month of report. Flat tables
(by administrator, by function, by economic category) have an "Итого" row and one row per item; tree tables
(the budget report, the local budgets, priority investments) give each row its parent by `parent_id`, and
the depth-0 rows are the source's own totals of each section. A row's place in the tree becomes its key
(the codes from the root down), so a line keeps its identity from month to month while its `id` changes.

Amounts are thousand tenge. The five phases (approved, adjusted, plan to date, executed, commitments) are
separate measures of the same line: they are kept apart and never added together.
"""

import csv
import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

DATA = Path(__file__).parent / "data"

# Source column for each phase. plg (annual plan of financing) and plgo (plan of commitments) are not phases
# of the Fiscal Data Package model; the percentages are derived and recomputed here, never imported.
PHASE_COLUMNS = {"approved": "utv", "adjusted": "utch", "plan-to-date": "plgp", "executed": "sumrg", "commitments": "obz"}
PHASES = tuple(PHASE_COLUMNS)

# table (file stem): (level, region ISO code or "", classification, title en)
TABLES = {
    "republican_by_administrator": ("republican", "", "administrative", "Republican budget by administrator"),
    "republican_by_function": ("republican", "", "functional", "Republican budget by function"),
    "republican_by_economic": ("republican", "", "economic", "Republican budget by economic category"),
    "republican_budget_report": ("republican", "", "report", "Republican budget report"),
    "republican_priority_investments": ("republican", "", "investments", "Republican priority investments"),
    "state_by_administrator": ("state", "", "administrative", "State budget by administrator"),
    "state_by_function": ("state", "", "functional", "State budget by function"),
    "state_by_economic": ("state", "", "economic", "State budget by economic category"),
    "local_all_by_administrator": ("local", "", "administrative", "All local budgets by administrator"),
    "local_all_by_function": ("local", "", "functional", "All local budgets by function"),
    "local_all_by_economic": ("local", "", "economic", "All local budgets by economic category"),
    "local_almaty_city": ("local", "KZ-75", "report", "Local budget of Almaty"),
    "local_astana_city": ("local", "KZ-71", "report", "Local budget of Astana"),
    "local_almaty_oblast": ("local", "KZ-19", "report", "Local budget of Almaty Region"),
}
# KATO (the national classifier of administrative units) of the regions whose local budgets are here.
KATO = {"KZ-75": "750000000", "KZ-71": "710000000", "KZ-19": "190000000"}

REQUIRED = {"id", "code", "name", "level", "month", *PHASE_COLUMNS.values()}
MONTH = re.compile(r"^(0[1-9]|1[0-2])\.(20\d\d)$")


@dataclass
class Row:
    """One line of one month, with its dimensions; amounts by phase (Decimal, thousand tenge)."""

    table: str
    month: dt.date
    source_row: int
    key: str
    parent_key: str
    depth: int
    code: str
    name: str
    amounts: dict
    is_total: bool = False
    is_leaf: bool = True
    direction: str = "expenditure"
    section: str = ""
    function_group: str = ""
    function_subgroup: str = ""
    administrator: str = ""
    programme: str = ""
    subprogramme: str = ""
    economic_category: str = ""
    # Which dimension this line itself is ("administrator", "programme", ...; "" for revenue and balances).
    kind: str = ""


@dataclass
class Refusal:
    table: str
    source_row: int
    reason: str


@dataclass
class Result:
    rows: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    read: int = 0


def files(directory: Path | None = None) -> dict[str, Path]:
    """table -> file, for every table found in `directory` (plain .csv or .csv.gz)."""
    directory = Path(directory or DATA)
    found = {}
    for table in TABLES:
        for suffix in (".csv", ".csv.gz"):
            if (directory / f"{table}{suffix}").exists():
                found[table] = directory / f"{table}{suffix}"
    return found


def read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _code(value: str) -> str:
    """'1.0' -> '1', '217' -> '217', '' -> ''."""
    value = (value or "").strip()
    value = value.removesuffix(".0")
    return value


def _clean(name: str) -> str:
    return re.sub(r"\s+", " ", name or "").strip()


def _amounts(record) -> dict:
    amounts = {}
    for phase, column in PHASE_COLUMNS.items():
        text = (record.get(column) or "").strip()
        try:
            value = Decimal(text) if text else Decimal(0)
        except InvalidOperation:
            raise ValueError(f"{column}={text!r} is not a number") from None
        if not value.is_finite():
            raise ValueError(f"{column}={text!r} is not a number")
        amounts[phase] = value.quantize(Decimal("0.001"))
    return amounts


def read_table(table: str, data: bytes, months: set[str] | None = None) -> Result:
    """Every row of one table; rows that cannot be read are refused with the reason, the rest kept."""
    result = Result()
    classification = TABLES[table][2]
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text), delimiter=";")
    missing = REQUIRED - set(reader.fieldnames or ())
    if missing:
        result.refused.append(Refusal(table, 1, f"missing columns: {', '.join(sorted(missing))}"))
        return result
    by_month: dict[str, list] = {}
    for number, record in enumerate(reader, start=2):
        result.read += 1
        month = (record.get("month") or "").strip()
        if not MONTH.match(month):
            result.refused.append(Refusal(table, number, f"month {month!r} is not MM.YYYY"))
            continue
        if months and month not in months:
            result.read -= 1
            continue
        try:
            amounts = _amounts(record)
        except ValueError as error:
            result.refused.append(Refusal(table, number, str(error)))
            continue
        by_month.setdefault(month, []).append((number, record, amounts))
    for month, records in by_month.items():
        date = dt.date(int(month[3:]), int(month[:2]), 1)
        if classification in ("report", "investments"):
            _tree(table, date, records, classification, result)
        else:
            _flat(table, date, records, classification, result)
    return result


def _flat(table, date, records, classification, result):
    seen = set()
    for number, record, amounts in records:
        code, name = _code(record["code"]), _clean(record["name"])
        is_total = name.lower().startswith("итого")
        key = "total" if is_total else code
        if not key:
            result.refused.append(Refusal(table, number, "a line without a code"))
            continue
        if key in seen:
            result.refused.append(Refusal(table, number, f"code {key} twice in {date:%m.%Y}"))
            continue
        seen.add(key)
        row = Row(
            table,
            date,
            number,
            key,
            "" if is_total else "total",
            0 if is_total else 1,
            code,
            name,
            amounts,
            is_total=is_total,
            is_leaf=not is_total,
        )
        if not is_total:
            row.kind = {"administrative": "administrator", "functional": "function_group", "economic": "economic_category"}[
                classification
            ]
            setattr(row, row.kind, code)
        result.rows.append(row)


def _tree(table, date, records, classification, result):
    by_id = {}
    for number, record, amounts in records:
        by_id[_code(record["id"])] = (number, record, amounts)
    keys: dict[str, str] = {}
    rows: dict[str, Row] = {}
    ids_in_order = list(by_id)

    def key_of(ident, trail=()):
        # Walks up to the root; a parent that does not exist or a loop refuses the row.
        if ident in keys:
            return keys[ident]
        if ident in trail:
            raise ValueError("the rows' parents form a loop")
        _number, record, _ = by_id[ident]
        parent = _code(record.get("parent_id") or "")
        step = _code(record["code"]) or "~" + _clean(record["name"])
        if parent:
            if parent not in by_id:
                raise ValueError(f"parent row {parent} is not in {date:%m.%Y}")
            key = key_of(parent, trail + (ident,)) + "/" + step
        else:
            key = step
        keys[ident] = key
        return key

    for ident in ids_in_order:
        number, record, amounts = by_id[ident]
        try:
            key = key_of(ident)
        except ValueError as error:
            result.refused.append(Refusal(table, number, str(error)))
            continue
        if key in rows:
            result.refused.append(Refusal(table, number, f"line {key} twice in {date:%m.%Y}"))
            continue
        parent = _code(record.get("parent_id") or "")
        parts = key.split("/")
        row = Row(
            table,
            date,
            number,
            key,
            keys.get(parent, ""),
            len(parts) - 1,
            _code(record["code"]),
            _clean(record["name"]),
            amounts,
            is_total=len(parts) == 1,
        )
        _tree_dimensions(row, parts, classification)
        rows[key] = row
    parents = {row.parent_key for row in rows.values()}
    for row in rows.values():
        row.is_leaf = row.key not in parents
        result.rows.append(row)


def _tree_dimensions(row: Row, parts: list[str], classification: str):
    codes = [p if not p.startswith("~") else "" for p in parts]
    row.section = codes[0] or parts[0]
    if classification == "investments":
        # Investments - total / function group / administrator / programme / subprogramme.
        row.direction = "expenditure"
        names = ["", "function_group", "administrator", "programme", "subprogramme"]
    elif codes[0] == "1":
        row.direction = "revenue"
        return
    elif codes[0] == "2":
        # II. Spending / function group / subgroup / administrator.
        row.direction = "expenditure"
        names = ["", "function_group", "function_subgroup", "administrator"]
    else:
        # Lending, financial assets, deficit, its financing and balances: neither revenue nor spending.
        row.direction = "other"
        return
    for depth, name in enumerate(names):
        if name and depth < len(codes):
            setattr(row, name, codes[depth])
    row.kind = names[row.depth] if row.depth < len(names) else ""
    if row.function_subgroup:
        row.function_subgroup = f"{row.function_group}.{row.function_subgroup}"
    if row.programme:
        row.programme = f"{row.administrator}.{row.programme.zfill(3)}"
    if row.subprogramme:
        row.subprogramme = f"{row.programme}.{row.subprogramme.zfill(3)}"


def read_all(directory: Path | None = None, months: set[str] | None = None) -> tuple[Result, dict[str, bytes]]:
    """Every table found; the raw bytes too (their digest says whether anything changed since the last import)."""
    result, raw = Result(), {}
    for table, path in files(directory).items():
        data = read_bytes(path)
        raw[table] = data
        part = read_table(table, data, months)
        result.rows += part.rows
        result.refused += part.refused
        result.read += part.read
    return result, raw
