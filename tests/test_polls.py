"""Polls: a body's official opens one; each verified person casts one ballot; nobody, the body included, sees a
result before the poll closes; the ballot (who voted) is kept apart from what was chosen (counters only), so no
answer can be traced to a voter; results with counts, chart, table and CSV; a voter below the level is told which
level and how to reach it. The one-ballot tests run on SQLite and on PostgreSQL."""

import csv
import datetime as dt
import io
import threading

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.core.errors import Conflict
from ashyq.core.identity import Level
from ashyq.polls import selectors, services
from ashyq.polls.models import Ballot, Choice, Poll, PollEvent, Question
from tests.polls_helpers import QUESTIONS, open_poll, verified


@pytest.fixture
def official(people):
    return people["official"]


@pytest.fixture
def poll(official):
    return open_poll(official)


@pytest.fixture
def voters(make_user, reference):
    return [verified(make_user, f"voter-{i}", f"+7701000000{i}") for i in range(3)]


def answers(poll, single: int, multiple: list[int]) -> dict:
    q1, q2 = poll.questions.order_by("position")
    c1, c2 = list(q1.choices.order_by("position")), list(q2.choices.order_by("position"))
    return {q1.pk: [c1[single].pk], q2.pk: [c2[i].pk for i in multiple]}


def close_now(poll, official):
    return services.close_poll(official, poll, confirmed=True)


# --- opening ------------------------------------------------------------------------------------------------------


def test_an_official_opens_a_poll_with_its_questions_and_the_event_is_recorded(poll, official):
    assert poll.body == official.body and poll.min_level == Level.PHONE, "the configured level for voting by default"
    assert [(q.text, q.kind, [c.text for c in q.choices.all()]) for q in poll.questions.all()] == [
        (q["text"], q["kind"], q["choices"]) for q in QUESTIONS
    ]
    event = PollEvent.objects.get(poll=poll)
    assert event.kind == "opened" and event.actor == official and event.data["questions"] == 2
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        PollEvent.objects.filter(poll=poll).delete()


@pytest.mark.parametrize(
    "change, field",
    [
        ({"hours": -2, "starts_in": -1}, "closes_at"),  # closes before it opens... and in the past
        ({"min_level": Level.EMAIL}, "min_level"),  # below the configured level for voting
        ({"questions": [{"text": "Yes or no?", "kind": "single", "choices": ["Yes"]}]}, "question_1"),
        ({"questions": [{"text": "Which?", "kind": "single", "choices": ["A", "A"]}]}, "question_1"),
        ({"questions": []}, "question_1"),
        ({"title": " "}, "title"),
    ],
)
def test_a_bad_poll_is_refused_beside_its_field_and_nothing_is_saved(official, change, field):
    with pytest.raises(ValidationError) as error:
        open_poll(official, **change)
    assert field in error.value.message_dict
    assert not Poll.objects.exists() and not Question.objects.exists()


def test_only_a_bodys_staff_open_polls(people, client, reference):
    for role in ("applicant", "moderator", "monitor", "admin"):
        with pytest.raises(PermissionDenied):
            open_poll(people[role])
    client.force_login(people["applicant"])
    assert client.get(reverse("polls:new")).status_code == 403


def test_the_new_poll_page_opens_a_poll_and_keeps_what_was_typed_on_an_error(client, official):
    client.force_login(official)
    now = timezone.localtime()
    form = {
        "title": "Bus routes",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        "min_level": str(int(Level.PHONE)),
        "question_1": "Which route do you use?",
        "kind_1": "single",
        "choices_1": "No. 12\nNo. 37\n",
        "kind_2": "single",
        "question_2": "Half a question",
        "choices_2": "Only one answer",
    }
    for i in range(3, 6):
        form[f"kind_{i}"] = "single"
    bad = client.post(reverse("polls:new"), form)
    assert (
        bad.status_code == 400
        and "Give between 2 and" in bad.content.decode()
        and "Which route do you use?" in bad.content.decode()
    )
    assert not Poll.objects.exists()
    form["choices_2"] = "Yes\nNo"
    good = client.post(reverse("polls:new"), form)
    poll = Poll.objects.get()
    assert good.status_code == 302 and good["Location"] == reverse("polls:detail", args=[poll.pk])
    assert poll.questions.count() == 2 and poll.body == official.body


# --- voting and secrecy -------------------------------------------------------------------------------------------


