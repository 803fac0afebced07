"""The demo's ranking story: ten honest bodies and two that game the count, played through the services.

The same population as `manage.py simulate_gaming` (assessment/simulation.py), on real bodies and in the
weeks before today, so the ranking page shows both methods disagreeing: the two gaming bodies are in the
top half of the official reconstruction and at the bottom by the Ashyq method ("Move" column). A share of
the appeals is public; a moderator publishes 24 of them with their answers through the moderation
services, so the public record, its search and the latest answers are not empty. Every text says it is
synthetic. Loading twice changes nothing.
"""

import datetime as dt
import random

from ashyq.accounts.models import Role, User
from ashyq.assessment import simulation
from ashyq.bodies.models import Body
from ashyq.core import calendar, clock
from ashyq.core.models import Region
from ashyq.dialogue.models import Answer, Appeal, Status
from ashyq.moderation import services as moderation
from ashyq.moderation.models import Target

HONEST = [
    "ministry-of-healthcare",
    "ministry-of-education",
    "ministry-of-labour-and-social-protection",
    "ministry-of-energy",
    "ministry-of-transport",
    "ministry-of-ecology-and-natural-resources",
    "ministry-of-justice",
    "ministry-of-industry-and-construction",
    "ministry-of-culture-and-information",
    "ministry-of-emergency-situations",
]
GAMING = {"redirect_most": "ministry-of-agriculture", "formal_on_time": "ministry-of-internal-affairs"}
PER_BODY = 30  # the default minimum to be ranked
PUBLISHED = 24
MARKER_KEY = "demo-story-0"
SYNTHETIC = " (Синтетическое демонстрационное обращение / Synthetic demo appeal.)"
# Subjects and texts of the story's appeals (Russian, as most appeals are written), rotated over the bodies.
TOPICS = [
    (
        "Нет горячей воды третью неделю",
        "В доме по нашей улице третью неделю нет горячей воды, управляющая компания не отвечает. Прошу принять меры.",
    ),
    (
        "Яма на дороге возле школы",
        "На въезде к школе большая яма, машины объезжают её по тротуару, где ходят дети. Прошу отремонтировать дорогу.",
    ),
    (
        "Задержка выплаты пособия",
        "Пособие по уходу за ребёнком не поступает два месяца, в отделении ничего не объясняют. Прошу разобраться.",
    ),
    ("Не вывозят мусор", "Контейнеры во дворе не вывозят больше недели, мусор разносит ветер. Прошу восстановить график вывоза."),
    (
        "Запись к врачу недоступна",
        "В поликлинике невозможно записаться к эндокринологу: запись закрыта на месяц вперёд. Прошу помочь с записью.",
    ),
    (
        "Освещение в микрорайоне",
        "В микрорайоне не горят фонари уже месяц, вечером идти с остановки опасно. Прошу восстановить освещение.",
    ),
]


def _working_day_back(days: int) -> dt.date:
    day = clock.today() - dt.timedelta(days=days)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


class StoryPopulation(simulation.Population):
    """The simulation's population with the demo's texts, idempotency keys and a share of public appeals."""

    counter = 0

    def submit(self, applicant, body, day, **extra):
        StoryPopulation.counter += 1
        subject, text = TOPICS[StoryPopulation.counter % len(TOPICS)]
        return super().submit(
            applicant,
            body,
            day,
            subject=subject,
            text=text + SYNTHETIC,
            idempotency_key=f"demo-story-{StoryPopulation.counter - 1}",
            **extra,
        )


def load(moderator) -> int:
    """Play the story once; returns the number of appeals it added (0 when it is already there)."""
    if Appeal.objects.filter(idempotency_key=MARKER_KEY).exists():
        return 0
    bodies = {b.slug: b for b in Body.objects.filter(slug__in=[*HONEST, *GAMING.values()])}
    # Far enough back that every step, late answers included, is in the past (about 50 working days).
    start = _working_day_back(80)
    pop = StoryPopulation(
        start=start,
        per_body=PER_BODY,
        honest=[bodies[s] for s in HONEST],
        rng=random.Random(2026),
        region=Region.objects.get(iso_code="KZ-75"),
        gaming={k: bodies[v] for k, v in GAMING.items()},
        public_share=0.15,
    )
    StoryPopulation.counter = 0
    simulation.make_people(pop, citizens=90, prefix="demo-story")
    before = Appeal.objects.count()
    pop.play()
    _publish(moderator)
    return Appeal.objects.count() - before


def _publish(moderator):
    """A moderator publishes public answered appeals of the story and their answers (the moderation services)."""
    answered = Appeal.objects.filter(
        idempotency_key__startswith="demo-story-", is_public=True, status=Status.ANSWERED, published_at__isnull=True
    ).order_by("-registered_at")[:PUBLISHED]
    for appeal in answered:
        moderation.approve(moderator, appeal, target=Target.APPEAL)
        if Answer.objects.filter(appeal=appeal).exists():
            moderation.approve(moderator, appeal, target=Target.ANSWER)


def moderator() -> User:
    return User.objects.filter(role=Role.MODERATOR).order_by("pk").first()
