"""Withdrawing open data: a publisher of the dataset's body (or an administrator) withdraws a whole dataset, one resource
or one version, with a reason, on a confirmation page. What was withdrawn is no longer served anywhere the public reads
(pages, downloads, the CKAN API read by ckanapi, the DCAT catalogue, search); its datastore rows are gone; the dataset's
page stays as a tombstone with its history. Everyone else is refused and nothing changes."""

import re

import ckanapi
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.core.errors import Conflict
from ashyq.opendata import datastore, services
from ashyq.opendata.models import Dataset, Resource, ResourceVersion, UploadJob, Withdrawal

from .chromium import headless_chromium, needs_chromium
from .language_buttons import assert_language_buttons_keep

MTI = "ministry-of-trade-and-integration"
V1 = b"country,turnover\nRussia,19983.0\nChina,14792.5\nItaly,9957.1\n"
# Version 2 holds a person's data by mistake: a name and an IIN in the rows.
V2 = b"country,turnover\nRussia,19983.0\nChina,14792.5\nItaly,9957.1\nAsel Nurlanovna 900101300017,12.0\n"
SECRET = "Asel Nurlanovna"
NOTE = "Row 5 names Asel Nurlanovna, a customs officer"


@pytest.fixture
def official(make_user, bodies):
    return make_user(Role.OFFICIAL, bodies[MTI], username="mti-official")


@pytest.fixture
def dataset(official):
    return services.create_dataset(
        official,
        official.body,
        "partners",
        title_en="Main trading partners",
        title_ru="Основные торговые партнёры",
        description_en="Kazakhstan's main trading partners in 2019, in millions of US dollars.",
        licence="CC-BY-4.0",
        tags=["trade", "partners"],
    )


@pytest.fixture
def resource(official, dataset):
    resource, version = services.add_file_resource(official, dataset, "partners", "CSV", V1, "partners.csv")
    assert version.valid
    second = services.upload_version(official, resource, V2, "partners-2.csv")
    assert second.valid and resource.current_version == second
    return resource


def version(resource, number) -> ResourceVersion:
    return resource.versions.get(number=number)


def table_exists(v) -> bool:
    with connection.cursor() as cursor:
        return v.table_name in connection.introspection.table_names(cursor)


def download_url(dataset, resource, number):
    return reverse("opendata:download", args=[dataset.slug, resource.pk, number])


def withdraw_url(dataset, resource=None, number=None):
    if number is not None:
        return reverse("opendata:withdraw-version", args=[dataset.slug, resource.pk, number])
    if resource is not None:
        return reverse("opendata:withdraw-resource", args=[dataset.slug, resource.pk])
    return reverse("opendata:withdraw-dataset", args=[dataset.slug])


def nothing_withdrawn(dataset, resource, client):
    assert not Withdrawal.objects.exists()
    assert not Dataset.objects.filter(withdrawal__isnull=False).exists()
    assert not ResourceVersion.objects.filter(withdrawal__isnull=False).exists()
    assert all(table_exists(v) for v in resource.versions.all())
    client.logout()
    assert client.get(download_url(dataset, resource, 2)).status_code == 200
    assert "Main trading partners" in client.get(reverse("opendata:catalogue")).content.decode()


# ---------------------------------------------------------------------------------------------------------
# Who may withdraw


