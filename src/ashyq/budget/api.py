"""Read-only budget API at /api/v1/budget/ (docs/api.md): the facts filtered by any dimension, and aggregates by
any dimension and phase whose totals reconcile with the source's own totals.

Amounts are thousand tenge, year to date: a month's figure runs from January, so figures of different months are
never added (aggregates are for one month, or by month). Phases are never added: every sum is per phase.
"""

from decimal import Decimal

from django.db.models import Count, Sum
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from ashyq.core.api_auth import PublicRateThrottle

from . import source
from .models import Administrator, Direction, Fact, Line, Phase

router = Router(tags=["budget"])
THROTTLE = [PublicRateThrottle("600/m")]
DIMENSIONS = [
    "direction",
    "function_group",
    "function_subgroup",
    "administrator",
    "programme",
    "subprogramme",
    "economic_category",
    "level",
    "region",
    "section",
]
GROUPINGS = [*DIMENSIONS, "month", "line"]
MAX_LIMIT = 1000


class Filters(Schema):
    table: str | None = None
    month: str | None = None
    phase: Phase | None = None
    direction: Direction | None = None
    function_group: str | None = None
    function_subgroup: str | None = None
    administrator: str | None = None
    programme: str | None = None
    subprogramme: str | None = None
    economic_category: str | None = None
    level: str | None = None
    region: str | None = None
    leaves_only: bool = False


class TableOut(Schema):
    table: str
    title: str
    level: str
    region: str
    classification: str
    months: list[str]


class FactOut(Schema):
    table: str
    line_key: str
    code: str
    name_ru: str
    kind: str
    month: str
    phase: str
    amount: str
    is_leaf: bool
    is_total: bool
    direction: str
    function_group: str
    function_subgroup: str
    administrator: str
    body: str | None
    programme: str
    subprogramme: str
    economic_category: str
    level: str
    region: str | None


class FactsOut(Schema):
    unit: str
    count: int
    limit: int
    offset: int
    results: list[FactOut]


class AggregateRow(Schema):
    key: str
    name: str
    phase: str
    amount: str
    lines: int


class TotalRow(Schema):
    section: str
    phase: str
    leaves: str
    source_total: str
    difference: str
    reconciles: bool


class AggregatesOut(Schema):
    unit: str
    table: str
    month: str | None
    by: str
    rows: list[AggregateRow]
    totals: list[TotalRow]


def _month(text):
    import datetime as dt

    try:
        year, month = text.split("-")
        return dt.date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise HttpError(400, "month must be YYYY-MM") from None


def _filtered(filters: Filters, *, month_required=False):
    facts = Fact.objects.all()
    if filters.table:
        if filters.table not in source.TABLES:
            raise HttpError(400, f"unknown table; one of: {', '.join(source.TABLES)}")
        facts = facts.filter(line__table=filters.table)
    if filters.month:
        facts = facts.filter(month=_month(filters.month))
    if filters.phase:
        facts = facts.filter(phase=filters.phase)
    if filters.leaves_only:
        facts = facts.filter(is_leaf=True)
    for name in ("direction", "function_group", "function_subgroup", "programme", "subprogramme", "economic_category", "level"):
        value = getattr(filters, name)
        if value:
            facts = facts.filter(**{f"line__{name}": value})
    if filters.administrator:
        facts = facts.filter(line__administrator__code=filters.administrator)
    if filters.region:
        facts = facts.filter(line__region__iso_code=filters.region)
    return facts


@router.get(
    "/budget/tables", response=list[TableOut], auth=None, throttle=THROTTLE, summary="The budget's source tables and their months"
)
def tables(request):
    months = {}
    for table, month in Fact.objects.filter(line__is_total=True, phase="executed").values_list("line__table", "month").distinct():
        months.setdefault(table, set()).add(month)
    return [
        TableOut(
            table=t,
            title=title,
            level=level,
            region=region,
            classification=kind,
            months=[f"{m:%Y-%m}" for m in sorted(months.get(t, ()))],
        )
        for t, (level, region, kind, title) in source.TABLES.items()
        if t in months
    ]


@router.get("/budget/facts", response=FactsOut, auth=None, throttle=THROTTLE, summary="Budget facts filtered by any dimension")
def facts(request, filters: Query[Filters], limit: int = 100, offset: int = 0):
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise HttpError(400, f"limit is 1 to {MAX_LIMIT}, offset 0 or more")
    found = (
        _filtered(filters)
        .select_related("line__administrator__body", "line__region")
        .order_by("line__table", "month", "line__key", "phase")
    )
    count = found.count()
    results = []
    # Past the last row the page is empty without asking the database (an offset past 64 bits is a 500 there).
    for fact in found[offset : offset + limit] if offset < count else ():
        line = fact.line
        admin = line.administrator
        results.append(
            FactOut(
                table=line.table,
                line_key=line.key,
                code=line.code,
                name_ru=line.name_ru,
                kind=line.kind,
                month=f"{fact.month:%Y-%m}",
                phase=fact.phase,
                amount=str(fact.amount),
                is_leaf=fact.is_leaf,
                is_total=line.is_total,
                direction=line.direction,
                function_group=line.function_group,
                function_subgroup=line.function_subgroup,
                administrator=admin.code if admin else "",
                body=admin.body.slug if admin and admin.body_id else None,
                programme=line.programme,
                subprogramme=line.subprogramme,
                economic_category=line.economic_category,
                level=line.level,
                region=line.region.iso_code if line.region_id else None,
            )
        )
    return FactsOut(unit="thousand tenge", count=count, limit=limit, offset=offset, results=results)


