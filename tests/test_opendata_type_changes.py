"""A new version keeps the column types of the version served: a word in a number column or an impossible date is
refused with its row and cell (the version stays invalid and the served one stays served), unless the publisher
confirms a new structure. Files from Russian-language Excel (";" between cells, decimal commas) and dates written
day.month.year are read as numbers and dates, not text."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.opendata import datastore, quality, services

MTI = "ministry-of-trade-and-integration"
V1 = "country,turnover,reported\n" + "".join(f"C{i},{1000 + i}.5,2026-01-{i + 1:02d}\n" for i in range(20))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}},
    }


@pytest.fixture
def official(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies[MTI], username="mti-official")


@pytest.fixture
def dataset(official):
    return services.create_dataset(official, official.body, "turnover", title_ru="Оборот", licence="CC-BY-4.0")


@pytest.fixture
def resource(official, dataset):
    resource, version = services.add_file_resource(official, dataset, "turnover", "CSV", V1.encode(), "v1.csv")
    assert version.valid and [f["type"] for f in version.schema["fields"]] == ["string", "number", "date"]
    return resource


def _types(version):
    return {f["name"]: f["type"] for f in version.schema["fields"]}


def test_a_word_in_a_number_column_is_refused_with_its_row_and_cell(official, resource):
    data = V1.replace("C7,1007.5", "C7,много")
    version = services.upload_version(official, resource, data.encode(), "v2.csv")
    assert not version.valid and not version.loaded
    changed = [p for p in version.report if p["type"] == "type-changed"]
    assert [(p["row"], p["column"], p["field"]) for p in changed] == [(9, 2, "turnover")]
    assert "Row 9, column 2 (turnover)" in changed[0]["message"] and "number in the version served now" in changed[0]["message"]
    resource.refresh_from_db()
    assert resource.flagged and resource.current_version.number == 1
    # The checklist no longer says every resource matches its schema.
    assert not next(i for i in quality.checklist(resource.dataset) if i["code"] == "schema_valid")["passed"]


def test_an_impossible_date_is_refused_with_its_row_and_cell(official, resource):
    data = V1.replace("2026-01-05", "2026-02-31")
    version = services.upload_version(official, resource, data.encode(), "v2.csv")
    assert not version.valid
    assert [(p["row"], p["column"]) for p in version.report if p["type"] == "type-changed"] == [(6, 3)]


def test_the_publisher_may_confirm_a_new_structure(official, resource):
    data = V1.replace("C7,1007.5", "C7,много")
    version = services.upload_version(official, resource, data.encode(), "v2.csv", new_schema=True)
    assert version.valid and _types(version)["turnover"] == "string"
    resource.refresh_from_db()
    assert not resource.flagged and resource.current_version.number == 2


def test_a_column_that_stays_of_its_type_passes(official, resource):
    version = services.upload_version(official, resource, V1.replace("1003.5", "7").encode(), "v2.csv")
    assert version.valid and _types(version) == {"country": "string", "turnover": "number", "reported": "date"}


def test_the_upload_page_refuses_the_change_and_names_the_cell_then_accepts_it_when_confirmed(client, official, resource):
    client.force_login(official)
    url = reverse("opendata:upload", args=["turnover", resource.pk])
    data = V1.replace("C7,1007.5", "C7,много").encode()
    response = client.post(url, {"file": SimpleUploadedFile("v2.csv", data, "text/csv")}, follow=True)
    page = response.content.decode()
    assert "Row 9, column 2 (turnover)" in page and "The structure changes on purpose" in page
    response = client.post(url, {"file": SimpleUploadedFile("v3.csv", data, "text/csv"), "new_schema": "on"})
    assert response.status_code == 200 and "This cannot be undone" in response.content.decode()  # asked first
    assert resource.current_version.number == 1
    response = client.post(
        url, {"file": SimpleUploadedFile("v3.csv", data, "text/csv"), "new_schema": "True", "confirmed": "yes"}
    )
    assert response.status_code == 302 and resource.current_version.number == 3


def test_a_new_structure_is_asked_on_a_second_page_that_asks_for_the_file_again(client, official, resource):
    client.force_login(official)
    url = reverse("opendata:upload", args=["turnover", resource.pk])
    data = V1.replace("C7,1007.5", "C7,много").encode()
    versions = resource.versions.count()

    page = client.post(url, {"file": SimpleUploadedFile("v2.csv", data, "text/csv"), "new_schema": "on"})
    html = page.content.decode()
    assert page.status_code == 200 and "instead of being kept from version 1" in html
    assert 'name="new_schema" value="True"' in html  # carried to "Yes"
    assert 'type="file" name="file"' in html and "choose them again here" in html  # a browser sends no file twice
    assert resource.versions.count() == versions

    back = client.post(url, {"new_schema": "True", "change": "yes"})
    html = back.content.decode()
    assert back.status_code == 200 and "This cannot be undone" not in html and "This field is required" not in html
    assert re.search(r'<input type="checkbox" name="new_schema"[^>]*\bchecked\b', html)  # still ticked
    assert resource.versions.count() == versions

    no_file = client.post(url, {"new_schema": "True", "confirmed": "yes"})
    assert no_file.status_code == 400 and "This field is required" in no_file.content.decode()
    assert resource.versions.count() == versions


def test_an_upload_that_keeps_the_structure_is_not_asked(client, official, resource):
    client.force_login(official)
    url = reverse("opendata:upload", args=["turnover", resource.pk])
    response = client.post(url, {"file": SimpleUploadedFile("v2.csv", V1.replace("1003.5", "7").encode(), "text/csv")})
    assert response.status_code == 302 and resource.current_version.number == 2


def test_no_one_outside_the_body_is_asked_about_a_new_structure(client, people, resource):
    client.force_login(people["official"])  # of another body
    data = V1.replace("C7,1007.5", "C7,много").encode()
    url = reverse("opendata:upload", args=["turnover", resource.pk])
    response = client.post(url, {"file": SimpleUploadedFile("v2.csv", data, "text/csv"), "new_schema": "on"})
    assert response.status_code == 403 and "This cannot be undone" not in response.content.decode()
    assert resource.versions.count() == 1


RUSSIAN_EXCEL = "страна;оборот;доля\r\nРоссия;19983,5;20,4\r\nКитай;14792,5;15,1\r\nИталия;9957,1;10,2\r\nОАЭ;1 230,0;1,3\r\n"


def test_a_russian_excel_file_with_decimal_commas_is_read_as_numbers_and_sorts_as_numbers(official, dataset):
    _resource, version = services.add_file_resource(official, dataset, "ru", "CSV", RUSSIAN_EXCEL.encode(), "ru.csv")
    assert version.valid, version.report
    assert _types(version) == {"страна": "string", "оборот": "number", "доля": "number"}
    records, _total, _names = datastore.search(version, sort="оборот desc")
    assert [r["страна"] for r in records] == ["Россия", "Китай", "Италия", "ОАЭ"]
    assert [r["оборот"] for r in records] == [19983.5, 14792.5, 9957.1, 1230.0]
    # The next version keeps them numbers: a word is refused with its cell.
    bad = RUSSIAN_EXCEL.replace("9957,1", "нет данных")
    refused = services.upload_version(official, _resource, bad.encode(), "ru2.csv")
    assert [(p["row"], p["column"]) for p in refused.report if p["type"] == "type-changed"] == [(4, 2)]


def test_dates_written_day_month_year_are_dates_and_31_february_is_refused(official, dataset):
    data = "день;значение\n" + "".join(f"{d:02d}.02.2026;{d}\n" for d in range(1, 29))
    resource, version = services.add_file_resource(official, dataset, "days", "CSV", data.encode(), "days.csv")
    assert version.valid and _types(version)["день"] == "date"
    bad = services.upload_version(official, resource, (data + "31.02.2026;31\n").encode(), "days2.csv")
    assert not bad.valid
    assert [(p["row"], p["column"]) for p in bad.report if p["type"] in ("type-changed", "type-error")] == [(30, 1)]
