"""Every change to the budget figures: the import (a system job or an administrator), one transaction.

An import replaces the facts with those of the files read, records a `BudgetImport` (rows read, loaded,
refused with why, administrators that match no body, sums that do not reconcile) and publishes the facts as
a new version of the open-data resource with its Fiscal Data Package descriptor. The same files read again
change nothing.
"""

import calendar
import datetime as dt
import hashlib
import json
import logging
import time
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from ashyq.accounts.models import Role
from ashyq.bodies.models import Body
from ashyq.core.models import Region

from . import administrators, package, source
from .models import Administrator, BudgetImport, Fact, Line

log = logging.getLogger(__name__)

DATASET_SLUG = "kazakhstan-budget-execution"
PUBLISHER = "ministry-of-finance"
# Differences up to this many thousand tenge are rounding in the source (its amounts have three decimals).
TOLERANCE = Decimal(1)
BATCH = 5000


def _check(actor):
    # actor None is the system (import_budget, the demo loader), never a request.
    if actor is not None and getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may import the budget."))


def _digest(raw: dict[str, bytes], months) -> str:
    digest = hashlib.sha256()
    for table in sorted(raw):
        digest.update(table.encode() + b"\0" + hashlib.sha256(raw[table]).digest())
    digest.update(json.dumps(sorted(months or [])).encode())
    return digest.hexdigest()


def _additive(row) -> bool:
    """Sections whose lines add up to their total: flat tables, revenue, spending and investments."""
    classification = source.TABLES[row.table][2]
    return classification not in ("report",) or row.section in ("1", "2")


def reconcile(rows) -> list[dict]:
    """For each table, month, section and phase: the source's total against the sum of its leaves.
    Returns the differences larger than rounding (phases are compared one at a time, never added)."""
    totals, sums = {}, defaultdict(Decimal)
    for row in rows:
        if not _additive(row):
            continue
        section = row.key.split("/")[0]
        if row.is_total:
            totals[(row.table, row.month, section)] = row.amounts
        elif row.is_leaf:
            section = "total" if row.parent_key == "total" else section
            for phase, amount in row.amounts.items():
                sums[(row.table, row.month, section, phase)] += amount
    differences = []
    for (table, month, section), amounts in sorted(totals.items()):
        for phase, total in amounts.items():
            leaves = sums[(table, month, section, phase)]
            if abs(leaves - total) > TOLERANCE:
                differences.append(
                    {
                        "table": table,
                        "month": f"{month:%Y-%m}",
                        "section": section,
                        "phase": phase,
                        "total": str(total),
                        "leaves": str(leaves),
                        "difference": str(leaves - total),
                    }
                )
    return differences


def import_budget(actor=None, directory=None, months=None, *, publish=True) -> dict:
    """Reads every table found in `directory` (the shipped data by default), optionally only some months
    ("MM.YYYY"), and replaces the figures. Returns the report; {"unchanged": True} when nothing changed."""
    _check(actor)
    started = time.monotonic()
    parsed, raw = source.read_all(directory, set(months) if months else None)
    timings = {"read": round(time.monotonic() - started, 2)}
    digest = _digest(raw, months)
    last = BudgetImport.objects.first()
    if last and last.sha256 == digest and Fact.objects.exists():
        return {"unchanged": True, "rows_read": parsed.read, "rows_loaded": 0, "refused": [], "import": last.pk}
    with transaction.atomic():
        run = _replace(parsed, digest)
    if connection.vendor == "postgresql":
        # Fresh statistics for the planner: the tables were just replaced wholesale.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE budget_line, budget_fact, budget_administrator")
    timings["load"] = round(time.monotonic() - started - timings["read"], 2)
    warnings = []
    if publish:
        warnings = _publish(run)
        timings["publish"] = round(time.monotonic() - started - timings["read"] - timings["load"], 2)
    run.seconds = round(time.monotonic() - started, 2)
    run.save(update_fields=["seconds"])
    return {
        "unchanged": False,
        "import": run.pk,
        "rows_read": run.rows_read,
        "rows_loaded": run.rows_loaded,
        "refused": run.refused,
        "unmapped": run.unmapped,
        "reconciliation": run.reconciliation,
        "months": run.months,
        "seconds": run.seconds,
        "timings": timings,
        "tables": sorted(raw),
        "warnings": warnings,
    }