def _names(table, by, keys) -> dict:
    if by == "administrator":
        scope = "local" if source.TABLES[table][0] == "local" else None
        admins = Administrator.objects.filter(code__in=keys)
        if scope:
            admins = admins.filter(scope=scope)
        return dict(admins.order_by("-scope").values_list("code", "name_ru"))
    if by in ("function_group", "function_subgroup", "programme", "subprogramme", "economic_category"):
        return dict(Line.objects.filter(table=table, kind=by, **{f"{by}__in": keys}).values_list(by, "name_ru"))
    if by == "line":
        return dict(Line.objects.filter(table=table, key__in=keys).values_list("key", "name_ru"))
    return {}


@router.get(
    "/budget/aggregates",
    response=AggregatesOut,
    auth=None,
    throttle=THROTTLE,
    summary="Sums of the leaves of one table by any dimension, per phase, with the source's totals beside them",
)
def aggregates(request, filters: Query[Filters], by: str = "function_group"):
    """One table, one month (the latest unless `month`), or every month when `by=month`. The leaves are summed so
    no figure counts twice; `totals` compares their sum with the source's own total of each section, per phase."""
    if by not in GROUPINGS:
        raise HttpError(400, f"by is one of: {', '.join(GROUPINGS)}")
    if not filters.table:
        raise HttpError(400, "table is required: figures of different tables overlap (see /budget/tables)")
    if filters.table not in source.TABLES:
        raise HttpError(400, f"unknown table; one of: {', '.join(source.TABLES)}")
    if by != "month" and not filters.month:
        latest = (
            Fact.objects.filter(line__table=filters.table, line__is_total=True)
            .order_by("-month")
            .values_list("month", flat=True)
            .first()
        )
        if latest is None:
            raise HttpError(404, "no figures for this table")
        filters.month = f"{latest:%Y-%m}"
    facts = _filtered(filters).filter(is_leaf=True)
    if not filters.direction:
        # Lending, financial assets, the deficit and balances are balances, not sums: only when asked for.
        facts = facts.exclude(line__direction=Direction.OTHER)
    column = {
        "month": "month",
        "administrator": "line__administrator__code",
        "region": "line__region__iso_code",
        "line": "line__key",
    }.get(by, f"line__{by}")
    grouped = facts.values(column, "phase").annotate(amount=Sum("amount"), lines=Count("id")).order_by(column, "phase")
    keys = {row[column] for row in grouped if row[column] is not None}
    names = _names(filters.table, by, keys)
    rows = []
    for row in grouped:
        key = row[column]
        key = f"{key:%Y-%m}" if by == "month" else (key or "")
        # Plain dicts: the response schema validates them once; building a Schema per row validated every row twice
        # and was most of the request's time for a table of a few hundred rows.
        rows.append(
            {"key": key, "name": names.get(key, ""), "phase": row["phase"], "amount": str(row["amount"]), "lines": row["lines"]}
        )
    return {
        "unit": "thousand tenge",
        "table": filters.table,
        "month": filters.month if by != "month" else None,
        "by": by,
        "rows": rows,
        "totals": _totals(filters, facts),
    }


def _totals(filters, leaves) -> list[dict]:
    """Per section and phase: the leaves (under the same filters) against the source's total. Only meaningful without
    dimension filters; with them, the leaves are a part and `reconciles` says nothing about the source."""
    totals = Fact.objects.filter(line__table=filters.table, line__is_total=True)
    if filters.month:
        totals = totals.filter(month=_month(filters.month))
    if filters.phase:
        totals = totals.filter(phase=filters.phase)
    by_section = {}
    for key, direction, phase, _in_month, amount in totals.values_list(
        "line__key", "line__direction", "phase", "month", "amount"
    ):
        if direction == "other":
            continue  # balances (lending less repayments, the deficit): not sums of their lines
        by_section.setdefault((key, phase), Decimal(0))
        by_section[(key, phase)] += amount if filters.month else 0
    if not filters.month:
        return []
    # Flat tables have one section ("total", lines without a section); a tree table's section is its root's code.
    sums = {
        (section or "total", phase): amount
        for section, phase, amount in leaves.order_by()
        .values_list("line__section", "phase")
        .annotate(s=Sum("amount"))
        .values_list("line__section", "phase", "s")
    }
    rows = []
    for (section, phase), total in sorted(by_section.items()):
        leaves_sum = sums.get((section, phase), Decimal(0))
        rows.append(
            {
                "section": section,
                "phase": phase,
                "leaves": str(leaves_sum),
                "source_total": str(total),
                "difference": str(leaves_sum - total),
                "reconciles": abs(leaves_sum - total) <= Decimal(1),
            }
        )
    return rows
