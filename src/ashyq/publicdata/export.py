"""Open data: every published appeal and its events, and the assessment's figures (counts per body and
month, and per region and month, over all appeals), as CSV and JSON, with a Frictionless Data Package
descriptor (datapackage.json), under the CC BY 4.0 licence.

What is in it is the public record and the facts needed to assess bodies (terms kept, redirects,
extensions, outcomes, the applicants' verdicts), and each published appeal's route: its stays at bodies as the
dialogue keeps them (dialogue.AppealStay), which is also where the appeals' redirect chains come from. What is never in it: the original subject, text and
answer, applicants' names, emails and accounts (only the pseudonym code, and not even that when the
applicant chose to be named on the page: the code would then unmask their other appeals), officials'
names, the reasons and comments written on the record, attachments, and any appeal that is not
published (private, awaiting moderation, refused or hidden).

`write_export()` writes the files into settings.ASHYQ_EXPORT_DIR (default VAR_DIR/exports), each
replaced atomically, the descriptor last. `manage.py export_public_data` runs it (daily, from cron or a
systemd timer: docs/operations.md); the open-data page serves the latest files.
"""

import contextlib
import datetime as dt
import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from ashyq.analysis.models import AppealAnalysis, Handling
from ashyq.assessment import final_state, scoring
from ashyq.assessment.models import BodyMonthFigures, RegionMonthFigures
from ashyq.bodies.models import Body
from ashyq.core import clock, csv_safe, pagecache
from ashyq.core.models import Region
from ashyq.dialogue import selectors, transparency, verify_record
from ashyq.dialogue.models import AppealEvent, AppealStay, EventKind, RecordLeaf

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
CHAIN_SEPARATOR = "|"