def _replace(parsed, digest) -> BudgetImport:
    # Raw deletes: the facts and lines are replaced wholesale, so nothing needs collecting row by row.
    Fact.objects.all()._raw_delete(Fact.objects.db)
    Line.objects.all()._raw_delete(Line.objects.db)
    admins = _administrators(parsed.rows)
    distinct = list({id(a): a for a in admins.values()}.values())
    unmatched = administrators.match(distinct)
    for admin in distinct:
        admin.save()
    Administrator.objects.exclude(pk__in=[a.pk for a in distinct]).delete()
    regions = {r.iso_code: r for r in Region.objects.all()}
    latest: dict[tuple, source.Row] = {}
    for row in parsed.rows:
        known = latest.get((row.table, row.key))
        if known is None or row.month > known.month:
            latest[(row.table, row.key)] = row
    lines: dict[tuple, Line] = {}
    # Parents before children, so each child finds its parent's id.
    for (table, key), row in sorted(latest.items(), key=lambda item: item[1].depth):
        level, region_iso = source.TABLES[table][:2]
        lines[(table, key)] = Line(
            table=table,
            key=key,
            depth=row.depth,
            code=row.code,
            name_ru=row.name[:1000],
            level=level,
            region=regions.get(region_iso),
            direction=row.direction,
            is_total=row.is_total,
            kind=row.kind,
            section=row.section[:200],
            function_group=row.function_group,
            function_subgroup=row.function_subgroup,
            administrator=admins.get(_admin_key(row)),
            programme=row.programme,
            subprogramme=row.subprogramme,
            economic_category=row.economic_category,
        )
    by_depth = defaultdict(list)
    for (table, key), line in lines.items():
        by_depth[line.depth].append((table, key, line))
    for depth in sorted(by_depth):
        for table, key, line in by_depth[depth]:
            parent_key = latest[(table, key)].parent_key
            line.parent = lines.get((table, parent_key)) if parent_key else None
        Line.objects.bulk_create([line for _, _, line in by_depth[depth]], batch_size=BATCH)
    facts = (
        (lines[(row.table, row.key)].pk, row.month, row.month.year, phase, amount, row.is_leaf and not row.is_total)
        for row in parsed.rows
        for phase, amount in row.amounts.items()
    )
    _insert_facts(facts)
    months = sorted({row.month for row in parsed.rows})
    return BudgetImport.objects.create(
        sha256=digest,
        months=[f"{m:%Y-%m}" for m in months],
        rows_read=parsed.read,
        rows_loaded=len(parsed.rows),
        refused=[{"table": r.table, "row": r.source_row, "reason": r.reason} for r in parsed.refused],
        unmapped=[{"code": a.code, "scope": a.scope, "name": a.name_ru} for a in unmatched if a.scope == "republican"],
        reconciliation=reconcile(parsed.rows),
    )


