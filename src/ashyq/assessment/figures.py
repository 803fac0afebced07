"""The database path: additive counts per body and month by aggregate SQL, and the tables they fill.

`compute_counts()` runs a handful of GROUP BY queries (no loop over appeals in Python) and returns
{(body_id, month): counts}; `recompute_all()` rebuilds everything (`manage.py recompute_scores`, the audit of
the per-event changes of contributions.py). The stays are read from the route the dialogue keeps
(dialogue.AppealStay), grouped by what their final state depends on; final_state.py judges each group.

Definitions (docs/assessment.md):
- A body *receives* an appeal when it is registered to it or arrives there by redirect; the month of
  that day is the cohort month every count of that stay is filed under.
- A stay ends *redirected away* when the body sends the appeal on; it is *ping-pong* when that appeal
  was redirected more than once in all (twice, or back to a body it left).
- Answers, their outcome, term, working days, the applicant's feedback, repeats and complaints are
  filed under the answering body and the month it received the appeal (Appeal.received_on).
- A *repeat*: the same applicant writes to the same body within 90 days (config: repeat_window_days) after its
  answer: the answered stay's next_appeal_at (the dialogue records when the applicant next wrote to that body)
  within the window of its end (the answer's moment).
- Extensions are filed under the body and the month of the extension.
- Open data: for every month from a dataset's creation to the current one, the publishing body's row counts
  the dataset, whether a valid version of it was uploaded in the month, and its quality score (0-100) at
  the month's end (now, for the current month): compute_dataset_counts().
- Open Legal Acts: the published comments on a body's drafts are filed under the month the developer's report
  fell due, once it is due or published (withdrawn drafts need no report), with those answered by a decision
  and a reason: compute_legal_comment_counts().
"""

import datetime as dt
import logging
import zoneinfo
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Count,
    Max,
    Min,
    Prefetch,
    Q,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ashyq.core import calendar, clock
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, AppealStay, EventKind, Feedback, Outcome, Resolution, Status
from ashyq.legalacts.models import Comment, CommentStatus, Stage
from ashyq.opendata import quality
from ashyq.opendata.models import Dataset, Resource, ResourceVersion

from . import config, final_state, scoring
from .models import BodyMonthFigures, RegionMonthFigures, WorkingDay

log = logging.getLogger("ashyq.assessment")
EPOCH = dt.date(2015, 1, 1)
RESOLUTIONS = (Resolution.YES, Resolution.PARTLY, Resolution.NO)


def _raw_month(value) -> dt.date:
    """A month start as a raw cursor returns it: a string on SQLite, a (naive local or UTC) datetime on PostgreSQL."""
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def _within(qs, body_field: str, date_field: str, body_ids=None, start: dt.date | None = None, end: dt.date | None = None):
    """The rows of these bodies (all when None) whose date falls in [start, end) (open ends when None)."""
    if body_ids is not None:
        qs = qs.filter(**{f"{body_field}__in": body_ids})
    if start:
        qs = qs.filter(**{f"{date_field}__gte": start})
    if end:
        qs = qs.filter(**{f"{date_field}__lt": end})
    return qs


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), _tz())


# --- working days in SQL ---------------------------------------------------------------------------------


def ensure_calendar(first: dt.date, last: dt.date, country: str | None = None):
    """Make sure WorkingDay rows cover [first, last]; ordinals count working days from EPOCH."""
    country = country or config.get()["calendar_country"]
    have = WorkingDay.objects.filter(country=country).aggregate(lo=Min("day"), hi=Max("day"))
    lo, hi = have["lo"], have["hi"]
    if lo is not None and lo <= first and hi >= last:
        return
    first, last = min(first, lo or first, EPOCH), max(last, hi or last)
    existing = set(WorkingDay.objects.filter(country=country, day__gte=first, day__lte=last).values_list("day", flat=True))
    rows, day = [], EPOCH
    ordinal = 0
    # Forward from EPOCH: ordinal(d) = working days in (EPOCH, d].
    while day <= last:
        if day > EPOCH and calendar.is_working_day(day, country):
            ordinal += 1
        if day >= first and day not in existing:
            rows.append(WorkingDay(country=country, day=day, ordinal=ordinal))
        day += dt.timedelta(days=1)
    # Backward from EPOCH: ordinal(d) = -(working days in (d, EPOCH]).
    day, ordinal = EPOCH, 0
    while day > first:
        if calendar.is_working_day(day, country):
            ordinal -= 1
        day -= dt.timedelta(days=1)
        if day not in existing:
            rows.append(WorkingDay(country=country, day=day, ordinal=ordinal))
    WorkingDay.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _data_span() -> tuple[dt.date, dt.date] | None:
    span = Appeal.objects.aggregate(lo=Min("registered_at"), hi=Max("updated_at"))
    if span["lo"] is None:
        return None
    hi = max(timezone.localtime(span["hi"]).date(), clock.today())
    return timezone.localtime(span["lo"]).date() - dt.timedelta(days=7), hi + dt.timedelta(days=370)


