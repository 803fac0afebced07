"""Polls a state body opens: questions with single or multiple choice, dates, a minimum level of verification.

Secrecy of the vote is built into the tables, not promised by the code. `Ballot` records only that a person voted
in a poll (one row per person and poll, enforced by unique constraints); what they chose is never stored per person:
each vote adds one to the counters of the chosen `Choice`s and the `Question`s answered, in the same transaction as
the ballot. There is no answer row, so no key, sequence number, timestamp or row order can tie an answer to a voter.
The counters are read only through selectors.results(), which shows them to nobody, the body included, until the
poll closes. `PollEvent` is the poll's append-only record (opened, closed early); votes are not events.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.core.identity import Level


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("one answer")
    MULTIPLE = "multiple", _("several answers allowed")


class Poll(models.Model):
    body = models.ForeignKey("bodies.Body", on_delete=models.PROTECT, related_name="polls")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    # Set when the body's staff closed it before closes_at; results are shown from then on.
    closed_early_at = models.DateTimeField(null=True, blank=True)
    # The least level of verification (core.identity.Level) a voter needs: never below the configured level for voting.
    min_level = models.PositiveSmallIntegerField(choices=Level.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # How many ballots were cast (kept with the counters, in each vote's transaction).
    ballots = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        indexes = [models.Index(fields=["closes_at"], name="poll_closes_at"), models.Index(fields=["body", "-opens_at"])]
        verbose_name = _("poll")
        verbose_name_plural = _("polls")

    def __str__(self):
        return self.title

    def ends_at(self):
        """When voting ends: the planned close, or the early one."""
        return min(self.closes_at, self.closed_early_at) if self.closed_early_at else self.closes_at

    def state(self, now) -> str:
        if now >= self.ends_at():
            return "closed"
        return "open" if now >= self.opens_at else "upcoming"


class Question(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    kind = models.CharField(max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    # Ballots that answered this question (the base of its shares).
    answered = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["poll", "position"]
        constraints = [models.UniqueConstraint(fields=["poll", "position"], name="poll_question_unique_position")]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    # Ballots that chose it: a counter, never a list of answers.
    votes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["question", "position"]
        constraints = [models.UniqueConstraint(fields=["question", "position"], name="poll_choice_unique_position")]


class Ballot(models.Model):
    """That a person voted in a poll, and nothing of what they chose (no time either: see the module's docstring)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The keyed hash of the phone or IIN of the verification the voter held (accounts' identifiers), so that a person
    # who left an account and verified a new one with the same number still has one ballot. Empty at the email level.
    identity_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "voter"], name="ballot_one_per_account"),
            models.UniqueConstraint(
                fields=["poll", "identity_hash"], condition=~models.Q(identity_hash=""), name="ballot_one_per_person"
            ),
        ]


class PollEventKind(models.TextChoices):
    OPENED = "opened", _("poll opened")
    CLOSED_EARLY = "closed_early", _("poll closed early")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Poll events are append-only.")

    def delete(self):
        raise PermissionError("Poll events are append-only.")


class PollEvent(models.Model):
    """One step of a poll's life: who did what and when. Never changed; votes are not events (secrecy)."""

    poll = models.ForeignKey(Poll, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=PollEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["poll", "seq"]
        constraints = [models.UniqueConstraint(fields=["poll", "seq"], name="poll_event_unique_seq")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Poll events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Poll events are append-only.")
