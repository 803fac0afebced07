"""The Ashyq method's legal-comments component: the public's comments on a body's drafts answered with a decision
and a reason, filed under the month the developer's report fell due (docs/assessment.md, 2026.4)."""

import datetime as dt

import pytest

from ashyq.assessment import config, figures, scoring
from ashyq.assessment.models import BodyMonthFigures
from ashyq.legalacts import services
from ashyq.legalacts.models import Decision

from .legalacts_helpers import publish, rule  # noqa: F401

OPENS, CLOSES = dt.date(2026, 3, 16), dt.date(2026, 3, 30)


def _row(body, month):
    row = BodyMonthFigures.objects.filter(body=body, month=month).values("legal_comments", "legal_comments_answered").first()
    return (row["legal_comments"], row["legal_comments_answered"]) if row else (0, 0)


@pytest.fixture
def discussed(people, rule, at):  # noqa: F811
    """A draft with three published comments and one refused by moderation; two answered with a reason."""
    with at(OPENS):
        process = publish(people["official"], opens_on=OPENS, closes_on=CLOSES)
    with at(dt.date(2026, 3, 17)):
        comments = [
            services.comment(people[who], process, text=text)
            for who, text in (
                ("applicant", "Срок слишком долгий."),
                ("other_applicant", "Куда подавать жалобу?"),
                ("applicant", "Нужна форма онлайн."),
                ("other_applicant", "спам спам"),
            )
        ]
        for item in comments[:3]:
            services.moderate(people["moderator"], item, "publish")
        services.moderate(people["moderator"], comments[3], "refuse")
    with at(dt.date(2026, 3, 31)):
        services.decide(people["official"], comments[0], Decision.ACCEPTED, "Срок сокращён до трёх дней.")
        services.decide(people["official"], comments[1], Decision.REJECTED, "Порядок указан в пункте 3.")
    process.refresh_from_db()
    return process, comments


def test_comments_count_once_the_report_is_due_and_refused_ones_never(people, discussed, at):
    process, _ = discussed
    body, month = process.body, process.report_due_on.replace(day=1)
    with at(process.report_due_on):  # the developer still has today
        figures.recompute_all()
    assert _row(body, month) == (0, 0)
    with at(process.report_due_on + dt.timedelta(days=1)):
        figures.recompute_all()
    assert _row(body, month) == (3, 2)  # the refused comment is not the public's to answer
    stored = BodyMonthFigures.objects.filter(body=body, month=month).values(*scoring.COUNT_FIELDS).get()
    assert scoring.ashyq_components(stored)["legal_comments"] == pytest.approx(2 / 3)


def test_answering_the_last_comment_refreshes_the_figures_in_the_worker(people, discussed, at, run_queue):
    process, comments = discussed
    body, month = process.body, process.report_due_on.replace(day=1)
    late = process.report_due_on + dt.timedelta(days=3)
    with at(late):
        figures.recompute_all()
        assert _row(body, month) == (3, 2)
        with run_queue:
            services.decide(people["official"], comments[2], Decision.PARTLY, "Форма будет на портале.")
        assert _row(body, month) == (3, 3)  # answered late, but answered: the late report shows in red elsewhere
        with run_queue:
            services.publish_report(people["official"], process, "Итоги")
        assert _row(body, month) == (3, 3)


def test_a_report_published_early_counts_at_once_and_a_withdrawn_draft_not_at_all(people, discussed, at, run_queue):
    process, comments = discussed
    body, month = process.body, process.report_due_on.replace(day=1)
    with at(dt.date(2026, 4, 1)), run_queue:
        services.decide(people["official"], comments[2], Decision.NOT_ABOUT_DRAFT, "Это о другой услуге.")
        services.publish_report(people["official"], process, "Итоги")
    assert dt.date(2026, 4, 1) < process.report_due_on and _row(body, month) == (3, 3)

    with at(dt.date(2026, 4, 6)):
        other = publish(people["official"], opens_on=dt.date(2026, 4, 6), closes_on=dt.date(2026, 4, 20))
    with at(dt.date(2026, 4, 7)):
        item = services.comment(people["applicant"], other, text="Не согласен.")
        services.moderate(people["moderator"], item, "publish")
        services.withdraw(people["official"], other, "Проект отозван разработчиком.")
    with at(other.report_due_on + dt.timedelta(days=40)):
        figures.recompute_all()
    assert sum(BodyMonthFigures.objects.filter(body=body).values_list("legal_comments", flat=True)) == 3


def test_the_component_weighs_in_the_ashyq_score_and_not_in_the_official_one():
    weights = config.get()["weights"]
    assert weights["legal_comments"] > 0 and sum(weights.values()) == pytest.approx(1.0)
    base = dict.fromkeys(scoring.COUNT_FIELDS, 0)
    base.update(
        {
            "received": 40,
            "answered": 40,
            "on_time": 40,
            "resolved": 40,
            "final_resolved_unconfirmed": 40,
            "final_timely": 40,
            "days_to_answer": {"5": 40},
            "open_due": {},
            "redirect_pending": {},
        }
    )
    ignored, answered = (
        dict(base, legal_comments=20, legal_comments_answered=0),
        dict(base, legal_comments=20, legal_comments_answered=20),
    )
    assert scoring.ashyq_components(base)["legal_comments"] is None  # nothing to measure: the other weights count
    assert scoring.ashyq_score(ignored, weights) < scoring.ashyq_score(base, weights) < scoring.ashyq_score(answered, weights)
    assert scoring.official_score(ignored) == scoring.official_score(answered) == scoring.official_score(base)
    low, high = scoring.score_interval(ignored, weights)
    assert low <= scoring.ashyq_score(ignored, weights) <= high
