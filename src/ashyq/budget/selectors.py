"""Reads of the budget. Every sum groups by phase: phases are never added together.

Figures are year to date: a year's figure is that of its last month of report (December, or the latest month
published for the current year). Execution per cent is executed against the plan to the reporting date, the
portal's own measure.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from .models import Administrator, BudgetImport, Fact, Line, Phase

PHASES = [p.value for p in Phase]
CHART_PHASES = ["approved", "adjusted", "plan-to-date", "executed"]
REGION_TABLES = {"KZ-75": "local_almaty_city", "KZ-71": "local_astana_city", "KZ-19": "local_almaty_oblast"}


def import_run(pk=None):
    """The import `pk`, or the newest one that published its figures; not one whose facts were withdrawn from the
    open data (its descriptor would describe a file no longer served)."""
    runs = BudgetImport.objects.exclude(descriptor={}).exclude(facts_version__withdrawal__isnull=False)
    return runs.filter(pk=pk).first() if pk is not None else runs.first()


def months(table="republican_by_administrator") -> list:
    return sorted(
        Fact.objects.filter(line__table=table, line__is_total=True, phase="executed").values_list("month", flat=True).distinct()
    )


def year_months(table="republican_by_administrator") -> dict:
    """year -> its last month of report."""
    result = {}
    for month in months(table):
        result[month.year] = max(month, result.get(month.year, month))
    return result


def percent(executed, plan):
    if executed is None or not plan:
        return None
    return float(executed) / float(plan) * 100


def change(new, old):
    if new is None or not old:
        return None
    return (float(new) / float(old) - 1) * 100


def series(lines) -> dict:
    """{month: {phase: amount}} summed over `lines` (a queryset of lines that do not contain one another)."""
    result = defaultdict(dict)
    # The ids first: a handful of lines, so the facts are read by their (line, month, phase) index.
    ids = list(lines.values_list("pk", flat=True)) if hasattr(lines, "values_list") else list(lines)
    rows = Fact.objects.filter(line_id__in=ids).values("month", "phase").annotate(total=Sum("amount")).order_by("month")
    for row in rows:
        result[row["month"]][row["phase"]] = row["total"]
    return dict(result)


def by_year(monthly: dict) -> list[dict]:
    """One row per year from a monthly series: each phase at the year's last month, execution per cent, and the
    change from the same month of the year before (executed) and from the year before's adjusted budget."""
    last = {}
    for month in monthly:
        last[month.year] = max(month, last.get(month.year, month))
    rows = []
    for year in sorted(last):
        month = last[year]
        figures = monthly[month]
        before = monthly.get(month.replace(year=year - 1), {})
        before_year = monthly.get(last.get(year - 1), {}) if year - 1 in last else {}
        rows.append(
            {
                "year": year,
                "month": month,
                **{p: figures.get(p) for p in PHASES},
                "percent": percent(figures.get("executed"), figures.get("plan-to-date")),
                "executed_change": change(figures.get("executed"), before.get("executed")),
                "adjusted_change": change(figures.get("adjusted"), before_year.get("adjusted")),
            }
        )
    return rows


def amounts_by_line(lines, month) -> dict:
    """{line_id: {phase: amount}} for one month."""
    result = defaultdict(dict)
    for line_id, phase, amount in Fact.objects.filter(line_id__in=list(lines), month=month).values_list(
        "line_id", "phase", "amount"
    ):
        result[line_id][phase] = amount
    return result


def rows_of(lines, month) -> list[dict]:
    lines = list(lines)
    amounts = amounts_by_line([line.pk for line in lines], month)
    rows = []
    for line in lines:
        figures = amounts.get(line.pk, {})
        rows.append(
            {
                "line": line,
                "code": line.code,
                "name": line.name_ru,
                **{p: figures.get(p) for p in PHASES},
                "percent": percent(figures.get("executed"), figures.get("plan-to-date")),
            }
        )
    return rows


def breakdown(table: str, kind: str, month) -> list[dict]:
    """The lines of one kind (function group, administrator) of a flat table in one month, with every phase."""
    lines = Line.objects.filter(table=table, kind=kind).select_related("administrator__body")
    return [r for r in rows_of(lines, month) if any(r[p] for p in PHASES)]


def total(table: str, month, key="total") -> dict:
    line = Line.objects.filter(table=table, key=key).first()
    if line is None:
        return {}
    return {f.phase: f.amount for f in line.facts.filter(month=month)}


SORTS = {"name", "code", *PHASES, "percent"}


def sort_rows(rows, sort, descending):
    sort = sort if sort in SORTS else "executed"

    def key(row):
        value = row.get(sort)
        if sort in ("name", "code"):
            return (0, str(value or "").casefold() if sort == "name" else _code_key(value))
        return (0 if value is not None else 1, -(value or 0) if descending else (value or 0))

    ordered = sorted(rows, key=key)
    if sort in ("name", "code") and descending:
        ordered.reverse()
    return ordered, sort


def _code_key(value):
    try:
        return (int(value), "")
    except (TypeError, ValueError):
        return (10**9, str(value))


# --- one administrator -------------------------------------------------------------------------------------


def administrator(code: str):
    return Administrator.objects.filter(scope="republican", code=code).select_related("body").first()


def administrator_for_body(body):
    return Administrator.objects.filter(scope="republican", body=body).order_by("code").first()


def administrator_series(admin) -> dict:
    return series(Line.objects.filter(table="republican_by_administrator", administrator=admin))


