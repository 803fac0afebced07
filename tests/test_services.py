"""The appeal lifecycle through the services: deadlines, redirects, extensions, answers, the record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ashyq.core.calendar import add_working_days
from ashyq.dialogue import services
from ashyq.dialogue.deadlines import DeadlineState, deadline_state
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import Appeal, AppealEvent, EventKind, Regulation, Status
from ashyq.dialogue.replay import replay, stored_state
from tests.appeal_steps import take_step

MONDAY = dt.date(2026, 11, 2)


def assert_record_consistent(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert stored_state(appeal) == replay(appeal.events.order_by("seq"))
    seqs = list(appeal.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.fixture
def registered(people, submit, at):
    with at(MONDAY):
        return submit(people["applicant"])


def test_submission_gets_number_due_date_event_and_email(people, submit, at, regions, mailoutbox, run_queue):
    with at(MONDAY), run_queue:
        appeal = submit(people["applicant"], subject="Permit bribe", region=regions["KZ-71"], is_public=True)
    assert appeal.number == f"2026-{appeal.pk:06d}"
    assert appeal.status == Status.REGISTERED
    assert appeal.received_on == MONDAY
    assert appeal.due_on == add_working_days(MONDAY, 15) == dt.date(2026, 11, 23)
    assert appeal.regulation.version == 1
    event = appeal.events.get()
    assert (event.kind, event.to_body.slug, event.actor) == ("registered", "anti-corruption-agency", people["applicant"])
    assert event.data["due_on"] == "2026-11-23"
    # One email to the applicant (the body's officials and heads get theirs too: test_staff_notifications.py).
    to_applicant = [m for m in mailoutbox if m.to == [people["applicant"].email]]
    assert len(to_applicant) == 1 and appeal.number in to_applicant[0].subject


def test_each_appeal_keeps_the_regulation_it_was_registered_under(people, submit, at, registered):
    Regulation.objects.create(version=2, title="Amended code", effective_from=dt.date(2026, 12, 1), answer_working_days=10)
    with at(dt.date(2026, 12, 2)):
        later = submit(people["applicant"])
    assert registered.regulation.version == 1
    assert later.regulation.version == 2
    assert later.due_on == add_working_days(dt.date(2026, 12, 2), 10)
    with pytest.raises(ValueError):
        registered.regulation.answer_working_days = 5
        registered.regulation.save()


def test_redirect_within_three_working_days_restarts_the_term_at_the_new_body(
    people, bodies, registered, at, mailoutbox, run_queue
):
    thursday = dt.date(2026, 11, 5)  # 3rd working day after Monday
    with at(thursday), run_queue:
        services.redirect_appeal(
            people["official"], registered, bodies["general-prosecutors-office"], "Prosecutors supervise bailiffs."
        )
    appeal = Appeal.objects.get(pk=registered.pk)
    assert appeal.body.slug == "general-prosecutors-office"
    assert appeal.addressed_body.slug == "anti-corruption-agency"
    assert appeal.received_on == thursday
    assert appeal.due_on == add_working_days(thursday, 15)
    event = appeal.events.get(kind=EventKind.REDIRECTED)
    assert (event.from_body.slug, event.to_body.slug, event.reason) == (
        "anti-corruption-agency",
        "general-prosecutors-office",
        "Prosecutors supervise bailiffs.",
    )
    assert any("redirected" in m.subject.lower() for m in mailoutbox)
    assert_record_consistent(appeal)


def test_redirect_after_three_working_days_is_refused_and_changes_nothing(people, bodies, registered, at):
    with at(dt.date(2026, 11, 6)), pytest.raises(ValidationError) as err:
        services.redirect_appeal(people["official"], registered, bodies["general-prosecutors-office"], "Late.")
    assert "to_body" in err.value.message_dict
    appeal = Appeal.objects.get(pk=registered.pk)
    assert appeal.body.slug == "anti-corruption-agency" and appeal.events.count() == 1


def test_redirect_needs_a_reason_and_another_body(people, bodies, registered, at):
    with at(MONDAY):
        with pytest.raises(ValidationError):
            services.redirect_appeal(people["official"], registered, bodies["general-prosecutors-office"], "  ")
        with pytest.raises(ValidationError):
            services.redirect_appeal(people["official"], registered, bodies["anti-corruption-agency"], "Same body")
    assert registered.events.count() == 1


def test_redirect_chain_is_kept_whole(people, bodies, registered, at, make_user):
    from ashyq.accounts.models import Role
    from ashyq.dialogue.presenters import redirect_chain

    health = make_user(Role.OFFICIAL, bodies["ministry-of-healthcare"])
    with at(MONDAY):
        services.redirect_appeal(people["official"], registered, bodies["general-prosecutors-office"], "Not ours.")
    with at(dt.date(2026, 11, 3)):
        services.redirect_appeal(people["other_official"], registered, bodies["ministry-of-healthcare"], "About a hospital.")
    with at(dt.date(2026, 11, 4)):
        services.answer_appeal(health, registered, text="Hospital inspected.", outcome="resolved")
    appeal = Appeal.objects.get(pk=registered.pk)
    assert [b.slug for b in redirect_chain(appeal)] == [
        "anti-corruption-agency",
        "general-prosecutors-office",
        "ministry-of-healthcare",
    ]
    assert appeal.answer.body.slug == "ministry-of-healthcare"
    assert_record_consistent(appeal)


def test_extension_by_the_head_within_two_months(people, registered, at, mailoutbox, run_queue):
    until = dt.date(2026, 12, 15)
    with at(dt.date(2026, 11, 10)), run_queue:
        services.extend_deadline(people["head"], registered, until, "Documents requested from three regions.")
    appeal = Appeal.objects.get(pk=registered.pk)
    assert appeal.due_on == until
    event = appeal.events.get(kind=EventKind.EXTENDED)
    assert event.data == {"previous_due_on": "2026-11-23", "due_on": "2026-12-15"}
    assert any("extended" in m.subject.lower() for m in mailoutbox)
    assert_record_consistent(appeal)


@pytest.mark.parametrize(
    "until, field_message",
    [
        (dt.date(2027, 1, 4), "2 months"),  # past received_on + 2 months (2027-01-02)
        (dt.date(2026, 11, 20), "after the current due date"),
        (dt.date(2026, 12, 16), "not a working day"),  # Independence Day
    ],
)
def test_extension_rules(people, registered, at, until, field_message):
    with at(dt.date(2026, 11, 10)), pytest.raises(ValidationError) as err:
        services.extend_deadline(people["head"], registered, until, "Reason.")
    assert field_message in " ".join(err.value.message_dict["until"])
    assert Appeal.objects.get(pk=registered.pk).due_on == dt.date(2026, 11, 23)


def test_only_the_head_extends_and_not_once_overdue(people, registered, at):
    with at(dt.date(2026, 11, 10)), pytest.raises(PermissionDenied):
        services.extend_deadline(people["official"], registered, dt.date(2026, 12, 1), "Reason.")
    with at(dt.date(2026, 11, 24)), pytest.raises(ValidationError):
        services.extend_deadline(people["head"], registered, dt.date(2026, 12, 1), "Reason.")
    assert registered.events.count() == 1


def test_answer_outcomes_and_legal_ground(people, registered, at, mailoutbox, run_queue):
    with at(MONDAY), run_queue:
        with pytest.raises(ValidationError) as err:
            services.answer_appeal(people["official"], registered, text="No.", outcome="refused")
        assert "legal_ground" in err.value.message_dict
        with pytest.raises(ValidationError):
            services.answer_appeal(people["official"], registered, text="x", outcome="ignored")
        answer = services.answer_appeal(
            people["official"], registered, text="Refused.", outcome="refused", legal_ground="APPC art. 89"
        )
    assert answer.answered_on_time and answer.legal_ground == "APPC art. 89"
    assert Appeal.objects.get(pk=registered.pk).status == Status.ANSWERED
    assert any("answered" in m.subject.lower() for m in mailoutbox)
    with at(MONDAY), pytest.raises(Conflict):
        services.answer_appeal(people["head"], registered, text="Again.", outcome="explained")


def test_late_answer_is_recorded_as_late(people, registered, at):
    with at(dt.date(2026, 11, 30)):
        answer = services.answer_appeal(people["official"], registered, text="Sorry for the delay.", outcome="explained")
    assert answer.answered_on_time is False


def test_feedback_once_after_the_answer(people, registered, at):
    with at(MONDAY):
        with pytest.raises(Conflict):
            services.record_feedback(people["applicant"], registered, resolution="yes", rating=5)
        services.answer_appeal(people["official"], registered, text="Done.", outcome="resolved")
        with pytest.raises(ValidationError) as err:
            services.record_feedback(people["applicant"], registered, resolution="maybe", rating=9)
        assert set(err.value.message_dict) == {"resolution", "rating"}
        with pytest.raises(PermissionDenied):
            services.record_feedback(people["other_applicant"], registered, resolution="no", rating=1)
        feedback = services.record_feedback(people["applicant"], registered, resolution="partly", rating=3, comment="Half done.")
        assert (feedback.resolution, feedback.rating) == ("partly", 3)
        with pytest.raises(Conflict):
            services.record_feedback(people["applicant"], registered, resolution="yes", rating=5)
    assert_record_consistent(registered)


def test_withdraw_by_the_applicant_while_open(people, registered, at):
    with at(MONDAY):
        with pytest.raises(PermissionDenied):
            services.withdraw_appeal(people["official"], registered)
        services.withdraw_appeal(people["applicant"], registered, "Solved on my own.")
        with pytest.raises(Conflict):
            services.answer_appeal(people["official"], registered, text="Late", outcome="explained")
    assert Appeal.objects.get(pk=registered.pk).status == Status.WITHDRAWN
    assert_record_consistent(registered)


def test_complaint_about_the_answer_goes_to_the_parent_body(people, bodies, registered, at):
    with at(MONDAY):
        services.answer_appeal(people["official"], registered, text="Formal reply.", outcome="explained")
        complaint = services.complain_about_answer(people["applicant"], registered, text="The answer ignores my question.")
        with pytest.raises(Conflict):
            services.complain_about_answer(people["applicant"], registered, text="Again.")
    assert complaint.type == "complaint"
    assert complaint.body == bodies["anti-corruption-agency"].parent == bodies["presidential-administration"]
    assert complaint.complaint_about == registered
    assert registered.events.filter(kind=EventKind.COMPLAINED, data__complaint=complaint.number).exists()
    assert complaint.events.get().data["complaint_about"] == registered.number


def test_no_complaint_where_there_is_no_higher_body(people, submit, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], body="general-prosecutors-office")
        services.answer_appeal(people["other_official"], appeal, text="Explained.", outcome="explained")
        with pytest.raises(Conflict):
            services.complain_about_answer(people["applicant"], appeal, text="Disagree.")


def test_assign_executor_only_from_the_same_body(people, registered, at):
    with at(MONDAY):
        with pytest.raises(ValidationError):
            services.assign_executor(people["official"], registered, people["other_official"])
        with pytest.raises(PermissionDenied):
            services.assign_executor(people["other_official"], registered, people["other_official"])
        services.assign_executor(people["head"], registered, people["official"])
    appeal = Appeal.objects.get(pk=registered.pk)
    assert (appeal.status, appeal.executor) == (Status.IN_PROGRESS, people["official"])
    assert_record_consistent(appeal)


def test_overdue_and_very_overdue_are_computed_from_today(registered):
    due = registered.due_on  # 2026-11-23
    assert deadline_state(registered, MONDAY) == DeadlineState.ON_TIME
    assert deadline_state(registered, dt.date(2026, 11, 19)) == DeadlineState.SOON_DUE
    assert deadline_state(registered, due) == DeadlineState.DUE_TODAY
    assert deadline_state(registered, dt.date(2026, 11, 24)) == DeadlineState.OVERDUE
    assert deadline_state(registered, add_working_days(due, 15)) == DeadlineState.OVERDUE
    assert deadline_state(registered, add_working_days(due, 16)) == DeadlineState.VERY_OVERDUE


def test_events_are_append_only(registered):
    event = registered.events.get()
    event.reason = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AppealEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AppealEvent.objects.filter(pk=event.pk).delete()
    assert AppealEvent.objects.get(pk=event.pk).reason == ""


def test_stored_state_equals_replay_after_every_kind_of_step(people, bodies, submit, at):
    """Drive many appeals through random-but-legal paths and check the invariant after each step."""
    paths = [
        ["assign", "answer", "feedback"],
        ["redirect", "redirect_back", "assign", "extend", "answer", "complain"],
        ["extend", "withdraw"],
        ["redirect", "redirect_back", "answer"],
    ]
    for path in paths:
        with at(MONDAY):
            appeal = submit(people["applicant"])
        for step in path:
            with at(dt.date(2026, 11, 3)):
                appeal = Appeal.objects.get(pk=appeal.pk)
                complaint = take_step(step, appeal, people, bodies)
                if complaint is not None:
                    assert_record_consistent(complaint)
            assert_record_consistent(appeal)


@pytest.mark.parametrize(
    "fields, bad_field",
    [
        ({"subject": ""}, "subject"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 10_001}, "text"),
        ({"subject": "s" * 201}, "subject"),
        ({"type": "petition"}, "type"),
        ({"region": None}, "region"),
    ],
)
def test_bad_submission_is_refused_and_nothing_is_saved(people, submit, at, fields, bad_field, mailoutbox):
    with at(MONDAY), pytest.raises(ValidationError) as err:
        submit(people["applicant"], **fields)
    assert bad_field in err.value.message_dict
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0 and not mailoutbox


def test_a_body_that_does_not_accept_appeals_is_refused(people, submit, bodies, at):
    body = bodies["ministry-of-defence"]
    body.accepts_appeals = False
    body.save()
    with at(MONDAY), pytest.raises(ValidationError) as err:
        submit(people["applicant"], body=body)
    assert "body" in err.value.message_dict


def test_idempotency_key_returns_the_same_appeal(people, submit, at):
    with at(MONDAY):
        first = submit(people["applicant"], idempotency_key="retry-1")
        second = submit(people["applicant"], idempotency_key="retry-1")
        other = submit(people["other_applicant"], idempotency_key="retry-1")
    assert first.pk == second.pk != other.pk
    assert Appeal.objects.filter(applicant=people["applicant"]).count() == 1


def test_an_email_failure_never_loses_the_appeal(people, submit, at, settings, caplog, run_queue):
    settings.EMAIL_BACKEND = "tests.failing_email.Backend"
    with at(MONDAY), run_queue:
        appeal = submit(people["applicant"])
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert "Could not email" in caplog.text


def test_a_reused_idempotency_key_for_a_different_appeal_is_a_conflict(people, submit, at):
    with at(MONDAY):
        first = submit(people["applicant"], idempotency_key="k-1", subject="Permit bribe")
        with pytest.raises(Conflict):
            submit(people["applicant"], idempotency_key="k-1", subject="Something else entirely")
    assert Appeal.objects.filter(applicant=people["applicant"]).get() == first