@pytest.mark.parametrize("who", ["other_official", "applicant", "moderator", "monitor"])
def test_everyone_but_the_body_s_publishers_is_refused_and_nothing_changes(client, people, dataset, resource, who):
    user = people[who]
    client.force_login(user)
    for url in (withdraw_url(dataset), withdraw_url(dataset, resource), withdraw_url(dataset, resource, 2)):
        assert client.get(url).status_code == 403
        assert client.post(url, {"reason": "personal-data", "note": "x", "confirmed": "yes"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.withdraw(user, dataset, "personal-data")
    with pytest.raises(PermissionDenied):
        services.withdraw(None, dataset, "personal-data")
    assert "Withdraw the dataset" not in client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    nothing_withdrawn(dataset, resource, client)


def test_an_anonymous_visitor_is_sent_to_sign_in_and_nothing_changes(client, dataset, resource):
    for url in (withdraw_url(dataset), withdraw_url(dataset, resource, 2)):
        response = client.post(url, {"reason": "wrong-data", "confirmed": "yes"})
        assert response.status_code == 302 and "login" in response["Location"]
    nothing_withdrawn(dataset, resource, client)


def test_the_body_s_head_and_an_administrator_may(people, make_user, bodies, dataset, resource):
    head = make_user(Role.HEAD, bodies[MTI], username="mti-head")
    services.withdraw(head, dataset, "wrong-data", resource=resource, version=version(resource, 2))
    services.withdraw(people["admin"], dataset, "superseded")
    assert [w.withdrawn_by for w in Withdrawal.objects.order_by("pk")] == [head, people["admin"]]


# ---------------------------------------------------------------------------------------------------------
# Bad input


def test_without_a_reason_the_form_says_so_and_keeps_what_was_typed(client, official, dataset, resource):
    client.force_login(official)
    response = client.post(withdraw_url(dataset), {"note": "Typed before forgetting the reason"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_reason_0"' in page and "This field is required." in page
    assert "Typed before forgetting the reason" in page
    response = client.post(withdraw_url(dataset), {"reason": "other", "note": "  "})
    assert response.status_code == 400 and "another reason" in response.content.decode()
    # Not even confirmed: a confirmation of a form with errors is refused too.
    assert client.post(withdraw_url(dataset), {"reason": "", "confirmed": "yes"}).status_code == 400
    with pytest.raises(ValidationError):
        services.withdraw(official, dataset, "no-such-reason")
    with pytest.raises(ValidationError):
        services.withdraw(official, dataset, "other", note="")
    nothing_withdrawn(dataset, resource, client)


def test_the_confirmation_page_changes_nothing_and_going_back_keeps_the_text(client, official, dataset, resource):
    client.force_login(official)
    asked = client.post(withdraw_url(dataset), {"reason": "personal-data", "note": NOTE})
    page = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-yes"' in page
    assert "cannot be undone" in page and "deleted for good" in page and "personal data published by mistake" in page
    back = client.post(withdraw_url(dataset), {"reason": "personal-data", "note": NOTE, "change": "yes"})
    assert back.status_code == 200 and NOTE in back.content.decode() and 'id="confirm-yes"' not in back.content.decode()
    nothing_withdrawn(dataset, resource, client)


# ---------------------------------------------------------------------------------------------------------
# Switching the language keeps the reason and the explanation, without a script (core/language_draft.py)

EXPLANATION = "Қате жарияланды: 5-жолда адамның аты-жөні бар.\nПубликация ошибочна."


def _csrf(page):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def _switched_form(client, url, page, language, **typed):
    response = client.post(
        reverse("language-keep") + "?next=" + url, {"csrfmiddlewaretoken": _csrf(page), "language": language, **typed}
    )
    assert response.status_code == 302 and response["Location"] == url
    return client.get(url).content.decode()


def _kept_in(form, language, reason, note):
    assert f'<html lang="{language}">' in form and 'id="withdraw-form"' in form
    assert re.search(rf'<input type="radio" name="reason" value="{reason}"[^>]*checked', form)
    assert note in form.replace("\r\n", "\n")


@pytest.mark.parametrize("scope", ["dataset", "resource", "version"])
def test_switching_the_language_on_the_withdrawal_form_keeps_the_reason_and_the_explanation(scope, official, dataset, resource):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = {
        "dataset": withdraw_url(dataset),
        "resource": withdraw_url(dataset, resource),
        "version": withdraw_url(dataset, resource, 2),
    }[scope]
    page = client.get(url).content.decode()
    assert_language_buttons_keep(page, "withdraw-form", url)
    form = _switched_form(client, url, page, "kk", reason="wrong-data", note=EXPLANATION)
    _kept_in(form, "kk", "wrong-data", EXPLANATION)
    # Once: the next visit starts empty again.
    assert EXPLANATION not in client.get(url).content.decode()
    nothing_withdrawn(dataset, resource, client)


def test_switching_the_language_on_the_confirmation_or_after_an_error_keeps_them_too(official, dataset, resource):
    client = Client(enforce_csrf_checks=True)
    client.force_login(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = withdraw_url(dataset)
    token = _csrf(client.get(url).content.decode())
    # The confirmation: its buttons carry the fields back to the form's page, in the other language.
    confirmation = client.post(url, {"csrfmiddlewaretoken": token, "reason": "superseded", "note": EXPLANATION})
    page = confirmation.content.decode()
    assert 'id="confirm-yes"' in page
    assert_language_buttons_keep(page, "confirm-form", url)
    form = _switched_form(client, url, page, "ru", reason="superseded", note=EXPLANATION)
    _kept_in(form, "ru", "superseded", EXPLANATION)
    # The form shown with an error (another reason, no explanation yet): what was chosen survives the switch.
    refused = client.post(url, {"csrfmiddlewaretoken": token, "reason": "other", "note": ""})
    assert refused.status_code == 400
    assert_language_buttons_keep(refused.content.decode(), "withdraw-form", url)
    form = _switched_form(client, url, refused.content.decode(), "kk", reason="other", note="")
    assert '<html lang="kk">' in form
    assert re.search(r'<input type="radio" name="reason" value="other"[^>]*checked', form)
    nothing_withdrawn(dataset, resource, client)


@needs_chromium
def test_in_chromium_without_javascript_the_withdrawal_form_keeps_what_was_typed(live_server, official, dataset, resource):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait():
        return WebDriverWait(driver, 20, ignored_exceptions=(StaleElementReferenceException,))

    def kept(d, language):
        """The form's page in `language` with the reason chosen and the explanation typed (waited for: the page may
        still be loading; a form that kept nothing times out)."""
        return (
            d.find_element(By.TAG_NAME, "html").get_attribute("lang") == language
            and d.find_element(By.CSS_SELECTOR, "input[name=reason][value=personal-data]").is_selected()
            and d.find_element(By.NAME, "note").get_attribute("value") == NOTE
        )

    session = Client()
    session.force_login(official)
    with headless_chromium(language="en", javascript=False) as driver:
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.get(live_server.url + withdraw_url(dataset, resource, 2))
        driver.find_element(By.CSS_SELECTOR, "input[name=reason][value=personal-data]").click()
        driver.find_element(By.NAME, "note").send_keys(NOTE)
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=ru]").click()
        wait().until(lambda d: kept(d, "ru"))
        # On to the confirmation, switched back to Kazakh there: the form's page again, with both.
        driver.find_element(By.CSS_SELECTOR, "#withdraw-form button[type=submit].primary").click()
        wait().until(lambda d: d.find_elements(By.ID, "confirm-yes"))
        driver.find_element(By.CSS_SELECTOR, "form.lang button[value=kk]").click()
        wait().until(lambda d: kept(d, "kk"))
        assert driver.current_url == live_server.url + withdraw_url(dataset, resource, 2)
    assert not Withdrawal.objects.exists()


# ---------------------------------------------------------------------------------------------------------
# A whole dataset


def withdraw_dataset_through_the_pages(client, official, dataset, reason="personal-data", note=NOTE):
    client.force_login(official)
    response = client.post(withdraw_url(dataset), {"reason": reason, "note": note, "confirmed": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("opendata:dataset", args=[dataset.slug])
    client.logout()


def test_a_withdrawn_dataset_leaves_every_public_surface_and_its_page_is_a_tombstone(
    client, official, dataset, resource, django_capture_on_commit_callbacks
):
    versions = list(resource.versions.order_by("number"))
    files = [(v.file.storage, v.file.name) for v in versions]
    # Cached before: the pages showing the dataset must be renewed, not served from the cache.
    assert "Main trading partners" in client.get(reverse("opendata:catalogue")).content.decode()
    assert client.get(reverse("opendata:dataset", args=[dataset.slug])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_dataset_through_the_pages(client, official, dataset)

    event = Withdrawal.objects.get()
    assert (event.scope, event.reason, event.note, event.withdrawn_by, event.versions_count) == (
        "dataset",
        "personal-data",
        NOTE,
        official,
        2,
    )
    # The rows and the files are really gone.
    assert not any(table_exists(v) for v in versions)
    assert all(not storage.exists(name) for storage, name in files)
    assert all(not v.file for v in resource.versions.all())

    # The tombstone: when and why, publicly; the note (personal data) to staff only.
    page = client.get(reverse("opendata:dataset", args=[dataset.slug]))
    text = page.content.decode()
    day = timezone.localtime(event.withdrawn_at).strftime("%Y-%m-%d")  # the day in Kazakhstan
    assert page.status_code == 200 and "This dataset was withdrawn." in text
    assert f"Withdrawn on {day}: personal data published by mistake." in text
    assert SECRET not in text and NOTE not in text and 'name="robots" content="noindex"' in text
    assert "version 2 published" in text and "the dataset was withdrawn" in text  # the public history
    client.force_login(official)
    assert NOTE in client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    client.logout()

    # Downloads and previews: 410 Gone with the explanation.
    for number in (1, 2):
        gone = client.get(download_url(dataset, resource, number))
        assert gone.status_code == 410 and f"Withdrawn on {day}: personal data published by mistake." in gone.content.decode()
    assert client.get(reverse("opendata:resource", args=[dataset.slug, resource.pk])).status_code == 410
    assert client.get(reverse("opendata:datapackage", args=[dataset.slug])).status_code == 410
    assert client.get(reverse("opendata:dcat-dataset", args=[dataset.slug, "ttl"])).status_code == 410
    # The catalogue, its search, the DCAT catalogue and the sitemap no longer list it.
    assert "Main trading partners" not in client.get(reverse("opendata:catalogue")).content.decode()
    assert "Main trading partners" not in client.get(reverse("opendata:catalogue"), {"q": "partners"}).content.decode()
    catalog = client.get(reverse("opendata:dcat-catalog", args=["ttl"])).content.decode()
    assert "/data/datasets/partners/" not in catalog and "Main trading partners" not in catalog
    assert "/data/datasets/partners/" not in client.get(reverse("opendata:sitemap")).content.decode()
    # The CKAN API, as plain HTTP (ckanapi below).
    shown = client.get("/api/3/action/package_show", {"id": "partners"})
    assert shown.status_code == 403 and shown.json()["error"]["__type"] == "Authorization Error"
    assert client.get("/api/3/action/package_search", {"q": "partners"}).json()["result"]["count"] == 0
    assert "partners" not in client.get("/api/3/action/package_list").json()["result"]
    assert client.get("/api/3/action/tag_list").json()["result"] == []
    assert client.get("/api/3/action/datastore_search", {"resource_id": str(resource.pk)}).status_code == 404
    assert client.get("/api/3/action/resource_show", {"id": str(resource.pk)}).status_code == 404
    assert client.get("/api/3/action/organization_list").json()["result"] == []


def test_the_publisher_s_list_keeps_a_withdrawn_dataset_marked_with_when_and_why(client, official, dataset, resource):
    kept = services.create_dataset(official, official.body, "imports", title_en="Imports by country", title_ru="Импорт")
    event = services.withdraw(official, dataset, "personal-data", NOTE)
    day = timezone.localtime(event.withdrawn_at).strftime("%Y-%m-%d")
    tombstone = reverse("opendata:dataset", args=[dataset.slug])
    client.force_login(official)
    page = client.get(reverse("opendata:publisher")).content.decode()
    # Listed after the body's datasets still published, marked with when and why and the explanation (the body's
    # staff read it), linked to its tombstone; nothing offered to edit, add or fix.
    assert page.index("Imports by country") < page.index("Main trading partners")
    withdrawn = page[page.index('id="ds-partners"') :]
    withdrawn = withdrawn[: withdrawn.index("</section>")]
    assert f"Withdrawn on {day}: personal data published by mistake." in withdrawn and NOTE in withdrawn
    assert f'href="{tombstone}"' in withdrawn
    assert reverse("opendata:dataset-edit", args=[dataset.slug]) not in page
    assert reverse("opendata:resource-new", args=[dataset.slug]) not in page
    assert reverse("opendata:upload", args=[dataset.slug, resource.pk]) not in page
    assert reverse("opendata:dataset-edit", args=[kept.slug]) in page and "Quality:" in page
    assert client.get(tombstone).status_code == 200
    # The public lists still leave it out.
    client.logout()
    assert "Main trading partners" not in client.get(reverse("opendata:catalogue")).content.decode()
    assert "Imports by country" in client.get(reverse("opendata:catalogue")).content.decode()


def test_the_publisher_s_list_keeps_a_resource_withdrawn_alone_marked_under_its_dataset(client, official, dataset, resource):
    other, _ = services.add_file_resource(official, dataset, "partners-2020", "CSV", V1, "partners-2020.csv")
    event = services.withdraw(official, dataset, "wrong-data", "Turnover in the wrong currency.", resource=resource)
    day = timezone.localtime(event.withdrawn_at).strftime("%Y-%m-%d")
    client.force_login(official)
    page = client.get(reverse("opendata:publisher")).content.decode()
    item = page[page.index('<li class="withdrawn">') :]
    item = item[: item.index("</li>")]
    assert ">partners</strong>" in item and f"Withdrawn on {day}: wrong data." in item
    assert "Turnover in the wrong currency." in item
    assert reverse("opendata:upload", args=[dataset.slug, resource.pk]) not in page
    assert reverse("opendata:upload", args=[dataset.slug, other.pk]) in page
    # The checklist counts only what is served: the withdrawn resource is not what to fix.
    assert "Quality:" in page and "newest upload not valid" not in page


def test_nothing_is_added_to_a_withdrawn_dataset(official, dataset, resource):
    services.withdraw(official, dataset, "superseded")
    with pytest.raises(Conflict):
        services.upload_version(official, resource, V1, "again.csv")
    with pytest.raises(Conflict):
        services.add_resource(official, dataset, "more", "CSV", url="https://example.kz/more.csv")
    with pytest.raises(Conflict):
        services.update_dataset(official, dataset, title_ru="Другое")
    with pytest.raises(Conflict):
        services.withdraw(official, dataset, "wrong-data")
    assert Withdrawal.objects.count() == 1 and resource.versions.count() == 2


def test_files_are_kept_for_the_operator_unless_the_reason_is_personal_data(
    official, dataset, resource, django_capture_on_commit_callbacks
):
    files = [(v.file.storage, v.file.name) for v in resource.versions.all()]
    with django_capture_on_commit_callbacks(execute=True):
        event = services.withdraw(official, dataset, "wrong-data", note="The 2019 figures were of 2018")
    assert not event.files_deleted
    assert all(storage.exists(name) for storage, name in files)  # out of public reach, kept for the operator
    assert not any(table_exists(v) for v in resource.versions.all())  # the rows go whatever the reason


def test_uploads_waiting_in_the_queue_are_refused(official, dataset, resource, settings):
    settings.ASHYQ_OPENDATA_BACKGROUND_BYTES = 1
    job = services.queue_upload(official, resource, V1, "queued.csv")
    services.withdraw(official, dataset, "wrong-data")
    job.refresh_from_db()
    assert job.state == UploadJob.State.REFUSED and "withdrawn" in job.message
    assert services.run_upload_job(job.pk) == UploadJob.State.REFUSED
    assert resource.versions.count() == 2


# ---------------------------------------------------------------------------------------------------------
# One version, one resource


def test_withdrawing_the_newest_version_serves_the_previous_one_again(
    client, official, dataset, resource, django_capture_on_commit_callbacks
):
    v1, v2 = version(resource, 1), version(resource, 2)
    files = [(v.file.storage, v.file.name) for v in (v1, v2)]
    client.force_login(official)
    asked = client.post(withdraw_url(dataset, resource, 2), {"reason": "personal-data", "note": NOTE})
    assert "Version 1 is served again" in asked.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(withdraw_url(dataset, resource, 2), {"reason": "personal-data", "note": NOTE, "confirmed": "yes"})
    assert response.status_code == 302
    client.logout()
    resource.refresh_from_db()
    assert resource.current_version == v1 and not table_exists(v2) and table_exists(v1)
    assert not files[1][0].exists(files[1][1])
    assert files[0][0].exists(files[0][1])
    # The datastore answers from version 1 again: the person's row is gone.
    found = client.get("/api/3/action/datastore_search", {"resource_id": str(resource.pk), "q": "Asel"}).json()
    assert found["success"] and found["result"]["records"] == []
    assert client.get("/api/3/action/datastore_search", {"resource_id": str(resource.pk)}).json()["result"]["total"] == 3
    preview = client.get(reverse("opendata:resource", args=[dataset.slug, resource.pk])).content.decode()
    assert SECRET not in preview and "Italy" in preview
    assert client.get(download_url(dataset, resource, 2)).status_code == 410
    assert client.get(download_url(dataset, resource, 1)).status_code == 200
    package = client.get("/api/3/action/package_show", {"id": "partners"}).json()["result"]
    assert package["resources"][0]["url"].endswith("/v1/download")
    # The dataset stays; its page says which version was withdrawn, and no longer offers its changes.
    page = client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    assert "version 2 was withdrawn" in page and NOTE not in page
    assert "?from=1&amp;to=2" not in page
    assert client.get(reverse("opendata:diff", args=[dataset.slug, resource.pk]), {"from": 1, "to": 2}).status_code == 404
    assert "Main trading partners" in client.get(reverse("opendata:catalogue")).content.decode()


def test_withdrawing_an_older_version_leaves_the_served_one(official, dataset, resource):
    v1, v2 = version(resource, 1), version(resource, 2)
    services.withdraw(official, dataset, "wrong-data", version=v1)
    assert resource.current_version == v2 and table_exists(v2) and not table_exists(v1)
    assert v1.file.storage.exists(v1.file.name)  # not personal data: kept for the operator


# A version that failed validation: three rows, then "twelve" where a number belongs.
INVALID = V1 + b"".join(b"C%d,%d\n" % (i, i) for i in range(30)) + b"Oops,twelve\n"


def test_a_version_that_failed_validation_is_not_withdrawn_there_was_nothing_public(client, official, dataset, resource):
    failed = services.upload_version(official, resource, INVALID, "partners-3.csv")
    assert not failed.valid and resource.current_version == version(resource, 2)
    with pytest.raises(Conflict, match="never published: it did not pass validation"):
        services.withdraw(official, dataset, "personal-data", NOTE, version=failed)
    assert not Withdrawal.objects.exists()
    failed.refresh_from_db()
    assert failed.withdrawal_id is None and failed.file.storage.exists(failed.file.name)
    # The pages offer no such step: the address of its withdrawal is not found, and nothing changes.
    client.force_login(official)
    assert (
        withdraw_url(dataset, resource, failed.number)
        not in client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    )
    assert client.get(withdraw_url(dataset, resource, failed.number)).status_code == 404
    sent = {"reason": "personal-data", "note": NOTE, "confirmed": "yes"}
    assert client.post(withdraw_url(dataset, resource, failed.number), sent).status_code == 404
    assert not Withdrawal.objects.exists() and resource.current_version == version(resource, 2)
    # The whole resource still goes, the failed version with it.
    services.withdraw(official, dataset, "wrong-data", resource=resource)
    failed.refresh_from_db()
    assert failed.withdrawal_id is not None and Withdrawal.objects.get().versions_count == 3


def test_a_withdrawn_resource_leaves_the_api_and_the_catalogue_and_the_dataset_stays(client, official, dataset, resource):
    other, _ = services.add_file_resource(official, dataset, "by region", "CSV", V1, "regions.csv")
    services.withdraw(official, dataset, "superseded", note="Replaced by the resource by region", resource=resource)
    assert Resource.objects.get(pk=resource.pk).withdrawal is not None
    package = client.get("/api/3/action/package_show", {"id": "partners"}).json()["result"]
    assert [r["name"] for r in package["resources"]] == ["by region"] and package["num_resources"] == 1
    assert client.get("/api/3/action/resource_show", {"id": str(resource.pk)}).status_code == 404
    assert client.get("/api/3/action/datastore_search", {"resource_id": str(resource.pk)}).status_code == 404
    catalog = client.get(reverse("opendata:dcat-catalog", args=["ttl"])).content.decode()
    assert f"/resources/{other.pk}/" in catalog and f"/resources/{resource.pk}/" not in catalog
    page = client.get(reverse("opendata:dataset", args=[dataset.slug])).content.decode()
    # Not personal data: the note is public, with the reason.
    assert "the resource was withdrawn" in page and "Replaced by the resource by region" in page
    assert download_url(dataset, resource, 1) not in page
    assert client.get(download_url(dataset, resource, 1)).status_code == 410
    with pytest.raises(Conflict):
        services.upload_version(official, resource, V1, "again.csv")


# ---------------------------------------------------------------------------------------------------------
# Three languages


@pytest.mark.parametrize(
    "lang, words", [("kk", "кері қайтарып алынды"), ("ru", "отозван"), ("en", "This data was withdrawn")], ids=["kk", "ru", "en"]
)
def test_the_gone_page_and_the_tombstone_are_in_the_reader_s_language(client, official, dataset, resource, lang, words):
    services.withdraw(official, dataset, "personal-data", note=NOTE)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    gone = client.get(download_url(dataset, resource, 1), HTTP_ACCEPT_LANGUAGE=lang)
    assert gone.status_code == 410 and f'lang="{lang}"' in gone.content.decode()
    assert words in gone.content.decode()
    tombstone = client.get(reverse("opendata:dataset", args=[dataset.slug]), HTTP_ACCEPT_LANGUAGE=lang)
    assert tombstone.status_code == 200 and NOTE not in tombstone.content.decode()


# ---------------------------------------------------------------------------------------------------------
# The CKAN API as a harvester reads it (ckanapi against a live server)


def test_ckanapi_no_longer_finds_a_withdrawn_dataset(live_server, transactional_db, reference, make_user):
    official = make_user(Role.OFFICIAL, reference["bodies"][MTI], username="mti-live")
    kept = services.create_dataset(official, official.body, "kept", title_ru="Остаётся", tags=["trade"])
    services.add_file_resource(official, kept, "kept", "CSV", V1, "kept.csv")
    gone = services.create_dataset(official, official.body, "partners", title_ru="Партнёры", tags=["trade", "secret"])
    resource, _ = services.add_file_resource(official, gone, "partners", "CSV", V2, "partners.csv")
    ckan = ckanapi.RemoteCKAN(live_server.url)
    assert ckan.action.package_search(fq="tags:secret")["count"] == 1
    services.withdraw(official, gone, "personal-data", note=NOTE)

    assert ckan.action.package_list() == ["kept"]
    found = ckan.action.package_search(fq="tags:trade", **{"facet.field": ["tags"]})
    assert found["count"] == 1 and [p["name"] for p in found["results"]] == ["kept"]
    assert "secret" not in found["facets"]["tags"] and "secret" not in ckan.action.tag_list()
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_show(id="partners")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.datastore_search(resource_id=str(resource.pk))
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id=str(resource.pk))
    assert ckan.action.organization_show(id=MTI)["package_count"] == 1
    assert [b["package_count"] for b in ckan.action.organization_list(all_fields=True)] == [1]


def test_the_datastore_table_goes_with_the_version(official, dataset, resource):
    v2 = version(resource, 2)
    services.withdraw(official, dataset, "personal-data", version=v2)
    v2.refresh_from_db()
    assert not v2.loaded and not table_exists(v2)
    assert [row[0] for row in datastore.all_rows(resource.current_version)] == ["Russia", "China", "Italy"]
