"""Dialogue's event signal: every kind says what it changes, and the apps above follow effects, not kinds.

A new kind of event must say what it changes before it can be appended, so assessment and analysis can never
disagree about it again (one counting it while the other drops it)."""

import pytest

from ashyq.analysis import signals as analysis_signals
from ashyq.assessment import signals as assessment_signals
from ashyq.dialogue import services, signals
from ashyq.dialogue.models import AppealEvent, EventKind

pytestmark = pytest.mark.django_db


def kinds_followed(followed) -> set[str]:
    return {kind for kind in EventKind.values if signals.effects_of(kind) & followed}


def test_every_kind_of_event_says_what_it_changes():
    assert set(signals.EFFECTS) == set(EventKind.values)
    known = {
        signals.ROUTE,
        signals.TERM,
        signals.OUTCOME,
        signals.VERDICT,
        signals.EXECUTOR,
        signals.VISIBILITY,
        signals.MODERATION,
        signals.SIGNATURE,
    }
    for kind in EventKind.values:
        assert signals.EFFECTS[kind] and signals.EFFECTS[kind] <= known, kind


def test_a_kind_without_an_entry_is_refused_loudly():
    with pytest.raises(LookupError, match="no entry"):
        signals.effects_of("summoned")


def test_the_figures_follow_the_procedure_and_not_the_moderation():
    assert kinds_followed(assessment_signals.FOLLOWED) == {
        "registered",
        "redirected",
        "extended",
        "answered",
        "feedback",
        "complained",
        "withdrawn",
    }


def test_the_analysis_follows_where_the_appeal_is_how_it_ended_and_whether_it_is_public():
    assert kinds_followed(analysis_signals.FOLLOWED) == {
        "registered",
        "redirected",
        "answered",
        "withdrawn",
        "published",
        "hidden",
        "restored",
    }


def test_each_appended_event_is_sent_once_with_its_effects(people, submit, bodies):
    sent = []

    def receiver(sender, event, effects, **kwargs):
        sent.append((event.kind, effects))

    signals.event_appended.connect(receiver)
    try:
        appeal = submit(people["applicant"])
        services.assign_executor(people["head"], appeal, people["official"])
    finally:
        signals.event_appended.disconnect(receiver)
    assert sent == [("registered", signals.EFFECTS["registered"]), ("executor_assigned", signals.EFFECTS["executor_assigned"])]
    assert AppealEvent.objects.filter(appeal=appeal).count() == 2
