"""Hostile input is refused with a clear 400 at every entry, never stored and never a 500.

Control characters, NUL and lone surrogates through the JSON API, Open311, the pages' forms, query strings and
open-data uploads; the inputs that gave 500 (NUL on PostgreSQL, \\ud800, CKAN's `limit=abc` and huge offsets,
a 10 MB JSON body); errors of the machine interfaces always in their own format; and Idempotency-Keys over the
limit refused instead of shortened into each other.
"""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal
from ashyq.opendata import ingest

APPEAL = {
    "body": "anti-corruption-agency",
    "type": "report",
    "subject": "Broken lift",
    "text": "The lift is broken.",
    "region": "KZ-75",
}
# As JSON escapes: what an API client sends. NUL, BEL, ESC, DEL, a C1 control, a lone surrogate, a non-character.
HOSTILE = ["\\u0000", "\\u0007", "\\u001b", "\\u007f", "\\u0085", "\\ud800", "\\udfff", "\\uffff"]


def api_post(client, token, payload: str, **headers):
    return client.post(
        "/api/v1/appeals", payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )


def with_text(text_json: str, field="text") -> str:
    body = json.dumps({k: v for k, v in APPEAL.items() if k != field})
    return body[:-1] + f', "{field}": "before {text_json} after"}}'


@pytest.mark.parametrize("char", HOSTILE)
@pytest.mark.parametrize("field", ["text", "subject"])
def test_the_api_refuses_control_characters_and_surrogates_naming_the_field(client, people, token_for, char, field):
    response = api_post(client, token_for(people["applicant"]), with_text(char, field))
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()
    assert field in error["errors"] and "U+" in error["errors"][field][0] and "position 8" in error["errors"][field][0]
    assert not Appeal.objects.exists()


def test_the_api_finds_them_in_keys_and_nested_values_too(client, people, token_for):
    token = token_for(people["applicant"])
    for payload in ['{"bo\\u0000dy": 1}', '{"extra": [{"deep": "x\\u0001"}]}']:
        response = api_post(client, token, payload)
        assert response.status_code == 400 and response.json()["errors"], payload


def test_tabs_and_line_breaks_stay_welcome(client, people, token_for):
    response = api_post(client, token_for(people["applicant"]), with_text("line one\\r\\nline\\ttwo"))
    assert response.status_code == 201
    assert Appeal.objects.get().text == "before line one\r\nline\ttwo after"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b"])
def test_open311_refuses_them_with_its_own_error_shape_and_well_formed_xml(client, people, token_for, fmt, char):
    form = {
        "api_key": token_for(people["applicant"]),
        "service_code": "report",
        "attribute[body]": "anti-corruption-agency",
        "attribute[region]": "KZ-75",
        "description": f"Lift broken {char} since May",
    }
    response = client.post(f"/open311/v2/requests.{fmt}", form)
    assert response.status_code == 400
    if fmt == "xml":
        error = ET.fromstring(response.content).find("error")  # parses: the answer itself stays valid XML
        code, description = error.findtext("code"), error.findtext("description")
    else:
        code, description = response.json()[0]["code"], response.json()[0]["description"]
    assert str(code) == "400" and description.startswith("description:") and "U+" in description
    assert not Appeal.objects.exists()


def test_open311_published_xml_stays_parseable_because_nothing_hostile_gets_in(client, db):
    response = client.get("/open311/v2/requests.xml", {"service_request_id": "2026-000001\x00"})
    assert response.status_code == 400
    ET.fromstring(response.content)


def test_the_appeal_form_refuses_them_with_a_message_and_keeps_nothing(client, people):
    client.force_login(people["applicant"])
    response = client.post(reverse("dialogue:new"), {**APPEAL, "text": "A lift\x00 broken"})
    assert response.status_code == 400
    assert "control character" in response.content.decode() and "U+0000" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_query_string_with_nul_is_a_clear_400_page(client, db):
    response = client.get(reverse("dialogue:public"), {"q": "lift\x00"})
    assert response.status_code == 400 and "U+0000" in response.content.decode()