def test_results_are_hidden_from_everyone_until_the_poll_closes_then_shown_with_counts(client, poll, voters, official, people):
    services.vote(voters[0], poll, answers(poll, 0, [0, 1]))
    services.vote(voters[1], poll, answers(poll, 0, [2]))
    services.vote(voters[2], poll, answers(poll, 1, [0]))
    assert selectors.results(poll) is None
    for viewer in (None, official, people["head"], people["monitor"], people["admin"], voters[0]):
        client.logout()
        if viewer:
            client.force_login(viewer)
        page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
        assert 'id="results-hidden"' in page and "Central park</th>" not in page
        assert client.get(reverse("polls:results-csv", args=[poll.pk])).status_code == 403
    poll.refresh_from_db()
    assert poll.ballots == 3
    poll = close_now(poll, official)
    rows = selectors.results(poll)
    assert [(c["text"], c["votes"]) for c in rows[0]["choices"]] == [("Central park", 2), ("River park", 1), ("School garden", 0)]
    assert [(c["text"], c["votes"]) for c in rows[1]["choices"]] == [("Benches", 2), ("Lights", 1), ("A playground", 1)]
    assert rows[0]["answered"] == 3 and rows[0]["choices"][0]["share"] == pytest.approx(2 / 3)
    client.logout()
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert "<svg" in page and "Central park</th><td>2</td>" in page
    table = list(csv.DictReader(io.StringIO(client.get(reverse("polls:results-csv", args=[poll.pk])).content.decode())))
    assert [(r["choice"], r["votes"]) for r in table] == [
        ("Central park", "2"),
        ("River park", "1"),
        ("School garden", "0"),
        ("Benches", "2"),
        ("Lights", "1"),
        ("A playground", "1"),
    ]
    assert [e.kind for e in PollEvent.objects.filter(poll=poll)] == ["opened", "closed_early"]


def test_a_ballot_records_only_that_a_person_voted(poll, voters):
    """No table holds both a voter and a choice: the ballot has no answer, no time; the answers are counters."""
    services.vote(voters[0], poll, answers(poll, 2, [1]))
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "poll", "voter", "identity_hash"}
    for model in (Choice, Question, Poll):
        related_to_users = [f.name for f in model._meta.get_fields() if f.is_relation and f.related_model is type(voters[0])]
        assert related_to_users in ([], ["created_by"]), model
    assert not PollEvent.objects.filter(poll=poll, actor=voters[0]).exists(), "a vote is not an event"


def test_one_ballot_per_person_even_from_a_second_account_with_the_same_phone(poll, voters, make_user):
    services.vote(voters[0], poll, answers(poll, 0, [0]))
    with pytest.raises(Conflict, match="already voted"):
        services.vote(voters[0], poll, answers(poll, 1, [1]))
    # The same person behind another account: their first verification was revoked, the phone confirmed anew.
    from ashyq.accounts.models import Verification

    Verification.objects.filter(user=voters[0]).update(revoked_at=timezone.now())
    twin = verified(make_user, "same-person", "+77010000000")
    assert selectors.has_voted(twin, poll)
    with pytest.raises(Conflict, match="already voted"):
        services.vote(twin, poll, answers(poll, 1, [1]))
    poll.refresh_from_db()
    assert poll.ballots == 1 and Ballot.objects.filter(poll=poll).count() == 1
    assert sum(Choice.objects.filter(question__poll=poll).values_list("votes", flat=True)) == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_votes_of_one_person_give_one_ballot(reference, make_user, people):
    poll = open_poll(people["official"])
    voter = verified(make_user, "racer", "+77019999999")
    chosen = answers(poll, 0, [0])
    barrier = threading.Barrier(2)
    outcomes = []

    def cast():
        try:
            barrier.wait(timeout=10)
            services.vote(voter, poll, chosen)
            outcomes.append("counted")
        except Conflict:
            outcomes.append("refused")
        except Exception as exc:  # noqa: BLE001 - the assertion names anything else
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=cast) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["counted", "refused"], outcomes
    poll.refresh_from_db()
    assert poll.ballots == 1 and Ballot.objects.filter(poll=poll).count() == 1
    assert Choice.objects.get(question__poll=poll, question__position=1, position=1).votes == 1
    assert settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1] in ("sqlite3", "postgresql")


def test_a_bad_ballot_is_refused_and_counts_nothing(poll, voters, client):
    q1, q2 = poll.questions.order_by("position")
    other = open_poll(poll.created_by, title="Another")
    foreign = other.questions.first().choices.first().pk
    for bad in (
        {q1.pk: [c.pk for c in q1.choices.all()[:2]], q2.pk: [q2.choices.first().pk]},  # two answers to a single question
        {q1.pk: [foreign], q2.pk: [q2.choices.first().pk]},
        {q1.pk: [q1.choices.first().pk]},  # the second question unanswered
    ):
        with pytest.raises(ValidationError):
            services.vote(voters[0], poll, bad)
    assert not Ballot.objects.exists()
    client.force_login(voters[0])
    response = client.post(reverse("polls:vote", args=[poll.pk]), {f"question_{q1.pk}": str(q1.choices.first().pk)})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Ballot.objects.exists()


