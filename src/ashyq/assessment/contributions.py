"""Incremental figures: what one appeal adds to the body-month and region-month figures, and applying the change.

The stored figures are sums over appeals. `contribution(appeal)` is one appeal's part of them, read from its own
record (its stays, answer, feedback, extensions, a complaint about it, the applicant's next appeal): the same
definitions as the aggregate SQL of figures.compute_counts(), appeal by appeal, with final_state.py's rules.
`AppealContribution` keeps the part last added for each appeal, so an event costs O(1) in the size of the data:
the worker computes the appeal's part now, subtracts the part kept, adds the difference to the few rows it
touches and keeps the new part, in one transaction (`apply()`). Because the whole part is recomputed, an event
that changes an earlier stay's state (a redirect judged unjustified once the appeal is bounced on, a complaint
upheld) moves that stay's count too. Running it twice changes nothing the second time.

`contributions_for(ids)` builds the parts of a batch of appeals from a handful of queries (one per table for the
whole batch); `contribution(id)` is that function for one id, so the rule is written once for the worker's event,
the rebuild of every part after a bulk load (`rebuild_all`, minutes at a million appeals) and the tests.

`figures.recompute_all()` (nightly `recompute_scores`) recomputes everything by SQL, independently; it must
find nothing to change, and a property test holds incremental == full on random histories.
"""

import datetime as dt
import functools
import zoneinfo

from django.db import transaction
from django.db.models import Q

from ashyq.dialogue.models import OPEN_STATUSES, Answer, Appeal, AppealEvent, AppealStay, EventKind, Outcome, Status

from . import config, final_state
from .models import AppealContribution, BodyMonthFigures, RegionMonthFigures, WorkingDay

REGION_FIELDS = ("registered", "answered", "resolved")


def _month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"  # as strftime("%Y-%m"), at a fraction of its cost (millions of calls in a rebuild)


def _add(part: dict, key: str, field: str, n: int = 1, bucket: str | None = None):
    slot = part.setdefault(key, {})
    if bucket is None:
        slot[field] = slot.get(field, 0) + n
    else:
        hist = slot.setdefault(field, {})
        hist[bucket] = hist.get(bucket, 0) + n


def contribution(appeal_id: int) -> dict:
    """{"b:<body>:<YYYY-MM>" | "r:<region>:<YYYY-MM>": {field: n, histogram: {bucket: n}}} for one appeal."""
    return contributions_for([appeal_id]).get(appeal_id, {})


APPEAL_FIELDS = ("status", "body_id", "received_on", "due_on", "region_id", "registered_at", "addressed_body_id")
ANSWER_FIELDS = (
    "body_id",
    "outcome",
    "answered_at",
    "answered_on_time",
    "appeal__feedback__resolution",
    "appeal__feedback__rating",
)
STAY_FIELDS = ("body_id", "month", "ending", "applicant_staff", "extended", "ended_at", "next_appeal_at")


def contributions_for(appeal_ids) -> dict:
    """{appeal id: its part} for a batch of appeals (a few thousand at a time): each table read once for the whole
    batch (the appeals, answers with feedback, complaints about them, stays, extensions, working days), then each
    appeal's part built from its own rows by the same rules as one appeal alone (contribution() is this function
    for one id). Appeals that do not exist are left out."""
    wanted = set(appeal_ids)
    if not wanted:
        return {}
    lo, hi = min(wanted), max(wanted)
    # The rebuild's batches are runs of consecutive ids: a range is cheaper to send and to plan than thousands of
    # parameters (rows of appeals not asked for are then left out here); scattered ids go as a list.
    dense = hi - lo < 2 * len(wanted)

    def among(rows, field):
        if dense:
            return rows.filter(**{f"{field}__gte": lo, f"{field}__lte": hi})
        return rows.filter(**{f"{field}__in": sorted(wanted)})

    appeals = {a.pop("id"): a for a in among(Appeal.objects, "pk").values("id", *APPEAL_FIELDS) if a["id"] in wanted}
    if not appeals:
        return {}
    answers = {a.pop("appeal_id"): a for a in among(Answer.objects, "appeal_id").values("appeal_id", *ANSWER_FIELDS)}
    complained, upheld = set(), set()  # a complaint to the higher body about the answer; upheld: it resolved it
    complaints = among(Appeal.objects, "complaint_about_id").values_list("complaint_about_id", "answer__outcome")
    for about, outcome in complaints:
        complained.add(about)
        if outcome == Outcome.RESOLVED:
            upheld.add(about)
    stays: dict = {}
    for stay in among(AppealStay.objects, "appeal_id").order_by("appeal_id", "seq").values("appeal_id", *STAY_FIELDS):
        stays.setdefault(stay.pop("appeal_id"), []).append(stay)
    extensions: dict = {}
    extended = among(AppealEvent.objects.filter(kind=EventKind.EXTENDED, to_body__isnull=False), "appeal_id")
    for appeal_id, body, at in extended.values_list("appeal_id", "to_body_id", "at"):
        extensions.setdefault(appeal_id, []).append((body, at))
    # Working days from receipt to answer, by the same WorkingDay calendar the SQL joins.
    days = {a["received_on"] for i, a in appeals.items() if i in answers} | {
        _local_day(a["answered_at"]) for a in answers.values()
    }
    ordinals = dict(
        WorkingDay.objects.filter(country=config.get()["calendar_country"], day__in=days).values_list("day", "ordinal")
    )
    window = dt.timedelta(days=config.get()["repeat_window_days"])
    return {
        i: _part(appeal, answers.get(i), stays.get(i, []), extensions.get(i, []), i in complained, i in upheld, ordinals, window)
        for i, appeal in appeals.items()
    }