def test_services_refuse_them_for_every_text_an_official_writes(people, submit):
    appeal = submit(people["applicant"])
    with pytest.raises(ValidationError) as refused:
        services.answer_appeal(people["official"], appeal, text="Checked\x00.", outcome="explained")
    assert "text" in refused.value.message_dict
    appeal.refresh_from_db()
    assert appeal.status == "registered"


@pytest.mark.parametrize(
    "data, fmt",
    [
        (b"name,amount\nLift\x07,12\n", "CSV"),
        (b"name,amount\nLift\xc2\x85,12\n", "CSV"),
        (b'[{"name": "Lift\\u0000", "amount": 12}]', "JSON"),
    ],
)
def test_open_data_uploads_with_control_characters_are_refused_with_the_line(data, fmt):
    parsed = ingest.prepare(data, fmt)
    assert not parsed.valid
    assert parsed.report[0]["type"] == "control-character"
    assert "control character" in parsed.report[0]["message"]
    if fmt == "CSV":
        assert parsed.report[0]["row"] == 2


# --- the inputs that answered 500 ------------------------------------------------------------------------------


def test_ckan_package_list_with_a_non_integer_limit_is_a_validation_error(client, db):
    response = client.get("/api/3/action/package_list", {"limit": "abc"})
    assert response.status_code == 409
    assert response.json()["success"] is False and "limit" in response.json()["error"]


@pytest.mark.parametrize(
    "path, params",
    [
        ("/api/3/action/package_list", {"offset": "9" * 25}),
        ("/api/3/action/package_list", {"limit": "9" * 25}),
        ("/api/3/action/package_search", {"start": "9" * 25}),
    ],
)
def test_ckan_huge_offsets_answer_an_empty_page(client, db, path, params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    body = response.json()["result"]
    assert (body if isinstance(body, list) else body["results"]) == []


@pytest.mark.parametrize("debug", [False, True])
def test_a_10_mb_json_body_is_a_json_413_in_debug_and_production(client, people, token_for, settings, debug):
    settings.DEBUG = debug
    response = api_post(client, token_for(people["applicant"]), json.dumps({**APPEAL, "text": "x" * (10 * 1024 * 1024)}))
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/no-such-thing"),
        ("delete", "/api/v1/bodies"),
        ("get", "/api/3/action-not-here"),
        ("get", "/open311/v2/nothing.xml"),
    ],
)
def test_errors_of_the_machine_interfaces_are_never_html(client, db, method, path):
    response = getattr(client, method)(path)
    assert response.status_code in (404, 405)
    assert not response["Content-Type"].startswith("text/html")
    if path.endswith(".xml"):
        assert ET.fromstring(response.content).tag == "errors"
    else:
        json.loads(response.content)


# --- Idempotency-Key -------------------------------------------------------------------------------------------


def test_an_idempotency_key_over_100_characters_is_refused_not_shortened(client, people, token_for):
    token = token_for(people["applicant"])
    shared = "k" * 100
    first = api_post(client, token, json.dumps(APPEAL), HTTP_IDEMPOTENCY_KEY=shared + "-first")
    second = api_post(client, token, json.dumps({**APPEAL, "text": "Another appeal."}), HTTP_IDEMPOTENCY_KEY=shared + "-second")
    for response in (first, second):
        assert response.status_code == 400
        assert "at most 100 characters" in response.json()["errors"]["idempotency_key"][0]
    assert not Appeal.objects.exists()
    exact = api_post(client, token, json.dumps(APPEAL), HTTP_IDEMPOTENCY_KEY=shared)
    assert exact.status_code == 201 and Appeal.objects.get().idempotency_key == shared


@pytest.mark.parametrize("path", ["/api/v1/legal-acts/processes", "/api/v1/legal-acts/acts", "/api/v1/budget/facts"])
def test_huge_offsets_in_the_legal_acts_and_budget_api_answer_an_empty_page(client, db, path):
    response = client.get(path, {"offset": "9" * 27})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body if isinstance(body, list) else body["results"]) == []
