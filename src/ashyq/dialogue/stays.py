"""The route of an appeal: its stays at bodies (models.AppealStay), kept by the services beside the events.

A stay starts with the registration or an arrival by redirect and ends with a redirect onward, the answer or a
withdrawal. services.py calls `start()`, `extend()` and `end()` in the transaction of the step that appends the
event, under the appeal's row lock, so the stays change exactly when the events do. `replay_stays()` rebuilds
them from the events alone (as replay.py does the status): a test holds the two equal after every kind of step.

One fact on an answered stay comes from another appeal: `next_appeal_at`, when the same applicant next wrote to the
answering body after its answer (the first registration of an appeal of theirs addressed to it). `note_next_appeal()`
records it on their earlier answered stays when an appeal is registered, and `end()` when the answer comes after
that appeal was already registered (a history replayed at past dates); `record_next_appeals()` sets it for the whole
table at once (the migration, the generated data). The assessment counts a repeat when it falls within its window.

The route has this one owner: whoever needs where an appeal went (the assessment's figures, the analysis,
the appeal page, the export) reads the stays instead of re-deriving them from the events.
"""

import dataclasses
import datetime as dt

from django.db import connection
from django.db.models import Min
from django.utils import timezone

from .models import Appeal, AppealStay, EventKind, StayEnding

STARTS = (EventKind.REGISTERED, EventKind.REDIRECTED)
ENDINGS = {
    EventKind.REDIRECTED: StayEnding.REDIRECTED,
    EventKind.ANSWERED: StayEnding.ANSWERED,
    EventKind.WITHDRAWN: StayEnding.WITHDRAWN,
}


@dataclasses.dataclass
class ReplayedStay:
    seq: int
    body_id: int
    addressed: bool
    received_at: dt.datetime
    received_on: dt.date
    month: dt.date
    due_on: dt.date
    ended_at: dt.datetime | None = None
    ending: str = ""
    outcome: str = ""
    answered_on: dt.date | None = None
    answered_on_time: bool | None = None
    extended: bool = False
    applicant_staff: bool = False
    next_appeal_at: dt.datetime | None = None


FIELDS = [f.name for f in dataclasses.fields(ReplayedStay)]


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def first_after(moment: dt.datetime, registrations) -> dt.datetime | None:
    """The first of these registration times strictly after `moment` (the answer): the applicant's next appeal."""
    return min((t for t in registrations if t > moment), default=None)


def replay_stays(
    events, *, addressed_body_id: int, applicant_staff_of: int | None = None, applicant_appeals=()
) -> list[ReplayedStay]:
    """The stays of an appeal from its events in order. `applicant_staff_of`: the body the applicant is on the
    staff of (an account's fact, not in the events); `applicant_appeals`: (addressed body, registered at) of
    every appeal of the same applicant, for when they next wrote to the answering body."""
    out: list[ReplayedStay] = []
    extended_by: set = set()
    for event in events:
        kind = event.kind
        if kind in (EventKind.REDIRECTED, EventKind.ANSWERED, EventKind.WITHDRAWN) and out:
            stay = out[-1]
            stay.ended_at, stay.ending = event.at, ENDINGS[kind]
            if kind == EventKind.ANSWERED:
                stay.outcome = event.data["outcome"]
                stay.answered_on = _local_day(event.at)
                stay.answered_on_time = bool(event.data["on_time"])
                stay.extended = stay.body_id in extended_by
                stay.applicant_staff = applicant_staff_of is not None and applicant_staff_of == stay.body_id
                stay.next_appeal_at = first_after(event.at, [t for body, t in applicant_appeals if body == stay.body_id])
        if kind == EventKind.EXTENDED and out:
            out[-1].due_on = dt.date.fromisoformat(event.data["due_on"])
            extended_by.add(event.to_body_id)
        if kind in STARTS:
            # Events from before the day was written into them: the local day of the event.
            day = event.data.get("received_on")
            received_on = dt.date.fromisoformat(day) if day else _local_day(event.at)
            out.append(
                ReplayedStay(
                    seq=len(out) + 1,
                    body_id=event.to_body_id,
                    addressed=event.to_body_id == addressed_body_id,
                    received_at=event.at,
                    received_on=received_on,
                    month=received_on.replace(day=1),
                    due_on=dt.date.fromisoformat(event.data["due_on"]),
                )
            )
    return out


def stored_stays(appeal) -> list[ReplayedStay]:
    rows = AppealStay.objects.filter(appeal=appeal).order_by("seq").values("body_id", *[f for f in FIELDS if f != "body_id"])
    return [ReplayedStay(**row) for row in rows]


# --- kept by the services, under the appeal's row lock, in the step's transaction ---------------------------------


def start(appeal, event, *, first: bool = False) -> AppealStay:
    """The appeal arrived at `event.to_body` (its registration or a redirect): a new stay. `first`: the appeal
    was registered in this transaction, so this is its first stay (no need to count the others)."""
    seq = 1 if first else AppealStay.objects.filter(appeal=appeal).count() + 1
    received_on = appeal.received_on
    return AppealStay.objects.create(
        appeal=appeal,
        seq=seq,
        body_id=event.to_body_id,
        addressed=event.to_body_id == appeal.addressed_body_id,
        received_at=event.at,
        received_on=received_on,
        month=received_on.replace(day=1),
        due_on=appeal.due_on,
    )


