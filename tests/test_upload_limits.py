"""Open-data uploads cannot exhaust the server: columns, cells, an XLSX's unpacked size and packing ratio, and the
time spent are limited before and while a file is read, each refused with a message that says which limit and
leaves nothing stored. Large files are validated by the background worker (django-tasks, database backend) while
the publisher follows a progress page; running a task twice makes one version."""

import io
import json
import re
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.opendata import services
from ashyq.opendata.models import Resource, ResourceVersion, UploadJob

MTI = "ministry-of-trade-and-integration"
GOOD = b"country,turnover,share\nRussia,19983.0,20.4\nChina,14792.5,15.1\nItaly,9957.1,10.2\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "media")}},
    }
    return tmp_path / "media"


@pytest.fixture
def official(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies[MTI], username="mti-official")


@pytest.fixture
def dataset(official):
    return services.create_dataset(official, official.body, "partners", title_ru="Торговые партнёры")


@pytest.fixture
def resource(official, dataset):
    resource, _version = services.add_file_resource(official, dataset, "partners", "CSV", GOOD, "partners.csv")
    return resource


def xlsx(rows, dimension=None) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    if dimension is None:
        return out.getvalue()
    # Rewrite the sheet's declared dimension, as a hostile or broken writer would.
    source, target = zipfile.ZipFile(io.BytesIO(out.getvalue())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="%s"' % dimension.encode(), data)
            rewritten.writestr(item, data)
    return target.getvalue()


def refused(official, dataset, data, fmt) -> str:
    with pytest.raises(ValidationError) as error:
        services.add_file_resource(official, dataset, "big", fmt, data, f"big.{fmt.lower()}")
    assert not Resource.objects.filter(name="big").exists() and not ResourceVersion.objects.filter(resource__name="big").exists()
    return " ".join(error.value.messages)


def test_a_csv_of_100000_columns_is_refused_before_it_is_read(official, dataset):
    data = b",".join(b"c%d" % i for i in range(100_000)) + b"\n" + b",".join(b"1" for _ in range(100_000)) + b"\n"
    assert len(data) > 700_000
    assert "The table has 100,000 columns; the limit is 500" in refused(official, dataset, data, "CSV")


def test_a_csv_with_more_cells_than_the_limit_is_refused(official, dataset, settings):
    settings.ASHYQ_OPENDATA_MAX_CELLS = 1000
    data = b"a,b,c,d\n" + b"1,2,3,4\n" * 400
    assert "cells (rows times columns); the limit is 1,000" in refused(official, dataset, data, "CSV")


def test_an_xlsx_declaring_a_million_rows_is_refused_from_its_dimension(official, dataset):
    data = xlsx([["country", "value"], ["Russia", 1]], dimension="A1:XFD1048576")
    assert len(data) < 10_000
    assert "The table has 16,384 columns" in refused(official, dataset, data, "XLSX")
    data = xlsx([["country", "value"], ["Russia", 1]], dimension="A1:Z1048576")
    assert "about 27,262,976 cells" in refused(official, dataset, data, "XLSX")


def test_an_xlsx_that_lies_about_its_dimension_is_stopped_by_the_cells_it_holds(official, dataset, settings):
    settings.ASHYQ_OPENDATA_MAX_CELLS = 1000
    data = xlsx([[f"c{i}" for i in range(10)]] + [[i] * 10 for i in range(300)], dimension="A1:B2")
    assert "the limit is 1,000" in refused(official, dataset, data, "XLSX")


def test_an_xlsx_that_unpacks_beyond_the_limit_or_packs_too_tightly_is_refused(official, dataset, settings):
    rows = [["country", "value"]] + [["Kazakhstan", 1]] * 20000
    data = xlsx(rows)
    settings.ASHYQ_OPENDATA_MAX_UNPACKED_BYTES = 100_000
    assert "The workbook unpacks to" in refused(official, dataset, data, "XLSX")
    settings.ASHYQ_OPENDATA_MAX_UNPACKED_BYTES = 300 * 1024 * 1024
    settings.ASHYQ_OPENDATA_MAX_PACKING_RATIO = 5
    assert "possible zip bomb" in refused(official, dataset, data, "XLSX")


def test_reading_that_takes_too_long_is_stopped(official, dataset, settings):
    settings.ASHYQ_OPENDATA_MAX_SECONDS = 0
    data = json.dumps([["country", "value"]] + [["Kazakhstan", i] for i in range(6000)]).encode()
    assert "took longer than 0 seconds" in refused(official, dataset, data, "JSON")


def test_the_page_says_which_limit_and_keeps_the_form(client, official, dataset):
    client.force_login(official)
    data = b",".join(b"c%d" % i for i in range(2000)) + b"\n"
    response = client.post(
        reverse("opendata:resource-new", args=[dataset.slug]),
        {"name": "Wide", "format": "CSV", "file": SimpleUploadedFile("wide.csv", data, "text/csv")},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The table has 2,000 columns; the limit is 500" in page and 'value="Wide"' in page
    assert not Resource.objects.filter(name="Wide").exists()


# The worker commits and closes its database connections as it goes, as it does in production: the tests that
# run it use real transactions.
worker_db = pytest.mark.django_db(transaction=True)


def _worker():
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=io.StringIO(), stderr=io.StringIO())


@worker_db
def test_a_large_upload_is_validated_by_the_worker_while_a_progress_page_follows_it(client, official, resource, settings):
    settings.ASHYQ_OPENDATA_BACKGROUND_BYTES = 50
    client.force_login(official)
    big = b"country,turnover,share\n" + b"".join(b"C%d,%d,1.5\n" % (i, i) for i in range(200))
    response = client.post(
        reverse("opendata:upload", args=["partners", resource.pk]), {"file": SimpleUploadedFile("big.csv", big, "text/csv")}
    )
    job = UploadJob.objects.get()
    progress = reverse("opendata:upload-progress", args=["partners", resource.pk, job.pk])
    assert response.status_code == 302 and response["Location"] == progress
    # Nothing was validated in the request: no new version yet, the page says it waits.
    assert resource.versions.count() == 1
    page = client.get(progress).content.decode()
    assert "Waiting in the queue" in page and "upload-progress.js" in page and 'role="status"' in page
    assert client.get(progress, {"format": "json"}).json() == {
        "state": "queued",
        "rows_read": 0,
        "finished": False,
        "text": "Waiting in the queue: it is next.",
    }

    _worker()

    job.refresh_from_db()
    assert job.state == "done" and job.version.number == 2 and job.version.valid and job.version.row_count == 200
    assert not job.file  # the pending copy is gone; the version keeps its own
    response = client.get(progress)
    assert response.status_code == 302 and response["Location"] == reverse("opendata:publisher")
    # Run again (a crash before the worker recorded the task, an operator re-enqueuing): still one new version.
    assert services.run_upload_job(job.pk) == "done"
    assert resource.versions.count() == 2


@worker_db
def test_a_file_with_problems_leads_from_the_progress_page_to_its_report(client, official, resource, settings):
    settings.ASHYQ_OPENDATA_BACKGROUND_BYTES = 50
    client.force_login(official)
    bad = b"country,turnover\n" + b"".join(b"C%d,%d\n" % (i, i) for i in range(30)) + b"Oops,twelve\n"
    client.post(
        reverse("opendata:upload", args=["partners", resource.pk]), {"file": SimpleUploadedFile("bad.csv", bad, "text/csv")}
    )
    _worker()
    job = UploadJob.objects.get()
    response = client.get(reverse("opendata:upload-progress", args=["partners", resource.pk, job.pk]))
    assert response["Location"] == reverse("opendata:report", args=["partners", resource.pk, 2])
    assert resource.current_version.number == 1  # the valid version is still the one served


@worker_db
def test_the_worker_refuses_an_upload_whose_publisher_lost_the_right(client, official, resource, settings):
    settings.ASHYQ_OPENDATA_BACKGROUND_BYTES = 50
    client.force_login(official)
    big = b"country,turnover\n" + b"".join(b"C%d,%d\n" % (i, i) for i in range(50))
    client.post(
        reverse("opendata:upload", args=["partners", resource.pk]), {"file": SimpleUploadedFile("big.csv", big, "text/csv")}
    )
    official.role = Role.APPLICANT
    official.save()
    _worker()
    job = UploadJob.objects.get()
    assert job.state == "refused" and "Only the officials" in job.message and job.version is None
    assert resource.versions.count() == 1


def test_only_the_publishing_body_sees_the_progress_page(client, official, resource, settings, make_user, bodies):
    settings.ASHYQ_OPENDATA_BACKGROUND_BYTES = 50
    job = services.queue_upload(official, resource, GOOD * 5, "big.csv")
    other = make_user(Role.OFFICIAL, bodies["anti-corruption-agency"], username="aca")
    client.force_login(other)
    assert client.get(reverse("opendata:upload-progress", args=["partners", resource.pk, job.pk])).status_code == 403
