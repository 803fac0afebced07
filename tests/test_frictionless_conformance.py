"""The open data packages checked by Frictionless's own validator, as a user would run `frictionless validate`
on what the site serves: the appeals export through its public address (every resource, schema, primary and
foreign key), and the package of every open-data dataset (each file resource's current version against the
Table Schema Ashyq validated it with)."""

import pytest
import requests
from frictionless import validate

from ashyq.opendata.models import Dataset
from ashyq.opendata.showcase import load_showcase
from tests.test_export import case, export_dir  # noqa: F401 (fixtures)


def _check(url: str) -> dict:
    """Validate the package at `url` as the command line does; return its descriptor."""
    descriptor = requests.get(url, timeout=120).json()
    report = validate(url)
    assert report.valid, report.flatten(["type", "note"])
    # Every declared resource was read and checked, none skipped.
    assert len(report.tasks) == len(descriptor["resources"])
    return descriptor


def test_the_served_appeals_export_is_a_valid_data_package(live_server, case):  # noqa: F811
    package = _check(f"{live_server.url}/open-data/appeals/datapackage.json")
    tables = {r["name"]: r for r in package["resources"]}
    # The keys the validator checked: events point at appeals, region figures at regions.
    assert tables["events"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "appeals"
    assert tables["region-month-figures"]["schema"]["foreignKeys"][0]["reference"]["resource"] == "regions"


def test_a_broken_row_makes_the_validator_fail(live_server, case, export_dir):  # noqa: F811
    """The check above is not vacuous: a row that breaks its schema (an event of an appeal that is not in the
    appeals table) is reported by the same validator."""
    validate(f"{live_server.url}/open-data/appeals/datapackage.json")  # writes the export
    events = export_dir / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("appeal")] = "NO-SUCH-APPEAL"
    events.write_text("\n".join([*lines, ",".join(row)]) + "\n", encoding="utf-8")
    report = validate(f"{live_server.url}/open-data/appeals/datapackage.json")
    assert not report.valid and "foreign-key" in {e[0] for e in report.flatten(["type"])}


@pytest.fixture
def showcase(transactional_db, reference):
    load_showcase()


def test_every_open_data_dataset_is_a_valid_data_package(live_server, showcase):
    slugs = list(Dataset.objects.values_list("slug", flat=True))
    assert len(slugs) == 9
    for slug in slugs:
        package = _check(f"{live_server.url}/data/datasets/{slug}/datapackage.json")
        assert package["resources"] and all(r["schema"]["fields"] for r in package["resources"])
        assert package["licenses"][0]["name"] == "CC-BY-4.0"
