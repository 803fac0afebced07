"""Open311 GeoReport v2 at /open311/v2/: services, writing an appeal with an API token, reading the
published appeals (public copies only) in JSON and XML, with the standard's fields and filters; also over
real HTTP against a live server."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import requests
from django.test import Client
from django.utils import timezone

from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, AppealType
from tests.public_record_helpers import publish, publish_answer

BASE = "/open311/v2"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
    # Ashyq's one extension of the standard: the door the appeal came through (open_dialogue, virtual_reception, ...).
    "channel",
}


def xml_items(response, root, item):
    tree = ET.fromstring(response.content)
    assert tree.tag == root
    assert all(child.tag == item for child in tree)
    return [{field.tag: field.text for field in child} for child in tree]


# --- services ----------------------------------------------------------------------------------------------------


def test_services_json_lists_one_service_per_appeal_type(client, db):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    assert [s["service_code"] for s in data] == AppealType.values
    for service in data:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is False and service["type"] == "realtime"
        assert service["service_name"] and service["description"] and service["keywords"] and service["group"]


def test_services_xml_and_names_in_the_language_asked(client, db):
    response = client.get(f"{BASE}/services.xml", headers={"accept-language": "ru"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    items = xml_items(response, "services", "service")
    assert set(items[0]) == SERVICE_FIELDS
    names = {i["service_code"]: i["service_name"] for i in items}
    assert names["complaint"] == "Жалоба" and items[0]["metadata"] == "false"


# --- writing -------------------------------------------------------------------------------------------------------


@pytest.fixture
def form(people, token_for):
    return {
        "api_key": token_for(people["applicant"]),
        "service_code": "report",
        "attribute[body]": "anti-corruption-agency",
        "attribute[region]": "KZ-75",
        "attribute[subject]": "Bribe at the akimat",
        "description": "The clerk asked for 50,000 tenge.",
        "email": "someone-else-secret@example.kz",
    }


def test_post_registers_an_appeal_for_the_token_s_user_without_a_csrf_token(form, people):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{BASE}/requests.json", form)
    assert response.status_code == 200, response.content
    [item] = response.json()
    assert set(item) == {"service_request_id", "service_notice", "account_id"} and item["account_id"] is None
    appeal = Appeal.objects.get(number=item["service_request_id"])
    assert appeal.applicant == people["applicant"] and appeal.type == "report" and appeal.is_public is False
    assert appeal.subject == "Bribe at the akimat" and appeal.text == "The clerk asked for 50,000 tenge."
    assert appeal.due_on.strftime("%d.%m.%Y") in item["service_notice"]
    assert "someone-else-secret" not in response.content.decode()
    assert not Appeal.objects.filter(text__contains="someone-else-secret").exists()
    assert appeal.events.get().kind == "registered"


def test_post_in_xml_derives_the_subject_and_may_ask_for_a_public_appeal(client, form):
    del form["attribute[subject]"]
    form["title"] = ""
    form["description"] = "Жол " * 60
    form["attribute[is_public]"] = "true"
    response = client.post(f"{BASE}/requests.xml", form)
    assert response.status_code == 200
    [item] = xml_items(response, "service_requests", "request")
    appeal = Appeal.objects.get(number=item["service_request_id"])
    assert appeal.subject.startswith("Жол Жол") and len(appeal.subject) <= 121 and appeal.is_public
    assert item["account_id"] is None and "moderation" in item["service_notice"]


@pytest.mark.parametrize(
    "change, code, words",
    [
        ({"api_key": ""}, 403, "api_key"),
        ({"api_key": "ashyq_wrong"}, 403, "api_key"),
        ({"service_code": "pothole"}, 400, "service_code"),
        ({"attribute[body]": "no-such-body"}, 400, "attribute[body]"),
        ({"attribute[region]": "KZ-99"}, 400, "attribute[region]"),
        ({"description": ""}, 400, "description"),
        ({"description": "x" * 10_001}, 400, "description"),
    ],
)
def test_post_errors_have_the_open311_shape(client, form, change, code, words):
    response = client.post(f"{BASE}/requests.json", {**form, **change})
    assert response.status_code == code
    [error] = response.json()
    assert error["code"] == code and words in error["description"]
    assert not Appeal.objects.exists()
    xml = client.post(f"{BASE}/requests.xml", {**form, **change})
    [error] = xml_items(xml, "errors", "error")
    assert error["code"] == str(code)


def test_a_revoked_token_or_an_inactive_user_cannot_post(client, form, people):
    people["applicant"].is_active = False
    people["applicant"].save()
    assert client.post(f"{BASE}/requests.json", form).status_code == 403


# --- reading -------------------------------------------------------------------------------------------------------


@pytest.fixture
def published(people, submit, at, regions):
    old = publish(submit(people["applicant"], subject="orig", text="orig"), "Old", "Old public text")
    Appeal.objects.filter(pk=old.pk).update(registered_at=timezone.now() - dt.timedelta(days=100))
    road = publish(
        submit(people["applicant"], type="report", subject="orig road", text="orig road text"),
        "Road",
        "The road <is> broken & dangerous",
    )
    park = publish(
        submit(people["other_applicant"], type="proposal", subject="orig park", text="orig park text"), "Park", "Build a park"
    )
    services.answer_appeal(people["official"], road, text="original answer", outcome="resolved")
    publish_answer(road, "Fixed.")
    private = submit(people["applicant"], subject="private", text="private text")
    return {"old": Appeal.objects.get(pk=old.pk), "road": Appeal.objects.get(pk=road.pk), "park": park, "private": private}


def test_requests_json_lists_published_appeals_of_the_last_90_days_with_the_standard_fields(client, published):
    response = client.get(f"{BASE}/requests.json")
    assert response.status_code == 200
    data = {item["service_request_id"]: item for item in response.json()}
    assert set(data) == {published["road"].number, published["park"].number}
    for item in data.values():
        assert set(item) == REQUEST_FIELDS
        assert item["address"] is None and item["lat"] is None and item["long"] is None and item["media_url"] is None
    road = data[published["road"].number]
    assert road["status"] == "closed" and road["service_code"] == "report" and road["service_name"] == "Report"
    assert road["description"] == "The road <is> broken & dangerous"
    assert road["agency_responsible"] == published["road"].body.name
    assert road["status_notes"] == "Answered: resolved: measures taken."
    assert dt.datetime.fromisoformat(road["requested_datetime"]) == published["road"].registered_at.replace(microsecond=0)
    assert dt.datetime.fromisoformat(road["expected_datetime"]).date() == published["road"].due_on
    assert dt.datetime.fromisoformat(road["updated_datetime"]).tzinfo is not None
    assert data[published["park"].number]["status"] == "open"


def test_requests_xml_escapes_text_and_has_the_standard_root(client, published):
    response = client.get(f"{BASE}/requests.xml")
    assert response.status_code == 200 and b"<service_requests>" in response.content
    items = {i["service_request_id"]: i for i in xml_items(response, "service_requests", "request")}
    road = items[published["road"].number]
    assert set(road) == REQUEST_FIELDS
    assert road["description"] == "The road <is> broken & dangerous" and road["lat"] is None


def test_filters(client, published):
    def ids(**params):
        response = client.get(f"{BASE}/requests.json", params)
        assert response.status_code == 200, response.content
        return {i["service_request_id"] for i in response.json()}

    road, park, old = published["road"].number, published["park"].number, published["old"].number
    assert ids(service_request_id=f"{road},{old},{published['private'].number}") == {road, old}
    assert ids(service_code="proposal") == {park}
    assert ids(service_code="report,proposal") == {road, park}
    assert ids(status="open") == {park} and ids(status="closed") == {road} and ids(status="open,closed") == {road, park}
    day = timezone.localdate(published["old"].registered_at).isoformat()
    assert ids(start_date=day, end_date=day) == {old}
    assert ids(start_date=(timezone.now() - dt.timedelta(days=200)).isoformat()) == {road, park, old}
    assert ids(end_date=(timezone.now() - dt.timedelta(days=50)).isoformat()) == {old}
    for bad in ({"start_date": "last week"}, {"status": "pending"}, {"service_code": "pothole"}):
        response = client.get(f"{BASE}/requests.json", bad)
        assert response.status_code == 400 and response.json()[0]["code"] == 400


def test_at_most_1000_results(client, published, monkeypatch):
    from ashyq.open311 import views

    monkeypatch.setattr(views, "MAX_RESULTS", 1)
    assert len(client.get(f"{BASE}/requests.json").json()) == 1


def test_one_request_in_both_formats_and_a_private_one_is_404(client, published):
    number = published["park"].number
    [item] = client.get(f"{BASE}/requests/{number}.json").json()
    assert item["service_request_id"] == number and item["description"] == "Build a park"
    [item] = xml_items(client.get(f"{BASE}/requests/{number}.xml"), "service_requests", "request")
    assert item["service_request_id"] == number
    for missing in (published["private"].number, "2026-999999"):
        response = client.get(f"{BASE}/requests/{missing}.json")
        assert response.status_code == 404 and response.json() == [
            {"code": 404, "description": "No public request with this id."}
        ]
        assert client.get(f"{BASE}/requests/{missing}.xml").status_code == 404


# --- over real HTTP ----------------------------------------------------------------------------------------------


def test_a_client_over_http_reads_services_writes_a_request_and_reads_it_once_published(live_server, people, token_for):
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment between us and the live server
    base = f"{live_server.url}{BASE}"
    services_response = session.get(f"{base}/services.json", timeout=10)
    assert services_response.status_code == 200 and services_response.json()[0]["service_code"] == "application"
    assert ET.fromstring(session.get(f"{base}/services.xml", timeout=10).content).tag == "services"

    created = session.post(
        f"{base}/requests.json",
        data={
            "api_key": token_for(people["applicant"]),
            "service_code": "proposal",
            "attribute[body]": "anti-corruption-agency",
            "attribute[region]": "KZ-75",
            "title": "Сквер",
            "description": "Предлагаю сквер во дворе. Тел. +7 701 123 45 67",
            "email": "a@example.kz",
            "attribute[is_public]": "true",
        },
        timeout=10,
    )
    assert created.status_code == 200, created.text
    number = created.json()[0]["service_request_id"]
    assert session.get(f"{base}/requests/{number}.json", timeout=10).status_code == 404  # not yet published

    publish(Appeal.objects.get(number=number), "Сквер", "Предлагаю сквер во дворе. Тел. [phone]")
    item = session.get(f"{base}/requests/{number}.json", timeout=10).json()[0]
    assert item["description"] == "Предлагаю сквер во дворе. Тел. [phone]" and item["status"] == "open"
    xml = session.get(f"{base}/requests.xml", params={"service_code": "proposal"}, timeout=10)
    assert xml.headers["Content-Type"].startswith("text/xml")
    assert [r.findtext("service_request_id") for r in ET.fromstring(xml.content)] == [number]
    assert "701 123" not in xml.text
