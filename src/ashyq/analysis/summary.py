"""The monthly summary of the analysis rows (models.MonthlyCount): what the report pages and downloads read.

A report counts rows of AppealAnalysis by month and by one dimension at a time (cause, sector, handling,
language, region, where redirects went). MonthlyCount keeps those counts per month, body and channel, so a
report reads a few thousand summary rows whatever the number of appeals:

- body_id = a body: every row of that body (a body's report, the comparison);
- body_id = ALL_BODIES (0): each appeal once, on its final row (the all-bodies report); its "redirect" counts are
  the redirects made by any body (rows that are not final too), as the all-bodies report has always counted them.

The summary is kept in the same transaction as the rows change (refresh.py): the appeal's old rows' counts come
out, the new rows' go in (`apply()`), so an event costs O(1) in the size of the data, and a summary row that falls
to zero is removed. `rebuild()` recomputes it from the rows in one set-based statement (after a bulk load, or if
`audit()` finds a difference); `audit()` compares it with a fresh aggregation of the rows in one statement, so one
snapshot of both. Both are `manage.py analysis_summary --audit/--rebuild`.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connections, router, transaction

from .models import AppealAnalysis, Handling, MonthlyCount

ALL_BODIES = 0
REDIRECTED = Handling.REDIRECTED.value

# The dimensions a summary row counts by, and the row column (or expression, in SQL) each reads its value from.
# Ids are kept as text so one column holds every dimension's value ("" where a redirect has no next body).
DIMENSIONS = ("cause", "sector", "handling", "language", "region")
REDIRECT = "redirect"

# What apply() reads of a row (an AppealAnalysis or a tuple in this order).
ROW_FIELDS = (
    "body_id",
    "month",
    "channel",
    "cause",
    "cause_confirmed",
    "sector",
    "sector_confirmed",
    "handling",
    "language",
    "region_id",
    "redirected_to_id",
    "final",
)
KEY_COLUMNS = ("body_id", "month", "channel", "dimension", "value")
COUNT_COLUMNS = ("n", "cause_confirmed", "sector_confirmed")


def row_tuple(row: AppealAnalysis) -> tuple:
    return tuple(getattr(row, f) for f in ROW_FIELDS)


def contribution(rows: Iterable[tuple]) -> dict[tuple, list[int]]:
    """{(body_id, month, channel, dimension, value): [n, cause_confirmed, sector_confirmed]} of these rows."""
    out: dict[tuple, list[int]] = {}

    def add(key, counts):
        slot = out.get(key)
        if slot is None:
            out[key] = list(counts)
        else:
            slot[0] += counts[0]
            slot[1] += counts[1]
            slot[2] += counts[2]

    for body_id, month, channel, cause, cc, sector, sc, handling, language, region_id, redirected_to_id, final in rows:
        counts = (1, int(cc), int(sc))
        values = (cause, sector, handling, language, str(region_id))
        scopes = (body_id, ALL_BODIES) if final else (body_id,)
        for scope in scopes:
            for dimension, value in zip(DIMENSIONS, values):
                add((scope, month, channel, dimension, value), counts)
        if handling == REDIRECTED:
            target = "" if redirected_to_id is None else str(redirected_to_id)
            # A redirect counts for the body that made it and, for all bodies, whichever row it is on.
            add((body_id, month, channel, REDIRECT, target), counts)
            add((ALL_BODIES, month, channel, REDIRECT, target), counts)
    return out


def difference(old: Iterable[tuple], new: Iterable[tuple]) -> dict[tuple, list[int]]:
    """The change to the summary when rows `old` are replaced by rows `new` (keys whose counts do not move are left out)."""
    delta = contribution(new)
    for key, (n, cc, sc) in contribution(old).items():
        slot = delta.setdefault(key, [0, 0, 0])
        slot[0] -= n
        slot[1] -= cc
        slot[2] -= sc
    return {key: counts for key, counts in delta.items() if any(counts)}


def _table(model) -> str:
    return connections[router.db_for_write(model)].ops.quote_name(model._meta.db_table)


def apply(old: Iterable[tuple], new: Iterable[tuple], using: str | None = None) -> dict[tuple, list[int]]:
    """Add the change from rows `old` to rows `new` to the summary. The caller holds the transaction in which the rows
    themselves change (refresh.py). Summary rows are upserted in key order, so two workers touching the same months
    never wait on each other in a cycle; a row whose count falls to zero is removed. Returns the change applied."""
    delta = difference(old, new)
    if not delta:
        return delta
    using = using or router.db_for_write(MonthlyCount)
    connection = connections[using]
    table = connection.ops.quote_name(MonthlyCount._meta.db_table)
    keys = sorted(delta, key=lambda k: (k[0], k[1], k[2], k[3], k[4]))
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(keys))
    params = []
    for key in keys:
        params += [*key, *delta[key]]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNT_COLUMNS)
    sql = (
        f"INSERT INTO {table} ({', '.join(KEY_COLUMNS + COUNT_COLUMNS)}) VALUES {placeholders} "
        f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates} RETURNING id, n"
    )
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(sql, params)
        emptied = [pk for pk, n in cursor.fetchall() if n == 0]
        if emptied:
            MonthlyCount.objects.using(using).filter(pk__in=emptied, n=0).delete()
    return delta


def _fresh_sql(rows_table: str) -> str:
    """SELECT of every summary row, aggregated afresh from the analysis rows (the same columns as KEY_COLUMNS +
    COUNT_COLUMNS). One GROUP BY per dimension and scope, so it reads the same on SQLite and PostgreSQL."""
    values = {
        "cause": "cause",
        "sector": "sector",
        "handling": "handling",
        "language": "language",
        "region": "CAST(region_id AS TEXT)",
        REDIRECT: "COALESCE(CAST(redirected_to_id AS TEXT), '')",
    }
    counts = "COUNT(*), SUM(CASE WHEN cause_confirmed THEN 1 ELSE 0 END), SUM(CASE WHEN sector_confirmed THEN 1 ELSE 0 END)"
    parts = []
    for dimension, value in values.items():
        where = f" WHERE handling = '{REDIRECTED}'" if dimension == REDIRECT else ""
        parts.append(
            f"SELECT body_id, month, channel, '{dimension}', {value}, {counts} FROM {rows_table}{where} "
            f"GROUP BY body_id, month, channel, {value}"
        )
        where = where or " WHERE final"
        parts.append(
            f"SELECT {ALL_BODIES}, month, channel, '{dimension}', {value}, {counts} FROM {rows_table}{where} "
            f"GROUP BY month, channel, {value}"
        )
    return " UNION ALL ".join(parts)


def rebuild(using: str | None = None, rows_model=AppealAnalysis, summary_model=MonthlyCount) -> int:
    """Replace the summary with a fresh aggregation of the rows, in one transaction; returns the number of summary
    rows. On PostgreSQL the summary is locked against writers first (they wait, then apply their change on top), so
    a worker's change is counted exactly once whether it commits before or after. (The migration that creates the
    table passes its historical models.)"""
    using = using or router.db_for_write(summary_model)
    connection = connections[using]
    table = connection.ops.quote_name(summary_model._meta.db_table)
    rows_table = connection.ops.quote_name(rows_model._meta.db_table)
    columns = ", ".join(KEY_COLUMNS + COUNT_COLUMNS)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {table}")
        cursor.execute(f"INSERT INTO {table} ({columns}) {_fresh_sql(rows_table)}")
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def audit(using: str | None = None, limit: int = 20) -> dict:
    """Compare the summary with a fresh aggregation of the rows, in one statement (one snapshot of both). Returns
    {"differences": how many summary keys are missing, extra or counted differently, "examples": up to `limit` of them as
    (side, key..., counts...) where side says which holds that row: "rows" (the fresh aggregation) or "summary"}."""
    using = using or router.db_for_write(MonthlyCount)
    connection = connections[using]
    table = connection.ops.quote_name(MonthlyCount._meta.db_table)
    # A subquery: EXCEPT binds as tightly as UNION ALL, left to right.
    fresh = f"SELECT * FROM ({_fresh_sql(connection.ops.quote_name(AppealAnalysis._meta.db_table))}) f"
    columns = ", ".join(KEY_COLUMNS + COUNT_COLUMNS)
    stored = f"SELECT {columns} FROM {table}"
    sql = f"SELECT 'rows', d.* FROM ({fresh} EXCEPT {stored}) d UNION ALL SELECT 'summary', e.* FROM ({stored} EXCEPT {fresh}) e"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = cursor.fetchall()
    # SQLite gives the month back as text: as a date, so that examples read the same on both databases.
    found = [(r[0], r[1], r[2] if isinstance(r[2], dt.date) else dt.date.fromisoformat(r[2]), *r[3:]) for r in found]
    found.sort(key=lambda r: tuple(str(v) for v in r[1:6]) + (r[0],))
    return {"differences": len({r[1:6] for r in found}), "examples": found[:limit]}