def _part(appeal, answer, stays, extensions, complained, upheld, ordinals, window) -> dict:
    """One appeal's part from its own rows (contributions_for read them)."""
    part: dict = {}
    outcome = answer["outcome"] if answer else None
    resolution = answer["appeal__feedback__resolution"] if answer else None

    # Stays (dialogue.AppealStay, the route as the dialogue keeps it), filed under the body and the month it
    # received the appeal; extensions under the body that extended and the month it did.
    last = len(stays) - 1
    for i, stay in enumerate(stays):
        key = f"b:{stay['body_id']}:{_month_key(stay['month'])}"
        _add(part, key, "received")
        if i == last:
            continue
        _add(part, key, "redirected_away")
        if len(stays) >= 3:
            _add(part, key, "ping_pong")
        ending = final_state.Ending(status=appeal["status"], outcome=outcome, resolution=resolution, upheld=upheld)
        state = final_state.redirect_state(i + 1 == last, ending)
        if state == final_state.REDIRECT_PENDING:
            _add(part, key, "redirect_pending", bucket=appeal["due_on"].isoformat())
        else:
            _add(part, key, final_state.field(state))
    for body, at in extensions:
        _add(part, f"b:{body}:{_month_key(_local_day(at))}", "extensions")

    received_key = f"b:{appeal['body_id']}:{_month_key(appeal['received_on'])}"
    if appeal["status"] in OPEN_STATUSES:
        _add(part, received_key, "open_due", bucket=appeal["due_on"].isoformat())
    elif appeal["status"] == Status.WITHDRAWN:
        _add(part, received_key, final_state.field(final_state.WITHDRAWN))
    if answer:
        _answer_part(part, appeal, answer, complained, upheld, stays[-1] if stays else {}, ordinals, window)

    region_key = f"r:{appeal['region_id']}:{_month_key(_local_day(appeal['registered_at']))}"
    _add(part, region_key, "registered")
    if appeal["status"] == Status.ANSWERED:
        _add(part, region_key, "answered")
    if outcome == Outcome.RESOLVED:
        _add(part, region_key, "resolved")
    return part


