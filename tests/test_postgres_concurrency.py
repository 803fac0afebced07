"""Two officials of one body act on the same appeal at the same moment, in real concurrent transactions.

One answers, the other redirects. The services lock the appeal's row (SELECT ... FOR UPDATE), so the
second waits for the first to commit and then finds the appeal no longer where it was: exactly one
step wins, the other is refused as a Conflict (409 in the API, a message on the page), never a 500,
never both. The stored state must still equal the replay of the event log.

SQLite has no row locks (Ashyq serialises writers there with BEGIN IMMEDIATE), so these run on
PostgreSQL only: `make test-postgres` or `bash .ci/run postgres`.
"""

import threading
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from ashyq.dialogue import services
from ashyq.dialogue.errors import Conflict
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, EventKind, Status
from ashyq.dialogue.replay import replay, stored_state

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row-lock contention needs PostgreSQL (set DATABASE_URL=postgres://...; bash .ci/run postgres)",
    ),
]

HOLD = 0.5  # seconds the first step keeps the row locked, so the second surely queues behind it
HEAD_START = 0.1  # seconds the chosen first step starts before the other


def _race(steps: dict, first: str | None):
    """Run each named step in its own thread and its own DB connection, released together by a barrier."""
    barrier = threading.Barrier(len(steps))
    outcomes = {}

    def run(name, step):
        try:
            barrier.wait(timeout=10)
            if first is not None and name != first:
                time.sleep(HEAD_START)
            outcomes[name] = ("won", step())
        except BaseException as exc:  # noqa: BLE001 - the test inspects whatever the loser got
            outcomes[name] = ("lost", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item, name=item[0]) for item in steps.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a step hung: the row lock was never released"
    return outcomes


@pytest.fixture
def slow_lock(monkeypatch):
    """Hold the appeal's row lock a little after taking it, and note when each thread got it."""
    real_locked = services._locked
    acquired = {}

    def locked_then_hold(appeal, **kwargs):
        try:
            row = real_locked(appeal, **kwargs)
        finally:  # also when the locked row shows the step is no longer possible
            acquired[threading.current_thread().name] = time.monotonic()
        time.sleep(HOLD)
        return row

    monkeypatch.setattr(services, "_locked", locked_then_hold)
    return acquired


def _assert_consistent(appeal_pk):
    appeal = Appeal.objects.get(pk=appeal_pk)
    events = list(AppealEvent.objects.filter(appeal=appeal).order_by("seq"))
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert stored_state(appeal) == replay(events)
    return appeal, events


@pytest.mark.parametrize("first", ["answer", "redirect", None], ids=["answer-first", "redirect-first", "simultaneous"])
def test_answer_and_redirect_at_the_same_moment(transactional_db, reference, people, submit, slow_lock, first):
    acc, gpo = reference["bodies"]["anti-corruption-agency"], reference["bodies"]["general-prosecutors-office"]
    appeal = submit(people["applicant"], body=acc)
    official, head = people["official"], people["head"]
    assert official.body == head.body == acc

    outcomes = _race(
        {
            "answer": lambda: services.answer_appeal(
                official, Appeal.objects.get(pk=appeal.pk), text="Measures are taken.", outcome="resolved"
            ),
            "redirect": lambda: services.redirect_appeal(
                head, Appeal.objects.get(pk=appeal.pk), gpo, "Prosecutorial supervision is competent."
            ),
        },
        first,
    )

    winners = [name for name, (result, _) in outcomes.items() if result == "won"]
    assert len(winners) == 1, f"exactly one step may win, got {outcomes}"
    winner = winners[0]
    loser = "redirect" if winner == "answer" else "answer"
    error = outcomes[loser][1]
    assert isinstance(error, Conflict), f"the {loser} lost with {error!r}; it must be a Conflict"
    if first is not None:
        assert winner == first
    # The loser really waited on the row lock: it got the row only after the winner held it and committed.
    assert slow_lock[loser] - slow_lock[winner] >= HOLD * 0.9, slow_lock

    stored, events = _assert_consistent(appeal.pk)
    kinds = [e.kind for e in events]
    if winner == "answer":
        assert kinds == [EventKind.REGISTERED, EventKind.ANSWERED]
        assert (stored.status, stored.body_id) == (Status.ANSWERED, acc.pk)
        assert Answer.objects.filter(appeal=stored).count() == 1
    else:
        assert kinds == [EventKind.REGISTERED, EventKind.REDIRECTED]
        assert (stored.status, stored.body_id) == (Status.REGISTERED, gpo.pk)
        assert not Answer.objects.filter(appeal=stored).exists()


@pytest.mark.parametrize("first", ["answer", "redirect"])
def test_the_page_tells_the_slower_official_instead_of_failing(transactional_db, reference, people, submit, slow_lock, first):
    """The same race through the pages: the loser is sent back to the appeal with a message, not a 500 or 403."""
    from tests.conftest import PASSWORD

    acc, gpo = reference["bodies"]["anti-corruption-agency"], reference["bodies"]["general-prosecutors-office"]
    appeal = submit(people["applicant"], body=acc)
    url = f"/appeals/{appeal.pk}/"

    def post(user, action, data):
        def step():
            client = Client(headers={"accept-language": "en"})
            assert client.login(username=user.username, password=PASSWORD)
            response = client.post(f"{url}{action}/", data)
            return response.status_code, response.get("Location"), [str(m) for m in response.wsgi_request._messages]

        return step

    outcomes = _race(
        {
            # The page's step fields carry their step's prefix; both steps are confirmed, as their second page asks.
            "answer": post(
                people["official"],
                "answer",
                {"answer-outcome": "resolved", "answer-text": "Measures are taken.", "confirmed": "yes"},
            ),
            "redirect": post(
                people["head"],
                "redirect",
                {"redirect-to_body": gpo.slug, "redirect-reason": "Prosecutorial supervision.", "confirmed": "yes"},
            ),
        },
        first,
    )
    assert all(result == "won" for result, _ in outcomes.values()), outcomes  # both requests got a response
    for name, (_, (status, location, messages)) in outcomes.items():
        assert (status, location) == (302, url), f"{name}: {status} {location} {messages}"
    success = {"answer": "The answer is sent", "redirect": "The appeal is redirected"}
    loser = "redirect" if first == "answer" else "answer"
    assert any(success[first] in m for m in outcomes[first][1][2]), outcomes[first]
    assert not any(success[loser] in m for m in outcomes[loser][1][2]), outcomes[loser]
    assert any("no longer possible" in m for m in outcomes[loser][1][2]), outcomes[loser]

    stored, events = _assert_consistent(appeal.pk)
    expected = EventKind.ANSWERED if first == "answer" else EventKind.REDIRECTED
    assert [e.kind for e in events] == [EventKind.REGISTERED, expected]