# (name, Frictionless type, description): the descriptions are marked for translation (the open-data page
# shows them in the reader's language) but stay English in datapackage.json, whose schema is read by programs.
# Values as they appear in the files are in `backticks`: the page shows them as code, the same in every language.
APPEAL_FIELDS = [
    ("number", "string", gettext_noop("Registration number of the appeal (YYYY-NNNNNN); unique.")),
    ("type", "string", gettext_noop("`application`, `complaint`, `report`, `feedback`, `proposal` or `request`.")),
    ("subject", "string", gettext_noop("Subject of the appeal as published after moderation (redacted; never the original).")),
    ("text", "string", gettext_noop("Text of the appeal as published after moderation (redacted; never the original).")),
    (
        "applicant_alias",
        "string",
        gettext_noop(
            "The applicant's pseudonym code, the same on all their public appeals. Empty when the applicant chose to be named on the page."
        ),
    ),
    ("addressed_body", "string", gettext_noop("Slug of the body the applicant wrote to (see /api/v1/bodies).")),
    (
        "redirect_chain",
        "string",
        gettext_noop(
            "Slugs of the bodies the appeal went through, first addressee first and current body last; separated by '|' in CSV, a list in JSON."
        ),
    ),
    ("body", "string", gettext_noop("Slug of the body now responsible (after redirects).")),
    ("region", "string", gettext_noop("ISO 3166-2:KZ code of the region the appeal concerns.")),
    ("registered_at", "datetime", gettext_noop("When the appeal was registered (ISO 8601, Kazakhstan time).")),
    (
        "received_on",
        "date",
        gettext_noop("Day the current body received it: registration, or arrival by redirect; its term counts from here."),
    ),
    ("due_on", "date", gettext_noop("Day the answer is due (after extensions).")),
    ("status", "string", gettext_noop("`registered`, `in_progress`, `answered` or `withdrawn`.")),
    (
        "outcome",
        "string",
        gettext_noop("`resolved`, `explained`, `refused` or `left_without_consideration`; empty if not answered."),
    ),
    ("answered_at", "datetime", gettext_noop("When the answer was given; empty if not answered.")),
    ("answered_on_time", "boolean", gettext_noop("Whether the answer came by the due date; empty if not answered.")),
    ("answer_text", "string", gettext_noop("The answer as published after moderation; empty until published.")),
    ("extensions", "integer", gettext_noop("How many times the term was extended.")),
    (
        "feedback_resolution",
        "string",
        gettext_noop("The applicant's verdict on the answer: `yes`, `partly` or `no`; empty if none."),
    ),
    ("feedback_rating", "integer", gettext_noop("The applicant's satisfaction from 1 to 5; empty if none.")),
    (
        "complaint_about",
        "string",
        gettext_noop(
            "For a complaint about an answer: the number of the appeal complained about, if that appeal is published too; else empty."
        ),
    ),
    ("published_at", "datetime", gettext_noop("When moderation published the appeal.")),
]
EVENT_FIELDS = [
    ("appeal", "string", gettext_noop("Number of the appeal (appeals.number).")),
    ("seq", "integer", gettext_noop("Position of the event in the appeal's record, from 1.")),
    (
        "kind",
        "string",
        gettext_noop(
            "`registered`, `executor_assigned`, `redirected`, `extended`, `answered`, `feedback`, `complained`, `withdrawn`, "
            "`published`, `answer_published`, `hidden`, `restored`, ..."
        ),
    ),
    ("at", "datetime", gettext_noop("When it happened (ISO 8601, Kazakhstan time).")),
    (
        "from_body",
        "string",
        gettext_noop("Slug of the body the appeal left (redirects, withdrawals, complaints); empty otherwise."),
    ),
    ("to_body", "string", gettext_noop("Slug of the body the appeal went to or that acted; empty otherwise.")),
    (
        "chain_hash",
        "string",
        gettext_noop("SHA-256 of the event's full content and the previous event's hash (the appeal's hash chain)."),
    ),
    (
        "leaf_index",
        "integer",
        gettext_noop(
            "The event's place in the Merkle tree of the whole record (merkle_leaves.csv); empty until the next checkpoint."
        ),
    ),
]
# Each published appeal's route as the dialogue keeps it (dialogue.AppealStay): one row per stay at a body, the unit
# the assessment judges. Not whether the applicant is on the body's staff (a fact about a person).
STAY_FIELDS = [
    ("appeal", "string", gettext_noop("Number of the appeal (appeals.number).")),
    (
        "seq",
        "integer",
        gettext_noop(
            "Position of the stay in the appeal's route: 1 at the body the applicant wrote to, then one more for each redirect."
        ),
    ),
    ("body", "string", gettext_noop("Slug of the body that held the appeal during this stay.")),
    ("addressed", "boolean", gettext_noop("Whether this body is the one the applicant wrote to.")),
    (
        "received_at",
        "datetime",
        gettext_noop(
            "When the body received the appeal: its registration, or the redirect that brought it (ISO 8601, Kazakhstan time)."
        ),
    ),
    (
        "received_on",
        "date",
        gettext_noop(
            "Day the body received it: its term counts from here, and the assessment counts the stay in this day's month."
        ),
    ),
    (
        "due_on",
        "date",
        gettext_noop(
            "Day this body's answer was due, after its extensions; for a stay that ended in a redirect, as it stood then."
        ),
    ),
    ("ended_at", "datetime", gettext_noop("When the stay ended; empty while the body holds the appeal.")),
    (
        "ending",
        "string",
        gettext_noop(
            "How the stay ended: `redirected` (to the body of the next stay), `answered` or `withdrawn`; empty while the body holds the appeal."
        ),
    ),
    (
        "outcome",
        "string",
        gettext_noop(
            "For the stay that ended with the answer: `resolved`, `explained`, `refused` or `left_without_consideration`; else empty."
        ),
    ),
    (
        "answered_on_time",
        "boolean",
        gettext_noop("For the stay that ended with the answer: whether it came by the due date; else empty."),
    ),
    (
        "extended",
        "boolean",
        gettext_noop("For the stay that ended with the answer: whether this body extended the term before answering."),
    ),
]
# Every event of the record (private appeals included) as a leaf of one Merkle tree, in order: the appeal and
# seq only for published appeals (and for events deleted behind the application's back, to name them).
LEAF_FIELDS = [
    ("index", "integer", "Position in the tree, from 0."),
    ("leaf_hash", "string", "SHA-256(0x00 || the event's leaf), hex (checkpoints.json says what the leaf is)."),
    ("appeal", "string", "Number of the appeal, for published appeals; empty otherwise."),
    ("seq", "integer", "The event's position in that appeal's record; empty when the appeal is not published."),
]
# The assessment's figures over ALL appeals (private ones included), as counts only: no appeal numbers,
# texts, names or accounts. Every published score is a function of these rows (assessment/recompute.py).
BODY_MONTH_FIELDS = [
    ("body", "string", "Slug of the body (see /api/v1/bodies)."),
    ("month", "date", "First day of the month in which the body received the appeals (the cohort month)."),
    ("received", "integer", "Appeals the body received that month: registrations to it plus arrivals by redirect."),
    ("redirected_away", "integer", "Of those, appeals the body redirected to another body."),
    (
        "ping_pong",
        "integer",
        "Of those redirected away, appeals redirected twice or more in all (incl. back to a body they left).",
    ),
    ("answered", "integer", "Appeals of this cohort the body answered."),
    ("on_time", "integer", "Of those answered, answered by the due date (extensions included)."),
    ("resolved", "integer", "Answers with outcome 'resolved' (measures taken)."),
    ("explained", "integer", "Answers with outcome 'explained'."),
    ("refused", "integer", "Answers with outcome 'refused'."),
    ("left_without_consideration", "integer", "Answers with outcome 'left without consideration'."),
    ("extensions", "integer", "Extensions of the term the body decided in this month (filed under the month of the extension)."),
    ("feedback", "integer", "Answers the applicant gave a verdict on."),
    ("feedback_yes", "integer", "Verdicts 'resolved'."),
    ("feedback_partly", "integer", "Verdicts 'partly resolved'."),
    ("feedback_no", "integer", "Verdicts 'not resolved'."),
    ("rating_sum", "integer", "Sum of the applicants' satisfaction ratings (1-5) over the verdicts."),
    ("repeats", "integer", "Answers after which the same applicant wrote to the same body again within 90 days."),
    ("complaints", "integer", "Answers the applicant complained about to the higher body."),
    ("datasets", "integer", "Open data: the body's datasets that existed at the month's end (not about appeals)."),
    ("datasets_updated", "integer", "Of those, datasets that received a valid new version in the month."),
    ("quality_sum", "integer", "Sum of those datasets' quality scores (0-100 each, the published checklist at the month's end)."),
    (
        "legal_comments",
        "integer",
        "Open Legal Acts: published comments on the body's drafts whose developer's report fell due "
        "this month (or was published early; not about appeals).",
    ),
    ("legal_comments_answered", "integer", "Of those, comments the body answered with a decision and a reason."),
    *(
        (f"final_{state}", "integer", f"Stays of this cohort in the final state '{state}' (docs/assessment.md, 'Final states').")
        for state in final_state.FINAL_STATES
    ),
    ("final_timely", "integer", "Of the answered stays that count for the body, answered on time without an extension."),
    ("final_timely_extended", "integer", "Of those, answered on time thanks to an extension."),
    (
        "days_to_answer",
        "object",
        'Histogram of working days (Kazakhstan\'s calendar) from receipt to answer: {"days": answers}; JSON text in CSV.',
    ),
    (
        "open_due",
        "object",
        'Appeals of this cohort still open at the body, by due date: {"YYYY-MM-DD": appeals}; JSON text in CSV. '
        "Overdue on a day = those due before it.",
    ),
    (
        "redirect_pending",
        "object",
        'Stays of this cohort the body ended by a redirect not judged yet, by the receiver\'s due date: {"YYYY-MM-DD": stays}; '
        "JSON text in CSV. Those due before a day count as unjustified redirects on that day.",
    ),
    ("overdue", "integer", "Appeals of this cohort open past their due date on the day of the export (from open_due)."),
]
REGION_MONTH_FIELDS = [
    ("region", "string", "ISO 3166-2:KZ code of the region the appeals concern."),
    ("month", "date", "First day of the month in which the appeals were registered."),
    ("registered", "integer", "Appeals registered that month about the region."),
    ("answered", "integer", "Of those, appeals answered so far."),
    ("resolved", "integer", "Of those, answers with outcome 'resolved'."),
]
# The content analysis (analysis/reports.py) over ALL appeals, private ones included, as counts per body, month
# and ONE dimension at a time (cause, sector, region, language, handling, redirect target): every figure of the
# /analysis/ pages is a sum of these rows. Never a cross-tabulation of several dimensions, which at scale comes
# close to one row per appeal and would let someone who knows one fact of a private appeal (its region and
# month) learn the others (its cause, how it was handled).
ANALYSIS_DIMENSIONS = ("cause", "sector", "region", "language", "handling", "redirected_to")
ANALYSIS_MONTH_FIELDS = [
    ("body", "string", "Slug of the body that held the appeals (an appeal passing through several bodies has a row at each)."),
    ("month", "date", "First day of the month in which that body received the appeals (registration or arrival by redirect)."),
    (
        "final",
        "boolean",
        "Whether this body holds the appeals now or answered them; summing only final rows counts each appeal once.",
    ),
    (
        "dimension",
        "string",
        "What the row counts by: " + ", ".join(ANALYSIS_DIMENSIONS) + " (redirected_to: only appeals this body redirected).",
    ),
    (
        "value",
        "string",
        (
            "The value of that dimension: a cause slug (the study's categories, /analysis/), a sector (topic slug of the "
            "bodies registry), an ISO 3166-2:KZ region code, a language (kk, kk-latn, ru, en, mixed, und), a handling "
            "(merits, investigation, redirected, refused, left_without_consideration, pending, withdrawn) or the slug "
            "of the body appeals were redirected to; empty for cause or sector: not classified."
        ),
    ),
    ("count", "integer", "Number of appeals."),
    (
        "confirmed",
        "integer",
        "For cause and sector: of those, appeals whose value a person set or confirmed (else a model suggested it).",
    ),
]
REGION_FIELDS = [
    ("region", "string", "ISO 3166-2:KZ code."),
    ("name", "string", "Name of the region (English)."),
    ("population", "integer", "Inhabitants (official estimate), for figures per 100,000; empty if unknown."),
]
FILES = {
    "appeals.csv": {"media_type": "text/csv; charset=utf-8", "resource": "appeals", "format": "csv"},
    "appeals.json": {"media_type": "application/json", "resource": "appeals-json", "format": "json"},
    "events.csv": {"media_type": "text/csv; charset=utf-8", "resource": "events", "format": "csv"},
    "events.json": {"media_type": "application/json", "resource": "events-json", "format": "json"},
    "stays.csv": {"media_type": "text/csv; charset=utf-8", "resource": "stays", "format": "csv"},
    "stays.json": {"media_type": "application/json", "resource": "stays-json", "format": "json"},
    "body_month_figures.csv": {"media_type": "text/csv; charset=utf-8", "resource": "body-month-figures", "format": "csv"},
    "body_month_figures.json": {"media_type": "application/json", "resource": "body-month-figures-json", "format": "json"},
    "region_month_figures.csv": {"media_type": "text/csv; charset=utf-8", "resource": "region-month-figures", "format": "csv"},
    "region_month_figures.json": {"media_type": "application/json", "resource": "region-month-figures-json", "format": "json"},
    "analysis_month_figures.csv": {
        "media_type": "text/csv; charset=utf-8",
        "resource": "analysis-month-figures",
        "format": "csv",
    },
    "analysis_month_figures.json": {
        "media_type": "application/json",
        "resource": "analysis-month-figures-json",
        "format": "json",
    },
    "regions.csv": {"media_type": "text/csv; charset=utf-8", "resource": "regions", "format": "csv"},
    "regions.json": {"media_type": "application/json", "resource": "regions-json", "format": "json"},
    "merkle_leaves.csv": {"media_type": "text/csv; charset=utf-8", "resource": "merkle-leaves", "format": "csv"},
    "checkpoints.json": {"media_type": "application/json", "resource": "checkpoints", "format": "json"},
    "verify_record.py": {"media_type": "text/x-python; charset=utf-8", "resource": None, "format": "py"},
    "datapackage.json": {"media_type": "application/json", "resource": None, "format": "json"},
}