def test_votes_outside_the_dates_are_refused(official, voters):
    upcoming = open_poll(official, starts_in=5)
    with pytest.raises(Conflict, match="not open"):
        services.vote(voters[0], upcoming, answers(upcoming, 0, [0]))
    closed = open_poll(official, title="Closed")
    close_now(closed, official)
    with pytest.raises(Conflict, match="closed"):
        services.vote(voters[0], closed, answers(closed, 0, [0]))
    with pytest.raises(Conflict):
        close_now(closed, official)


def test_only_the_bodys_staff_close_its_poll_and_only_with_a_confirmation(poll, people, client):
    with pytest.raises(PermissionDenied):
        services.close_poll(people["other_official"], poll, confirmed=True)
    with pytest.raises(ValidationError):
        services.close_poll(people["official"], poll, confirmed=False)
    client.force_login(people["other_official"])
    assert client.post(reverse("polls:close", args=[poll.pk]), {"confirmed": "yes"}).status_code == 403
    client.force_login(people["head"])
    client.post(reverse("polls:close", args=[poll.pk]), {"confirmed": "yes"})
    poll.refresh_from_db()
    assert poll.closed_early_at is not None


def test_a_voter_below_the_level_is_told_which_level_and_how_to_reach_it(poll, people, client):
    with pytest.raises(PermissionDenied, match="phone confirmed by an SMS code"):
        services.vote(people["applicant"], poll, answers(poll, 0, [0]))
    client.force_login(people["applicant"])
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert "phone confirmed by an SMS code" in page and "Cast my ballot" not in page
    assert reverse("accounts:verification") + f"?next=/polls/{poll.pk}/" in page


def test_the_ballot_form_works_without_script_and_says_when_one_has_voted(poll, voters, client):
    client.force_login(voters[0])
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<script" not in page.split("<main", 1)[1]
    q1, q2 = poll.questions.order_by("position")
    response = client.post(
        reverse("polls:vote", args=[poll.pk]),
        {f"question_{q1.pk}": str(q1.choices.first().pk), f"question_{q2.pk}": [str(c.pk) for c in q2.choices.all()]},
    )
    assert response.status_code == 302
    page = client.get(reverse("polls:detail", args=[poll.pk])).content.decode()
    assert 'id="voted"' in page and "Cast my ballot" not in page
    again = client.post(
        reverse("polls:vote", args=[poll.pk]),
        {f"question_{q1.pk}": str(q1.choices.first().pk), f"question_{q2.pk}": [str(q2.choices.first().pk)]},
    )
    assert again.status_code == 302
    assert Ballot.objects.filter(poll=poll).count() == 1


def test_the_list_shows_open_upcoming_and_closed_polls(client, official):
    open_poll(official, title="Open one")
    open_poll(official, title="Soon", starts_in=5)
    done = open_poll(official, title="Done")
    close_now(done, official)
    data = client.get(reverse("polls:index")).context
    assert [p.title for p in data["open"]] == ["Open one"]
    assert [p.title for p in data["upcoming"]] == ["Soon"]
    assert [p.title for p in data["closed"]] == ["Done"]


def test_an_official_is_offered_the_new_poll_link_and_a_citizen_is_not(client, official, people):
    client.force_login(official)
    assert reverse("polls:new") in client.get(reverse("polls:index")).content.decode()
    client.force_login(people["applicant"])
    assert reverse("polls:new") not in client.get(reverse("polls:index")).content.decode()
    assert people["applicant"].role == Role.APPLICANT


def test_the_demo_has_a_closed_poll_with_results_and_an_open_one_the_citizen_can_vote_in(make_user, bodies):
    from ashyq.demo import polls as demo_polls

    make_user(Role.OFFICIAL, bodies["anti-corruption-agency"], username="demo-official-acc")
    citizen = make_user(Role.APPLICANT, username="demo-citizen")
    assert demo_polls.load() == {"polls": 2}
    assert demo_polls.load() == {"polls": 0}, "loading again adds nothing"
    closed, running = Poll.objects.get(title=demo_polls.CLOSED_TITLE), Poll.objects.get(title=demo_polls.OPEN_TITLE)
    assert closed.ballots == len(demo_polls.CLOSED_BALLOTS) and selectors.results(closed)[0]["choices"][0]["votes"] == 4
    assert running.ballots == 3 and selectors.results(running) is None
    services.vote(citizen, running, answers(running, 0, [0]))
    running.refresh_from_db()
    assert running.ballots == 4
