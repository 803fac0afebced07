"""generate_appeals (benchmarks' data) writes records the application could have written itself."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command

from ashyq.accounts.models import User
from ashyq.bodies.models import Body
from ashyq.core import calendar
from ashyq.core.models import Region
from ashyq.dialogue import integrity
from ashyq.dialogue.models import (
    Answer,
    Appeal,
    AppealEvent,
    AppealStay,
    AppealType,
    EventKind,
    Feedback,
    Outcome,
    PublicReason,
    Status,
)
from ashyq.dialogue.replay import replay, stored_state
from ashyq.dialogue.stays import replay_stays, stored_stays


@pytest.mark.django_db
def test_generated_appeals_are_consistent(reference):
    call_command("generate_appeals", "200", "--seed", "3", verbosity=0)

    appeals = list(Appeal.objects.prefetch_related("events").select_related("regulation"))
    assert len(appeals) == 200
    written = {}  # each applicant's appeals: when they next wrote to a body that had answered them
    for appeal in appeals:
        written.setdefault(appeal.applicant_id, []).append((appeal.addressed_body_id, appeal.registered_at))
    for appeal in appeals:
        events = list(appeal.events.all())
        assert events[0].kind == EventKind.REGISTERED
        assert replay(events) == stored_state(appeal), appeal.number
        replayed = replay_stays(
            events, addressed_body_id=appeal.addressed_body_id, applicant_appeals=written[appeal.applicant_id]
        )
        assert replayed == stored_stays(appeal), appeal.number
        assert integrity.broken_link(events) is None, appeal.number
    assert list(integrity.verify_all()) == []
    assert AppealStay.objects.filter(next_appeal_at__isnull=False).exists()  # some applicants wrote again

    # Rows that exist exactly when their events do.
    kinds = Counter(AppealEvent.objects.values_list("kind", flat=True))
    assert Answer.objects.count() == kinds[EventKind.ANSWERED] == Appeal.objects.filter(status=Status.ANSWERED).count()
    assert Feedback.objects.count() == kinds[EventKind.FEEDBACK]
    assert Appeal.objects.filter(published_at__isnull=False).count() == kinds[EventKind.PUBLISHED]
    assert Appeal.objects.filter(hidden_at__isnull=False).count() == kinds[EventKind.HIDDEN]
    assert Answer.objects.filter(published_at__isnull=False).count() == kinds[EventKind.ANSWER_PUBLISHED]
    assert not Appeal.objects.filter(published_at__isnull=False, public_subject="").exists()
    assert not Appeal.objects.filter(is_public=False, published_at__isnull=False).exists()
    # Officials' texts public only as moderated copies: a published answer's ground, a reason approved with its appeal.
    grounds = Answer.objects.filter(published_at__isnull=False).exclude(legal_ground="")
    assert grounds.exists() and not grounds.filter(public_legal_ground="").exists()
    assert not Answer.objects.filter(published_at__isnull=True).exclude(public_legal_ground="").exists()
    copies = list(PublicReason.objects.select_related("event__appeal"))
    assert all(c.published and c.text and c.event.appeal.published_at is not None for c in copies)
    with_appeal = [c for c in copies if c.event.at <= c.event.appeal.published_at]
    assert all(c.decided_at == c.event.appeal.published_at for c in with_appeal)
    assert len(copies) - len(with_appeal) == kinds[EventKind.REASONS_PUBLISHED] > 0  # later ones: one step each

    # Everything is covered: bodies, regions, types, outcomes, states and paths.
    assert set(Appeal.objects.values_list("addressed_body", flat=True)) == set(
        Body.objects.filter(accepts_appeals=True).values_list("pk", flat=True)
    )
    assert set(Appeal.objects.values_list("region", flat=True)) == set(Region.objects.values_list("pk", flat=True))
    assert set(Appeal.objects.values_list("type", flat=True)) == set(AppealType.values)
    assert set(Answer.objects.values_list("outcome", flat=True)) == set(Outcome.values)
    assert set(Appeal.objects.values_list("status", flat=True)) == set(Status.values)
    assert {True, False} <= set(Answer.objects.values_list("answered_on_time", flat=True))
    for kind in (EventKind.REDIRECTED, EventKind.EXTENDED, EventKind.EXECUTOR_ASSIGNED, EventKind.WITHDRAWN):
        assert kinds[kind] > 0, kind
    from ashyq.dialogue.deadlines import deadline_state

    states = {str(deadline_state(a)) for a in appeals}
    assert {"closed", "overdue", "on_time"} <= states or {"closed", "very_overdue", "on_time"} <= states

    # Applicants are spread over many users; numbers are unique and the application can go on numbering.
    assert User.objects.filter(appeals__isnull=False).distinct().count() >= 20
    assert len({a.number for a in appeals}) == 200


@pytest.mark.django_db
def test_deadlines_follow_the_working_day_calendar(reference):
    call_command("generate_appeals", "60", "--seed", "5", verbosity=0)
    events = AppealEvent.objects.filter(kind__in=[EventKind.REGISTERED, EventKind.REDIRECTED]).select_related(
        "appeal__regulation"
    )
    assert events
    for event in events:
        regulation = event.appeal.regulation
        received = dt.date.fromisoformat(event.data["received_on"])
        assert event.data["due_on"] == calendar.add_working_days(received, regulation.answer_working_days).isoformat()
        if event.kind == EventKind.REDIRECTED:
            assert dt.date.fromisoformat(event.data["redirect_deadline"]) >= received