def export_dir() -> Path:
    return Path(getattr(settings, "ASHYQ_EXPORT_DIR", None) or Path(settings.VAR_DIR) / "exports")


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _route_facts(public_ids):
    """Per appeal: the bodies of its stays in order (the route the dialogue keeps, never re-derived from the
    events), and how many extensions; one pass over each table."""
    chains, extensions = {}, {}
    stays = (
        AppealStay.objects.filter(appeal__in=public_ids)
        .order_by("appeal_id", "seq")
        .values_list("appeal_id", "body__slug")
        .iterator(chunk_size=5000)
    )
    for appeal_id, body in stays:
        chains.setdefault(appeal_id, []).append(body)
    rows = (
        AppealEvent.objects.filter(appeal__in=public_ids, kind=EventKind.EXTENDED)
        .order_by()
        .values_list("appeal_id", flat=True)
        .iterator(chunk_size=5000)
    )
    for appeal_id in rows:
        extensions[appeal_id] = extensions.get(appeal_id, 0) + 1
    return chains, extensions


def appeal_rows():
    """One dict per published appeal, in registration order, with only the fields of APPEAL_FIELDS."""
    public = selectors.public_appeals()
    chains, extensions = _route_facts(public.values("pk"))
    qs = public.select_related("answer", "feedback", "complaint_about").order_by("id")
    for a in qs.iterator(chunk_size=2000):
        answer = getattr(a, "answer", None)
        feedback = getattr(a, "feedback", None)
        about = a.complaint_about
        yield {
            "number": a.number,
            "type": a.type,
            "subject": a.public_subject,
            "text": a.public_text,
            "applicant_alias": None if a.show_name else a.applicant.public_alias,
            "addressed_body": a.addressed_body.slug,
            "redirect_chain": chains.get(a.pk) or [a.addressed_body.slug],
            "body": a.body.slug,
            "region": a.region.iso_code,
            "registered_at": _iso(a.registered_at),
            "received_on": _iso(a.received_on),
            "due_on": _iso(a.due_on),
            "status": a.status,
            "outcome": answer.outcome if answer else None,
            "answered_at": _iso(answer.answered_at) if answer else None,
            "answered_on_time": answer.answered_on_time if answer else None,
            "answer_text": answer.public_text if answer and answer.published_at else None,
            "extensions": extensions.get(a.pk, 0),
            "feedback_resolution": feedback.resolution if feedback else None,
            "feedback_rating": feedback.rating if feedback else None,
            "complaint_about": about.number if about and about.is_published else None,
            "published_at": _iso(a.published_at),
        }