def administrator_functions(admin, month) -> list[dict]:
    """Where the administrator's money goes by function: its lines in the republican budget report, each under a
    functional subgroup."""
    lines = Line.objects.filter(table="republican_budget_report", kind="administrator", administrator=admin).select_related(
        "parent__parent"
    )
    rows = rows_of(lines, month)
    for row in rows:
        subgroup = row["line"].parent
        row["subgroup"] = subgroup.name_ru if subgroup else ""
        row["group"] = subgroup.parent.name_ru if subgroup and subgroup.parent else ""
        row["code"] = row["line"].function_subgroup
    return [r for r in rows if any(r[p] for p in PHASES)]


def administrator_programmes(admin, month) -> list[dict]:
    """Its priority investment programmes, each with its subprogrammes (the only source table that goes that deep)."""
    programmes = Line.objects.filter(
        table="republican_priority_investments", kind="programme", administrator=admin
    ).select_related("parent__parent")
    subprogrammes = Line.objects.filter(table="republican_priority_investments", kind="subprogramme", administrator=admin)
    by_parent = defaultdict(list)
    for row in rows_of(subprogrammes, month):
        by_parent[row["line"].parent_id].append(row)
    rows = rows_of(programmes, month)
    for row in rows:
        row["code"] = row["line"].programme
        row["function"] = row["line"].parent.parent.name_ru if row["line"].parent and row["line"].parent.parent else ""
        row["subprogrammes"] = [s for s in by_parent.get(row["line"].pk, []) if any(s[p] for p in PHASES)]
        for sub in row["subprogrammes"]:
            sub["code"] = sub["line"].subprogramme
    return [r for r in rows if any(r[p] for p in PHASES)]


def execution_percent(admin):
    """The administrator's execution per cent at the latest month of report, with that month."""
    monthly = administrator_series(admin)
    if not monthly:
        return None, None
    month = max(monthly)
    return percent(monthly[month].get("executed"), monthly[month].get("plan-to-date")), month


# --- a region's local budget -------------------------------------------------------------------------------


def region_table(iso: str):
    return REGION_TABLES.get(iso)


def region_series(table) -> dict:
    return series(Line.objects.filter(table=table, key="2"))


def region_lines(table, month, *, section: str, depth: int) -> list[dict]:
    lines = Line.objects.filter(table=table, section=section, depth=depth)
    return [r for r in rows_of(lines, month) if any(r[p] for p in PHASES)]


def region_administrators(table, month) -> list[dict]:
    """Local administrators (kinds of office) summed over the function subgroups they spend under, phase by phase."""
    lines = Line.objects.filter(table=table, kind="administrator").select_related("administrator")
    rows = {}
    for row in rows_of(lines, month):
        admin = row["line"].administrator
        merged = rows.setdefault(
            row["line"].code, {"code": row["line"].code, "name": admin.name_ru if admin else row["name"], **dict.fromkeys(PHASES)}
        )
        for p in PHASES:
            if row[p] is not None:
                merged[p] = (merged[p] or Decimal(0)) + row[p]
    result = list(rows.values())
    for row in result:
        row["percent"] = percent(row["executed"], row["plan-to-date"])
    return [r for r in result if any(r[p] for p in PHASES)]


# --- search ------------------------------------------------------------------------------------------------

SEARCH_KINDS = ("programme", "subprogramme", "function_subgroup", "administrator")


def search_programmes(query: str, limit=100) -> list:
    """Programme, subprogramme, functional subgroup and administrator names containing every word of the query,
    case-insensitively in any script (compared in Python: SQLite folds the case of Latin letters only)."""
    words = [w.casefold() for w in query.split() if w.strip()]
    if not words:
        return []
    found = {}
    lines = Line.objects.filter(kind__in=["programme", "subprogramme", "administrator"], level="republican").select_related(
        "administrator__body"
    )
    for line in lines.order_by("table", "key"):
        name = line.name_ru.casefold().replace("ё", "е")
        if all(w.replace("ё", "е") in name for w in words):
            found.setdefault((line.kind, line.name_ru, line.administrator_id), line)
    return list(found.values())[:limit]


# --- the citizen's budget ----------------------------------------------------------------------------------


def citizens_budget(year: int) -> dict | None:
    """The republican budget of `year` in plain figures, all read from the report at the year's last month:
    revenue by category and borrowing (where the money comes from), spending by function (the ten biggest,
    and what each tenge spent goes to). Executed figures; the approved ones beside them."""
    table = "republican_budget_report"
    month = year_months(table).get(year)
    if month is None:
        return None
    lines = Line.objects.filter(table=table)
    revenue = rows_of(lines.filter(section="1", depth=1), month)
    borrowing = rows_of(lines.filter(section="7", depth=1, code="1"), month)
    spending = rows_of(lines.filter(section="2", depth=1), month)
    spending_total = total(table, month, key="2")
    revenue_total = total(table, month, key="1")
    executed_spending = spending_total.get("executed") or 0
    for row in spending:
        row["tiyn"] = float(row["executed"] or 0) / float(executed_spending) * 100 if executed_spending else None
    spending.sort(key=lambda r: -(r["executed"] or 0))
    return {
        "month": month,
        "revenue": revenue,
        "borrowing": borrowing[0] if borrowing else None,
        "revenue_total": revenue_total,
        "spending_total": spending_total,
        "spending": spending,
        "top": spending[:10],
        "taxes": next((r for r in revenue if r["code"] == "1"), None),
    }
