"""The route of an appeal (AppealStay): kept by the services with each step, always equal to a replay of the events,
and the migration's backfill gives the same rows as the services wrote."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection

from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, AppealStay, StayEnding
from ashyq.dialogue.stays import record_next_appeals, replay_stays, stored_stays
from tests.appeal_steps import take_step

MONDAY = dt.date(2026, 11, 2)
backfill_migration = importlib.import_module("ashyq.dialogue.migrations.0018_appeal_stays")

PATHS = [
    ["assign", "answer", "feedback"],
    ["redirect", "redirect_back", "assign", "extend", "answer", "complain"],
    ["extend", "withdraw"],
    ["extend", "redirect", "answer"],
    ["redirect", "redirect_back", "answer"],
    ["redirect"],
    [],
]


def replayed(appeal):
    appeal = Appeal.objects.select_related("applicant").get(pk=appeal.pk)
    staff_of = appeal.applicant.body_id if appeal.applicant_id else None
    written = Appeal.objects.filter(applicant_id=appeal.applicant_id).values_list("addressed_body_id", "registered_at")
    return replay_stays(
        appeal.events.order_by("seq"),
        addressed_body_id=appeal.addressed_body_id,
        applicant_staff_of=staff_of,
        applicant_appeals=list(written) if appeal.applicant_id else (),
    )


def drive(people, bodies, submit, at, path, applicant=None):
    with at(MONDAY):
        appeal = submit(applicant or people["applicant"])
    assert stored_stays(appeal) == replayed(appeal)
    for step in path:
        with at(dt.date(2026, 11, 3)):
            appeal = Appeal.objects.get(pk=appeal.pk)
            complaint = take_step(step, appeal, people, bodies)
            if complaint is not None:
                assert stored_stays(complaint) == replayed(complaint)
        assert stored_stays(appeal) == replayed(appeal), (path, step)
    return appeal


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_stays_equal_the_replay_after_every_kind_of_step(people, bodies, submit, at, path):
    drive(people, bodies, submit, at, path)


@pytest.mark.django_db
def test_a_route_reads_as_the_user_lived_it(people, bodies, submit, at):
    """Extended at the first body, redirected, answered at the second: two stays, each with what happened there."""
    appeal = drive(people, bodies, submit, at, ["extend", "redirect", "answer"])
    first, second = AppealStay.objects.filter(appeal=appeal).order_by("seq")
    acc, gpo = bodies["anti-corruption-agency"], bodies["general-prosecutors-office"]
    assert (first.body, first.addressed, first.ending, first.received_on) == (acc, True, StayEnding.REDIRECTED, MONDAY)
    assert first.due_on == dt.date(2026, 12, 18)  # the extension moved the first body's term before it redirected
    assert (second.body, second.addressed, second.ending, second.outcome) == (gpo, False, StayEnding.ANSWERED, "resolved")
    assert second.received_on == dt.date(2026, 11, 3) and second.month == dt.date(2026, 11, 1)
    assert second.answered_on == dt.date(2026, 11, 3) and second.answered_on_time is True
    assert second.extended is False  # the second body did not extend: the first body's extension is not its own
    assert first.ended_at == second.received_at


@pytest.mark.django_db
def test_an_answer_to_the_bodys_own_staff_is_marked(people, bodies, submit, at):
    appeal = drive(people, bodies, submit, at, ["answer"], applicant=people["other_official"])
    stay = AppealStay.objects.get(appeal=appeal)
    assert stay.applicant_staff is False  # answered by the anti-corruption agency, the applicant works elsewhere
    with at(MONDAY):
        own = submit(people["other_official"], body="general-prosecutors-office")
        services.answer_appeal(people["other_official"], own, text="Answer.", outcome="resolved")
    assert AppealStay.objects.get(appeal=own).applicant_staff is True


@pytest.mark.django_db
def test_a_refused_step_leaves_the_route_as_it_was(people, bodies, submit, at):
    from django.core.exceptions import ValidationError

    with at(MONDAY):
        appeal = submit(people["applicant"])
    before = stored_stays(appeal)
    with at(MONDAY), pytest.raises(ValidationError):
        services.answer_appeal(people["official"], appeal, text="", outcome="resolved")
    with at(MONDAY), pytest.raises(ValidationError):
        services.redirect_appeal(people["official"], appeal, bodies["anti-corruption-agency"], "Same body.")
    assert stored_stays(appeal) == before and before[0].ending == ""


@pytest.mark.django_db(transaction=True)
def test_the_migrations_backfill_gives_the_rows_the_services_wrote(people, bodies, submit, at):
    """The backfill (set-based SQL on PostgreSQL) rebuilds, from the events alone, the stays the services kept."""
    appeals = [drive(people, bodies, submit, at, path) for path in PATHS]
    with at(MONDAY):
        own = submit(people["other_official"], body="general-prosecutors-office")
        services.answer_appeal(people["other_official"], own, text="Answer.", outcome="explained")
    appeals.append(own)
    kept = {a.pk: stored_stays(a) for a in appeals}
    assert sum(len(v) for v in kept.values()) > len(appeals)
    AppealStay.objects.all().delete()
    with connection.schema_editor() as editor:
        backfill_migration.backfill(apps, editor)
    assert {a.pk: stored_stays(a) for a in appeals} == kept


def _answered_stay(appeal):
    return AppealStay.objects.get(appeal=appeal, ending=StayEnding.ANSWERED)


@pytest.mark.django_db
def test_the_applicants_next_appeal_to_the_answering_body_is_recorded_on_the_answer(people, bodies, submit, at):
    """What the assessment counts as a repeat starts here: the first appeal the same applicant addresses to the body
    after its answer. Later ones, appeals to other bodies and other applicants' appeals do not change it."""
    with at(MONDAY):
        first = submit(people["applicant"])
        services.answer_appeal(people["official"], first, text="Answer.", outcome="explained")
    assert _answered_stay(first).next_appeal_at is None
    with at(dt.date(2026, 11, 4)):
        submit(people["other_applicant"])  # someone else
        submit(people["applicant"], body="general-prosecutors-office")  # another body
    assert _answered_stay(first).next_appeal_at is None
    with at(dt.date(2026, 11, 10)):
        again = submit(people["applicant"])
    with at(dt.date(2026, 11, 20)):
        submit(people["applicant"])
    assert _answered_stay(first).next_appeal_at == again.registered_at
    assert stored_stays(first) == replayed(first) and stored_stays(again) == replayed(again)