def event_rows():
    """The events of published appeals: when, what, between which bodies. No actors, reasons or data."""
    rows = (
        AppealEvent.objects.filter(appeal__in=selectors.public_appeals().values("pk"))
        .order_by("appeal_id", "seq")
        .values_list("appeal__number", "seq", "kind", "at", "from_body__slug", "to_body__slug", "hash", "leaf__index")
        .iterator(chunk_size=5000)
    )
    for number, seq, kind, at, from_body, to_body, chain, leaf in rows:
        yield {
            "appeal": number,
            "seq": seq,
            "kind": kind,
            "at": _iso(at),
            "from_body": from_body,
            "to_body": to_body,
            "chain_hash": chain,
            "leaf_index": leaf,
        }


def stay_rows():
    """The stays of published appeals (dialogue.AppealStay), in order: bodies, days, due dates, endings, outcomes."""
    rows = (
        AppealStay.objects.filter(appeal__in=selectors.public_appeals().values("pk"))
        .order_by("appeal_id", "seq")
        .values_list(
            "appeal__number",
            "seq",
            "body__slug",
            "addressed",
            "received_at",
            "received_on",
            "due_on",
            "ended_at",
            "ending",
            "outcome",
            "answered_on_time",
            "extended",
        )
        .iterator(chunk_size=5000)
    )
    for number, seq, body, addressed, received_at, received_on, due_on, ended_at, ending, outcome, on_time, extended in rows:
        answered = ending == "answered"
        yield {
            "appeal": number,
            "seq": seq,
            "body": body,
            "addressed": addressed,
            "received_at": _iso(received_at),
            "received_on": _iso(received_on),
            "due_on": _iso(due_on),
            "ended_at": _iso(ended_at),
            "ending": ending or None,
            "outcome": outcome or None,
            "answered_on_time": on_time if answered else None,
            "extended": extended if answered else None,
        }


