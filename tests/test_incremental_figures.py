"""Incremental figures equal a full recomputation, whatever the history (property test).

Hypothesis plays random histories through the real services: appeals to three bodies from two applicants,
redirects (back and forth, onward), extensions, answers of every outcome, feedback, complaints to the higher
body, withdrawals, days passing between steps. The worker applies each event's change to the body-month figures
(assessment/contributions.py); then the stored figures must equal what the nightly audit recomputes from
scratch by SQL (figures.recompute_all), which must find nothing to change, and each event's work must touch
only the appeals it concerns."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ashyq.accounts.models import Role
from ashyq.assessment import contributions, figures
from ashyq.assessment.models import AppealContribution
from ashyq.core.errors import Conflict
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, Outcome, Resolution

from .test_queue import stored_figures

BODIES = ("administrative-police-committee", "akimat-almaty", "ministry-of-healthcare")
# The parents of the first two: complaints about their answers go there (the ministry has none: refused).
HIGHER = ("ministry-of-internal-affairs", "government")
START = dt.date(2025, 3, 3)

new_appeal = st.tuples(st.just("submit"), st.integers(0, 1), st.integers(0, len(BODIES) - 1))
step = st.one_of(
    new_appeal,
    st.tuples(st.just("redirect"), st.integers(0, 9), st.integers(0, len(BODIES) - 1)),
    st.tuples(st.just("redirect"), st.integers(0, 9), st.integers(0, len(BODIES) - 1)),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(1, 20)),
    st.tuples(st.just("answer"), st.integers(0, 9), st.sampled_from(Outcome.values)),
    st.tuples(st.just("feedback"), st.integers(0, 9), st.sampled_from(Resolution.values)),
    st.tuples(st.just("complain"), st.integers(0, 9), st.just(0)),
    st.tuples(st.just("complain"), st.integers(0, 9), st.just(0)),
    st.tuples(st.just("withdraw"), st.integers(0, 9), st.just(0)),
)
# Days between steps: mostly a few (redirects have a three-working-day window), sometimes past a term or a month.
pause = st.sampled_from([0, 0, 0, 1, 1, 2, 40])
history = st.builds(
    lambda first, rest: first + rest,
    st.lists(st.tuples(new_appeal, pause), min_size=1, max_size=4),
    st.lists(st.tuples(step, pause), max_size=16),
)


@pytest.fixture
def cast(bodies, make_user):
    staff = {slug: (make_user(Role.OFFICIAL, bodies[slug]), make_user(Role.HEAD, bodies[slug])) for slug in (*BODIES, *HIGHER)}
    return {"applicants": [make_user(Role.APPLICANT), make_user(Role.APPLICANT)], "staff": staff}


def play(history, cast, bodies, submit, at):
    day = START
    appeals = []
    for (kind, n, arg), days in history:
        day += dt.timedelta(days=days)
        with at(day):
            try:
                if kind == "submit":
                    appeals.append(submit(cast["applicants"][n], BODIES[arg]))
                    event(kind)
                    continue
                if not appeals:
                    continue
                # Steps on open appeals pick among the open ones, feedback and complaints among the answered.
                wanted = ("answered",) if kind in ("feedback", "complain") else ("registered", "in_progress")
                candidates = list(
                    Appeal.objects.filter(pk__in=[a.pk for a in appeals], status__in=wanted).select_related("body").order_by("pk")
                )
                if not candidates:
                    continue
                appeal = candidates[n % len(candidates)]
                official, head = cast["staff"].get(appeal.body.slug, (None, None))
                if kind == "redirect":
                    services.redirect_appeal(official, appeal, bodies[BODIES[arg]], "Their matter.")
                elif kind == "extend":
                    services.extend_deadline(head, appeal, appeal.due_on + dt.timedelta(days=arg), "Inspection needed.")
                elif kind == "answer":
                    services.answer_appeal(official, appeal, text="Our answer.", outcome=arg, legal_ground="APPC art. 89")
                elif kind == "feedback":
                    services.record_feedback(appeal.applicant, appeal, resolution=arg, rating=3)
                elif kind == "complain":
                    appeals.append(services.complain_about_answer(appeal.applicant, appeal, text="Nothing was done."))
                elif kind == "withdraw":
                    services.withdraw_appeal(appeal.applicant, appeal, "Solved otherwise.")
                event(kind)  # --hypothesis-show-statistics tells how often each kind of step was taken
            except (ValidationError, Conflict, PermissionDenied):
                pass  # a step the rules refuse leaves no event: the history goes on without it


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=history)
def test_incremental_figures_equal_a_full_recomputation(history, cast, bodies, submit, at, run_queue):
    play(history, cast, bodies, submit, at)
    run_queue()
    incremental = stored_figures()
    # The parts the worker kept, event by event, are what one batch reads afresh for all the appeals at once, and
    # the batch gives each appeal what it gives that appeal alone (the rebuild after a bulk load uses batches).
    ids = list(Appeal.objects.values_list("pk", flat=True))
    batched = contributions.contributions_for(ids)
    assert batched == {i: contributions.contribution(i) for i in ids}
    assert dict(AppealContribution.objects.values_list("appeal_id", "counts")) == batched
    result = figures.recompute_all()
    assert result["changed"] == 0
    assert stored_figures() == incremental
    # The rebuild after a bulk load (parts missing), batch by batch, small batches so appeals fall across them.
    assert contributions.rebuild_all(batch=3) == len(ids)
    assert dict(AppealContribution.objects.values_list("appeal_id", "counts")) == batched


def test_an_events_change_touches_only_the_rows_it_concerns(cast, bodies, submit, at, run_queue):
    """The work of one event is bounded by the appeal's own record, not by the data: a thousand other appeals
    do not change which rows it writes."""
    with at(START):
        for _ in range(30):
            submit(cast["applicants"][1], BODIES[2])
        appeal = submit(cast["applicants"][0], BODIES[0])
    run_queue()
    with at(START + dt.timedelta(days=1)):
        services.redirect_appeal(cast["staff"][BODIES[0]][0], appeal, bodies[BODIES[1]], "Their matter.")
    applied = contributions.apply(appeal.pk)  # what the worker's task does
    sender, receiver, month = bodies[BODIES[0]].pk, bodies[BODIES[1]].pk, START.strftime("%Y-%m")
    # The redirect ends the first stay by a redirect (pending while the receiver holds it) and starts one at the
    # receiver; the thirty other appeals are not read, and no other row is written.
    assert list(applied) == [appeal.pk]
    assert applied[appeal.pk] == {
        f"b:{sender}:{month}": {
            "redirected_away": 1,
            "open_due": {appeal.due_on.isoformat(): -1},
            "redirect_pending": {Appeal.objects.get(pk=appeal.pk).due_on.isoformat(): 1},
        },
        f"b:{receiver}:{month}": {"received": 1, "open_due": {Appeal.objects.get(pk=appeal.pk).due_on.isoformat(): 1}},
    }
    run_queue()  # the queued task finds nothing left to do
    assert contributions.apply(appeal.pk) == {}
    assert figures.recompute_all()["changed"] == 0


def test_an_answer_to_the_bodys_own_staff_stays_so_when_the_applicant_leaves_it(cast, bodies, submit, at, run_queue):
    """Self-confirmation is judged when the body answers: an official who later leaves the body does not turn the
    answer into one that counts for it, in the per-event figures or in the full recomputation."""
    official, head = cast["staff"][BODIES[0]]
    with at(START):
        appeal = submit(official, BODIES[0])
        services.answer_appeal(head, appeal, text="Done.", outcome=Outcome.RESOLVED)
    run_queue()
    official.body = None
    official.save(update_fields=["body"])
    assert figures.recompute_all()["changed"] == 0
    row = stored_figures()["bodies"][(bodies[BODIES[0]].pk, START.replace(day=1))]
    assert (row["final_own_staff"], row["final_resolved_unconfirmed"], row["answered"]) == (1, 0, 1)


def test_a_repeat_is_the_applicants_next_appeal_to_the_body_within_the_configured_window(cast, bodies, submit, at, run_queue):
    """Answered on 3 March, the same applicant writes to the same body on 2 April (30 days later): a repeat within
    the default 90 days, in the per-event figures and the full recomputation alike; not within a 20-day window,
    which is configuration, so changing it changes the recomputation without touching the record."""
    from django.test import override_settings

    official = cast["staff"][BODIES[0]][0]
    with at(START):
        appeal = submit(cast["applicants"][0], BODIES[0])
        services.answer_appeal(official, appeal, text="Done.", outcome=Outcome.EXPLAINED)
    with at(START + dt.timedelta(days=10)):
        submit(cast["applicants"][1], BODIES[0])  # another applicant: nobody's repeat
        submit(cast["applicants"][0], BODIES[1])  # another body: not this answer's repeat
    run_queue()
    key = (bodies[BODIES[0]].pk, START.replace(day=1))
    assert stored_figures()["bodies"][key]["repeats"] == 0
    with at(START + dt.timedelta(days=30)):
        submit(cast["applicants"][0], BODIES[0])
    run_queue()
    assert stored_figures()["bodies"][key]["repeats"] == 1
    assert figures.recompute_all()["changed"] == 0
    with override_settings(ASHYQ_ASSESSMENT={"repeat_window_days": 20}):
        assert figures.recompute_all()["changed"] == 1
        assert stored_figures()["bodies"][key]["repeats"] == 0
        assert contributions.contribution(appeal.pk)[f"b:{key[0]}:{START.strftime('%Y-%m')}"].get("repeats") is None
