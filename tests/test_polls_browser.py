"""Done when, in a real headless Chromium: a poll is voted by three people and its results appear only after the
close. Each voter signs in, chooses with radio buttons and checkboxes (no script needed) and casts a ballot; before
the close neither the voters nor the body's official see any result; the official closes the poll from its page and
everyone, signed in or not, then sees the counts."""

import pytest

from ashyq.polls.models import Ballot
from tests.chromium import headless_chromium, needs_chromium
from tests.polls_helpers import open_poll, verified
from tests.test_browser_journey import Journey

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def browser():
    with headless_chromium(language="en") as driver:
        yield driver


def test_a_poll_voted_by_three_people_shows_its_results_only_after_the_close(browser, live_server, people, make_user):
    official = people["official"]
    poll = open_poll(official)
    q1, q2 = poll.questions.order_by("position")
    voters = [verified(make_user, f"voter-{i}", f"+7701555000{i}") for i in range(3)]
    picks = [("Central park", ["Benches", "Lights"]), ("Central park", ["A playground"]), ("River park", ["Benches"])]
    me = Journey(browser, live_server.url)
    path = f"/polls/{poll.pk}/"

    for voter, (single, several) in zip(voters, picks):
        me.sign_in(voter.username)
        me.open(path)
        assert me.find_all("#results-hidden")
        for label in me.find_all("main form label"):
            if label.text.strip() in (single, *several):
                label.click()
        me.submit("main form button[type=submit].primary")
        assert "Your ballot is counted" in me.message()
        assert me.find_all("#voted") and me.find_all("#results-hidden"), "still hidden after voting"
        assert not me.find_all(".poll-result")
        me.sign_out()

    assert Ballot.objects.filter(poll=poll).count() == 3
    me.sign_in(official.username)
    me.open(path)
    assert me.text("#poll-ballots") == "3"
    assert me.find_all("#results-hidden") and not me.find_all(".poll-result"), "the body sees nothing before the close"
    me.find("#id_confirmed").click()
    me.submit("#close-poll button[type=submit]")
    assert "its results are public" in me.message()
    me.sign_out()

    me.open(path)
    results = me.find_all(".poll-result")
    assert len(results) == 2 and not me.find_all("#results-hidden")
    first = {
        row.find_element(me.By.CSS_SELECTOR, "th").text: row.find_elements(me.By.CSS_SELECTOR, "td")[0].text
        for row in results[0].find_elements(me.By.CSS_SELECTOR, "tbody tr")
    }
    second = {
        row.find_element(me.By.CSS_SELECTOR, "th").text: row.find_elements(me.By.CSS_SELECTOR, "td")[0].text
        for row in results[1].find_elements(me.By.CSS_SELECTOR, "tbody tr")
    }
    assert first == {"Central park": "2", "River park": "1", "School garden": "0"}
    assert second == {"Benches": "2", "Lights": "1", "A playground": "1"}
    assert results[0].find_elements(me.By.CSS_SELECTOR, "svg")
    assert q1.pk and q2.pk