def leaf_rows():
    """The tree's leaves in order (transparency.py). Which appeal a leaf belongs to is said only for published
    appeals, and for events no longer in the database (removed behind the application's back: naming them is
    the point)."""
    public = selectors.public_appeals().filter(pk=OuterRef("appeal_id"))
    rows = (
        RecordLeaf.objects.order_by("index")
        .annotate(public=Exists(public), present=Exists(AppealEvent.objects.filter(pk=OuterRef("event_id"))))
        .values_list("index", "leaf_hash", "appeal_number", "seq", "public", "present")
        .iterator(chunk_size=5000)
    )
    for index, leaf, number, seq, public, present in rows:
        named = public or not present
        yield {"index": index, "leaf_hash": leaf, "appeal": number if named else None, "seq": seq if named else None}


def figure_rows(as_of: dt.date):
    """The assessment's stored figures per body and month (what the site scores from), counts only."""
    rows = BodyMonthFigures.objects.select_related("body").order_by("body__slug", "month")
    for r in rows.iterator(chunk_size=2000):
        counts = {f: getattr(r, f) for f in scoring.COUNT_FIELDS}
        yield {
            "body": r.body.slug,
            "month": r.month.isoformat(),
            **counts,
            "days_to_answer": dict(sorted(r.days_to_answer.items(), key=lambda kv: int(kv[0]))),
            "open_due": dict(sorted(r.open_due.items())),
            "redirect_pending": dict(sorted(r.redirect_pending.items())),
            "overdue": scoring.overdue({"open_due": r.open_due}, as_of),
        }


