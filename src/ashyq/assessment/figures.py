"""The database path: additive counts per body and month by aggregate SQL, and the tables they fill.

`compute_counts()` runs a handful of GROUP BY queries (no loop over appeals in Python) and returns
{(body_id, month): counts}; `refresh()` replaces the stored rows for some bodies and months (after an
event), `recompute_all()` rebuilds everything (`manage.py recompute_scores`).

Definitions (docs/assessment.md):
- A body *receives* an appeal when it is registered to it or arrives there by redirect; the month of
  that day is the cohort month every count of that stay is filed under.
- A stay ends *redirected away* when the body sends the appeal on; it is *ping-pong* when that appeal
  was redirected more than once in all (twice, or back to a body it left).
- Answers, their outcome, term, working days, the applicant's feedback, repeats and complaints are
  filed under the answering body and the month it received the appeal (Appeal.received_on).
- A *repeat*: the same applicant writes to the same body within 90 days after its answer.
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
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lead, TruncDate, TruncMonth
from django.utils import timezone

from ashyq.core import calendar, clock
from ashyq.dialogue.models import OPEN_STATUSES, Answer, Appeal, AppealEvent, EventKind, Outcome, Resolution, Status
from ashyq.legalacts.models import Comment, CommentStatus, Stage
from ashyq.opendata import quality
from ashyq.opendata.models import Dataset, Resource, ResourceVersion

from . import config, final_state, scoring
from .models import BodyMonthFigures, RegionMonthFigures, WorkingDay

log = logging.getLogger("ashyq.assessment")
EPOCH = dt.date(2015, 1, 1)
STAY_KINDS = (EventKind.REGISTERED, EventKind.REDIRECTED)
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


def _in(values) -> str:
    """An SQL list of our own constant identifiers (never user input)."""
    assert all(v.replace("_", "").isalnum() for v in values)
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


def _upheld(appeal_ref: str):
    """A complaint about the appeal's answer that the higher body answered 'resolved' (measures taken)."""
    # complaint_about IS NOT NULL: complaints are few, and the condition lets the database read them from the
    # index instead of every appeal when it evaluates the test once for all rows (a hashed subplan).
    return Exists(
        Appeal.objects.filter(
            complaint_about__isnull=False, complaint_about=OuterRef(appeal_ref), answer__outcome=Outcome.RESOLVED
        )
    )