# --- the aggregate queries -------------------------------------------------------------------------------


def _complaints_sql() -> str:
    """Each appeal complained about, once (a complaint is one appeal about one answer): whether the higher body
    upheld it (answered 'resolved': measures taken). Complaints are few: a small hash joined to the stays."""
    appeal, answer = Appeal._meta.db_table, Answer._meta.db_table
    return (
        f"SELECT c.complaint_about_id AS about, CASE WHEN ca.outcome = 'resolved' THEN 1 ELSE 0 END AS upheld "
        f"FROM {appeal} c LEFT JOIN {answer} ca ON ca.appeal_id = c.id WHERE c.complaint_about_id IS NOT NULL"
    )


def compute_counts(
    body_ids=None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    extra_queries: dict | None = None,
    out_extra: dict | None = None,
) -> dict:
    """{(body_id, month): counts} for the given bodies (all if None) and cohort months in [start, end)."""
    tz = _tz()
    out: dict = {}

    def wanted(body_id, month):
        return (body_ids is None or body_id in body_ids) and (not start or month >= start) and (not end or month < end)

    seen: dict = {}  # (body, month as the row gave it) -> its counts: the rows are many (10^5), the months few

    def slot(body_id, month):
        c = seen.get((body_id, month))
        if c is None:
            key = (body_id, _month(_raw_month(month)))
            c = seen[(body_id, month)] = out.setdefault(key, scoring.empty_counts()) if key not in out else out[key]
        return c

    # The stays (dialogue.AppealStay, one narrow row per stay, kept by the dialogue with each step): every
    # count but the repeats, the extensions and the regions is an aggregate of this one table, joined only with
    # what followed a stay (the next stay, the applicant's verdict, a complaint upheld), so the recomputation
    # still judges each stay by what became of the appeal (docs/benchmarks.md).
    stay_table, feedback_table = AppealStay._meta.db_table, Feedback._meta.db_table
    where, params = ["1 = 1"], []
    if body_ids is not None:
        where.append("s.body_id IN (" + ", ".join(["%s"] * len(body_ids)) + ")")
        params += list(body_ids)
    if start:
        where.append("s.received_on >= %s")
        params.append(start)
    if end:
        where.append("s.received_on < %s")
        params.append(end)
    within = " AND ".join(where)
    # 1. Every stay is received; the one the body still holds is open (kept by its due date); withdrawn.
    queries = {
        "received": (
            f"SELECT s.body_id, s.month, CASE WHEN s.ending = '' THEN s.due_on END, COUNT(*), "
            "SUM(CASE WHEN s.ending = '' THEN 1 ELSE 0 END), SUM(CASE WHEN s.ending = 'withdrawn' THEN 1 ELSE 0 END) "
            f"FROM {stay_table} s WHERE {within} "
            "GROUP BY s.body_id, s.month, CASE WHEN s.ending = '' THEN s.due_on END",
            list(params),
        )
    }
    # 2. Each stay ended by redirect, judged by what followed (final_state.redirect_state, applied below to each
    # group of stays alike): whether the next stay is the last (no bounce back or onward) and how it ended, the
    # answer's outcome there, the applicant's verdict, a complaint upheld; the receiver's due date while it holds
    # the appeal. The appeal was redirected twice or more (ping-pong) when this stay is not the first or the
    # next one also ended by redirect.
    queries["stays"] = (
        "SELECT s.body_id, s.month, CASE WHEN s.seq >= 2 OR n.ending = 'redirected' THEN 1 ELSE 0 END, n.ending, "
        "n.outcome, f.resolution, k.upheld, CASE WHEN n.ending = '' THEN n.due_on END, COUNT(*) "
        f"FROM {stay_table} s JOIN {stay_table} n ON n.appeal_id = s.appeal_id AND n.seq = s.seq + 1 "
        f"LEFT JOIN {feedback_table} f ON f.appeal_id = s.appeal_id "
        f"LEFT JOIN ({_complaints_sql()}) k ON k.about = s.appeal_id "
        f"WHERE s.ending = 'redirected' AND {within} "
        "GROUP BY s.body_id, s.month, CASE WHEN s.seq >= 2 OR n.ending = 'redirected' THEN 1 ELSE 0 END, n.ending, "
        "n.outcome, f.resolution, k.upheld, CASE WHEN n.ending = '' THEN n.due_on END",
        list(params),
    )

    # 3. Answers, filed under the answering body and the month it received the appeal (the answered stay's):
    # the answered stays grouped by everything their final state depends on (final_state.answered_state, applied
    # below once per group, so the rule is written once), with the applicant's verdict and a complaint about
    # the answer (k.upheld: 1 upheld, 0 not, NULL none), and the repeats: the applicant's next appeal to the body
    # (recorded on the stay) within the window after the answer.
    answered = (
        f"FROM {stay_table} s LEFT JOIN {feedback_table} f ON f.appeal_id = s.appeal_id "
        f"LEFT JOIN ({_complaints_sql()}) k ON k.about = s.appeal_id WHERE s.ending = 'answered' AND {within}"
    )
    facts = (
        "s.body_id, s.month, s.outcome, s.answered_on_time, s.extended, s.addressed, s.applicant_staff, f.resolution, k.upheld"
    )
    repeat, window_params = _repeat_sql("s")
    queries["answers"] = (
        f"SELECT {facts}, COUNT(*), SUM(f.rating), SUM(CASE WHEN {repeat} THEN 1 ELSE 0 END) {answered} GROUP BY {facts}",
        [*window_params, *params],
    )
    # Working days to answer, by subtracting the two days' ordinals in the WorkingDay calendar (a join with a
    # small table, not a lookup per row; the calendar is the assessment's, so a holiday decree changes it).
    country = config.get()["calendar_country"]
    queries["answer_days"] = (
        "SELECT s.body_id, s.month, (w1.ordinal - w0.ordinal), COUNT(*) "
        f"FROM {stay_table} s "
        f"LEFT JOIN {WorkingDay._meta.db_table} w0 ON (w0.country = %s AND w0.day = s.received_on) "
        f"LEFT JOIN {WorkingDay._meta.db_table} w1 ON (w1.country = %s AND w1.day = s.answered_on) "
        f"WHERE s.ending = 'answered' AND {within} GROUP BY s.body_id, s.month, (w1.ordinal - w0.ordinal)",
        [country, country, *params],
    )

    # 4. Extensions, under the body that extended and the month it did.
    ext = AppealEvent.objects.filter(kind=EventKind.EXTENDED, to_body__isnull=False)
    if body_ids is not None:
        ext = ext.filter(to_body_id__in=body_ids)
    if start:
        ext = ext.filter(at__gte=_aware(start))
    if end:
        ext = ext.filter(at__lt=_aware(end))
    queries["extensions"] = (
        ext.annotate(month=TruncMonth("at", tzinfo=tz))
        .order_by()
        .values("to_body", "month")
        .annotate(n=Count("pk"))
        .query.sql_with_params()
    )
    if extra_queries:
        queries.update(extra_queries)
    # In parallel only for a full recomputation: after one event the queries are small, and four new
    # connections (authentication included) cost several times more than running them here.
    results = _execute_all(queries, parallel=body_ids is None and not start and not end)

    for body_id, month, open_due, received, still_open, withdrawn in results["received"]:
        c = slot(body_id, month)
        c["received"] += received
        c[final_state.field(final_state.WITHDRAWN)] += withdrawn or 0
        if still_open:  # at the body now responsible, under the month it received the appeal, by due date
            due = _raw_month(open_due).isoformat()
            c["open_due"][due] = c["open_due"].get(due, 0) + still_open
    for body_id, month, ping_pong, next_ending, outcome, resolution, upheld, next_due, n in results["stays"]:
        c = slot(body_id, month)
        c["redirected_away"] += n
        c["ping_pong"] += n if ping_pong else 0
        status = {"": "registered", "redirected": "redirected"}.get(next_ending, next_ending)
        ending = final_state.Ending(status=status, outcome=outcome or None, resolution=resolution, upheld=bool(upheld))
        state = final_state.redirect_state(next_ending != "redirected", ending)
        if state == final_state.REDIRECT_PENDING:
            due = _raw_month(next_due).isoformat()
            c["redirect_pending"][due] = c["redirect_pending"].get(due, 0) + n
        else:
            c[final_state.field(state)] += n
    judged: dict = {}
    for body_id, month, outcome, on_time, extended, addressed, staff, resolution, upheld, n, rating_sum, repeats in results[
        "answers"
    ]:
        c = slot(body_id, month)
        c["answered"] += n
        c["repeats"] += repeats or 0
        c["on_time"] += n if on_time else 0
        c[outcome] += n
        if resolution:
            c["feedback"] += n
            c[f"feedback_{resolution}"] += n
            c["rating_sum"] += rating_sum or 0
        if upheld is not None:  # a complaint was filed about the answer
            c["complaints"] += n
        facts = (outcome, bool(on_time), bool(extended), bool(addressed), bool(staff), resolution, bool(upheld))
        if facts not in judged:
            judged[facts] = _answered_verdict(*facts)
        state_field, timely, timely_extended = judged[facts]
        c[state_field] += n
        c["final_timely"] += n if timely else 0
        c["final_timely_extended"] += n if timely_extended else 0
    for body_id, month, wd, n in results["answer_days"]:
        if wd is not None:
            h = slot(body_id, month)["days_to_answer"]
            h[str(wd)] = h.get(str(wd), 0) + n
    for body_id, month, n in results["extensions"]:
        slot(body_id, month)["extensions"] += n
    for key, d in [
        *compute_dataset_counts(body_ids, start, end).items(),
        *compute_legal_comment_counts(body_ids, start, end).items(),
    ]:
        c = slot(*key)
        for f, n in d.items():
            c[f] += n
    if extra_queries:
        out_extra.update({k: results[k] for k in extra_queries})
    return out


