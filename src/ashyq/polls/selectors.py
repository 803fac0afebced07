"""Reads of polls. Results are read only here, and only once the poll has closed: before that nobody, the body's
own staff included, sees any count but the number of ballots cast."""

from ashyq.core import clock

from .models import Ballot, Poll
from .services import identity_hash_of

LIST_LIMIT = 50


def polls_by_state(now=None) -> dict:
    """Open, upcoming and closed polls of every body (newest first, at most LIST_LIMIT of each)."""
    now = now or clock.now()
    polls = Poll.objects.select_related("body")
    closed_early = polls.filter(closed_early_at__isnull=False, closed_early_at__lte=now)
    return {
        "open": list(
            polls.filter(opens_at__lte=now, closes_at__gt=now, closed_early_at__isnull=True).order_by("closes_at")[:LIST_LIMIT]
        ),
        "upcoming": list(polls.filter(opens_at__gt=now, closed_early_at__isnull=True).order_by("opens_at")[:LIST_LIMIT]),
        "closed": list((polls.filter(closes_at__lte=now) | closed_early).distinct().order_by("-closes_at", "-pk")[:LIST_LIMIT]),
    }


def has_voted(user, poll: Poll) -> bool:
    """Whether this person (this account, or the same phone or IIN on another account) has a ballot in the poll."""
    if not getattr(user, "is_authenticated", False):
        return False
    ballots = Ballot.objects.filter(poll=poll)
    if ballots.filter(voter=user).exists():
        return True
    person = identity_hash_of(user)
    return bool(person) and ballots.filter(identity_hash=person).exists()


def results(poll: Poll, now=None) -> list[dict] | None:
    """Per question: its choices with their votes and share of the ballots that answered it. None until the poll closes."""
    now = now or clock.now()
    if poll.state(now) != "closed":
        return None
    out = []
    for question in poll.questions.prefetch_related("choices"):
        choices = [
            {"text": c.text, "votes": c.votes, "share": (c.votes / question.answered) if question.answered else None}
            for c in question.choices.all()
        ]
        out.append({"question": question, "answered": question.answered, "choices": choices})
    return out
