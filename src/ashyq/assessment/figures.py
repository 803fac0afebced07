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
"""
import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from ashyq.core import calendar, clock
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, EventKind, Outcome, Resolution, Status

from . import config, scoring
from .models import BodyMonthFigures, RegionMonthFigures, WorkingDay

log = logging.getLogger("ashyq.assessment")
EPOCH = dt.date(2015, 1, 1)


def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


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

def compute_counts(body_ids=None, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    """{(body_id, month): counts} for the given bodies (all if None) and cohort months in [start, end)."""
    tz = _tz()
    out: dict = {}

    def slot(body_id, month):
        key = (body_id, _month(month))
        if key not in out:
            out[key] = scoring.empty_counts()
        return out[key]

    # 1. Stays: every registration or arrival by redirect starts one.
    redirects = AppealEvent.objects.filter(appeal=OuterRef("appeal"), kind=EventKind.REDIRECTED)
    n_redirects = Subquery(
        AppealEvent.objects.filter(appeal=OuterRef("appeal"), kind=EventKind.REDIRECTED)
        .order_by().values("appeal").annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )
    stays = AppealEvent.objects.filter(kind__in=(EventKind.REGISTERED, EventKind.REDIRECTED), to_body__isnull=False)
    if body_ids is not None:
        stays = stays.filter(to_body_id__in=body_ids)
    if start:
        stays = stays.filter(at__gte=_aware(start))
    if end:
        stays = stays.filter(at__lt=_aware(end))
    stays = (
        stays.annotate(
            month=TruncMonth("at", tzinfo=tz),
            away=Exists(redirects.filter(seq__gt=OuterRef("seq"), from_body=OuterRef("to_body"))),
            n_red=n_redirects,
        )
        .order_by().values("to_body", "month")
        .annotate(
            received=Count("pk"),
            redirected_away=Count("pk", filter=Q(away=True)),
            ping_pong=Count("pk", filter=Q(away=True, n_red__gte=2)),
        )
    )
    for row in stays:
        c = slot(row["to_body"], row["month"])
        c["received"] += row["received"]
        c["redirected_away"] += row["redirected_away"]
        c["ping_pong"] += row["ping_pong"]

    # 2. Answers, filed under the answering body and the month it received the appeal.
    answers = Answer.objects.all()
    if body_ids is not None:
        answers = answers.filter(body_id__in=body_ids)
    if start:
        answers = answers.filter(appeal__received_on__gte=start)
    if end:
        answers = answers.filter(appeal__received_on__lt=end)
    window = dt.timedelta(days=config.get()["repeat_window_days"])
    later = Appeal.objects.filter(
        applicant=OuterRef("appeal__applicant"), addressed_body=OuterRef("body"),
        registered_at__gt=OuterRef("answered_at"), registered_at__lte=OuterRef("repeat_until"),
    )
    complaints = Appeal.objects.filter(complaint_about=OuterRef("appeal"))
    feedback = "appeal__feedback__resolution"
    rows = (
        answers.annotate(
            month=TruncMonth("appeal__received_on"),
            repeat_until=ExpressionWrapper(F("answered_at") + window, output_field=DateTimeField()),
        )
        .annotate(rep=Exists(later), comp=Exists(complaints))
        .order_by().values("body", "month")
        .annotate(
            answered=Count("pk"),
            on_time=Count("pk", filter=Q(answered_on_time=True)),
            **{o: Count("pk", filter=Q(outcome=o)) for o in Outcome.values},
            feedback=Count("appeal__feedback"),
            feedback_yes=Count("pk", filter=Q(**{feedback: Resolution.YES})),
            feedback_partly=Count("pk", filter=Q(**{feedback: Resolution.PARTLY})),
            feedback_no=Count("pk", filter=Q(**{feedback: Resolution.NO})),
            rating_sum=Sum("appeal__feedback__rating"),
            repeats=Count("pk", filter=Q(rep=True)),
            complaints=Count("pk", filter=Q(comp=True)),
        )
    )
    for row in rows:
        c = slot(row["body"], row["month"])
        for f in ("answered", "on_time", *Outcome.values, "feedback", "feedback_yes", "feedback_partly", "feedback_no",
                  "repeats", "complaints"):
            c[f] += row[f]
        c["rating_sum"] += row["rating_sum"] or 0

    # 3. Working days from receipt to answer, as a histogram (working-day ordinals subtract in SQL).
    country = config.get()["calendar_country"]
    days = WorkingDay.objects.filter(country=country)
    hist = (
        answers.annotate(month=TruncMonth("appeal__received_on"), answered_on=TruncDate("answered_at", tzinfo=tz))
        .annotate(
            w1=Subquery(days.filter(day=OuterRef("answered_on")).values("ordinal")[:1]),
            w0=Subquery(days.filter(day=OuterRef("appeal__received_on")).values("ordinal")[:1]),
        )
        .annotate(wd=F("w1") - F("w0"))
        .order_by().values("body", "month", "wd").annotate(n=Count("pk"))
    )
    for row in hist:
        if row["wd"] is None:
            continue
        h = slot(row["body"], row["month"])["days_to_answer"]
        h[str(row["wd"])] = h.get(str(row["wd"]), 0) + row["n"]

    # 4. Extensions, under the body that extended and the month it did.
    ext = AppealEvent.objects.filter(kind=EventKind.EXTENDED, to_body__isnull=False)
    if body_ids is not None:
        ext = ext.filter(to_body_id__in=body_ids)
    if start:
        ext = ext.filter(at__gte=_aware(start))
    if end:
        ext = ext.filter(at__lt=_aware(end))
    for row in ext.annotate(month=TruncMonth("at", tzinfo=tz)).order_by().values("to_body", "month").annotate(n=Count("pk")):
        slot(row["to_body"], row["month"])["extensions"] += row["n"]
    return out


def compute_region_counts(region_ids=None, start=None, end=None) -> dict:
    """{(region_id, month): {registered, answered, resolved}} by month of registration."""
    qs = Appeal.objects.all()
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    if start:
        qs = qs.filter(registered_at__gte=_aware(start))
    if end:
        qs = qs.filter(registered_at__lt=_aware(end))
    rows = (
        qs.annotate(month=TruncMonth("registered_at", tzinfo=_tz())).order_by().values("region", "month")
        .annotate(
            registered=Count("pk"),
            answered=Count("pk", filter=Q(status=Status.ANSWERED)),
            resolved=Count("pk", filter=Q(answer__outcome=Outcome.RESOLVED)),
        )
    )
    return {(r["region"], _month(r["month"])): {k: r[k] for k in ("registered", "answered", "resolved")} for r in rows}


# --- storing ---------------------------------------------------------------------------------------------

def _body_rows(counts: dict) -> list[BodyMonthFigures]:
    return [
        BodyMonthFigures(body_id=b, month=m, **{f: c[f] for f in scoring.COUNT_FIELDS}, days_to_answer=c["days_to_answer"])
        for (b, m), c in counts.items()
    ]


def recompute_all() -> dict:
    """Rebuild every stored figure from the dialogue's tables."""
    span = _data_span()
    if span:
        ensure_calendar(*span)
    counts = compute_counts()
    regions = compute_region_counts()
    with transaction.atomic():
        BodyMonthFigures.objects.all().delete()
        RegionMonthFigures.objects.all().delete()
        BodyMonthFigures.objects.bulk_create(_body_rows(counts), batch_size=2000)
        RegionMonthFigures.objects.bulk_create(
            [RegionMonthFigures(region_id=r, month=m, **v) for (r, m), v in regions.items()], batch_size=2000
        )
    return {"body_months": len(counts), "region_months": len(regions)}


