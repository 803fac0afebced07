"""The share of comments answered with a reason is a component of the Ashyq method, read by the assessment through
core's registry: a body that publishes its report gets it, one whose report never came scores 0 on it, and a body
with no discussion is scored as before."""
import datetime as dt

import pytest

from ashyq.assessment import config, scoring, selectors
from ashyq.core import registry
from ashyq.legalacts import services
from ashyq.legalacts.models import Decision

from .legalacts_helpers import publish, rule  # noqa: F401

OPENS = dt.date(2026, 3, 2)


def _discussion(people, at, official, *, answer: bool):
    with at(OPENS):
        process = publish(people[official], opens_on=OPENS, closes_on=dt.date(2026, 3, 16))
        comments = [services.comment(people["applicant"], process, provision_eid="chp_1__para_1", text=f"Комментарий {i}") for i in range(2)]
        for item in comments:
            services.moderate(people["moderator"], item, "publish")
    if answer:
        with at(dt.date(2026, 3, 17)):
            for item in comments:
                services.decide(people[official], item, Decision.REJECTED, "Не соответствует закону.")
            services.publish_report(people[official], process)
    return process


def test_answered_share_counts_reports_that_fell_due(people, rule, at, submit):
    answered = _discussion(people, at, "official", answer=True)
    silent = _discussion(people, at, "other_official", answer=False)
    # Both reports fell due on 30 March 2026 (10 working days after 16 March).
    assert answered.report_due_on == silent.report_due_on == dt.date(2026, 3, 30)
    counts = registry.extra_counts([answered.body_id, silent.body_id], dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert counts[answered.body_id] == {"legal_comments": 2, "legal_comments_answered": 2}
    assert counts[silent.body_id] == {"legal_comments": 2, "legal_comments_answered": 0}
    # Outside the period the reports fell due in, nothing is counted.
    assert registry.extra_counts([answered.body_id], dt.date(2026, 4, 1), dt.date(2026, 7, 1)) == {}


def test_component_enters_the_ashyq_score_only_where_measured():
    base = scoring.empty_counts()
    assert scoring.ashyq_components(base)["comments_answered"] is None
    with_comments = {**base, "legal_comments": 4, "legal_comments_answered": 1}
    assert scoring.ashyq_components(with_comments)["comments_answered"] == pytest.approx(0.25)
    assert config.get()["weights"]["comments_answered"] > 0


def test_scorecard_shows_the_component_for_a_body_with_discussions(people, rule, at, submit, bodies):
    with at(dt.date(2026, 3, 2)):
        appeal = submit(people["applicant"])
    with at(dt.date(2026, 3, 3)):
        from ashyq.dialogue import services as dialogue

        dialogue.answer_appeal(people["official"], appeal, text="Explained.", outcome="explained")
    _discussion(people, at, "official", answer=False)
    with at(dt.date(2026, 4, 2)):
        card = selectors.scorecard(bodies["anti-corruption-agency"], "2026-Q1")
    assert card["ashyq_components"]["comments_answered"] == 0.0
    assert card["contributions"]["comments_answered"] == 0.0
    other = selectors.scorecard(bodies["general-prosecutors-office"], "2026-Q1")
    assert other["ashyq_components"]["comments_answered"] is None