def _answered_verdict(outcome, on_time, extended, addressed, staff, resolution, upheld) -> tuple[str, bool, bool]:
    """The final state of an answered stay with these facts (final_state.py), and whether it counts as timely. The
    rule compares the answering body only with the addressed body and the applicant's, so one stand-in body
    judges every body's stays alike, and the 10^5 groups of the answers' aggregate need only a few hundred calls."""
    body = object()
    ending = final_state.Ending(
        status="answered",
        outcome=outcome,
        resolution=resolution,
        upheld=upheld,
        on_time=on_time,
        extended=extended,
        addressed_body=body if addressed else None,
        applicant_staff_of=body if staff else None,
    )
    (stay,) = final_state.stay_states([(body, None)], ending)
    return final_state.field(stay.state), stay.timely, stay.timely_extended


def compute_dataset_counts(body_ids=None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """{(body_id, month): {datasets, datasets_updated, quality_sum}} for the months in [start, end) from each
    dataset's creation month to the current month. Updated: a valid version uploaded in the month. Quality:
    the published checklist (opendata/quality.py) with "on time" judged at the month's end (now for the
    current month). Datasets are few (hundreds, not millions): a loop in Python over prefetched rows."""
    # What was withdrawn (opendata.services.withdraw) is no longer published, and counts for nothing.
    datasets = (
        Dataset.objects.active()
        .order_by()
        .prefetch_related(
            Prefetch(
                "resources",
                queryset=Resource.objects.active().prefetch_related(
                    Prefetch("versions", queryset=ResourceVersion.objects.served().defer("schema", "report"))
                ),
            )
        )
    )
    if body_ids is not None:
        datasets = datasets.filter(body_id__in=body_ids)
    now = clock.now()
    current = _month(now)
    out: dict = {}
    for dataset in datasets:
        uploads = {_month(v.created_at) for r in dataset.resources.all() for v in r.versions.all()}
        month = max(_month(dataset.created_at), start or EPOCH)
        while month <= current and (end is None or month < end):
            following = scoring.add_months(month, 1)
            as_of = min(now, _aware(following) - dt.timedelta(microseconds=1))
            c = out.setdefault((dataset.body_id, month), {"datasets": 0, "datasets_updated": 0, "quality_sum": 0})
            c["datasets"] += 1
            c["datasets_updated"] += month in uploads
            c["quality_sum"] += quality.score(dataset, as_of)
            month = following
    return out


def compute_legal_comment_counts(body_ids=None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """{(body_id, month): {legal_comments, legal_comments_answered}} by the month of the report's due date, for
    the drafts whose report is due (or already published). Comments are thousands, not millions: one GROUP BY."""
    today = clock.today()
    comments = _within(
        Comment.objects.filter(status=CommentStatus.PUBLISHED)
        .exclude(process__stage=Stage.WITHDRAWN)
        .filter(Q(process__report_due_on__lt=today) | Q(process__report_published_at__isnull=False)),
        "process__body_id",
        "process__report_due_on",
        body_ids,
        start,
        end,
    )
    rows = (
        comments.order_by()
        .values("process__body_id", "process__report_due_on")
        .annotate(n=Count("pk"), answered=Count("pk", filter=~Q(decision="") & ~Q(reason="")))
    )
    out: dict = {}
    for row in rows:
        c = out.setdefault(
            (row["process__body_id"], _month(row["process__report_due_on"])), {"legal_comments": 0, "legal_comments_answered": 0}
        )
        c["legal_comments"] += row["n"]
        c["legal_comments_answered"] += row["answered"]
    return out


def refresh_for_legal_process(body_id, first_day: dt.date, last_day: dt.date):
    """After a step of one of the body's discussion processes (a comment published or answered, the report
    published, the window extended): its rows for the months the report's due date may have been in."""
    refresh_own_fields([body_id], _month(first_day), _month(last_day))


def refresh_for_body_datasets(body_id):
    """After a dataset of the body was saved or a version uploaded: its rows from its first dataset's month
    to the current month (quality items other than "on time" are judged as the datasets stand now)."""
    first = Dataset.objects.filter(body_id=body_id).aggregate(lo=Min("created_at"))["lo"]
    if first is None:
        return
    refresh_own_fields([body_id], _month(first), _month(clock.now()))


def _execute_all(queries: dict, parallel: bool = True) -> dict:
    """Run the independent aggregate queries: at once on separate connections for a full recomputation on
    PostgreSQL (wall time = the slowest query, not the sum), else one after the other on this connection."""

    def fetch(sql, params):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    if not parallel or connection.vendor != "postgresql" or connection.in_atomic_block or len(queries) < 2:
        return {name: fetch(*q) for name, q in queries.items()}

    def in_thread(q):
        from django.db import connections

        try:
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")  # compiling these one-off aggregates costs more than it saves
                # The repeats' window sorts every answer and appeal: in memory, not in temporary files.
                cursor.execute("SET work_mem = '128MB'")
            return fetch(*q)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(queries)) as pool:
        futures = {name: pool.submit(in_thread, q) for name, q in queries.items()}
        return {name: f.result() for name, f in futures.items()}


def _repeat_sql(alias: str) -> tuple[str, list]:
    """The SQL condition "this answered stay was followed by a repeat": the applicant's next appeal to the body
    (next_appeal_at, recorded by the dialogue) came within the assessment's window after the answer (ended_at).
    Exact to the microsecond on both databases: PostgreSQL adds an interval; on SQLite Django's own
    datetime-plus-duration function gives the bound as text in the stored format (as the ORM does for F() + timedelta)."""
    seconds = dt.timedelta(days=config.get()["repeat_window_days"]).total_seconds()
    if connection.vendor == "postgresql":
        return f"{alias}.next_appeal_at <= {alias}.ended_at + make_interval(secs => %s)", [seconds]
    micros = connection.ops.combine_duration_expression("+", [f"{alias}.ended_at", "%s"])
    return f"{alias}.next_appeal_at <= {micros}", [int(seconds * 1_000_000)]


def compute_region_counts(region_ids=None, start=None, end=None) -> dict:
    """{(region_id, month): {registered, answered, resolved}} by month of registration."""
    return _region_rows(
        _region_queryset(region_ids, start, end).values_list("region", "month", "registered", "answered", "resolved")
    )


def _region_rows(rows) -> dict:
    return {(region, _raw_month(month)): {"registered": a, "answered": b, "resolved": c} for region, month, a, b, c in rows}


def _region_queryset(region_ids=None, start=None, end=None):
    qs = Appeal.objects.all()
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if start:
        qs = qs.filter(registered_at__gte=_aware(start))
    if end:
        qs = qs.filter(registered_at__lt=_aware(end))
    return (
        qs.annotate(month=TruncMonth("registered_at", tzinfo=_tz()))
        .order_by()
        .values("region", "month")
        .annotate(
            registered=Count("pk"),
            answered=Count("pk", filter=Q(status=Status.ANSWERED)),
            resolved=Count("pk", filter=Q(answer__outcome=Outcome.RESOLVED)),
        )
    )


# --- storing ---------------------------------------------------------------------------------------------


def _body_rows(counts: dict) -> list[BodyMonthFigures]:
    return [
        BodyMonthFigures(body_id=b, month=m, **{f: c[f] for f in scoring.COUNT_FIELDS}, **{h: c[h] for h in scoring.HISTOGRAMS})
        for (b, m), c in counts.items()
    ]


# Filled by their own refreshes (a body's datasets, its drafts' comments), never by an appeal's events.
OWN_REFRESH_FIELDS = ("datasets", "datasets_updated", "quality_sum", "legal_comments", "legal_comments_answered")


def _stored_body_rows() -> dict:
    return {
        (r["body_id"], r["month"]): r
        for r in BodyMonthFigures.objects.values("body_id", "month", *scoring.COUNT_FIELDS, *scoring.HISTOGRAMS)
    }


def _differences(counts: dict, regions: dict) -> int:
    """How many body-months (appeal fields) and region-months the stored figures get wrong: the audit's count."""
    appeal_fields = [f for f in scoring.COUNT_FIELDS if f not in OWN_REFRESH_FIELDS]
    stored = _stored_body_rows()
    wrong = 0
    for key in set(stored) | set(counts):
        a, b = stored.get(key), counts.get(key)
        a_values = [a[f] for f in appeal_fields] + [a[h] for h in scoring.HISTOGRAMS] if a else None
        b_values = [b[f] for f in appeal_fields] + [b[h] for h in scoring.HISTOGRAMS] if b else None
        if (a_values or None) != (b_values or None) and any(v for v in (a_values or b_values)):
            wrong += 1
    stored_regions = {
        (r["region_id"], r["month"]): {f: r[f] for f in ("registered", "answered", "resolved")}
        for r in RegionMonthFigures.objects.values()
    }
    wrong += sum(1 for key in set(stored_regions) | set(regions) if stored_regions.get(key) != regions.get(key))
    return wrong


def recompute_all() -> dict:
    """Recompute every stored figure from the dialogue's tables by aggregate SQL, independently of the per-event
    changes, and replace them; count the body-months and region-months the stored figures had wrong (the
    nightly audit: after the worker has caught up it must be 0). The appeals' kept parts
    (contributions.AppealContribution) are rebuilt when a difference is found or parts are missing, so the
    next event's change starts from the truth."""
    from . import contributions
    from .models import AppealContribution

    span = _data_span()
    if span:
        ensure_calendar(*span)
    extra: dict = {}
    counts = compute_counts(extra_queries={"regions": _region_queryset().query.sql_with_params()}, out_extra=extra)
    regions = _region_rows(extra["regions"])
    with transaction.atomic():
        changed = _differences(counts, regions)
        BodyMonthFigures.objects.all().delete()
        RegionMonthFigures.objects.all().delete()
        BodyMonthFigures.objects.bulk_create(_body_rows(counts), batch_size=2000)
        RegionMonthFigures.objects.bulk_create(
            [RegionMonthFigures(region_id=r, month=m, **v) for (r, m), v in regions.items()], batch_size=2000
        )
        rebuilt = 0
        if changed or AppealContribution.objects.count() != Appeal.objects.count():
            rebuilt = contributions.rebuild_all()
    return {"body_months": len(counts), "region_months": len(regions), "changed": changed, "parts_rebuilt": rebuilt}


def refresh_own_fields(body_ids, first_month: dt.date, last_month: dt.date):
    """Replace only the fields a body's own refresh fills (OWN_REFRESH_FIELDS: its datasets, its drafts'
    comments) for these bodies and months; the appeal counts stay with the per-event changes."""
    end = scoring.add_months(last_month, 1)
    ensure_calendar(first_month - dt.timedelta(days=7), max(end, clock.today()) + dt.timedelta(days=60))
    counts = compute_counts(sorted(set(body_ids)), first_month, end)
    with transaction.atomic():
        for (body_id, month), c in sorted(counts.items()):
            values = {f: c[f] for f in OWN_REFRESH_FIELDS}
            row, created = BodyMonthFigures.objects.select_for_update().get_or_create(
                body_id=body_id, month=month, defaults=values
            )
            if not created:
                BodyMonthFigures.objects.filter(pk=row.pk).update(**values)
        BodyMonthFigures.objects.filter(body_id__in=body_ids, month__gte=first_month, month__lt=end).exclude(
            pk__in=[
                r.pk
                for r in BodyMonthFigures.objects.filter(body_id__in=body_ids, month__gte=first_month, month__lt=end)
                if (r.body_id, r.month) in counts
            ]
        ).update(**dict.fromkeys(OWN_REFRESH_FIELDS, 0))