def _insert_facts(rows):
    """PostgreSQL: COPY (several times faster than INSERT for a quarter of a million rows); elsewhere bulk inserts."""
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy("COPY budget_fact (line_id, month, fiscal_year, phase, amount, is_leaf) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    batch = []
    for line_id, month, year, phase, amount, is_leaf in rows:
        batch.append(Fact(line_id=line_id, month=month, fiscal_year=year, phase=phase, amount=amount, is_leaf=is_leaf))
        if len(batch) >= BATCH:
            Fact.objects.bulk_create(batch)
            batch = []
    Fact.objects.bulk_create(batch)


def _admin_key(row):
    if not row.administrator:
        return None
    level = source.TABLES[row.table][0]
    return (level if level != "state" else "?", row.administrator)


def _administrators(rows) -> dict:
    """(scope, code) -> Administrator (existing rows updated, so their ids and links stay)."""
    names = {}
    republican_codes = set()
    for row in sorted(rows, key=lambda r: r.month):
        if not row.administrator:
            continue
        level = source.TABLES[row.table][0]
        if level == "republican":
            republican_codes.add(row.administrator)
        if level != "state" and row.kind == "administrator":
            names[(level, row.administrator)] = row.name
    for row in rows:
        # The state tables hold republican and local administrators together: a code is republican if the
        # republican tables know it.
        if row.kind == "administrator" and source.TABLES[row.table][0] == "state":
            scope = "republican" if row.administrator in republican_codes else "local"
            names.setdefault((scope, row.administrator), row.name)
    existing = {(a.scope, a.code): a for a in Administrator.objects.all()}
    result = {}
    for (scope, code), name in names.items():
        admin = existing.get((scope, code)) or Administrator(scope=scope, code=code)
        admin.name_ru = name[:500]
        result[(scope, code)] = admin
    for scope, code in list(result):
        if scope == "republican" or code not in republican_codes:
            result[("?", code)] = result[(scope, code)]
    return result


# --- open data -------------------------------------------------------------------------------------------


def _site(path: str) -> str:
    return settings.ASHYQ_SITE_URL.rstrip("/") + path


def _publish(run: BudgetImport) -> list[str]:
    """The facts CSV and its datapackage.json as new versions of the budget dataset's two resources. Returns what
    was not published and why: when a publisher withdrew the dataset, its facts resource or a version holding the
    same figures, nothing is published into it (the figures are imported all the same) and the import says so in
    its report, its command's output and the log, rather than stop (docs/operations.md)."""
    from ashyq.opendata import services as opendata
    from ashyq.opendata.models import Resource

    body = Body.objects.filter(slug=PUBLISHER).first()
    if body is None:
        return []
    data = facts_csv()
    refused = opendata.republishing_refused(DATASET_SLUG, package.FILE_NAME, data)
    if refused:
        return [_not_published(refused)]
    warnings = []
    first, last = run.months[0], run.months[-1]
    dataset = opendata.save_dataset(
        None,
        body,
        DATASET_SLUG,
        title_en="Budget execution of the Republic of Kazakhstan (monthly)",
        title_ru="Исполнение бюджета Республики Казахстан (ежемесячно)",
        title_kk="Қазақстан Республикасы бюджетінің атқарылуы (ай сайын)",
        description_en=(
            "Monthly execution of the republican, state and local budgets (Almaty, Astana, Almaty Region): "
            "approved, adjusted, plan to date, executed and commitments, by administrator, function, economic "
            "category, programme and subprogramme; thousand tenge, year to date. Phases are never added together. "
            "A Fiscal Data Package (datapackage.json) describes the table."
        ),
        description_ru=(
            "Ежемесячное исполнение республиканского, государственного и местных бюджетов (Алматы, Астана, "
            "Алматинская область): утверждено, уточнено, план на отчётную дату, исполнено и обязательства — по "
            "администраторам, функциям, экономической классификации, программам и подпрограммам; тыс. тенге, "
            "нарастающим итогом. Фазы никогда не складываются. Таблицу описывает Fiscal Data Package (datapackage.json)."
        ),
        description_kk=(
            "Республикалық, мемлекеттік және жергілікті бюджеттердің (Алматы, Астана, Алматы облысы) ай сайынғы "
            "атқарылуы: бекітілген, нақтыланған, есепті күнге дейінгі жоспар, атқарылған және міндеттемелер — "
            "әкімшілер, функциялар, экономикалық сыныптама, бағдарламалар мен кіші бағдарламалар бойынша; мың "
            "теңге, жыл басынан бері. Кезеңдер ешқашан қосылмайды. Кестені Fiscal Data Package (datapackage.json) сипаттайды."
        ),
        licence="other",
        frequency="monthly",
        spatial="Kazakhstan",
        tags=["budget", "fiscal-data-package"],
        temporal_start=dt.date(int(first[:4]), int(first[5:]), 1),
        temporal_end=_month_end(last),
        source=package.LICENCE_NOTE + " https://github.com/opengov-kz/budget-gov-kz",
        documentation_url="https://github.com/opengov-kz/budget-gov-kz",
    )
    resources = {r.name: r for r in dataset.resources.active()}
    facts_resource = resources.get(package.FILE_NAME) or opendata.add_resource(
        None,
        dataset,
        package.FILE_NAME,
        Resource.Format.CSV,
        description="One row per line and month; one column per phase (thousand tenge). Described by datapackage.json.",
    )
    # The descriptor is served by the budget app (views.datapackage) for each import, and listed as a link.
    descriptor_url = _site(reverse("budget:datapackage"))
    refused = "" if package.PACKAGE_FILE in resources else opendata.republishing_refused(DATASET_SLUG, package.PACKAGE_FILE)
    if refused:
        warnings.append(_not_published(refused))
    elif package.PACKAGE_FILE not in resources:
        opendata.add_resource(
            None,
            dataset,
            package.PACKAGE_FILE,
            Resource.Format.JSON,
            url=descriptor_url,
            description="Fiscal Data Package descriptor of budget-facts.csv: its Table Schema and fiscal model (measures by phase, dimensions).",
        )
    current = facts_resource.current_version
    if current is None or current.sha256 != hashlib.sha256(data).hexdigest():
        current = opendata.upload_version(None, facts_resource, data, package.FILE_NAME)
    url = _site(reverse("opendata:download", args=[dataset.slug, facts_resource.pk, current.number]))
    run.descriptor = package.descriptor(url, months=[_month(m) for m in run.months])
    run.facts_version = current
    run.save(update_fields=["facts_version", "descriptor"])
    return warnings


def _not_published(why: str) -> str:
    from ashyq.opendata import services as opendata

    return opendata.not_published(log, "budget import", f"{why}. The figures are imported and shown on the budget pages.")


def _month(text):
    return dt.date(int(text[:4]), int(text[5:]), 1)


def _month_end(text):
    year, month = int(text[:4]), int(text[5:])
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def facts_csv() -> bytes:
    lines = {line.pk: line for line in Line.objects.select_related("administrator__body", "parent")}
    grouped = defaultdict(dict)
    for line_id, month, phase, amount, is_leaf in Fact.objects.values_list(
        "line_id", "month", "phase", "amount", "is_leaf"
    ).iterator(chunk_size=20000):
        grouped[(line_id, month)][phase] = (amount, is_leaf)
    return package.facts_csv(lines, grouped)
