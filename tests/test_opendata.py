"""Open data publishing: versions, Table Schema validation, the datastore, diffs, quality, and bad input."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ashyq.accounts.models import Role
from ashyq.opendata import datastore, quality, services
from ashyq.opendata.models import Resource

GOOD = b"country,turnover,share\nRussia,19983.0,20.4\nChina,14792.5,15.1\nItaly,9957.1,10.2\n"


@pytest.fixture
def publisher(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username="mti-official")


@pytest.fixture
def dataset(publisher):
    return services.save_dataset(
        publisher,
        publisher.body,
        "partners",
        title_en="Main trading partners",
        title_ru="Основные торговые партнёры",
        licence="CC-BY-4.0",
        description_en="Kazakhstan's main trading partners in 2019, in millions of US dollars.",
        spatial="Kazakhstan",
        frequency="annual",
        source="Reference 003, table 4",
        tags=["trade"],
    )


@pytest.fixture
def resource(publisher, dataset):
    return services.add_resource(publisher, dataset, "partners.csv", Resource.Format.CSV)


def test_only_the_publishing_body_or_an_admin_publishes(people, bodies, dataset, resource):
    for who in ("applicant", "official", "head", "moderator", "monitor"):
        with pytest.raises(PermissionDenied):  # the ACA's staff are not the ministry's
            services.upload_version(people[who], resource, GOOD, "x.csv")
    version = services.upload_version(people["admin"], resource, GOOD, "x.csv")
    assert version.valid


def test_an_upload_infers_the_schema_and_loads_the_datastore(publisher, resource):
    version = services.upload_version(publisher, resource, GOOD, "partners.csv")
    assert version.valid and version.loaded and version.row_count == 3
    assert version.schema == {
        "fields": [
            {"name": "country", "type": "string"},
            {"name": "turnover", "type": "number"},
            {"name": "share", "type": "number"},
        ]
    }
    records, total, _ = datastore.search(version, filters={"country": "China"})
    assert total == 1 and records[0]["turnover"] == 14792.5
    records, total, _ = datastore.search(version, sort="turnover asc", limit=2)
    assert [r["country"] for r in records] == ["Italy", "China"] and total == 3
    records, _, _ = datastore.search(version, q="ital")
    assert [r["country"] for r in records] == ["Italy"]
    with pytest.raises(datastore.QueryError):
        datastore.search(version, sort="country; DROP TABLE x")


def test_each_upload_is_a_version_and_the_diff_shows_rows_added_removed_changed(publisher, resource):
    v1 = services.upload_version(publisher, resource, GOOD, "a.csv")
    v2 = services.upload_version(
        publisher, resource, b"country,turnover,share\nRussia,19983.0,20.4\nChina,15000.0,15.3\nSpain,2368.8,2.4\n", "b.csv"
    )
    assert (v1.number, v2.number) == (1, 2)
    assert resource.current_version == v2
    v1.file.open("rb")
    assert v1.file.read() == GOOD  # the earlier version stays downloadable
    diff = services.diff_versions(v1, v2)
    assert diff["key"] == "country"
    assert [r[0] for r in diff["added"]] == ["Spain"]
    assert [r[0] for r in diff["removed"]] == ["Italy"]
    assert [(old[1], new[1]) for old, new in diff["changed"]] == [("14792.5", "15000.0")]


BAD = {
    "ragged rows": (Resource.Format.CSV, b"a,b\n1,2\n3,4,5\n6\n", {"extra-cell", "missing-cell"}),
    "wrong encoding": (Resource.Format.CSV, "name,city\nАлматы,Город\n".encode("cp1251"), {"encoding-error"}),
    "mixed types": (
        Resource.Format.CSV,
        ("n,label\n" + "".join(f"{i},x\n" for i in range(30)) + "twelve,y\n").encode(),
        {"type-error"},
    ),
    "json not tabular": (Resource.Format.JSON, json.dumps({"country": {"name": "China"}}).encode(), {"not-tabular"}),
    "json nested": (Resource.Format.JSON, json.dumps([{"a": 1, "b": {"c": 2}}]).encode(), {"not-tabular"}),
    "not json": (Resource.Format.JSON, b"{oops", {"format-error"}),
    "empty": (Resource.Format.CSV, b"   \n", {"empty"}),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_reported_with_row_and_column_and_the_previous_version_stays(publisher, dataset, case):
    fmt, data, types = BAD[case]
    resource = services.add_resource(publisher, dataset, case, fmt)
    good = GOOD if fmt == "CSV" else json.dumps([{"country": "Russia", "share": 20.4}]).encode()
    v1 = services.upload_version(publisher, resource, good, "good")
    bad = services.upload_version(publisher, resource, data, "bad")
    assert not bad.valid and not bad.loaded and bad.report
    assert {p["type"] for p in bad.report} & types, bad.report
    assert all(p["message"] for p in bad.report)
    resource.refresh_from_db()
    assert resource.flagged and resource.current_version == v1
    assert datastore.search(v1)[1] == v1.row_count  # the previous version's table is untouched
    if case == "ragged rows":
        assert {(p["row"], p["column"]) for p in bad.report} >= {(3, 3)}
    if case == "mixed types":
        assert any(p["row"] == 32 and p["column"] == 1 for p in bad.report)


def test_an_xlsx_with_formulas_is_refused_with_the_cell(publisher, dataset):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["country", "export", "import"])
    sheet.append(["Russia", 5670.9, 14312.1])
    sheet.append(["Total", "=SUM(B2:B2)", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    resource = services.add_resource(publisher, dataset, "xlsx", Resource.Format.XLSX)
    version = services.upload_version(publisher, resource, buffer.getvalue(), "t.xlsx")
    assert not version.valid
    assert [(p["type"], p["row"], p["column"]) for p in version.report] == [("formula", 3, 2)]
    assert "B3" in version.report[0]["message"]

    book = openpyxl.Workbook()
    book.active.append(["country", "export"])
    book.active.append(["Russia", 5670.9])
    buffer = io.BytesIO()
    book.save(buffer)
    version = services.upload_version(publisher, resource, buffer.getvalue(), "ok.xlsx")
    assert version.valid and version.row_count == 1


def test_an_oversized_file_is_refused_before_anything_is_stored(publisher, resource, settings):
    settings.ASHYQ_OPENDATA_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="limit"):
        services.upload_version(publisher, resource, b"a,b\n" + b"1,2\n" * 100, "big.csv")
    assert not resource.versions.exists()


def test_the_quality_score_follows_the_checklist(publisher, dataset, resource):
    items = {i["code"]: i["passed"] for i in quality.checklist(dataset)}
    assert not items["reachable"] and not items["coverage"] and items["licence"] and items["documentation"]
    services.upload_version(publisher, resource, GOOD, "partners.csv")
    import datetime as dt

    dataset = services.save_dataset(publisher, dataset.body, "partners", temporal_start=dt.date(2019, 1, 1))
    assert quality.score(dataset) == 100
    services.upload_version(publisher, resource, b"a,b\n1\n", "broken.csv")
    items = {i["code"]: i["passed"] for i in quality.checklist(dataset)}
    assert not items["schema_valid"] and items["reachable"]