def region_figure_rows():
    for r in RegionMonthFigures.objects.select_related("region").order_by("region__iso_code", "month").iterator(chunk_size=2000):
        yield {
            "region": r.region.iso_code,
            "month": r.month.isoformat(),
            "registered": r.registered,
            "answered": r.answered,
            "resolved": r.resolved,
        }


def analysis_figure_rows():
    """Per body, month and final flag, the counts along each dimension: one GROUP BY per dimension in the
    database, ids turned into slugs from two small tables."""
    slugs = {"body": dict(Body.objects.values_list("pk", "slug")), "region": dict(Region.objects.values_list("pk", "iso_code"))}
    slugs["redirected_to"] = slugs["body"]
    for dimension in ANALYSIS_DIMENSIONS:
        rows = AppealAnalysis.objects.order_by()
        if dimension == "redirected_to":
            rows = rows.filter(handling=Handling.REDIRECTED)
        confirmed = Count("id", filter=Q(**{f"{dimension}_confirmed": True})) if dimension in ("cause", "sector") else None
        grouped = rows.values("body", "month", "final", dimension).annotate(
            count=Count("id"), **({"confirmed": confirmed} if confirmed is not None else {})
        )
        for g in grouped.order_by("body", "month", "final", dimension).iterator(chunk_size=5000):
            value = g[dimension]
            if dimension in slugs:
                value = slugs[dimension].get(value) if value else None
            yield {
                "body": slugs["body"][g["body"]],
                "month": g["month"].isoformat(),
                "final": g["final"],
                "dimension": dimension,
                "value": value if value is not None else "",
                "count": g["count"],
                "confirmed": g.get("confirmed"),
            }


def region_rows():
    """Every region in the order the site lists them (ties in the regional table keep this order)."""
    for r in Region.objects.all():
        yield {"region": r.iso_code, "name": r.name_en, "population": r.population}


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return CHAIN_SEPARATOR.join(value)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return value


def _write_csv(directory: Path, stem: str, fields, rows) -> int:
    """A table as CSV only (the tree's leaves: one row per event of the record, too many to repeat as JSON)."""
    count = 0
    with (directory / f"{stem}.csv").open("w", newline="", encoding="utf-8") as c:
        writer = csv_safe.writer(c)
        writer.writerow([f[0] for f in fields])
        for row in rows:
            writer.writerow([_csv_value(row[f[0]]) for f in fields])
            count += 1
    return count


def _write_table(directory: Path, stem: str, fields, rows) -> int:
    names = [f[0] for f in fields]
    count = 0
    with (
        (directory / f"{stem}.csv").open("w", newline="", encoding="utf-8") as c,
        (directory / f"{stem}.json").open("w", encoding="utf-8") as j,
    ):
        writer = csv_safe.writer(c)
        writer.writerow(names)
        j.write("[")
        for row in rows:
            writer.writerow([_csv_value(row[n]) for n in names])
            j.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
            count += 1
        j.write("\n]\n")
    return count


def _schema(fields) -> list[dict]:
    out = []
    for name, type_, description in fields:
        field = {"name": name, "type": type_, "description": description}
        if type_ == "boolean":
            field.update(trueValues=["true"], falseValues=["false"])
        out.append(field)
    return out


