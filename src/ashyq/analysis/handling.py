"""How each body handled an appeal, read from the appeal's record.

An appeal may pass through several bodies: each stay ends in a redirect (to whom) or, at the last body, in
the answer's outcome, a withdrawal or nothing yet. "Investigation or measures" is an answer that resolved
the appeal by opening an investigation or disciplinary or criminal proceedings — the study's first kind of
response — recognised from the answer's words, since the outcome alone says only "measures taken".
"""

import datetime as dt
import re
from dataclasses import dataclass

from ashyq.dialogue.models import Appeal, EventKind, Outcome, Status

from .models import Handling

INVESTIGATION = re.compile(
    r"(служебн\w* (?:проверк|расследован)|расследован|досудебн|уголовн\w* дел|дисциплинарн|проверк\w* (?:назначен|проведен|начат)"
    r"|тексеру|тергеу|қылмыстық іс|тәртіптік|сотқа дейінгі"
    r"|investigation|disciplinary|criminal (?:case|proceedings))",
    re.IGNORECASE,
)

OUTCOME_HANDLING = {
    Outcome.REFUSED: Handling.REFUSED,
    Outcome.LEFT_WITHOUT_CONSIDERATION: Handling.LEFT_WITHOUT_CONSIDERATION,
}


@dataclass
class Stay:
    body_id: int
    received_on: dt.date
    handling: str
    redirected_to_id: int | None = None


def answer_handling(outcome: str, answer_text: str) -> str:
    if outcome in OUTCOME_HANDLING:
        return OUTCOME_HANDLING[outcome]
    if outcome == Outcome.RESOLVED and INVESTIGATION.search(answer_text or ""):
        return Handling.INVESTIGATION
    return Handling.MERITS


def stays(appeal: Appeal, events, answer=None) -> list[Stay]:
    """Each body the appeal was with, in order, and how that body handled it."""
    result: list[Stay] = []
    for event in events:
        if event.kind == EventKind.REGISTERED:
            result.append(
                Stay(
                    event.to_body_id or appeal.addressed_body_id,
                    dt.date.fromisoformat(event.data.get("received_on") or event.at.date().isoformat()),
                    Handling.PENDING,
                )
            )
        elif event.kind == EventKind.REDIRECTED and result:
            result[-1].handling = Handling.REDIRECTED
            result[-1].redirected_to_id = event.to_body_id
            result.append(Stay(event.to_body_id, dt.date.fromisoformat(event.data["received_on"]), Handling.PENDING))
    if not result:
        return result
    last = result[-1]
    if appeal.status == Status.ANSWERED and answer is not None:
        last.handling = answer_handling(answer.outcome, answer.text)
    elif appeal.status == Status.WITHDRAWN:
        last.handling = Handling.WITHDRAWN
    return result
