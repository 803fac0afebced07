"""The read-only budget API: facts by any dimension, aggregates per phase that reconcile with the source's totals."""

import datetime as dt
from decimal import Decimal

import pytest

from ashyq.budget import services
from ashyq.budget.models import Fact

MONTHS = ["06.2024", "12.2024"]


@pytest.fixture
def budget(reference):
    return services.import_budget(None, months=MONTHS, publish=False)


@pytest.mark.django_db
def test_aggregates_reconcile_with_the_sources_totals_for_each_phase(client, budget):
    for table, by in (
        ("republican_by_function", "function_group"),
        ("republican_by_administrator", "administrator"),
        ("republican_budget_report", "function_group"),
        ("local_astana_city", "function_group"),
        ("republican_priority_investments", "programme"),
    ):
        data = client.get("/api/v1/budget/aggregates", {"table": table, "by": by, "month": "2024-06"}).json()
        assert data["totals"], table
        assert all(t["reconciles"] for t in data["totals"]), (table, [t for t in data["totals"] if not t["reconciles"]])
        phases = {t["phase"] for t in data["totals"]}
        assert phases == {"approved", "adjusted", "plan-to-date", "executed", "commitments"}
        # Each row is one phase's sum: the rows of one phase add up to that phase's leaves, never across phases.
        for phase in phases:
            rows = sum(Decimal(r["amount"]) for r in data["rows"] if r["phase"] == phase)
            leaves = sum(Decimal(t["leaves"]) for t in data["totals"] if t["phase"] == phase)
            assert rows == leaves, (table, phase)


@pytest.mark.django_db
def test_aggregate_by_administrator_names_it_and_matches_the_facts(client, budget):
    data = client.get(
        "/api/v1/budget/aggregates",
        {"table": "republican_by_administrator", "by": "administrator", "phase": "executed", "month": "2024-12"},
    ).json()
    health = next(r for r in data["rows"] if r["key"] == "226")
    assert "здравоохранения" in health["name"]
    fact = Fact.objects.get(
        line__table="republican_by_administrator", line__code="226", month=dt.date(2024, 12, 1), phase="executed"
    )
    assert Decimal(health["amount"]) == fact.amount


@pytest.mark.django_db
def test_aggregate_by_month_keeps_months_apart(client, budget):
    data = client.get(
        "/api/v1/budget/aggregates", {"table": "republican_by_administrator", "by": "month", "phase": "executed"}
    ).json()
    assert [r["key"] for r in data["rows"]] == ["2024-06", "2024-12"]
    assert Decimal(data["rows"][1]["amount"]) > Decimal(data["rows"][0]["amount"])  # year to date grows


@pytest.mark.django_db
def test_facts_filter_by_any_dimension(client, budget):
    data = client.get(
        "/api/v1/budget/facts",
        {
            "table": "republican_priority_investments",
            "administrator": "217",
            "phase": "executed",
            "month": "2024-12",
            "limit": 1000,
        },
    ).json()
    assert data["count"] > 0 and data["unit"] == "thousand tenge"
    assert all(r["administrator"] == "217" and r["phase"] == "executed" and r["month"] == "2024-12" for r in data["results"])
    assert {r["body"] for r in data["results"]} == {"ministry-of-finance"}
    region = client.get("/api/v1/budget/facts", {"region": "KZ-75", "direction": "revenue", "limit": 5}).json()
    assert region["count"] > 0 and all(r["region"] == "KZ-75" and r["direction"] == "revenue" for r in region["results"])
    paged = client.get("/api/v1/budget/facts", {"table": "republican_by_function", "limit": 3, "offset": 3}).json()
    assert len(paged["results"]) == 3 and paged["offset"] == 3


@pytest.mark.django_db
def test_bad_parameters_are_clear_400s(client, budget):
    assert client.get("/api/v1/budget/aggregates", {"by": "function_group"}).status_code == 400
    assert client.get("/api/v1/budget/aggregates", {"table": "x", "by": "function_group"}).status_code == 400
    assert client.get("/api/v1/budget/aggregates", {"table": "republican_by_function", "by": "colour"}).status_code == 400
    assert client.get("/api/v1/budget/aggregates", {"table": "republican_by_function", "month": "June"}).status_code == 400
    assert client.get("/api/v1/budget/facts", {"limit": 5000}).status_code == 400
    assert client.get("/api/v1/budget/facts", {"phase": "spent"}).status_code in (400, 422)


@pytest.mark.django_db
def test_tables_list_their_months(client, budget):
    tables = {t["table"]: t for t in client.get("/api/v1/budget/tables").json()}
    assert tables["local_almaty_city"]["region"] == "KZ-75"
    assert tables["republican_by_function"]["months"] == ["2024-06", "2024-12"]


@pytest.mark.django_db
def test_budget_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/budget/facts", "/api/v1/budget/aggregates", "/api/v1/budget/tables"} <= set(paths)