def _answer_part(part, appeal, answer, complained, upheld, stay, ordinals, window):
    """The answer, filed under the answering body and the month it received the appeal; `stay` is the answered
    stay (whether that body extended the term, whether the applicant was on its staff when it answered, when the
    applicant next wrote to it)."""
    body = answer["body_id"]
    key = f"b:{body}:{_month_key(appeal['received_on'])}"
    _add(part, key, "answered")
    if answer["answered_on_time"]:
        _add(part, key, "on_time")
    _add(part, key, answer["outcome"])
    resolution, rating = answer["appeal__feedback__resolution"], answer["appeal__feedback__rating"]
    if resolution:
        _add(part, key, "feedback")
        _add(part, key, f"feedback_{resolution}")
        _add(part, key, "rating_sum", rating or 0)
    if complained:
        _add(part, key, "complaints")
    extended = bool(answer["answered_on_time"]) and bool(stay.get("extended"))
    ending = final_state.Ending(
        status="answered",
        outcome=answer["outcome"],
        resolution=resolution,
        upheld=upheld,
        on_time=bool(answer["answered_on_time"]),
        extended=extended,
        addressed_body=appeal["addressed_body_id"],
        applicant_staff_of=body if stay.get("applicant_staff") else None,
    )
    state = final_state.answered_state(body, ending)
    _add(part, key, final_state.field(state))
    if state not in final_state.NEUTRAL and answer["answered_on_time"]:
        _add(part, key, "final_timely_extended" if extended else "final_timely")
    answered_on = _local_day(answer["answered_at"])
    if appeal["received_on"] in ordinals and answered_on in ordinals:
        _add(part, key, "days_to_answer", bucket=str(ordinals[answered_on] - ordinals[appeal["received_on"]]))
    # A repeat: the same applicant wrote to the same body within the window after the answer (the dialogue records
    # their next appeal to it on the answered stay; an anonymous report has none: it is nobody's repeat).
    if final_state.is_repeat(stay.get("ended_at"), stay.get("next_appeal_at"), window):
        _add(part, key, "repeats")


def _local_day(moment) -> dt.date:
    """The day in Kazakhstan (settings.TIME_ZONE) of a stored moment, as the SQL's date in the time zone."""
    return moment.astimezone(_zone()).date()


@functools.cache
def _zone():
    from django.conf import settings

    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def difference(new: dict, old: dict) -> dict:
    """new - old, key by key, field by field (histograms bucket by bucket); zeros left out."""
    out: dict = {}
    for key in set(new) | set(old):
        a, b = new.get(key, {}), old.get(key, {})
        for field in set(a) | set(b):
            x, y = a.get(field), b.get(field)
            if isinstance(x, dict) or isinstance(y, dict):
                x, y = x or {}, y or {}
                for bucket in set(x) | set(y):
                    n = x.get(bucket, 0) - y.get(bucket, 0)
                    if n:
                        out.setdefault(key, {}).setdefault(field, {})[bucket] = n
            else:
                n = (x or 0) - (y or 0)
                if n:
                    out.setdefault(key, {})[field] = n
    return out


def merge(total: dict, delta: dict) -> dict:
    """Add `delta` into `total` (both as difference() returns them), in place; zeros left out. Returns `total`."""
    for key, change in delta.items():
        slot = total.setdefault(key, {})
        for field, n in change.items():
            if isinstance(n, dict):
                hist = slot.setdefault(field, {})
                for bucket, m in n.items():
                    hist[bucket] = hist.get(bucket, 0) + m
                    if not hist[bucket]:
                        del hist[bucket]
                if not hist:
                    del slot[field]
            else:
                slot[field] = slot.get(field, 0) + n
                if not slot[field]:
                    del slot[field]
        if not slot:
            del total[key]
    return total


def _apply_delta(delta: dict) -> None:
    """Add the difference to the stored rows: missing rows created, then every row concerned locked in one query
    per table, in a fixed order (bodies then regions, by owner and month), so two workers never wait on each other
    in a cycle; the new values are written in one statement per table."""
    for kind, model, owner_field in (("b", BodyMonthFigures, "body_id"), ("r", RegionMonthFigures, "region_id")):
        changes = {}
        for key, change in delta.items():
            key_kind, owner, month = key.split(":")
            if key_kind == kind:
                changes[(int(owner), dt.date.fromisoformat(f"{month}-01"))] = change
        if not changes:
            continue
        model.objects.bulk_create([model(**{owner_field: o, "month": m}) for o, m in changes], ignore_conflicts=True)
        wanted = Q()
        for owner, month in changes:
            wanted |= Q(**{owner_field: owner, "month": month})
        rows = list(model.objects.select_for_update().filter(wanted).order_by(owner_field, "month"))
        fields = set()
        for row in rows:
            for field, n in changes[(getattr(row, owner_field), row.month)].items():
                if isinstance(n, dict):
                    hist = dict(getattr(row, field))
                    for bucket, m in n.items():
                        total = hist.get(bucket, 0) + m
                        if total:
                            hist[bucket] = total
                        else:
                            hist.pop(bucket, None)
                    setattr(row, field, hist)
                else:
                    setattr(row, field, getattr(row, field) + n)
                fields.add(field)
        model.objects.bulk_update(rows, sorted(fields))


def apply(appeal_id: int) -> dict:
    """Bring the stored figures up to date with the appeal's record (apply_many for one appeal)."""
    return apply_many([appeal_id])


