"""Polls in the demo: a closed poll of the Anti-Corruption Agency with its results, and an open one the demo citizen
can vote in, played through the real services at past dates. Every text says it is synthetic. The voters are
synthetic accounts without a usable password; the demo citizen gets an SMS-level verification of a synthetic number
(only its keyed hash is stored), so that voting can be tried."""

import datetime as dt

from django.utils import timezone

from ashyq.accounts.identifiers import identity_hash
from ashyq.accounts.models import Role, User, Verification, VerificationMethod
from ashyq.core import clock
from ashyq.core.identity import Level
from ashyq.polls import services
from ashyq.polls.models import Poll

SYNTHETIC = " (синтетический демо-опрос / синтетикалық демо-сауалнама / synthetic demo poll)"
CLOSED_TITLE = "Как удобнее сообщать о коррупции?" + SYNTHETIC
OPEN_TITLE = "Сыбайлас жемқорлыққа қарсы іс-шаралар: не маңызды?" + SYNTHETIC
CLOSED_QUESTIONS = [
    {
        "text": "Как вы предпочитаете сообщать о коррупции?",
        "kind": "single",
        "choices": ["Через Ashyq", "По телефону 1424", "Лично в приёмной"],
    },
    {
        "text": "Что мешает сообщать?",
        "kind": "multiple",
        "choices": ["Страх последствий", "Не знаю, куда писать", "Не верю, что помогут"],
    },
]
OPEN_QUESTIONS = [
    {"text": "Қай бағыт маңыздырақ?", "kind": "single", "choices": ["Мемлекеттік сатып алу", "Денсаулық сақтау", "Білім беру"]},
    {
        "text": "Нәтижелер туралы қалай білгіңіз келеді?",
        "kind": "multiple",
        "choices": ["Ashyq сайтында", "SMS арқылы", "Электрондық пошта арқылы"],
    },
]
# (answer to question 1, answers to question 2) of each synthetic voter in the closed poll.
CLOSED_BALLOTS = [(0, [0, 2]), (0, [2]), (1, [0]), (0, [1, 2]), (2, [0]), (0, [0])]


def _at(days_ago: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(clock.today() - dt.timedelta(days=days_ago), dt.time(11, 0)))


def _verified(username: str, number: int, first_name: str = "Demo", last_name: str = "Voter") -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": Role.APPLICANT, "first_name": first_name, "last_name": last_name, "language": "ru"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    if not Verification.objects.filter(user=user, method=VerificationMethod.SMS, revoked_at__isnull=True).exists():
        Verification.objects.create(
            user=user,
            method=VerificationMethod.SMS,
            level=Level.PHONE,
            granted_at=timezone.now(),
            identity_hash=identity_hash("phone", f"+7700000{number:04d}"),
        )
    return user


def _answers(poll, single: int, several: list[int]) -> dict:
    q1, q2 = poll.questions.order_by("position")
    c1, c2 = list(q1.choices.order_by("position")), list(q2.choices.order_by("position"))
    return {q1.pk: [c1[single].pk], q2.pk: [c2[i].pk for i in several]}


def load() -> dict:
    official = User.objects.get(username="demo-official-acc")
    citizen = User.objects.get(username="demo-citizen")
    _verified(citizen.username, 9999)
    added = 0
    # Moments on today's calendar, taken before the clock is moved back (inside, "today" is the past day).
    moments = {days: _at(days) for days in (20, 6, 1, -10, *(19 - 2 * i for i in range(len(CLOSED_BALLOTS))))}
    if not Poll.objects.filter(title=CLOSED_TITLE).exists():
        with clock.frozen_at(moments[20]):
            poll = services.open_poll(
                official, title=CLOSED_TITLE, opens_at=moments[20], closes_at=moments[6], questions=CLOSED_QUESTIONS
            )
        for i, (single, several) in enumerate(CLOSED_BALLOTS):
            with clock.frozen_at(moments[19 - 2 * i]):
                services.vote(_verified(f"demo-voter-{i + 1}", i + 1), poll, _answers(poll, single, several))
        added += 1
    if not Poll.objects.filter(title=OPEN_TITLE).exists():
        with clock.frozen_at(moments[1]):
            poll = services.open_poll(
                official, title=OPEN_TITLE, opens_at=moments[1], closes_at=moments[-10], questions=OPEN_QUESTIONS
            )
            for i in range(3):
                services.vote(_verified(f"demo-voter-{i + 1}", i + 1), poll, _answers(poll, i, [i]))
        added += 1
    return {"polls": added}
