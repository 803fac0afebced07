"""Publishers' pages: an official of the publishing body describes a dataset, adds resources (a file or a link),
uploads new versions and reads the validation report; every other visitor is refused and changes nothing."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.opendata import services
from ashyq.opendata.models import Dataset, Resource, ResourceVersion

GOOD = b"country,turnover,share\nRussia,19983.0,20.4\nChina,14792.5,15.1\nItaly,9957.1,10.2\n"
# Row 4 (the header is row 1) has a text where every other row has a number, in column 2.
BAD = b"country,turnover\n" + b"".join(b"C%d,%d\n" % (i, i) for i in range(30)) + b"Oops,twelve\n"

MTI = "ministry-of-trade-and-integration"


@pytest.fixture
def mti(bodies):
    return bodies[MTI]


@pytest.fixture
def official(make_user, mti):
    return make_user(Role.OFFICIAL, mti, username="mti-official")


@pytest.fixture
def head(make_user, mti):
    return make_user(Role.HEAD, mti, username="mti-head")


@pytest.fixture
def dataset(official):
    return services.create_dataset(
        official,
        official.body,
        "partners",
        title_en="Main trading partners",
        title_ru="Основные торговые партнёры",
        licence="CC-BY-4.0",
        spatial="Kazakhstan",
        description_en="Kazakhstan's main trading partners in 2019, in millions of US dollars.",
        frequency="annual",
        source="Reference 003, table 4",
        tags=["trade"],
    )


@pytest.fixture
def resource(official, dataset):
    resource, version = services.add_file_resource(official, dataset, "partners", "CSV", GOOD, "partners.csv")
    assert version.valid
    return resource


def signed_in(client, user):
    client.force_login(user)
    return client


def csv_file(data=GOOD, name="partners.csv"):
    return SimpleUploadedFile(name, data, "text/csv")


DATASET_POST = {
    "title_en": "Exports by country, 2024",
    "title_ru": "Экспорт по странам, 2024",
    "title_kk": "Елдер бойынша экспорт, 2024",
    "description_en": "Exports of Kazakhstan by partner country in 2024, in millions of US dollars, from customs declarations.",
    "licence": "CC-BY-4.0",
    "temporal_start": "2024-01-01",
    "temporal_end": "2024-12-31",
    "spatial": "Kazakhstan",
    "frequency": "annual",
    "tags": "trade, exports, , Trade",
    "source": "Customs declarations",
    "documentation_url": "https://example.kz/method",
}


# ---------------------------------------------------------------------------------------------------------
# Creating and editing a dataset


def test_an_official_creates_a_dataset_of_their_body(client, official, mti):
    signed_in(client, official)
    page = client.get(reverse("opendata:dataset-new"))
    assert page.status_code == 200
    assert 'name="body"' not in page.content.decode()  # an official publishes for their own body only
    asked = client.post(reverse("opendata:dataset-new"), DATASET_POST)
    page = asked.content.decode()
    # Public at once and for good: a second page reads back the address made from the title before anything is saved.
    assert asked.status_code == 200 and "/data/datasets/exports-by-country-2024/" in page and "cannot be deleted" in page
    assert "<dd>trade, exports</dd>" in page and not Dataset.objects.exists()
    back = client.post(reverse("opendata:dataset-new"), dict(DATASET_POST, change="yes"))
    assert back.status_code == 200 and "cannot be deleted" not in back.content.decode()
    assert 'value="Exports by country, 2024"' in back.content.decode() and not Dataset.objects.exists()
    response = client.post(reverse("opendata:dataset-new"), dict(DATASET_POST, confirmed="yes"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "opendata:resource-new", args=["exports-by-country-2024"]
    )
    dataset = Dataset.objects.get(slug="exports-by-country-2024")
    assert dataset.body == mti
    assert (dataset.title_kk, dataset.title_ru, dataset.licence, dataset.frequency) == (
        "Елдер бойынша экспорт, 2024",
        "Экспорт по странам, 2024",
        "CC-BY-4.0",
        "annual",
    )
    assert (dataset.temporal_start, dataset.temporal_end) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert dataset.tags == ["trade", "exports"]  # blanks dropped, the same tag once
    assert dataset.documentation_url == "https://example.kz/method"
    assert "Exports by country, 2024" in client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()


def test_an_identifier_in_use_is_refused_and_the_other_dataset_is_untouched(client, official, dataset):
    signed_in(client, official)
    response = client.post(reverse("opendata:dataset-new"), dict(DATASET_POST, slug="partners", title_en="Something else"))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'href="#id_slug"' in page and "exists already" in page
    dataset.refresh_from_db()
    assert dataset.title_en == "Main trading partners" and Dataset.objects.count() == 1


def test_errors_are_summarised_on_top_and_linked_to_their_fields(client, official):
    signed_in(client, official)
    response = client.post(
        reverse("opendata:dataset-new"),
        dict(
            DATASET_POST,
            title_kk="",
            title_ru="",
            temporal_start="2024-12-31",
            temporal_end="2024-01-01",
            documentation_url="not a link",
            tags="x" * 60,
        ),
    )
    assert response.status_code == 400
    page = response.content.decode()
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    linked = re.findall(r'href="#(id_\w+)"', summary)
    assert set(linked) == {"id_title_kk", "id_temporal_end", "id_documentation_url", "id_tags"}
    for field_id in linked:
        tag = re.search(rf'<(?:input|textarea|select)[^>]*id="{field_id}"[^>]*>', page)[0]
        assert 'aria-invalid="true"' in tag and f"{field_id}_error" in tag  # the field says it is wrong and why
        assert f'id="{field_id}_error"' in page
    assert '<label for="id_title_kk">' in page
    assert not Dataset.objects.exists()
    # What was typed comes back, so nothing is lost.
    assert "Exports of Kazakhstan by partner country in 2024" in page


def test_the_body_edits_the_description_and_the_identifier_stays(client, head, dataset):
    signed_in(client, head)
    page = client.get(reverse("opendata:dataset-edit", args=["partners"])).content.decode()
    assert 'value="Main trading partners"' in page and 'value="trade"' in page and 'name="slug"' not in page
    response = client.post(
        reverse("opendata:dataset-edit", args=["partners"]),
        dict(DATASET_POST, title_en="Trading partners, 2019", tags="trade, partners", slug="stolen"),
    )
    assert response.status_code == 302 and response["Location"] == reverse("opendata:publisher")
    dataset.refresh_from_db()
    assert dataset.slug == "partners" and dataset.title_en == "Trading partners, 2019" and dataset.tags == ["trade", "partners"]


def test_a_period_ending_before_it_starts_is_refused_by_the_service_too(official, dataset):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.update_dataset(official, dataset, temporal_start=dt.date(2020, 1, 1), temporal_end=dt.date(2019, 1, 1))
    assert "temporal_end" in error.value.message_dict
    dataset.refresh_from_db()
    assert dataset.temporal_start is None


def test_an_administrator_chooses_the_body(client, people, bodies):
    signed_in(client, people["admin"])
    assert 'name="body"' in client.get(reverse("opendata:dataset-new")).content.decode()
    response = client.post(
        reverse("opendata:dataset-new"), dict(DATASET_POST, body="anti-corruption-agency", slug="aca-data", confirmed="yes")
    )
    assert response.status_code == 302
    assert Dataset.objects.get(slug="aca-data").body == bodies["anti-corruption-agency"]


# ---------------------------------------------------------------------------------------------------------
# Resources and versions


def test_a_file_resource_is_published_with_its_first_version(client, official, dataset):
    signed_in(client, official)
    response = client.post(
        reverse("opendata:resource-new", args=["partners"]), {"name": "Partners 2019", "format": "CSV", "file": csv_file()}
    )
    assert response.status_code == 302 and response["Location"] == reverse("opendata:publisher")
    resource = dataset.resources.get()
    assert resource.current_version.number == 1 and resource.current_version.row_count == 3
    assert "Version 1 is published: 3 rows." in client.get(response["Location"]).content.decode()


def test_a_link_resource_is_added_and_waits_for_its_check(client, official, dataset):
    signed_in(client, official)
    response = client.post(
        reverse("opendata:resource-new", args=["partners"]),
        {"name": "On the ministry's site", "format": "XLSX", "url": "https://example.kz/partners.xlsx"},
    )
    assert response.status_code == 302
    resource = dataset.resources.get()
    assert resource.url == "https://example.kz/partners.xlsx" and resource.link_reachable is None
    assert "not checked yet" in client.get(reverse("opendata:publisher")).content.decode()


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"url": "javascript:alert(1)"}, "url", "valid URL"),
        ({"url": "ftp://example.kz/a.csv"}, "url", "http"),
        ({}, "file", "Choose a file"),
        ({"url": "https://example.kz/a.csv", "file": "FILE"}, "url", "not both"),
        ({"file": "XLSX"}, "file", "the format chosen is CSV"),
    ],
)
def test_a_resource_needs_exactly_one_file_or_http_link(client, official, dataset, post, field, message):
    signed_in(client, official)
    post = dict(post)
    if post.get("file") == "FILE":
        post["file"] = csv_file()
    elif post.get("file") == "XLSX":
        post["file"] = SimpleUploadedFile("partners.xlsx", b"PK\x03\x04", "application/octet-stream")
    response = client.post(reverse("opendata:resource-new", args=["partners"]), dict(post, name="R", format="CSV"))
    assert response.status_code == 400
    page = response.content.decode()
    assert f'href="#id_{field}"' in page and message in page
    assert not dataset.resources.exists() and not ResourceVersion.objects.exists()


def test_an_invalid_upload_shows_the_report_with_row_and_column_and_the_previous_version_stays(client, official, resource):
    signed_in(client, official)
    response = client.post(reverse("opendata:upload", args=["partners", resource.pk]), {"file": csv_file(BAD, "new.csv")})
    report_url = reverse("opendata:report", args=["partners", resource.pk, 2])
    assert response.status_code == 302 and response["Location"] == report_url
    page = client.get(report_url).content.decode()
    assert "Not published: the file has problems." in page
    # Row 32 (header row 1, then 30 good rows), column B (2) "turnover"; what it means, then the validator's words.
    assert re.search(
        r"<td>32</td><td>B \(2\): turnover</td><td>The value is not of the column&#x27;s type[^<]*<br>"
        r'<span class="help" lang="en">[^<]*twelve[^<]*</span></td>',
        page,
    ), page
    assert "Version 1</a>" in page and "unchanged and still downloadable" in page
    resource.refresh_from_db()
    assert resource.flagged and resource.current_version.number == 1
    download = client.get(reverse("opendata:download", args=["partners", resource.pk, 1]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == GOOD
    # The public sees the previous version, and cannot download the invalid one.
    assert client.get(reverse("opendata:download", args=["partners", resource.pk, 2])).status_code == 404
    listing = client.get(reverse("opendata:publisher")).content.decode()
    assert "newest upload not valid" in listing and report_url in listing
    # A corrected file replaces it.
    response = client.post(
        reverse("opendata:upload", args=["partners", resource.pk]), {"file": csv_file(GOOD + b"Spain,2368.8,2.4\n")}
    )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert not resource.flagged and resource.current_version.number == 3 and resource.current_version.row_count == 4


def test_a_file_over_the_limit_is_refused_with_a_clear_message_and_nothing_is_stored(
    client, official, resource, dataset, settings
):
    settings.ASHYQ_OPENDATA_MAX_BYTES = 100
    signed_in(client, official)
    big = GOOD * 5
    response = client.post(reverse("opendata:upload", args=["partners", resource.pk]), {"file": csv_file(big)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "the limit is 100\xa0bytes" in page and 'href="#id_file"' in page
    assert resource.versions.count() == 1
    response = client.post(
        reverse("opendata:resource-new", args=["partners"]), {"name": "Big", "format": "CSV", "file": csv_file(big)}
    )
    assert response.status_code == 400 and "the limit is" in response.content.decode()
    assert dataset.resources.count() == 1
    # The service refuses too, whatever calls it, and leaves no empty resource behind.
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.add_file_resource(official, dataset, "Big", "CSV", big, "big.csv")
    assert dataset.resources.count() == 1


def test_the_upload_page_names_the_version_served(client, official, resource):
    signed_in(client, official)
    page = client.get(reverse("opendata:upload", args=["partners", resource.pk])).content.decode()
    assert "Version 1 is the one served now" in page and 'accept=".csv,text/csv"' in page


# ---------------------------------------------------------------------------------------------------------
# My body's datasets


def test_my_datasets_lists_the_body_s_datasets_with_score_and_what_to_fix(client, official, people, resource, dataset):
    other = services.create_dataset(people["official"], people["official"].body, "aca-cases", title_en="Cases", title_ru="Дела")
    signed_in(client, official)
    page = client.get(reverse("opendata:publisher")).content.decode()
    assert "Main trading partners" in page and "Cases" not in page
    # No coverage date: the checklist's item and its advice, linked to the field that fixes it.
    assert "Quality: 89 of 100" in page
    assert "Temporal and spatial coverage are given" in page
    assert f'href="{reverse("opendata:dataset-edit", args=["partners"])}#id_temporal_start"' in page
    services.update_dataset(official, dataset, **dict(_fields(dataset), temporal_start=dt.date(2019, 1, 1)))
    page = client.get(reverse("opendata:publisher")).content.decode()
    assert "Quality: 100 of 100" in page and "passes every item" in page
    # The other body's official sees only theirs.
    signed_in(client, people["official"])
    page = client.get(reverse("opendata:publisher")).content.decode()
    assert "Cases" in page and "Main trading partners" not in page and other.slug in page


def _fields(dataset):
    return {name: getattr(dataset, name) for name in services.DATASET_FIELDS}


def test_an_administrator_sees_every_body_and_can_narrow_to_one(client, people, official, dataset):
    services.create_dataset(people["official"], people["official"].body, "aca-cases", title_en="Cases", title_ru="Дела")
    signed_in(client, people["admin"])
    page = client.get(reverse("opendata:publisher")).content.decode()
    assert "Main trading partners" in page and "Cases" in page
    page = client.get(reverse("opendata:publisher"), {"body": MTI}).content.decode()
    assert "Main trading partners" in page and "Cases" not in page


def test_my_datasets_reads_in_a_few_queries_however_many_resources(client, official, dataset, django_assert_max_num_queries):
    for n in range(6):
        services.add_file_resource(official, dataset, f"r{n}", "CSV", GOOD, f"r{n}.csv")
        services.add_resource(official, dataset, f"link{n}", "CSV", url=f"https://example.kz/{n}.csv")
    signed_in(client, official)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("opendata:publisher")).status_code == 200


# ---------------------------------------------------------------------------------------------------------
# Who may


def _publisher_urls(resource):
    slug, pk = "partners", resource.pk
    return {
        reverse("opendata:publisher"): None,
        reverse("opendata:dataset-new"): DATASET_POST,
        reverse("opendata:dataset-edit", args=[slug]): dict(DATASET_POST, title_en="Taken over"),
        reverse("opendata:resource-new", args=[slug]): {"name": "Injected", "format": "CSV", "url": "https://evil.example/x.csv"},
        reverse("opendata:upload", args=[slug, pk]): "FILE",
        reverse("opendata:report", args=[slug, pk, 1]): None,
    }


def _state():
    return (
        list(Dataset.objects.values_list("slug", "title_en", "body_id").order_by("slug")),
        Resource.objects.count(),
        ResourceVersion.objects.count(),
    )


@pytest.mark.parametrize("who", ["other_official", "other_head", "applicant", "moderator", "monitor"])
def test_everyone_but_the_body_s_staff_is_refused_and_changes_nothing(client, people, resource, who):
    signed_in(client, people[who])
    before = _state()
    for url, post in _publisher_urls(resource).items():
        if who.startswith("other_") and url in (reverse("opendata:publisher"), reverse("opendata:dataset-new")):
            continue  # their own body's list and form: the body is theirs, not the ministry's (below)
        assert client.get(url).status_code == 403, url
        data = {"file": csv_file()} if post == "FILE" else (post or {})
        assert client.post(url, data).status_code == 403, url
    assert _state() == before


def test_the_other_body_s_official_creates_only_for_their_own_body(client, people, resource, mti):
    signed_in(client, people["other_official"])
    response = client.post(
        reverse("opendata:dataset-new"), dict(DATASET_POST, body=MTI, slug="for-the-ministry", confirmed="yes")
    )
    assert response.status_code == 302
    assert Dataset.objects.get(slug="for-the-ministry").body == people["other_official"].body != mti


def test_an_anonymous_visitor_is_sent_to_sign_in_and_changes_nothing(client, resource):
    before = _state()
    for url, post in _publisher_urls(resource).items():
        for response in (client.get(url), client.post(url, {"file": csv_file()} if post == "FILE" else (post or {}))):
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url
    assert _state() == before


def test_the_body_s_head_and_an_administrator_may(client, head, people, resource):
    for user in (head, people["admin"]):
        signed_in(client, user)
        for url in _publisher_urls(resource):
            assert client.get(url).status_code == 200, (user, url)


# ---------------------------------------------------------------------------------------------------------
# What a publisher writes is shown as text


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and (dict(attrs).get("src") or "").startswith("/static/ashyq/"):
            return  # the site's own script file, the same on every page; what a publisher wrote never gets here
        if tag in ("script", "img", "svg", "iframe") or any(name.startswith("on") for name, _ in attrs):
            self.bad.append((tag, attrs))


XSS = "<script>alert(1)</script><img src=x onerror=alert(2)>"


def test_what_publishers_write_is_escaped_on_every_publisher_page(client, official):
    dataset = services.create_dataset(
        official, official.body, "xss", title_en=XSS, title_ru=XSS, description_en=XSS, spatial=XSS, source=XSS, tags=[XSS]
    )
    resource, version = services.add_file_resource(
        official, dataset, XSS, "CSV", f"{XSS},b\n1,x\n2,3\n".encode() + b"".join(b"%d,%d\n" % (i, i) for i in range(30)), "x.csv"
    )
    signed_in(client, official)
    for url in (
        reverse("opendata:publisher"),
        reverse("opendata:dataset-edit", args=["xss"]),
        reverse("opendata:resource-new", args=["xss"]),
        reverse("opendata:upload", args=["xss", resource.pk]),
        reverse("opendata:report", args=["xss", resource.pk, version.number]),
        reverse("opendata:dataset", args=["xss"]),
    ):
        page = client.get(url).content.decode()
        parser = Tags()
        parser.feed(page)
        assert not parser.bad, (url, parser.bad)
        assert "&lt;script&gt;" in page, url
