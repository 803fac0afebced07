"""Routine jobs that publish the same datasets on every run (the budget import, the demo's registers and showcase)
and a dataset a publisher withdrew: the job does not stop and does not publish into it again. It imports what it
imports, leaves the open data alone and says why, in its report, its command's output and the log. A version
withdrawn for wrong data is followed by the corrected figures as a new version, but the same bytes are never
published again."""

import io
import logging

import pytest
from django.core.management import call_command
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.budget import package
from ashyq.budget import services as budget
from ashyq.budget.models import BudgetImport, Fact
from ashyq.demo import legalacts as demo_legalacts
from ashyq.legalacts import register
from ashyq.opendata import services
from ashyq.opendata.models import Dataset, ResourceVersion, Withdrawal
from ashyq.opendata.showcase import load_showcase

MONTHS = ["01.2023", "06.2024"]


@pytest.fixture
def finance_official(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies[budget.PUBLISHER], username="mof-publisher")


@pytest.fixture
def published(reference):
    # Two months keep the facts CSV, validated as any upload is, quick.
    return budget.import_budget(None, months=MONTHS)


def _budget_dataset():
    return Dataset.objects.get(slug=budget.DATASET_SLUG)


def _day(withdrawal):
    return timezone.localtime(withdrawal.withdrawn_at).strftime("%Y-%m-%d")


@pytest.mark.django_db
def test_a_budget_import_after_the_dataset_was_withdrawn_imports_the_figures_and_says_why_nothing_was_published(
    published, finance_official, client, caplog
):
    event = services.withdraw(finance_official, _budget_dataset(), "wrong-data", "Phases added together by mistake.")
    versions = ResourceVersion.objects.count()
    out = io.StringIO()
    with caplog.at_level(logging.WARNING, logger="ashyq.budget.services"):
        call_command("import_budget", "--months", MONTHS[0], stdout=out)
    printed = out.getvalue()
    expected = (
        f"warning: open data not published: the dataset {budget.DATASET_SLUG} was withdrawn on {_day(event)} (wrong data); "
        "nothing is published into what was withdrawn. The figures are imported and shown on the budget pages."
    )
    assert expected in printed, printed
    assert f"the dataset {budget.DATASET_SLUG} was withdrawn" in caplog.text
    # The figures are imported: a new import, its facts those of the one month read.
    assert BudgetImport.objects.count() == 2 and Fact.objects.exists()
    assert Fact.objects.values_list("month", flat=True).distinct().count() == 1
    # The open data is left as the publisher left it: withdrawn, nothing added, no description changed.
    dataset = _budget_dataset()
    assert dataset.withdrawal == event and Withdrawal.objects.count() == 1
    assert ResourceVersion.objects.count() == versions and not dataset.resources.active().exists()
    assert dataset.temporal_start.year == 2023 and dataset.temporal_end.year == 2024
    # The budget's datapackage.json no longer describes a file that is not served.
    assert client.get("/budget/datapackage.json").status_code == 404
    assert client.get("/budget/").status_code == 200


@pytest.mark.django_db
def test_after_a_version_was_withdrawn_corrected_figures_are_published_but_never_the_same_bytes(
    published, finance_official, client
):
    facts = _budget_dataset().resources.get(name=package.FILE_NAME)
    first = facts.current_version
    services.withdraw(finance_official, _budget_dataset(), "wrong-data", version=first)
    assert facts.current_version is None
    # Other figures: a new version, served, the descriptor pointing at it; no warning.
    corrected = budget.import_budget(None, months=MONTHS[:1])
    assert corrected["warnings"] == []
    second = facts.current_version
    assert second.number == 2 and second.served and second.sha256 != first.sha256
    assert client.get("/budget/datapackage.json").json()["resources"][0]["path"].endswith("/v2/download")
    # The withdrawn figures read again: imported, but the same bytes are not published a second time.
    again = budget.import_budget(None, months=MONTHS)
    assert again["unchanged"] is False and len(again["warnings"]) == 1
    assert (
        f"version 1 of {package.FILE_NAME} in the dataset {budget.DATASET_SLUG}, holding the same data, was withdrawn"
        in (again["warnings"][0])
    )
    assert facts.current_version == second and facts.versions.count() == 2
    assert client.get("/budget/datapackage.json").json()["resources"][0]["path"].endswith("/v2/download")


