"""Helpers for the poll tests: a verified voter (an SMS verification, as the phone page grants) and a poll."""

import datetime as dt

from django.utils import timezone

from ashyq.accounts.identifiers import identity_hash
from ashyq.accounts.models import Role, Verification, VerificationMethod
from ashyq.core import clock
from ashyq.core.identity import Level
from ashyq.polls import services

QUESTIONS = [
    {
        "text": "Which park should be repaired first?",
        "kind": "single",
        "choices": ["Central park", "River park", "School garden"],
    },
    {"text": "What should it have?", "kind": "multiple", "choices": ["Benches", "Lights", "A playground"]},
]


def verified(make_user, username, phone):
    """An applicant with a current SMS verification of `phone` (only its keyed hash is stored)."""
    user = make_user(Role.APPLICANT, username=username)
    Verification.objects.create(
        user=user,
        method=VerificationMethod.SMS,
        level=Level.PHONE,
        granted_at=clock.now(),
        identity_hash=identity_hash("phone", phone),
    )
    return user


def open_poll(official, *, hours=48, starts_in=-1, questions=QUESTIONS, **extra):
    now = timezone.now()
    return services.open_poll(
        official,
        title=extra.pop("title", "Parks of Almaty"),
        description=extra.pop("description", "Tell the akimat which park to repair."),
        opens_at=now + dt.timedelta(hours=starts_in),
        closes_at=now + dt.timedelta(hours=hours),
        questions=questions,
        **extra,
    )
