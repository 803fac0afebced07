"""What became of an appeal at each body it reached: exactly one final state per stay (docs/assessment.md).

A *stay* starts when a body receives the appeal (registration, or arrival by redirect). Each stay ends in
one state, and the Ashyq method's shares are shares of the stays a body received, so every appeal counts
once for each body, for what became of it there, whatever the body did to make it look handled.

This module is the rule, as a pure function of one appeal's facts (no database, no Django), and the only place
it is written: `recompute.py` applies it row by row to the public export, `figures.py` once per group of stays
with the same facts (the aggregate SQL groups the dialogue's stays by what their state depends on), and
`contributions.py` to the one appeal an event touched; tests hold the three equal.
"""

from dataclasses import dataclass

# The states. "open" and "redirect_pending" are not final yet: they are kept by due date (histograms), and
# become "overdue" / "redirected_unjustified" on the day their term passes (scoring.settle()).
RESOLVED_CONFIRMED = "resolved_confirmed"  # answered 'resolved' and the applicant said yes
RESOLVED_UNCONFIRMED = "resolved_unconfirmed"  # answered 'resolved', no verdict or 'partly'
RESOLVED_DISPUTED = "resolved_disputed"  # answered 'resolved', but the applicant said no or a complaint was upheld
EXPLAINED = "explained"
REFUSED = "refused"
LEFT = "left_without_consideration"
NOT_COMPETENT = "not_competent"  # an appeal dumped on the body by a redirect, answered "not ours" (explained/left)
OWN_STAFF = "own_staff"  # the applicant is on the staff of the body that answered: never counted for it
REDIRECTED_JUSTIFIED = "redirected_justified"
REDIRECTED_UNJUSTIFIED = "redirected_unjustified"
WITHDRAWN = "withdrawn"
OPEN = "open"
REDIRECT_PENDING = "redirect_pending"

# Stored as counts per body and month ("final_<state>"); OPEN and REDIRECT_PENDING as histograms by due date.
FINAL_STATES = (
    RESOLVED_CONFIRMED,
    RESOLVED_UNCONFIRMED,
    RESOLVED_DISPUTED,
    EXPLAINED,
    REFUSED,
    LEFT,
    NOT_COMPETENT,
    OWN_STAFF,
    REDIRECTED_JUSTIFIED,
    REDIRECTED_UNJUSTIFIED,
    WITHDRAWN,
)
# Neither for nor against the body: the appeal is judged where it belongs (docs/assessment.md, "Final states").
NEUTRAL = (NOT_COMPETENT, OWN_STAFF, REDIRECTED_JUSTIFIED)
# A redirect was right when the receiver decided the matter on its merits: measures taken, or a reasoned refusal.
MERIT_OUTCOMES = ("resolved", "refused")
NOT_OURS_OUTCOMES = ("explained", "left_without_consideration")
OPEN_STATUSES = ("registered", "in_progress")


def field(state: str) -> str:
    return f"final_{state}"


@dataclass(frozen=True)
class Ending:
    """How the appeal stands now (its last stay): the facts the states of all its stays depend on."""

    status: str  # registered, in_progress, answered, withdrawn
    outcome: str | None = None  # the answer's outcome
    resolution: str | None = None  # the applicant's verdict: yes, partly, no
    upheld: bool = False  # a complaint about the answer was answered 'resolved' by the higher body
    on_time: bool = False  # answered by the due date
    extended: bool = False  # the answering body extended the term
    due_on: object = None  # the current due date (open appeals)
    addressed_body: object = None  # the body the applicant wrote to
    applicant_staff_of: object = None  # the body the applicant is on the staff of, if any


@dataclass(frozen=True)
class StayState:
    body: object
    received_on: object
    state: str
    due_on: object = None  # for OPEN and REDIRECT_PENDING
    timely: bool = False  # answered on time without an extension (counted stays only)
    timely_extended: bool = False  # answered on time thanks to an extension


def answered_state(body, ending: Ending) -> str:
    """The state of the stay that ended with the body's answer."""
    if ending.applicant_staff_of is not None and ending.applicant_staff_of == body:
        return OWN_STAFF
    if ending.outcome in NOT_OURS_OUTCOMES and body != ending.addressed_body:
        return NOT_COMPETENT
    if ending.outcome == "resolved":
        if ending.resolution == "no" or ending.upheld:
            return RESOLVED_DISPUTED
        return RESOLVED_CONFIRMED if ending.resolution == "yes" else RESOLVED_UNCONFIRMED
    return {"explained": EXPLAINED, "refused": REFUSED, LEFT: LEFT}[ending.outcome]


def redirect_state(next_is_last: bool, ending: Ending) -> str:
    """A redirect is judged by what followed: justified when the receiver kept the appeal (no bounce back or
    onward) and decided it on its merits (resolved or refused), without the applicant's 'no' or an upheld
    complaint. Pending while the receiver still holds it within its term."""
    if not next_is_last:
        return REDIRECTED_UNJUSTIFIED  # bounced back or sent onward
    if ending.status in OPEN_STATUSES:
        return REDIRECT_PENDING
    if ending.status == "answered" and ending.outcome in MERIT_OUTCOMES and ending.resolution != "no" and not ending.upheld:
        return REDIRECTED_JUSTIFIED
    return REDIRECTED_UNJUSTIFIED


def stay_states(stays: list[tuple], ending: Ending) -> list[StayState]:
    """One StayState per stay. `stays`: [(body, received_on)] in order (registration first)."""
    out = []
    last = len(stays) - 1
    for i, (body, received_on) in enumerate(stays):
        if i < last:
            state = redirect_state(i + 1 == last, ending)
            out.append(StayState(body, received_on, state, ending.due_on if state == REDIRECT_PENDING else None))
        elif ending.status in OPEN_STATUSES:
            out.append(StayState(body, received_on, OPEN, ending.due_on))
        elif ending.status == "withdrawn":
            out.append(StayState(body, received_on, WITHDRAWN))
        else:
            state = answered_state(body, ending)
            counted = state not in NEUTRAL
            out.append(
                StayState(
                    body,
                    received_on,
                    state,
                    None,
                    timely=counted and ending.on_time and not ending.extended,
                    timely_extended=counted and ending.on_time and ending.extended,
                )
            )
    return out


def is_repeat(answered_at, next_appeal_at, window) -> bool:
    """An answer followed by a *repeat*: the applicant's next appeal to the answering body (registered after the
    answer) came within `window` (a timedelta, configuration) of it. Not a final state: a count of its own."""
    return next_appeal_at is not None and answered_at is not None and next_appeal_at <= answered_at + window
