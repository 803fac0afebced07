"""Issue 11, point 6: the demo tells the story: ten bodies and more rankable, two that game the count in the
top half officially and the bottom quartile by Ashyq, and answered appeals published through moderation."""

from ashyq.accounts.models import Role
from ashyq.assessment import figures, selectors, signals, simulation
from ashyq.demo import assessment_story
from ashyq.dialogue.models import Appeal, EventKind


def test_the_demo_ranking_shows_the_methods_disagreeing_and_the_public_record_is_not_empty(bodies, make_user):
    moderator = make_user(Role.MODERATOR)
    with signals.paused():
        added = assessment_story.load(moderator)
    assert added >= 360 and assessment_story.load(moderator) == 0  # loading twice changes nothing
    figures.recompute_all()
    rows = [r for r in selectors.ranking(selectors.default_period()) if r["ranked"]]
    assert len(rows) >= 10
    n = len(rows)
    for slug in assessment_story.GAMING.values():
        r = next(r for r in rows if r["body"] == slug)
        assert simulation.top_half(r["official_rank"], n), r  # fooled: top half officially
        assert simulation.bottom_quartile(r["ashyq_rank"], n), r
        assert r["move"] < 0
    published = Appeal.objects.filter(published_at__isnull=False, answer__published_at__isnull=False)
    assert published.count() >= 20
    assert all(a.events.filter(kind=EventKind.ANSWER_PUBLISHED).exists() for a in published)  # through moderation
