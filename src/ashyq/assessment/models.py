"""Precomputed figures the assessment pages are served from.

`BodyMonthFigures` holds additive counts per body and month (the month in which the body received the
appeal: the cohort), so a quarter or a year is the sum of its months and every score is a pure function
of those sums (scoring.py). The rows are refreshed after each dialogue event (signals.py) and rebuilt
in full by `manage.py recompute_scores`. Nothing here is the truth: the dialogue's events are.
"""

from django.db import models


class BodyMonthFigures(models.Model):
    body = models.ForeignKey("bodies.Body", on_delete=models.CASCADE, related_name="month_figures")
    month = models.DateField(help_text="First day of the month in which the body received the appeals")
    received = models.PositiveIntegerField(default=0)
    redirected_away = models.PositiveIntegerField(default=0)
    ping_pong = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    explained = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    left_without_consideration = models.PositiveIntegerField(default=0)
    extensions = models.PositiveIntegerField(default=0)
    feedback = models.PositiveIntegerField(default=0)
    feedback_yes = models.PositiveIntegerField(default=0)
    feedback_partly = models.PositiveIntegerField(default=0)
    feedback_no = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)
    # Open data (not about appeals): the body's datasets existing at the month's end, those that received a
    # valid new version in the month, and the sum of their quality scores (0-100) at the month's end.
    datasets = models.PositiveIntegerField(default=0)
    datasets_updated = models.PositiveIntegerField(default=0)
    quality_sum = models.PositiveIntegerField(default=0)
    # Open Legal Acts (not about appeals): published comments on the body's drafts whose report fell due in the
    # month (or was published early), and those of them the body answered with a decision and a reason.
    legal_comments = models.PositiveIntegerField(default=0)
    legal_comments_answered = models.PositiveIntegerField(default=0)
    # Final states (final_state.py, docs/assessment.md): each stay the body received in this month, in exactly
    # one state, so the Ashyq method's shares are shares of the appeals received.
    final_resolved_confirmed = models.PositiveIntegerField(default=0)
    final_resolved_unconfirmed = models.PositiveIntegerField(default=0)
    final_resolved_disputed = models.PositiveIntegerField(default=0)
    final_explained = models.PositiveIntegerField(default=0)
    final_refused = models.PositiveIntegerField(default=0)
    final_left_without_consideration = models.PositiveIntegerField(default=0)
    final_not_competent = models.PositiveIntegerField(default=0)
    final_own_staff = models.PositiveIntegerField(default=0)
    final_redirected_justified = models.PositiveIntegerField(default=0)
    final_redirected_unjustified = models.PositiveIntegerField(default=0)
    final_withdrawn = models.PositiveIntegerField(default=0)
    # Of the answered stays that count for the body: on time without an extension, and thanks to one.
    final_timely = models.PositiveIntegerField(default=0)
    final_timely_extended = models.PositiveIntegerField(default=0)
    # Working days from receipt to answer: {"days": number of answers}. Additive, so medians of any period are exact.
    days_to_answer = models.JSONField(default=dict)
    # Appeals still open at the body (cohort month), by due date: {"YYYY-MM-DD": number}. Overdue on a day =
    # those due before it, so the figure never goes stale between events (scoring.settle()).
    open_due = models.JSONField(default=dict)
    # Stays the body ended by a redirect not judged yet (the receiver holds the appeal), by the receiver's due
    # date: those due before a day count as unjustified on that day (scoring.settle()).
    redirect_pending = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["body", "month"], name="assessment_body_month_unique")]
        indexes = [models.Index(fields=["month", "body"])]


class RegionMonthFigures(models.Model):
    region = models.ForeignKey("core.Region", on_delete=models.CASCADE, related_name="month_figures")
    month = models.DateField(help_text="First day of the month in which the appeals were registered")
    registered = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "month"], name="assessment_region_month_unique")]


class WorkingDay(models.Model):
    """A day of the calendar with its working-day ordinal, so SQL can count working days by subtraction.

    ordinal(d) - ordinal(s) = working days after s up to and including d (core.calendar.working_days_between).
    """

    country = models.CharField(max_length=2, default="KZ")
    day = models.DateField()
    ordinal = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["country", "day"], name="assessment_working_day_unique")]


class GamingSimulation(models.Model):
    """The latest runs of `manage.py simulate_gaming` (assessment/simulation.py): the table the methodology
    page shows, so a reader sees how each way of gaming the count fares under both methods."""

    ran_at = models.DateTimeField(auto_now_add=True)
    method_version = models.CharField(max_length=20)
    result = models.JSONField()

    class Meta:
        ordering = ["-ran_at", "-pk"]


class AppealContribution(models.Model):
    """What one appeal last added to the figures (contributions.py): {"b:<body>:<YYYY-MM>" or
    "r:<region>:<YYYY-MM>": {field: count, histogram: {bucket: count}}}. An event's change to the figures is
    the appeal's part now minus this, so the work per event does not grow with the data."""

    appeal = models.OneToOneField("dialogue.Appeal", on_delete=models.CASCADE, primary_key=True, related_name="+")
    counts = models.JSONField(default=dict)
