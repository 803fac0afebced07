"""Helpers for the blog and web-conference tests: a conference whose window for questions is open now."""

import datetime as dt

from ashyq.blogs import services
from ashyq.core import clock

VIDEO = "https://meet.jit.si/ashyq-acc-conference"


def conference_values(**overrides) -> dict:
    now = clock.now()
    values = {
        "title_kk": "Сыбайлас жемқорлыққа қарсы онлайн-конференция",
        "title_ru": "Онлайн-конференция по противодействию коррупции",
        "title_en": "Web conference on fighting corruption",
        "description_ru": "Председатель отвечает на вопросы граждан.",
        "starts_at": now + dt.timedelta(days=3),
        "duration_minutes": 60,
        "questions_open_at": now - dt.timedelta(hours=1),
        "questions_close_at": now + dt.timedelta(days=2),
        "video_url": VIDEO,
    }
    values.update(overrides)
    return values


def open_conference(head, **overrides):
    return services.plan_conference(head, announce=True, **conference_values(**overrides))


def post_values(**overrides) -> dict:
    values = {"title_ru": "Как мы принимаем обращения", "text_ru": "Первый абзац.\n\nВторой абзац.", "accepts_questions": True}
    values.update(overrides)
    return values
