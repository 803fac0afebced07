"""The route of an appeal: its stays at bodies (models.AppealStay), kept by the services beside the events.

A stay starts with the registration or an arrival by redirect and ends with a redirect onward, the answer or a
withdrawal. services.py calls `start()`, `extend()` and `end()` in the transaction of the step that appends the
event, under the appeal's row lock, so the stays change exactly when the events do. `replay_stays()` rebuilds
them from the events alone (as replay.py does the status): a test holds the two equal after every kind of step.

The route has this one owner: whoever needs where an appeal went (the assessment's figures, the analysis,
the appeal page, the export) reads the stays instead of re-deriving them from the events.
"""

import dataclasses
import datetime as dt

from django.utils import timezone

from .models import AppealStay, EventKind, StayEnding

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


FIELDS = [f.name for f in dataclasses.fields(ReplayedStay)]


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def replay_stays(events, *, addressed_body_id: int, applicant_staff_of: int | None = None) -> list[ReplayedStay]:
    """The stays of an appeal from its events in order. `applicant_staff_of`: the body the applicant is on the
    staff of (an account's fact, not in the events)."""
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


def start(appeal, event) -> AppealStay:
    """The appeal arrived at `event.to_body` (its registration or a redirect): a new stay."""
    seq = AppealStay.objects.filter(appeal=appeal).count() + 1
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
    """The stay at the holding body ended with `event` (a redirect onward, the answer, a withdrawal)."""
    values = {"ended_at": event.at, "ending": ENDINGS[event.kind]}
    if answer is not None:
        staff_of = appeal.applicant.body_id if appeal.applicant_id else None
        values.update(
            outcome=answer.outcome,
            answered_on=_local_day(event.at),
            answered_on_time=answer.answered_on_time,
            extended=appeal.events.filter(kind=EventKind.EXTENDED, to_body_id=answer.body_id).exists(),
            applicant_staff=staff_of is not None and staff_of == answer.body_id,
        )
    AppealStay.objects.filter(appeal=appeal, ending="").update(**values)