@pytest.mark.django_db
def test_a_history_replayed_at_past_dates_records_the_earliest_next_appeal(people, bodies, submit, at):
    """Steps taken out of time order (a loader replaying history at past dates): an answer given after the later
    appeal was registered finds it, and an appeal registered in between replaces it as the next one."""
    with at(MONDAY):
        first = submit(people["applicant"])
    with at(dt.date(2026, 12, 1)):
        december = submit(people["applicant"])
    with at(dt.date(2026, 11, 5)):
        services.answer_appeal(people["official"], first, text="Answer.", outcome="resolved")
    assert _answered_stay(first).next_appeal_at == december.registered_at
    with at(dt.date(2026, 11, 20)):
        november = submit(people["applicant"])
    assert _answered_stay(first).next_appeal_at == november.registered_at
    assert stored_stays(first) == replayed(first)


@pytest.mark.django_db
def test_an_appeal_registered_at_the_moment_of_the_answer_is_not_after_it(people, bodies, submit, at):
    with at(MONDAY):
        first = submit(people["applicant"])
        services.answer_appeal(people["official"], first, text="Answer.", outcome="resolved")
        submit(people["applicant"])
    assert _answered_stay(first).next_appeal_at is None


@pytest.mark.django_db
def test_the_set_based_backfill_gives_what_the_services_recorded(people, bodies, submit, at):
    """stays.record_next_appeals() (the migration's backfill, the generated data) from the appeals as they are."""
    answered = []
    with at(MONDAY):
        for applicant in ("applicant", "other_applicant"):
            appeal = submit(people[applicant])
            services.answer_appeal(people["official"], appeal, text="Answer.", outcome="explained")
            answered.append(appeal)
        redirected = submit(people["applicant"])
    with at(dt.date(2026, 11, 3)):
        services.redirect_appeal(people["official"], redirected, bodies["general-prosecutors-office"], "Competence.")
        services.answer_appeal(people["other_official"], redirected, text="Answer.", outcome="resolved")
        answered.append(redirected)
    for day in (dt.date(2026, 11, 9), dt.date(2026, 11, 12)):
        with at(day):
            submit(people["applicant"])  # to the agency again
            submit(people["applicant"], body="general-prosecutors-office")
    kept = {a.pk: _answered_stay(a).next_appeal_at for a in answered}
    assert kept[answered[0].pk] is not None and kept[answered[1].pk] is None and kept[answered[2].pk] is not None
    AppealStay.objects.update(next_appeal_at=None)
    assert record_next_appeals() == 2
    assert {a.pk: _answered_stay(a).next_appeal_at for a in answered} == kept
    assert record_next_appeals() == 0  # nothing left to change
    assert {a.pk: _answered_stay(a).next_appeal_at for a in answered} == kept
