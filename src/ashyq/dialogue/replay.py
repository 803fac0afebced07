"""Rebuilds an appeal's current state from its events alone.

The stored columns (status, body, due_on, executor) exist only so lists are fast; this replay is
what they must always equal, and a test checks it after every kind of step.
"""

import dataclasses
import datetime as dt

from .models import EventKind, Status


@dataclasses.dataclass(frozen=True)
class ReplayedState:
    status: str
    body_id: int
    due_on: dt.date
    executor_id: int | None


def replay(events) -> ReplayedState:
    state = None
    for event in events:
        kind, data = event.kind, event.data
        if kind == EventKind.REGISTERED:
            state = ReplayedState(Status.REGISTERED, event.to_body_id, dt.date.fromisoformat(data["due_on"]), None)
        elif state is None:
            raise ValueError("The first event of an appeal must be its registration.")
        elif kind == EventKind.EXECUTOR_ASSIGNED:
            state = dataclasses.replace(state, status=Status.IN_PROGRESS, executor_id=data["executor_id"])
        elif kind == EventKind.REDIRECTED:
            state = ReplayedState(Status.REGISTERED, event.to_body_id, dt.date.fromisoformat(data["due_on"]), None)
        elif kind == EventKind.EXTENDED:
            state = dataclasses.replace(state, due_on=dt.date.fromisoformat(data["due_on"]))
        elif kind == EventKind.ANSWERED:
            state = dataclasses.replace(state, status=Status.ANSWERED)
        elif kind == EventKind.WITHDRAWN:
            state = dataclasses.replace(state, status=Status.WITHDRAWN)
        # FEEDBACK, COMPLAINED and the public-record events add to the record without changing the state.
    if state is None:
        raise ValueError("An appeal without events has no state.")
    return state


def stored_state(appeal) -> ReplayedState:
    return ReplayedState(appeal.status, appeal.body_id, appeal.due_on, appeal.executor_id)