def datapackage(created: str, counts: dict) -> dict:
    site = settings.ASHYQ_SITE_URL.rstrip("/")
    appeals_schema = {"fields": _schema(APPEAL_FIELDS), "primaryKey": ["number"], "missingValues": [""]}
    events_schema = {
        "fields": _schema(EVENT_FIELDS),
        "primaryKey": ["appeal", "seq"],
        "missingValues": [""],
        "foreignKeys": [{"fields": ["appeal"], "reference": {"resource": "appeals", "fields": ["number"]}}],
    }
    csv_dialect = {"delimiter": ",", "header": True, "quoteChar": '"', "doubleQuote": True}
    return {
        # A data package (not tabular-data-package): the JSON copies beside the CSV tables are not tables.
        "profile": "data-package",
        "name": "ashyq-public-appeals",
        "title": "Ashyq: published appeals to the heads of state bodies of Kazakhstan",
        "description": (
            "Every appeal published on Ashyq (moderated, redacted public copies) with the facts needed to assess how bodies "
            "handle appeals, and the events of each appeal's record. No personal data: applicants appear at most as a "
            "pseudonym code, officials not at all; original texts, reasons and comments are not included. Updated daily."
        ),
        "homepage": f"{site}/open-data/appeals/",
        "created": created,
        # The day 'overdue' (appeals open past their due date) is counted on: the export's local date.
        "as_of": created[:10],
        "licenses": [LICENCE],
        "sources": [{"title": "Ashyq", "path": site}],
        "resources": [
            {
                "name": "appeals",
                "path": "appeals.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": appeals_schema,
                "description": f"{counts['appeals']} published appeals, one row each.",
            },
            {
                "name": "events",
                "path": "events.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": events_schema,
                "description": f"{counts['events']} events of the published appeals, in order.",
            },
            {
                "name": "stays",
                "path": "stays.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {
                    "fields": _schema(STAY_FIELDS),
                    "primaryKey": ["appeal", "seq"],
                    "missingValues": [""],
                    "foreignKeys": [{"fields": ["appeal"], "reference": {"resource": "appeals", "fields": ["number"]}}],
                },
                "description": (
                    f"{counts['stays']} stays of the published appeals at bodies, in order: the route as the site keeps "
                    "it with each step (who held the appeal, from when to when, its due date, how it left). The "
                    "assessment judges each stay (docs/assessment.md); ashyq/assessment/recompute.py reads this file."
                ),
            },
            {
                "name": "appeals-json",
                "path": "appeals.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The appeals table as a JSON array of objects (redirect_chain is a list).",
            },
            {
                "name": "events-json",
                "path": "events.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The events table as a JSON array of objects.",
            },
            {
                "name": "stays-json",
                "path": "stays.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The stays table as a JSON array of objects.",
            },
            {
                "name": "body-month-figures",
                "path": "body_month_figures.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {"fields": _schema(BODY_MONTH_FIELDS), "primaryKey": ["body", "month"], "missingValues": [""]},
                "description": (
                    f"{counts['body_months']} rows: the assessment's counts per body and month over ALL appeals "
                    "(private ones included, as counts only). Every published score is computed from these "
                    "sums (docs/assessment.md; ashyq/assessment/recompute.py). 'overdue' is as of as_of."
                ),
            },
            {
                "name": "region-month-figures",
                "path": "region_month_figures.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {
                    "fields": _schema(REGION_MONTH_FIELDS),
                    "primaryKey": ["region", "month"],
                    "missingValues": [""],
                    "foreignKeys": [{"fields": ["region"], "reference": {"resource": "regions", "fields": ["region"]}}],
                },
                "description": f"{counts['region_months']} rows: appeals per region and month of registration, over ALL appeals.",
            },
            {
                "name": "analysis-month-figures",
                "path": "analysis_month_figures.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                # No primaryKey: cause, sector and redirected_to are empty on many rows, and keys may not be. No
                # foreign key either: 'value' is a region code only on the rows whose dimension is region.
                "schema": {"fields": _schema(ANALYSIS_MONTH_FIELDS), "missingValues": [""]},
                "description": (
                    f"{counts['analysis_rows']} rows: the content analysis over ALL appeals (private ones included, as "
                    "counts only), per body, month, region, language, cause, sector and handling. Every figure of "
                    "the /analysis/ pages is a sum of these counts (docs/api.md)."
                ),
            },
            {
                "name": "regions",
                "path": "regions.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {"fields": _schema(REGION_FIELDS), "primaryKey": ["region"], "missingValues": [""]},
                "description": "The regions and their population, for figures per 100,000 inhabitants.",
            },
            {
                "name": "body-month-figures-json",
                "path": "body_month_figures.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The body-month figures as a JSON array of objects (histograms as objects).",
            },
            {
                "name": "region-month-figures-json",
                "path": "region_month_figures.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The region-month figures as a JSON array.",
            },
            {
                "name": "analysis-month-figures-json",
                "path": "analysis_month_figures.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The analysis figures as a JSON array of objects.",
            },
            {
                "name": "regions-json",
                "path": "regions.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": "The regions as a JSON array.",
            },
            {
                "name": "merkle-leaves",
                "path": "merkle_leaves.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": csv_dialect,
                "schema": {"fields": _schema(LEAF_FIELDS), "primaryKey": ["index"], "missingValues": [""]},
                "description": (
                    f"{counts['leaves']} leaves: every event of the record, private appeals included, in the "
                    "order of the Merkle tree the checkpoints sign (docs/operations.md, verify_record.py)."
                ),
            },
            {
                "name": "checkpoints",
                "path": "checkpoints.json",
                "format": "json",
                "mediatype": "application/json",
                "encoding": "utf-8",
                "description": (
                    "The signed checkpoints of the record (tree size, root, time, Ed25519 "
                    "signature, consistency proof from the previous one) and the public key."
                ),
            },
        ],
    }