# The state of a stay that ended with the body's answer (final_state.answered_state), as SQL conditions over
# one answer row t of compute_counts(): {count field: condition}.
_OWN = "(t.staff_of IS NOT NULL AND t.staff_of = t.body_id)"
_NOT_COMPETENT = f"(NOT {_OWN} AND t.addressed <> t.body_id AND t.outcome IN {_in(final_state.NOT_OURS_OUTCOMES)})"
_COUNTED = f"NOT {_OWN} AND NOT {_NOT_COMPETENT}"
# The answer rows' tests (complained about, upheld, extended) are read by several of the outer sums; OFFSET 0
# keeps PostgreSQL from pulling the subquery up into them, so each test runs once per answer, not once per sum
# (at 1 M appeals the answers' query took 40 s instead of 31 s on a loaded machine). SQLite needs no fence.
_POSTGRES_FENCE = " OFFSET 0"
_ANSWERED_STATE_SQL = {
    final_state.field(final_state.OWN_STAFF): _OWN,
    final_state.field(final_state.NOT_COMPETENT): _NOT_COMPETENT,
    final_state.field(
        final_state.RESOLVED_CONFIRMED
    ): f"{_COUNTED} AND t.outcome = 'resolved' AND t.res = 'yes' AND NOT t.upheld",
    final_state.field(
        final_state.RESOLVED_UNCONFIRMED
    ): f"{_COUNTED} AND t.outcome = 'resolved' AND (t.res IS NULL OR t.res = 'partly') AND NOT t.upheld",
    final_state.field(final_state.RESOLVED_DISPUTED): f"{_COUNTED} AND t.outcome = 'resolved' AND (t.res = 'no' OR t.upheld)",
    final_state.field(final_state.EXPLAINED): f"{_COUNTED} AND t.outcome = 'explained'",
    final_state.field(final_state.REFUSED): f"{_COUNTED} AND t.outcome = 'refused'",
    final_state.field(final_state.LEFT): f"{_COUNTED} AND t.outcome = 'left_without_consideration'",
    "final_timely": f"{_COUNTED} AND t.answered_on_time AND NOT t.extended",
    "final_timely_extended": f"{_COUNTED} AND t.answered_on_time AND t.extended",
}


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

    def slot(body_id, month):
        key = (body_id, _month(month))
        if key not in out:
            out[key] = scoring.empty_counts()
        return out[key]

    # 1. Stays: every registration or arrival by redirect starts one. Within an appeal's stays (ordered by
    # seq) a stay ended by redirect is one followed by another stay; the appeal was redirected twice or more
    # when it has three stays or more. Window functions over the (appeal, seq) index, then GROUP BY.
    stays = AppealEvent.objects.filter(kind__in=STAY_KINDS, to_body__isnull=False)
    if body_ids is not None or start or end:
        touched = AppealEvent.objects.filter(kind__in=STAY_KINDS)
        if body_ids is not None:
            touched = touched.filter(to_body_id__in=body_ids)
        if start:
            touched = touched.filter(at__gte=_aware(start))
        if end:
            touched = touched.filter(at__lt=_aware(end))
        stays = stays.filter(appeal_id__in=touched.values("appeal_id"))
    # Every stay counts as received; only appeals that were redirected at all (a small share) need the
    # windows that tell which stay ended by redirect, so those run over them alone (docs/benchmarks.md).
    queries = {
        "received": (
            stays.order_by()
            .annotate(month=TruncMonth("at", tzinfo=tz))
            .values("to_body_id", "month")
            .annotate(n=Count("seq"))
            .query.sql_with_params()
        )
    }
    # Appeals with two stays or more: read from the same partial covering index (assessment migration 0003),
    # like every column here, so PostgreSQL never visits the events table itself.
    redirected = (
        AppealEvent.objects.filter(kind__in=STAY_KINDS, to_body__isnull=False)
        .order_by()
        .values("appeal_id")
        .annotate(n=Count("seq"))
        .filter(n__gt=1)
        .values("appeal_id")
    )
    # Each stay ended by redirect is judged by what followed (final_state.redirect_state): the next stay is
    # the last one (no bounce back or onward) and the appeal was decided there on its merits, without the
    # applicant's "no" or an upheld complaint; pending while the receiver holds it (kept by its due date).
    moved = (
        stays.filter(appeal_id__in=redirected)
        .order_by()
        .annotate(
            month=TruncMonth("at", tzinfo=tz),
            next_seq=Window(Lead("seq"), partition_by=[F("appeal_id")], order_by=F("seq").asc()),
            after_next=Window(Lead("seq", 2), partition_by=[F("appeal_id")], order_by=F("seq").asc()),
            stays=Window(Count("seq"), partition_by=[F("appeal_id")]),
            status=F("appeal__status"),
            due=F("appeal__due_on"),
            outcome=F("appeal__answer__outcome"),
            res=F("appeal__feedback__resolution"),
            upheld=_upheld("appeal_id"),
        )
        .values("to_body_id", "month", "next_seq", "after_next", "stays", "status", "due", "outcome", "res", "upheld")
    )
    sql, params = moved.query.sql_with_params()
    next_is_last = "t.next_seq IS NOT NULL AND t.after_next IS NULL"
    pending = f"{next_is_last} AND t.status IN {_in(final_state.OPEN_STATUSES)}"
    justified = (
        f"{next_is_last} AND t.status = 'answered' AND t.outcome IN {_in(final_state.MERIT_OUTCOMES)} "
        "AND (t.res IS NULL OR t.res <> 'no') AND NOT t.upheld"
    )
    queries["stays"] = (
        f"SELECT t.to_body_id, t.month, CASE WHEN {pending} THEN t.due END, "
        "SUM(CASE WHEN t.next_seq IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.next_seq IS NOT NULL AND t.stays >= 3 THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {justified} THEN 1 ELSE 0 END), SUM(CASE WHEN {pending} THEN 1 ELSE 0 END) "
        f"FROM ({sql}) t GROUP BY t.to_body_id, t.month, CASE WHEN {pending} THEN t.due END",
        params,
    )

    # 2. Answers, filed under the answering body and the month it received the appeal; working days to
    # answer by subtracting the two days' ordinals in the WorkingDay calendar (a join, not a lookup per row).
    answers = Answer.objects.all()
    if body_ids is not None:
        answers = answers.filter(body_id__in=body_ids)
    if start:
        # An answer comes after its appeal was received, so it is also answered on or after `start`: the
        # redundant bound lets the (body, answered_at) index skip the body's older answers (docs/benchmarks.md).
        answers = answers.filter(appeal__received_on__gte=start, answered_at__gte=_aware(start))
    if end:
        answers = answers.filter(appeal__received_on__lt=end)
    window = dt.timedelta(days=config.get()["repeat_window_days"])
    later = Appeal.objects.filter(
        applicant=OuterRef("appeal__applicant"),
        addressed_body=OuterRef("body"),
        registered_at__gt=OuterRef("answered_at"),
        registered_at__lte=OuterRef("repeat_until"),
    )
    complaints = Appeal.objects.filter(complaint_about=OuterRef("appeal"))
    inner = (
        answers.annotate(
            rcv=F("appeal__received_on"),
            ans_on=TruncDate("answered_at", tzinfo=tz),
            res=F("appeal__feedback__resolution"),
            rating=F("appeal__feedback__rating"),
            repeat_until=ExpressionWrapper(F("answered_at") + window, output_field=DateTimeField()),
            addressed=F("appeal__addressed_body_id"),
            staff_of=F("appeal__applicant__body_id"),
        )
        .annotate(
            comp=Exists(complaints),
            upheld=_upheld("appeal"),
            extended=Case(
                When(
                    answered_on_time=True,
                    then=Exists(
                        AppealEvent.objects.filter(appeal=OuterRef("appeal"), kind=EventKind.EXTENDED, to_body=OuterRef("body"))
                    ),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by()
        .values(
            "body_id",
            "rcv",
            "ans_on",
            "answered_on_time",
            "outcome",
            "res",
            "rating",
            "comp",
            "addressed",
            "staff_of",
            "upheld",
            "extended",
        )
    )
    sql, params = inner.query.sql_with_params()
    country = config.get()["calendar_country"]
    # The month of a date without time zones (TruncMonth casts the date to a timestamp with time zone, a
    # time-zone lookup per answer on PostgreSQL).
    month = "date_trunc('month', t.rcv::timestamp)" if connection.vendor == "postgresql" else "substr(t.rcv, 1, 7) || '-01'"
    outer = (
        f"SELECT t.body_id, {month}, (w1.ordinal - w0.ordinal), COUNT(*), "
        "SUM(CASE WHEN t.answered_on_time THEN 1 ELSE 0 END), "
        + "".join("SUM(CASE WHEN t.outcome = %s THEN 1 ELSE 0 END), " for _ in Outcome.values)
        + "COUNT(t.res), "
        + "".join("SUM(CASE WHEN t.res = %s THEN 1 ELSE 0 END), " for _ in RESOLUTIONS)
        + "SUM(t.rating), SUM(CASE WHEN t.comp THEN 1 ELSE 0 END), "
        + ", ".join(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in _ANSWERED_STATE_SQL.values())
        + " "
        f"FROM ({sql}{_POSTGRES_FENCE if connection.vendor == 'postgresql' else ''}) t "
        f"LEFT JOIN {WorkingDay._meta.db_table} w0 ON (w0.country = %s AND w0.day = t.rcv) "
        f"LEFT JOIN {WorkingDay._meta.db_table} w1 ON (w1.country = %s AND w1.day = t.ans_on) "
        f"GROUP BY t.body_id, {month}, (w1.ordinal - w0.ordinal)"
    )
    queries["answers"] = (outer, (*Outcome.values, *RESOLUTIONS, *params, country, country))

    # 3. Repeats: the whole table in one windowed pass; a subset (after an event) by an index lookup per answer.
    if body_ids is None and not start and not end:
        queries["repeats"] = _repeats_all_sql(window)
    else:
        queries["repeats"] = (
            answers.annotate(
                month=TruncMonth("appeal__received_on"),
                repeat_until=ExpressionWrapper(F("answered_at") + window, output_field=DateTimeField()),
            )
            .filter(Exists(later))
            .order_by()
            .values("body_id", "month")
            .annotate(n=Count("id"))
            .query.sql_with_params()
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
    # 5. Appeals still open, at the body now responsible, under the month it received them, by due date
    # (scoring.settle() turns this into "overdue as of a day").
    still_open = _within(Appeal.objects.filter(status__in=OPEN_STATUSES), "body_id", "received_on", body_ids, start, end)
    queries["open"] = (
        still_open.annotate(month=TruncMonth("received_on"))
        .order_by()
        .values("body_id", "month", "due_on")
        .annotate(n=Count("pk"))
        .query.sql_with_params()
    )
    # 6. Appeals withdrawn, at the body that held them, under the month it received them.
    gone = Appeal.objects.filter(status=Status.WITHDRAWN)
    if body_ids is not None:
        gone = gone.filter(body_id__in=body_ids)
    if start:
        gone = gone.filter(received_on__gte=start)
    if end:
        gone = gone.filter(received_on__lt=end)
    queries["withdrawn"] = (
        gone.annotate(month=TruncMonth("received_on"))
        .order_by()
        .values("body_id", "month")
        .annotate(n=Count("pk"))
        .query.sql_with_params()
    )
    if extra_queries:
        queries.update(extra_queries)
    # In parallel only for a full recomputation: after one event the queries are small, and four new
    # connections (authentication included) cost several times more than running them here.
    results = _execute_all(queries, parallel=body_ids is None and not start and not end)

    for body_id, month, received in results["received"]:
        month = _raw_month(month)
        if wanted(body_id, month):
            slot(body_id, month)["received"] += received
    for body_id, month, pending_due, away, ping_pong, justified, pending in results["stays"]:
        month = _raw_month(month)
        if wanted(body_id, month) and away:
            c = slot(body_id, month)
            c["redirected_away"] += away or 0
            c["ping_pong"] += ping_pong or 0
            c[final_state.field(final_state.REDIRECTED_JUSTIFIED)] += justified or 0
            c[final_state.field(final_state.REDIRECTED_UNJUSTIFIED)] += away - (justified or 0) - (pending or 0)
            if pending:
                due = _raw_month(pending_due).isoformat()
                c["redirect_pending"][due] = c["redirect_pending"].get(due, 0) + pending
    for row in results["answers"]:
        body_id, month, wd, answered, on_time = row[:5]
        outcomes = row[5:9]
        feedback, yes, partly, no, rating_sum, complained = row[9:15]
        c = slot(body_id, _raw_month(month))
        for name, n in zip(_ANSWERED_STATE_SQL, row[15:]):
            c[name] += n or 0
        c["answered"] += answered
        c["on_time"] += on_time or 0
        for o, n in zip(Outcome.values, outcomes):
            c[o] += n or 0
        c["feedback"] += feedback
        c["feedback_yes"] += yes or 0
        c["feedback_partly"] += partly or 0
        c["feedback_no"] += no or 0
        c["rating_sum"] += rating_sum or 0
        c["complaints"] += complained or 0
        if wd is not None:
            h = c["days_to_answer"]
            h[str(wd)] = h.get(str(wd), 0) + answered
    for body_id, month, n in results["repeats"]:
        slot(body_id, _raw_month(month).replace(day=1))["repeats"] += n
    for body_id, month, n in results["extensions"]:
        slot(body_id, _raw_month(month))["extensions"] += n
    for body_id, month, due_on, n in results["open"]:
        h = slot(body_id, _raw_month(month))["open_due"]
        due = _raw_month(due_on).isoformat()
        h[due] = h.get(due, 0) + n
    for body_id, month, n in results["withdrawn"]:
        slot(body_id, _raw_month(month))[final_state.field(final_state.WITHDRAWN)] += n
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


def compute_dataset_counts(body_ids=None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """{(body_id, month): {datasets, datasets_updated, quality_sum}} for the months in [start, end) from each
    dataset's creation month to the current month. Updated: a valid version uploaded in the month. Quality:
    the published checklist (opendata/quality.py) with "on time" judged at the month's end (now for the
    current month). Datasets are few (hundreds, not millions): a loop in Python over prefetched rows."""
    datasets = Dataset.objects.order_by().prefetch_related(
        Prefetch(
            "resources",
            queryset=Resource.objects.prefetch_related(
                Prefetch("versions", queryset=ResourceVersion.objects.filter(valid=True).defer("schema", "report"))
            ),
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


def _repeats_all_sql(window: dt.timedelta) -> tuple[str, list]:
    """{(body_id, month): answers followed by the same applicant's appeal to the same body within `window`}.

    Answers and appeals of each (applicant, body) in one window, latest first: for an answer, the running
    minimum over the appeals already seen is the first appeal registered after it."""
    answer, appeal = Answer._meta.db_table, Appeal._meta.db_table
    if connection.vendor == "postgresql":
        within = "w.next_t <= w.t + make_interval(secs => %s)"
    else:
        within = "julianday(w.next_t) <= julianday(w.t) + %s / 86400.0"
    sql = f"""
        WITH ev AS (
            SELECT ap.applicant_id AS who, a.body_id AS body, a.answered_at AS t, 0 AS k, ap.received_on AS rcv
            FROM {answer} a JOIN {appeal} ap ON ap.id = a.appeal_id WHERE ap.applicant_id IS NOT NULL
            UNION ALL
            SELECT applicant_id, addressed_body_id, registered_at, 1, NULL FROM {appeal} WHERE applicant_id IS NOT NULL
        ), w AS (  -- anonymous reports have no applicant: none is anyone's repeat
            SELECT body, rcv, t, k, MIN(CASE WHEN k = 1 THEN t END) OVER (
                PARTITION BY who, body ORDER BY t DESC, k ASC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_t
            FROM ev
        )
        SELECT w.body, w.rcv, COUNT(*) FROM w
        WHERE w.k = 0 AND w.next_t IS NOT NULL AND {within}
        GROUP BY w.body, w.rcv"""
    return sql, [window.total_seconds()]


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
