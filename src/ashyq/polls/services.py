"""Every change to polls: open, vote, close early. Each runs in one transaction that checks the actor's permission
and, for the poll's steps, appends its PollEvent. A vote writes the ballot (who voted) and adds to the counters
(what was chosen) and nothing else: see models.py for why no answer row exists."""

import datetime as dt
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ashyq.accounts.selectors import current_verifications
from ashyq.core import characters, clock, identity
from ashyq.core.errors import Conflict

from . import permissions
from .models import Ballot, Choice, Poll, PollEvent, PollEventKind, Question, QuestionKind

MAX_TITLE = 200
MAX_DESCRIPTION = 5_000
MAX_QUESTION = 500
MAX_CHOICE = 300
MAX_QUESTIONS = 20
MAX_CHOICES = 20
MAX_DAYS = 366


def minimum_level() -> identity.Level:
    """The least a poll may ask of its voters: the level the configuration sets for voting (ASHYQ_LEVEL_VOTE)."""
    return identity.required_level(identity.Step.VOTE)


def _text(value, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)d characters (this has %(n)d).") % {"limit": limit, "n": len(value)}})
    characters.validate(value, field)
    return value


def _append_event(poll: Poll, kind: str, actor=None, data=None) -> PollEvent:
    last = poll.events.order_by("-seq").values_list("seq", flat=True).first() or 0
    event = PollEvent(poll=poll, seq=last + 1, kind=kind, at=clock.now(), actor=actor, data=data or {})
    event.save(force_insert=True)
    return event


def _clean_questions(questions) -> list[dict]:
    """[{"text", "kind", "choices": [text, ...]}] checked: 1..MAX_QUESTIONS questions of 2..MAX_CHOICES distinct choices."""
    cleaned, errors = [], {}
    for i, q in enumerate(questions or [], start=1):
        field = f"question_{q.get('slot', i)}"
        try:
            text = _text(q.get("text"), field, MAX_QUESTION)
            if q.get("kind") not in QuestionKind.values:
                raise ValidationError({field: _("Choose one answer or several answers.")})
            choices = [_text(c, field, MAX_CHOICE) for c in q.get("choices") or [] if (c or "").strip()]
            if not 2 <= len(choices) <= MAX_CHOICES:
                raise ValidationError({field: _("Give between 2 and %(n)d answers to choose from.") % {"n": MAX_CHOICES}})
            if len(set(choices)) != len(choices):
                raise ValidationError({field: _("Each answer must be different.")})
        except ValidationError as exc:
            errors.update(exc.message_dict)
            continue
        cleaned.append({"text": text, "kind": q["kind"], "choices": choices})
    if not cleaned and not errors:
        errors["question_1"] = [_("Ask at least one question.")]
    if len(cleaned) > MAX_QUESTIONS:
        errors["question_1"] = [_("At most %(n)d questions.") % {"n": MAX_QUESTIONS}]
    if errors:
        raise ValidationError(errors)
    return cleaned