@contextlib.contextmanager
def export_lock(directory: Path):
    """One writer of the export directory at a time: a full export, or an appeal's removal (withdrawal.py)."""
    directory.mkdir(parents=True, exist_ok=True)
    # Beside the directory, not in it: the directory holds the published files and nothing else.
    with (directory.parent / f".{directory.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_export(out_dir: Path | None = None) -> dict:
    """Write all files into `out_dir` (default export_dir()); readers never see a half-written file."""
    out_dir = Path(out_dir or export_dir())
    with export_lock(out_dir):
        result = _write_export(out_dir)
    # The open-data page names the latest export: a cached copy would say none was made, or an older one. Here and
    # not in each caller, because the first download makes an export on demand too.
    pagecache.bump(pagecache.RECORD)
    return result


def _write_export(out_dir: Path) -> dict:
    created = timezone.localtime(clock.now()).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".export-") as tmp:
        tmp = Path(tmp)
        counts = {
            "appeals": _write_table(tmp, "appeals", APPEAL_FIELDS, appeal_rows()),
            "events": _write_table(tmp, "events", EVENT_FIELDS, event_rows()),
            "stays": _write_table(tmp, "stays", STAY_FIELDS, stay_rows()),
            "body_months": _write_table(
                tmp, "body_month_figures", BODY_MONTH_FIELDS, figure_rows(dt.date.fromisoformat(created[:10]))
            ),
            "region_months": _write_table(tmp, "region_month_figures", REGION_MONTH_FIELDS, region_figure_rows()),
            "analysis_rows": _write_table(tmp, "analysis_month_figures", ANALYSIS_MONTH_FIELDS, analysis_figure_rows()),
            "regions": _write_table(tmp, "regions", REGION_FIELDS, region_rows()),
            "leaves": _write_csv(tmp, "merkle_leaves", LEAF_FIELDS, leaf_rows()),
        }
        (tmp / "checkpoints.json").write_text(
            json.dumps(transparency.published_checkpoints(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        # The standalone verifier travels with the data it checks.
        shutil.copyfile(Path(verify_record.__file__), tmp / "verify_record.py")
        (tmp / "datapackage.json").write_text(
            json.dumps(datapackage(created, counts), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for name in FILES:  # the descriptor last: once it is new, the data it describes is too
            os.replace(tmp / name, out_dir / name)
    return {"created": created, "directory": str(out_dir), **counts}


def latest_export() -> dict | None:
    """When the latest export was made and how big its files are; None if there is none yet."""
    directory = export_dir()
    try:
        package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sizes = {name: (directory / name).stat().st_size for name in FILES if (directory / name).exists()}
    return {"created": package.get("created"), "sizes": sizes}


def latest_file(name: str) -> Path:
    """The path of the latest `name`, exporting now if no complete export exists yet."""
    directory = export_dir()
    if not all((directory / n).exists() for n in FILES):
        write_export(directory)
    return directory / name
