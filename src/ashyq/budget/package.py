"""The open-data form of the budget: a wide CSV of the facts (one row per line and month, one column per phase)
and its Fiscal Data Package descriptor (datapackage.json with the Table Schema and the fiscal `model`: measures
with their phase and currency, dimensions with their classification)."""

import io

from ashyq.core import csv_safe

from .source import KATO, PHASES, TABLES

RESOURCE_NAME = "budget-facts"
FILE_NAME = "budget-facts.csv"
PACKAGE_FILE = "datapackage.json"
LICENCE_NOTE = (
    "Figures: the open-budget portal's monthly execution reports as exported by opengov-kz/budget-gov-kz "
    "(MIT licence, Copyright (c) 2025 opengov.kz)."
)

COLUMNS = [
    ("table", "string", "The source table (the portal's report and classification)"),
    ("level", "string", "republican, state (republican and local) or local"),
    ("region_iso", "string", "ISO 3166-2:KZ code of the region of a local budget"),
    ("region_kato", "string", "KATO code of the region of a local budget"),
    ("month", "string", "Month of report (YYYY-MM); amounts are from January to the end of that month"),
    ("fiscal_year", "integer", "Fiscal year"),
    ("direction", "string", "revenue, expenditure or other (lending, financial assets, deficit and its financing, balances)"),
    ("line_key", "string", "The line's codes from the root of its table down, separated by /"),
    ("parent_key", "string", "The key of the line this one is part of"),
    ("code", "string", "Classification code of the line"),
    ("name_ru", "string", "Name of the line as the source gives it (Russian)"),
    ("is_total", "boolean", "The source's own total (Итого, or the head of a section)"),
    ("is_leaf", "boolean", "The line has no sub-lines in this month: leaves add up to the totals"),
    ("function_group", "string", "Functional group"),
    ("function_subgroup", "string", "Functional subgroup (group.subgroup)"),
    ("administrator_code", "string", "Budget administrator code"),
    ("administrator_name", "string", "Budget administrator name (Russian)"),
    ("body", "string", "The Ashyq body that is this administrator (its slug), where it is one"),
    ("programme", "string", "Budget programme (administrator.programme)"),
    ("subprogramme", "string", "Budget subprogramme (administrator.programme.subprogramme)"),
    ("economic_category", "string", "Economic classification category"),
] + [(phase.replace("-", "_"), "number", f"Amount, {phase} (thousand tenge)") for phase in PHASES]


def facts_csv(lines, facts_by_line_month) -> bytes:
    """lines: {line_id: Line}; facts_by_line_month: {(line_id, month): {phase: (amount, is_leaf)}}."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\n")
    writer.writerow([name for name, _, _ in COLUMNS])
    for (line_id, month), phases in sorted(
        facts_by_line_month.items(), key=lambda item: (lines[item[0][0]].table, item[0][1], lines[item[0][0]].key)
    ):
        line = lines[line_id]
        admin = line.administrator
        region = TABLES[line.table][1]
        is_leaf = any(leaf for _, leaf in phases.values())
        writer.writerow(
            [
                line.table,
                line.level,
                region,
                KATO.get(region, ""),
                f"{month:%Y-%m}",
                month.year,
                line.direction,
                line.key,
                line.parent.key if line.parent_id else "",
                line.code,
                line.name_ru,
                str(line.is_total).lower(),
                str(is_leaf).lower(),
                line.function_group,
                line.function_subgroup,
                admin.code if admin else "",
                admin.name_ru if admin else "",
                admin.body.slug if admin and admin.body_id else "",
                line.programme,
                line.subprogramme,
                line.economic_category,
                *[_number(phases.get(phase, (None, None))[0]) for phase in PHASES],
            ]
        )
    return out.getvalue().encode("utf-8")


def _number(value) -> str:
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def descriptor(path: str, *, title="Budget execution of the Republic of Kazakhstan", months=()) -> dict:
    """The Fiscal Data Package descriptor; `path` is where the facts CSV is (a URL when published)."""
    fields = [{"name": name, "type": type_, "description": description} for name, type_, description in COLUMNS]
    measures = {
        phase.replace("-", "_"): {
            "source": phase.replace("-", "_"),
            "currency": "KZT",
            "factor": 1000,
            "phase": phase,
            "direction": "expenditure-and-revenue (see the direction dimension)",
        }
        for phase in PHASES
    }
    dimensions = {
        "date": {
            "dimensionType": "datetime",
            "primaryKey": ["month"],
            "attributes": {"month": {"source": "month"}, "fiscal_year": {"source": "fiscal_year"}},
        },
        "source-table": {
            "dimensionType": "other",
            "primaryKey": ["table", "line_key"],
            "attributes": {
                "table": {"source": "table"},
                "line_key": {"source": "line_key"},
                "parent_key": {"source": "parent_key"},
                "code": {"source": "code"},
                "name": {"source": "name_ru"},
                "is_total": {"source": "is_total"},
                "is_leaf": {"source": "is_leaf"},
            },
        },
        "direction": {
            "dimensionType": "classification",
            "classificationType": "direction",
            "primaryKey": ["direction"],
            "attributes": {"direction": {"source": "direction"}},
        },
        "administrative-classification": {
            "dimensionType": "classification",
            "classificationType": "administrative",
            "primaryKey": ["administrator_code"],
            "attributes": {
                "administrator_code": {"source": "administrator_code"},
                "administrator_name": {"source": "administrator_name", "labelfor": "administrator_code"},
                "body": {"source": "body"},
            },
        },
        "programme": {
            "dimensionType": "classification",
            "classificationType": "activity",
            "primaryKey": ["programme", "subprogramme"],
            "attributes": {"programme": {"source": "programme"}, "subprogramme": {"source": "subprogramme"}},
        },
        "functional-classification": {
            "dimensionType": "classification",
            "classificationType": "functional",
            "primaryKey": ["function_group", "function_subgroup"],
            "attributes": {"function_group": {"source": "function_group"}, "function_subgroup": {"source": "function_subgroup"}},
        },
        "economic-classification": {
            "dimensionType": "classification",
            "classificationType": "economic",
            "primaryKey": ["economic_category"],
            "attributes": {"economic_category": {"source": "economic_category"}},
        },
        "location": {
            "dimensionType": "location",
            "primaryKey": ["level", "region_iso"],
            "attributes": {
                "level": {"source": "level"},
                "region_iso": {"source": "region_iso"},
                "region_kato": {"source": "region_kato"},
            },
        },
    }
    return {
        "name": "kz-budget-execution",
        "title": title,
        "description": (
            "Monthly execution of Kazakhstan's republican, state and local budgets (year to date, thousand "
            "tenge). Approved, adjusted, plan to date, executed and commitments are phases: never add them."
        ),
        "countryCode": "KZ",
        "granularity": "aggregated",
        "fiscalPeriod": {
            "start": f"{min(months):%Y-%m-%d}" if months else "",
            "end": f"{max(months):%Y-%m-%d}" if months else "",
        },
        "licenses": [{"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}],
        "sources": [
            {
                "title": "opengov-kz/budget-gov-kz (export of budget.egov.kz)",
                "path": "https://github.com/opengov-kz/budget-gov-kz",
            }
        ],
        "contributors": [{"title": "opengov.kz", "role": "author"}],
        "resources": [
            {
                "name": RESOURCE_NAME,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {"fields": fields},
            }
        ],
        "model": {"measures": measures, "dimensions": dimensions},
    }