def open_poll(
    actor,
    *,
    title: str,
    description: str = "",
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    min_level: int | None = None,
    questions,
) -> Poll:
    """A body's official or head opens a poll of their body: its dates, questions and the least level of voters."""
    if not permissions.can_open_polls(actor):
        raise PermissionDenied(_("Only the officials and heads of a state body open polls."))
    errors = {}
    try:
        title = _text(title, "title", MAX_TITLE)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        description = _text(description, "description", MAX_DESCRIPTION, required=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    now = clock.now()
    if opens_at is None or closes_at is None:
        errors["closes_at"] = [_("Give when the poll opens and when it closes.")]
    elif closes_at <= opens_at:
        errors["closes_at"] = [_("The poll must close after it opens.")]
    elif closes_at <= now:
        errors["closes_at"] = [_("The closing time has already passed.")]
    elif closes_at - opens_at > dt.timedelta(days=MAX_DAYS):
        errors["closes_at"] = [_("A poll runs for at most %(n)d days.") % {"n": MAX_DAYS}]
    floor = minimum_level()
    level = floor if min_level in (None, "") else int(min_level)
    if level not in identity.Level.values or level < floor:
        errors["min_level"] = [
            _("Voting needs at least this level of verification: %(level)s.") % {"level": identity.Level(floor).label}
        ]
    try:
        questions = _clean_questions(questions)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        poll = Poll.objects.create(
            body_id=actor.body_id,
            title=title,
            description=description,
            opens_at=opens_at,
            closes_at=closes_at,
            min_level=level,
            created_by=actor,
            created_at=now,
        )
        for position, q in enumerate(questions, start=1):
            question = Question.objects.create(poll=poll, position=position, text=q["text"], kind=q["kind"])
            Choice.objects.bulk_create(
                [Choice(question=question, position=p, text=text) for p, text in enumerate(q["choices"], start=1)]
            )
        _append_event(
            poll,
            PollEventKind.OPENED,
            actor=actor,
            data={
                "opens_at": opens_at.isoformat(),
                "closes_at": closes_at.isoformat(),
                "min_level": level,
                "questions": len(questions),
            },
        )
    return poll


def identity_hash_of(user) -> str:
    """The keyed hash of the phone or IIN behind the voter's strongest current verification ('' at the email level)."""
    return current_verifications(user).exclude(identity_hash="").values_list("identity_hash", flat=True).first() or ""


def _clean_answers(poll: Poll, answers: dict) -> list[tuple[Question, list[int]]]:
    """{question id: [choice ids]} checked against the poll: every question answered, one choice where only one is allowed."""
    chosen, errors = [], {}
    choices_of: dict[int, set[int]] = {}
    for question_id, choice_id in Choice.objects.filter(question__poll=poll).values_list("question_id", "pk"):
        choices_of.setdefault(question_id, set()).add(choice_id)
    for question in poll.questions.all():
        field = f"question_{question.pk}"
        picked = []
        for value in (answers or {}).get(question.pk, []) or []:
            try:
                picked.append(int(value))
            except (TypeError, ValueError):
                continue
        picked = sorted(set(picked))
        if not picked:
            errors[field] = [_("Answer this question.")]
        elif any(p not in choices_of.get(question.pk, set()) for p in picked):
            errors[field] = [_("Choose among this question's answers.")]
        elif question.kind == QuestionKind.SINGLE and len(picked) > 1:
            errors[field] = [_("Choose one answer.")]
        else:
            chosen.append((question, picked))
    if errors:
        raise ValidationError(errors)
    return chosen


def vote(actor, poll: Poll, answers: dict) -> None:
    """Cast the actor's one ballot: the ballot says that they voted, the counters take what they chose.

    A second ballot of the same person (the same account, or the same phone or IIN on another account) is refused as a
    Conflict; two that race are decided by the unique constraints, and the loser's counters roll back with it."""
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise PermissionDenied(_("Sign in to vote."))
    if identity.level_of(actor) < poll.min_level:
        raise PermissionDenied(
            _("To vote in this poll you need this level of verification: %(level)s.")
            % {"level": identity.Level(poll.min_level).label}
        )
    now = clock.now()
    state = poll.state(now)
    if state != "open":
        raise Conflict(_("This poll is not open for voting yet.") if state == "upcoming" else _("This poll is closed."))
    for attempt in range(LOCKED_RETRIES):
        try:
            return _cast(actor, poll, _clean_answers(poll, answers), identity_hash_of(actor), now)
        except IntegrityError:
            raise Conflict(_("You have already voted in this poll: one ballot per person.")) from None
        except OperationalError as exc:
            # SQLite answers a write that met another one with "database table is locked" where its busy timeout
            # does not apply (a shared-cache database) or ran out; the vote is tried again, then refused clearly.
            if "locked" not in str(exc):
                raise
            time.sleep(0.05 * (attempt + 1))
    raise Conflict(_("The site is busy: your ballot was not cast. Try again in a moment."))


LOCKED_RETRIES = 10


def _cast(actor, poll: Poll, chosen, person: str, now) -> None:
    with transaction.atomic():
        # The ballot first: a second one of the same person fails here, before any counter moves.
        Ballot.objects.create(poll=poll, voter=actor, identity_hash=person)
        # The poll's dates again, in the transaction: an early close that committed meanwhile wins.
        if Poll.objects.select_for_update().get(pk=poll.pk).state(now) != "open":
            raise Conflict(_("This poll is closed."))
        Poll.objects.filter(pk=poll.pk).update(ballots=F("ballots") + 1)
        for question, picked in chosen:
            Question.objects.filter(pk=question.pk).update(answered=F("answered") + 1)
            Choice.objects.filter(pk__in=picked, question=question).update(votes=F("votes") + 1)


def close_poll(actor, poll: Poll, *, confirmed: bool) -> Poll:
    """The body's staff close an open poll before its planned end; its results are shown from now on."""
    if not permissions.can_manage(actor, poll):
        raise PermissionDenied(_("Only the staff of the poll's body close it."))
    if not confirmed:
        raise ValidationError({"confirmed": _("Confirm that the poll closes now: this cannot be undone.")})
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        now = clock.now()
        if poll.state(now) == "closed":
            raise Conflict(_("This poll is already closed."))
        poll.closed_early_at = now
        poll.save(update_fields=["closed_early_at"])
        _append_event(
            poll,
            PollEventKind.CLOSED_EARLY,
            actor=actor,
            data={"ballots": poll.ballots, "planned_close": poll.closes_at.isoformat()},
        )
    return poll