def apply_many(appeal_ids) -> dict:
    """Bring the stored figures up to date with the appeals' records, and with the appeals whose part they change
    (the appeal one complains about; the earlier answers of the same body to the same applicant it makes a repeat
    of), in one transaction: the worker's batch of figures tasks. An appeal named twice counts once; the result is
    what applying the appeals one by one gives, since each appeal's kept part is replaced by its part now. Returns
    the change applied to each appeal's part, for the caller's log and the tests."""
    from ashyq.core import clock

    from .figures import ensure_calendar

    registered = dict(Appeal.objects.filter(pk__in=set(appeal_ids)).values_list("pk", "registered_at"))
    applied: dict = {}
    if not registered:  # appeals that no longer exist: nothing to count
        return applied
    # Working days to answer are read from the WorkingDay calendar.
    ensure_calendar(_local_day(min(registered.values())) - dt.timedelta(days=7), clock.today() + dt.timedelta(days=60))
    with transaction.atomic():
        touched = sorted(set(registered) | _affected(registered))
        # An appeal seen for the first time gets an empty part first, so that two workers meeting it both lock the
        # same row rather than both creating it.
        AppealContribution.objects.bulk_create(
            [AppealContribution(appeal_id=i, counts={}) for i in touched], ignore_conflicts=True
        )
        # Locked in one order (by appeal), so two workers touching the same appeals never wait on each other in a cycle.
        locked = AppealContribution.objects.select_for_update().filter(appeal_id__in=touched).order_by("appeal_id")
        kept_parts = {k.appeal_id: k for k in locked}
        parts = contributions_for(touched)
        total: dict = {}
        changed = []
        for other in touched:
            kept = kept_parts.get(other)
            if kept is None:  # the appeal is gone (deleted with its part)
                continue
            new = parts.get(other, {})
            delta = difference(new, kept.counts)
            if delta:
                merge(total, delta)
                applied[other] = delta
            if kept.counts != new:
                kept.counts = new
                changed.append(kept)
        if total:
            _apply_delta(total)
        AppealContribution.objects.bulk_update(changed, ["counts"])
    return applied


def _affected(appeal_ids) -> set[int]:
    """The other appeals whose part the appeals' records change: the appeals they complain about, and the answers
    of the body an appeal is addressed to, to the same applicant, within the repeat window before it."""
    appeals = list(
        Appeal.objects.filter(pk__in=appeal_ids).values(
            "pk", "complaint_about_id", "applicant_id", "addressed_body_id", "registered_at"
        )
    )
    others = {a["complaint_about_id"] for a in appeals if a["complaint_about_id"]}
    window = dt.timedelta(days=config.get()["repeat_window_days"])
    named = [a for a in appeals if a["applicant_id"] is not None]  # an anonymous report makes no answer a repeat
    if named:
        # One read for the batch, by the applicants (indexed) and the bodies, wider than needed; each appeal then
        # keeps the answers of its own window.
        answers = Answer.objects.filter(
            appeal__applicant_id__in={a["applicant_id"] for a in named},
            body_id__in={a["addressed_body_id"] for a in named},
            answered_at__gte=min(a["registered_at"] for a in named) - window,
            answered_at__lt=max(a["registered_at"] for a in named),
        ).values_list("appeal_id", "appeal__applicant_id", "body_id", "answered_at")
        by_pair: dict = {}
        for answer in answers:
            by_pair.setdefault((answer[1], answer[2]), []).append(answer)
        for a in named:
            for appeal_id, _, _, answered_at in by_pair.get((a["applicant_id"], a["addressed_body_id"]), ()):
                if appeal_id != a["pk"] and a["registered_at"] - window <= answered_at < a["registered_at"]:
                    others.add(appeal_id)
    return others


def rebuild_all(batch: int = 2000) -> int:
    """Every appeal's part from its record (after a full recomputation replaced the figures): the parts kept
    must add up to the figures for the next event's difference to be right. Batches of consecutive appeals, each
    read by a handful of queries (contributions_for). Returns the number of appeals."""
    AppealContribution.objects.all().delete()
    done, last = 0, 0
    while True:
        ids = list(Appeal.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return done
        parts = contributions_for(ids)
        AppealContribution.objects.bulk_create([AppealContribution(appeal_id=i, counts=parts[i]) for i in ids], batch_size=batch)
        done += len(ids)
        last = ids[-1]
