"""The appeal record is tamper-evident: an edit behind the application's back is caught and named."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ashyq.dialogue import services
from ashyq.dialogue.integrity import GENESIS, broken_link
from ashyq.dialogue.models import AppealEvent


@pytest.fixture
def history(people, bodies, submit, at):
    with at(dt.date(2026, 11, 2)):
        appeal = submit(people["applicant"])
        services.redirect_appeal(people["official"], appeal, bodies["general-prosecutors-office"], "Competence of prosecutors.")
        services.answer_appeal(people["other_official"], appeal, text="Resolved.", outcome="resolved")
        untouched = submit(people["applicant"], subject="Another")
    return appeal, untouched


def verify():
    out = StringIO()
    try:
        call_command("verify_event_chains", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()


def test_every_event_links_to_the_one_before(history):
    appeal, _ = history
    events = list(appeal.events.order_by("seq"))
    assert events[0].prev_hash == GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:]))
    assert broken_link(events) is None
    assert verify() == (True, "All 2 appeal histories are intact.\n")


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE dialogue_appealevent SET reason = 'Not our business.' WHERE appeal_id = %s AND seq = 2",
        "UPDATE dialogue_appealevent SET to_body_id = from_body_id WHERE appeal_id = %s AND seq = 2",
        "DELETE FROM dialogue_appealevent WHERE appeal_id = %s AND seq = 2",
    ],
    ids=["reason rewritten", "redirect target changed", "event deleted"],
)
def test_an_altered_history_is_caught_and_named(history, tamper):
    appeal, untouched = history
    with connection.cursor() as cursor:
        cursor.execute(tamper, [appeal.pk])
    ok, output = verify()
    assert not ok
    assert f"ALTERED appeal {appeal.number}" in output
    assert untouched.number not in output


def test_a_recomputed_hash_still_breaks_the_next_link(history):
    """Someone who edits an event and recomputes its hash still breaks the following event's link."""
    from ashyq.dialogue.integrity import event_digest

    appeal, _ = history
    event = AppealEvent.objects.get(appeal=appeal, seq=2)
    event.reason = "Rewritten"
    new_hash = event_digest(event, event.prev_hash)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dialogue_appealevent SET reason = %s, hash = %s WHERE id = %s", ["Rewritten", new_hash, event.pk])
    assert broken_link(appeal.events.order_by("seq")) == 3
