"""How each body handled an appeal, read from the appeal's route (dialogue's AppealStay).

An appeal may pass through several bodies: the dialogue keeps its stays, each ending in a redirect (to the body
of the next stay), the answer, a withdrawal or nothing yet. This module only names each stay's handling in the
study's terms; where the appeal went is never re-derived here from the events. "Investigation or measures" is an
answer that resolved the appeal by opening an investigation or disciplinary or criminal proceedings (the study's
first kind of response), recognised from the answer's words, since the outcome alone says only "measures taken".
"""

import datetime as dt
import re
from dataclasses import dataclass

from ashyq.dialogue.models import Outcome, StayEnding

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


def stays(route, answer_text: str = "") -> list[Stay]:
    """Each body the appeal was with, in order, and how that body handled it. `route`: the appeal's stays in
    order (AppealStay rows, or dialogue.stays.replay_stays() for records not yet written); `answer_text`: the
    answer's words, read only when a stay ended with a resolving answer."""
    route = list(route)
    result: list[Stay] = []
    for i, stay in enumerate(route):
        handling, redirected_to = Handling.PENDING, None
        if stay.ending == StayEnding.REDIRECTED:
            handling = Handling.REDIRECTED
            redirected_to = route[i + 1].body_id if i + 1 < len(route) else None
        elif stay.ending == StayEnding.ANSWERED:
            handling = answer_handling(stay.outcome, answer_text)
        elif stay.ending == StayEnding.WITHDRAWN:
            handling = Handling.WITHDRAWN
        result.append(Stay(stay.body_id, stay.received_on, handling, redirected_to))
    return result


def needs_answer_text(route) -> bool:
    """Whether the answer's words decide a handling (a resolving answer): only then is the answer read."""
    return any(s.ending == StayEnding.ANSWERED and s.outcome == Outcome.RESOLVED for s in route)
