"""Open Budget as a Fiscal Data Package: facts (an amount of one line, one month, one phase) and their dimensions.

A `Line` is one row of one source table, the same from month to month (its key is the codes from the root of
the table down): it carries the dimensions (direction, function group and subgroup, administrator, programme,
subprogramme, economic category, level and region). A `Fact` is its amount in one month of report and one
phase. Phases are never added: every sum in the app groups by phase. Reports are cumulative from January, so
a month's figure is the year to date.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ashyq.bodies.models import Body
from ashyq.core.models import Region


class Phase(models.TextChoices):
    APPROVED = "approved", _("approved")
    ADJUSTED = "adjusted", _("adjusted")
    PLAN_TO_DATE = "plan-to-date", _("plan to date")
    EXECUTED = "executed", _("executed")
    COMMITMENTS = "commitments", _("commitments")


class Direction(models.TextChoices):
    REVENUE = "revenue", _("revenue")
    EXPENDITURE = "expenditure", _("expenditure")
    # Lending, financial assets, the deficit and its financing, balances: the source's totals there are
    # balances (inflows less outflows), so their lines do not add up to them.
    OTHER = "other", _("other")


class Level(models.TextChoices):
    REPUBLICAN = "republican", _("republican budget")
    STATE = "state", _("state budget (republican and local)")
    LOCAL = "local", _("local budget")


class Kind(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    PROGRAMME = "programme", _("programme")
    SUBPROGRAMME = "subprogramme", _("subprogramme")
    FUNCTION_GROUP = "function_group", _("functional group")
    FUNCTION_SUBGROUP = "function_subgroup", _("functional subgroup")
    ECONOMIC_CATEGORY = "economic_category", _("economic category")


class Administrator(models.Model):
    """A budget administrator (ministry, agency, akimat's office) by its code in the budget classification.

    Republican and local codes are separate lists (a local code names a kind of office found in every region).
    `body` is the Ashyq body it is, where it is one (matched by name, or by data/administrator_bodies.csv)."""

    scope = models.CharField(max_length=12, choices=[("republican", _("republican")), ("local", _("local"))])
    code = models.CharField(max_length=10)
    name_ru = models.CharField(max_length=500)
    body = models.ForeignKey(Body, null=True, blank=True, on_delete=models.SET_NULL, related_name="budget_administrators")
    # How it was matched to the body: "name", "code" (the curated list) or "" (not matched).
    matched_by = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["scope", "code"]
        constraints = [models.UniqueConstraint(fields=["scope", "code"], name="budget_administrator_unique")]

    def __str__(self):
        return f"{self.code} {self.name_ru}"


class Line(models.Model):
    table = models.CharField(max_length=60, db_index=True)
    key = models.CharField(max_length=200)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    depth = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20, blank=True)
    name_ru = models.CharField(max_length=1000)
    level = models.CharField(max_length=12, choices=Level.choices)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="budget_lines")
    direction = models.CharField(max_length=12, choices=Direction.choices)
    # The source's own total (an "Итого" row, or the head of a section of a tree table).
    is_total = models.BooleanField(default=False)
    # Which dimension the line itself is: administrator, programme, function_group, ... ("" for revenue lines).
    kind = models.CharField(max_length=20, blank=True, choices=Kind.choices)
    section = models.CharField(max_length=200, blank=True)
    function_group = models.CharField(max_length=10, blank=True, db_index=True)
    function_subgroup = models.CharField(max_length=10, blank=True)
    administrator = models.ForeignKey(Administrator, null=True, blank=True, on_delete=models.PROTECT, related_name="lines")
    programme = models.CharField(max_length=20, blank=True, db_index=True)
    subprogramme = models.CharField(max_length=30, blank=True)
    economic_category = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["table", "key"]
        constraints = [models.UniqueConstraint(fields=["table", "key"], name="budget_line_unique")]

    def __str__(self):
        return f"{self.table}:{self.key}"


class Fact(models.Model):
    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="facts")
    month = models.DateField(help_text="First day of the month of report; amounts are the year to date.")
    fiscal_year = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=14, choices=Phase.choices)
    amount = models.DecimalField(max_digits=18, decimal_places=3, help_text="Thousand tenge")
    # A line without sub-lines in this month: summing leaves never counts a figure twice.
    is_leaf = models.BooleanField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "month", "phase"], name="budget_fact_unique")]
        indexes = [models.Index(fields=["month", "phase"], name="budget_fact_month_phase")]


class BudgetImport(models.Model):
    """One run of import_budget that changed the figures: what it read, loaded and refused, and the open-data
    versions it published."""

    created_at = models.DateTimeField(auto_now_add=True)
    sha256 = models.CharField(max_length=64)
    months = models.JSONField(default=list)
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    refused = models.JSONField(default=list)
    unmapped = models.JSONField(default=list)
    reconciliation = models.JSONField(default=list)
    seconds = models.FloatField(default=0)
    facts_version = models.ForeignKey(
        "opendata.ResourceVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The Fiscal Data Package descriptor of facts_version (served at /budget/datapackage.json).
    descriptor = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]