@pytest.mark.django_db
def test_a_withdrawn_budget_resource_is_neither_filled_nor_added_again(published, finance_official):
    dataset = _budget_dataset()
    facts = dataset.resources.get(name=package.FILE_NAME)
    link = dataset.resources.get(name=package.PACKAGE_FILE)
    services.withdraw(finance_official, dataset, "superseded", resource=facts)
    services.withdraw(finance_official, dataset, "superseded", resource=link)
    report = budget.import_budget(None, months=MONTHS[:1])
    assert len(report["warnings"]) == 1 and f"the resource {package.FILE_NAME} of the dataset" in report["warnings"][0]
    assert dataset.resources.count() == 2 and not dataset.resources.active().exists()
    assert facts.versions.count() == 1


@pytest.mark.django_db
def test_only_the_descriptor_link_withdrawn_the_facts_are_published_and_the_link_not_added_back(published, finance_official):
    dataset = _budget_dataset()
    link = dataset.resources.get(name=package.PACKAGE_FILE)
    services.withdraw(finance_official, dataset, "superseded", resource=link)
    report = budget.import_budget(None, months=MONTHS[:1])
    assert len(report["warnings"]) == 1 and f"the resource {package.PACKAGE_FILE} of the dataset" in report["warnings"][0]
    assert [r.name for r in dataset.resources.active()] == [package.FILE_NAME]
    assert dataset.resources.get(name=package.FILE_NAME).current_version.number == 2


@pytest.fixture
def registers(reference):
    register.load_acts()
    register.load_agreements()
    assert demo_legalacts.publish_registers_as_datasets() == 2


@pytest.mark.django_db
def test_the_demo_leaves_a_withdrawn_register_dataset_alone_and_says_so(registers, make_user, bodies, caplog):
    acts = Dataset.objects.get(slug="register-of-adopted-acts")
    official = make_user(Role.OFFICIAL, acts.body, username="moj-publisher")
    event = services.withdraw(official, acts, "other", "Published under the wrong body.")
    warnings = []
    with caplog.at_level(logging.WARNING, logger="ashyq.demo.legalacts"):
        assert demo_legalacts.publish_registers_as_datasets(warnings) == 0
    assert warnings == [
        f"open data not published: the dataset register-of-adopted-acts was withdrawn on {_day(event)} (another reason); "
        "nothing is published into what was withdrawn."
    ]
    assert "register-of-adopted-acts was withdrawn" in caplog.text
    assert Dataset.objects.get(slug="register-of-adopted-acts").withdrawal == event
    assert Dataset.objects.get(slug="register-of-international-agreements").withdrawal is None


@pytest.mark.django_db
def test_the_showcase_reload_says_which_datasets_it_left_alone(reference, make_user, bodies):
    load_showcase()
    dataset = Dataset.objects.get(slug="humanitarian-aid")
    official = make_user(Role.OFFICIAL, dataset.body, username="mti-publisher")
    event = services.withdraw(official, dataset, "wrong-data", resource=dataset.resources.get())
    loaded = load_showcase()
    assert loaded["warnings"] == [
        f"open data not published: one resource of the showcase dataset humanitarian-aid was withdrawn on {_day(event)} "
        "(wrong data); a reload leaves it alone."
    ]
    assert loaded["showcase_versions"] == 0 and not dataset.resources.active().exists()
    whole = services.withdraw(official, dataset, "superseded")
    assert load_showcase()["warnings"] == [
        f"open data not published: the showcase dataset humanitarian-aid was withdrawn on {_day(whole)} "
        "(superseded by other data); a reload leaves it alone."
    ]


def test_the_demo_command_prints_the_warnings_after_the_counts(monkeypatch):
    from ashyq.demo.management.commands import load_demo

    warning = "open data not published: the dataset kazakhstan-budget-execution was withdrawn on 2026-12-05 (wrong data)"
    monkeypatch.setattr(load_demo, "load_demo", lambda ranking_story=False: {"users": 5, "warnings": [warning]})
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Demo loaded: 5 users" and lines[1] == f"warning: {warning}"