def refresh(body_ids, first_month: dt.date, last_month: dt.date, region_ids=(), region_months=()):
    """Replace the stored rows of these bodies for the months first..last (inclusive), and of these regions."""
    end = scoring.add_months(last_month, 1)
    ensure_calendar(first_month - dt.timedelta(days=7), max(end, clock.today()) + dt.timedelta(days=60))
    body_ids = sorted(set(body_ids))
    counts = compute_counts(body_ids, first_month, end)
    region_counts = {}
    for region_id, month in set(zip(region_ids, region_months)):
        region_counts.update(compute_region_counts([region_id], month, scoring.add_months(month, 1)))
    for attempt in range(2):  # a concurrent refresh of the same rows may win the insert; then do it again
        try:
            with transaction.atomic():
                BodyMonthFigures.objects.filter(body_id__in=body_ids, month__gte=first_month, month__lt=end).delete()
                BodyMonthFigures.objects.bulk_create(_body_rows(counts))
                for region_id, month in set(zip(region_ids, region_months)):
                    RegionMonthFigures.objects.filter(region_id=region_id, month=month).delete()
                    values = region_counts.get((region_id, month))
                    if values:
                        RegionMonthFigures.objects.create(region_id=region_id, month=month, **values)
            return
        except IntegrityError:
            if attempt:
                raise


def refresh_for_appeal(appeal_id: int):
    """Refresh every figure the appeal's record counts in: the bodies it went through, from its registration
    month to its last event's month; the answers it makes a repeat of; and its region's month."""
    appeal = Appeal.objects.filter(pk=appeal_id).values(
        "applicant_id", "addressed_body_id", "body_id", "region_id", "registered_at", "received_on"
    ).first()
    if appeal is None:
        return
    events = list(AppealEvent.objects.filter(appeal_id=appeal_id).values_list("from_body_id", "to_body_id", "at"))
    bodies = {appeal["body_id"], appeal["addressed_body_id"]}
    months = {_month(appeal["registered_at"]), _month(appeal["received_on"])}
    for from_body, to_body, at in events:
        bodies.update(b for b in (from_body, to_body) if b)
        months.add(_month(at))
    # This appeal may make an earlier answer of the same body to the same applicant a repeat.
    window = dt.timedelta(days=config.get()["repeat_window_days"])
    for body_id, received_on in Answer.objects.filter(
        appeal__applicant_id=appeal["applicant_id"], body_id=appeal["addressed_body_id"],
        answered_at__gte=appeal["registered_at"] - window, answered_at__lt=appeal["registered_at"],
    ).values_list("body_id", "appeal__received_on"):
        bodies.add(body_id)
        months.add(_month(received_on))
    refresh(bodies, min(months), max(months), [appeal["region_id"]], [_month(appeal["registered_at"])])
