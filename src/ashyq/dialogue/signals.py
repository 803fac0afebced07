"""What dialogue tells the apps above it when an appeal's record grows, so that they follow the record without
dialogue importing them (assessment's figures, analysis' rows, and whatever comes next).

`event_appended` is sent once for each new AppealEvent, right after the row is saved, inside the transaction
that appended it (a fixture load sends nothing). Arguments: `event` (the AppealEvent) and `effects`, the
frozenset of what the step changed, from EFFECTS below. Receivers pick the effects they depend on, never a list
of kinds, so a new kind reaches every app that depends on what it changes; work that should not block or undo
the step is deferred with transaction.on_commit() and must not raise.

The contract, one line per effect:
  route       which body holds the appeal and since when (registration, redirect)
  term        the day the answer is due (registration, redirect, extension)
  outcome     how the appeal ended (answer, withdrawal)
  verdict     what the applicant made of the answer (feedback, complaint to the higher body)
  executor    who prepares the answer inside the body
  visibility  whether the appeal is on the public record (published, hidden, restored)
  moderation  a moderator's decision on the public copies (every publication step, refusals included)
  signature   a text on the record was signed with a digital signature (the appeal's or the answer's)
Every EventKind has an entry: a kind added without one fails loudly here and in tests/test_event_contract.py.
"""

from django.dispatch import Signal

from .models import EventKind

event_appended = Signal()

ROUTE, TERM, OUTCOME, VERDICT = "route", "term", "outcome", "verdict"
EXECUTOR, VISIBILITY, MODERATION = "executor", "visibility", "moderation"
SIGNATURE = "signature"

EFFECTS: dict[str, frozenset] = {
    EventKind.REGISTERED: frozenset({ROUTE, TERM}),
    EventKind.EXECUTOR_ASSIGNED: frozenset({EXECUTOR}),
    EventKind.REDIRECTED: frozenset({ROUTE, TERM}),
    EventKind.EXTENDED: frozenset({TERM}),
    EventKind.ANSWERED: frozenset({OUTCOME}),
    EventKind.FEEDBACK: frozenset({VERDICT}),
    EventKind.COMPLAINED: frozenset({VERDICT}),
    EventKind.WITHDRAWN: frozenset({OUTCOME}),
    EventKind.PUBLISHED: frozenset({VISIBILITY, MODERATION}),
    EventKind.PUBLICATION_REFUSED: frozenset({MODERATION}),
    EventKind.ANSWER_PUBLISHED: frozenset({MODERATION}),
    EventKind.REASONS_PUBLISHED: frozenset({MODERATION}),
    EventKind.HIDDEN: frozenset({VISIBILITY, MODERATION}),
    EventKind.RESTORED: frozenset({VISIBILITY, MODERATION}),
    EventKind.SIGNED: frozenset({SIGNATURE}),
}


def effects_of(kind: str) -> frozenset:
    try:
        return EFFECTS[kind]
    except KeyError:
        raise LookupError(f"Event kind {kind!r} has no entry in dialogue/signals.EFFECTS: say what it changes.") from None


def on_event_saved(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        event_appended.send(sender=type(instance), event=instance, effects=effects_of(instance.kind))