def extend(appeal) -> None:
    """The holding body moved the due date."""
    AppealStay.objects.filter(appeal=appeal, ending="").update(due_on=appeal.due_on)


def end(appeal, event, *, answer=None) -> None:
    """The stay at the holding body ended with `event` (a redirect onward, the answer, a withdrawal). The caller
    of an answer holds the applicant's row lock, as a registration does (see note_next_appeal)."""
    values = {"ended_at": event.at, "ending": ENDINGS[event.kind]}
    if answer is not None:
        staff_of = appeal.applicant.body_id if appeal.applicant_id else None
        # Usually nobody has written again yet; a history replayed at past dates may hold the later appeal already.
        later = (
            Appeal.objects.filter(
                applicant_id=appeal.applicant_id, addressed_body_id=answer.body_id, registered_at__gt=event.at
            ).aggregate(first=Min("registered_at"))["first"]
            if appeal.applicant_id
            else None
        )
        values.update(
            outcome=answer.outcome,
            answered_on=_local_day(event.at),
            answered_on_time=answer.answered_on_time,
            extended=appeal.events.filter(kind=EventKind.EXTENDED, to_body_id=answer.body_id).exists(),
            applicant_staff=staff_of is not None and staff_of == answer.body_id,
            next_appeal_at=later,
        )
    AppealStay.objects.filter(appeal=appeal, ending="").update(**values)


def note_next_appeal(appeal) -> int:
    """`appeal` was just registered: it is the applicant's next appeal to its addressed body after each earlier
    answer of that body to them that has no earlier one recorded. One index lookup by applicant (their appeals are
    few). The caller holds the applicant's row lock, and so does an answer's step, so an answer and a registration
    of the same applicant never miss each other. Returns the number of answered stays it marked."""
    if appeal.applicant_id is None:  # an anonymous report: nobody's next appeal
        return 0
    # Written out, as the ORM would write it for
    #   AppealStay.objects.filter(appeal__applicant_id=..., body_id=..., ending=ANSWERED, ended_at__lt=at)
    #   .exclude(next_appeal_at__lte=at).update(next_appeal_at=at)
    # (an UPDATE of the rows a join selects): building that statement cost every submission more CPU than running it.
    at = connection.ops.adapt_datetimefield_value(appeal.registered_at)
    stays, appeals = AppealStay._meta.db_table, Appeal._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {stays} SET next_appeal_at = %s WHERE id IN ("
            f"SELECT s.id FROM {stays} s INNER JOIN {appeals} a ON a.id = s.appeal_id "
            "WHERE a.applicant_id = %s AND s.body_id = %s AND s.ending = %s AND s.ended_at < %s "
            "AND (s.next_appeal_at IS NULL OR s.next_appeal_at > %s))",
            [at, appeal.applicant_id, appeal.addressed_body_id, StayEnding.ANSWERED, at, at],
        )
        return cursor.rowcount


# For the whole table at once, set-based: every answered stay, the applicant's first appeal to the answering body
# registered after the answer. On PostgreSQL one window over the answers and the appeals of each applicant and body,
# latest first (the running minimum over the appeals seen so far is the first one after the answer; at equal times
# the answer comes first, so an appeal registered at the same moment is not "after"): one sort, not a lookup per
# answer. Elsewhere (SQLite: development and test databases, small) a correlated subquery.
_NEXT_APPEALS_SQL = {
    "postgresql": """
        WITH ev AS (
            SELECT a.applicant_id AS who, s.body_id AS body, s.ended_at AS t, 0 AS k, s.id AS stay
            FROM {stay} s JOIN {appeal} a ON a.id = s.appeal_id
            WHERE s.ending = 'answered' AND a.applicant_id IS NOT NULL
            UNION ALL
            SELECT applicant_id, addressed_body_id, registered_at, 1, NULL FROM {appeal} WHERE applicant_id IS NOT NULL
        ), w AS (
            SELECT stay, k, MIN(CASE WHEN k = 1 THEN t END) OVER (
                PARTITION BY who, body ORDER BY t DESC, k ASC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS next_t
            FROM ev
        )
        UPDATE {stay} s SET next_appeal_at = w.next_t FROM w
        WHERE w.k = 0 AND s.id = w.stay AND s.next_appeal_at IS DISTINCT FROM w.next_t""",
    "other": """
        UPDATE {stay} SET next_appeal_at = ({first}) WHERE ending = 'answered' AND next_appeal_at IS NOT ({first})""",
}
_FIRST_AFTER_SQL = """
    SELECT MIN(b.registered_at) FROM {appeal} a JOIN {appeal} b
        ON b.applicant_id = a.applicant_id AND b.addressed_body_id = {stay}.body_id AND b.registered_at > {stay}.ended_at
    WHERE a.id = {stay}.appeal_id"""


def record_next_appeals(using=connection) -> int:
    """Set `next_appeal_at` on every answered stay from the appeals as they are. Returns the rows changed."""
    tables = {"stay": AppealStay._meta.db_table, "appeal": Appeal._meta.db_table}
    sql = _NEXT_APPEALS_SQL.get(using.vendor, _NEXT_APPEALS_SQL["other"])
    with using.cursor() as cursor:
        cursor.execute(sql.format(first=_FIRST_AFTER_SQL.format(**tables), **tables))
        return cursor.rowcount
