"""The registers as CSV, for the open-data catalogue (the demo publishes them as datasets, so DCAT lists them)."""

import io

from ashyq.core import csv_safe

from . import selectors

ACT_FIELDS = [
    "code",
    "act_type",
    "title_ru",
    "title_kk",
    "number",
    "adopted_on",
    "issuer_ru",
    "registration_number",
    "registered_on",
    "status",
    "source_url",
]
AGREEMENT_FIELDS = [
    "slug",
    "kind",
    "title_en",
    "title_ru",
    "parties",
    "signed_on",
    "signed_year",
    "status",
    "text_published",
    "source",
    "source_authors",
    "source_title",
    "source_journal",
    "source_issue",
    "source_year",
    "source_locator",
    "citation",
    "fact",
]


def _csv(fields, rows) -> bytes:
    out = io.StringIO()
    writer = csv_safe.writer(out)
    writer.writerow(fields)
    for row in rows:
        writer.writerow(["" if row.get(k) is None else row.get(k) for k in fields])
    return out.getvalue().encode("utf-8")


def acts_csv() -> bytes:
    return _csv(ACT_FIELDS, ({f: getattr(a, f) for f in ACT_FIELDS} for a in selectors.acts().order_by("code")))


CSV_SOURCE_COLUMNS = {"publication": "source", "citation": "citation"}


def citation_fields(c, lang: str = "en") -> dict:
    """A citation's publication (from the register of sources) as plain fields, for the CSV and the API."""
    pub = c.source
    return {
        "publication": c.publication,
        "authors": pub._in(pub.authors, lang),
        "title": pub._in(pub.title, lang),
        "journal": pub.journal,
        "issue": pub.issue,
        "year": pub.year,
        "locator": c.locator,
        "citation": c.cite(lang),
    }


def agreements_csv() -> bytes:
    """One row per fact: an agreement with three cited facts has three rows, each with its source."""

    def rows():
        for a in selectors.agreements().order_by("slug"):
            for c in a.citations.all():
                yield {
                    "slug": a.slug,
                    "kind": a.kind,
                    "title_en": a.title_en,
                    "title_ru": a.title_ru,
                    "parties": a.parties,
                    "signed_on": a.signed_on,
                    "signed_year": a.signed_year,
                    "status": a.status,
                    "text_published": bool(a.full_text),
                    **{CSV_SOURCE_COLUMNS.get(k, f"source_{k}"): v for k, v in citation_fields(c).items()},
                    "fact": c.fact,
                }

    return _csv(AGREEMENT_FIELDS, rows())
