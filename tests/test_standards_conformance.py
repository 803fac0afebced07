"""The OpenAPI document checked by openapi-spec-validator (the specification's own validator), and Open311 answers
checked field by field against the GeoReport v2 specification's lists, in JSON and XML: every element the
standard names is there with the type it gives, and nothing else is but Ashyq's one documented extension."""

import datetime as dt
import xml.etree.ElementTree as ET

from openapi_spec_validator import validate

from tests.test_open311 import form, published  # noqa: F401 (fixtures)

BASE = "/open311/v2"

# GeoReport v2 (wiki.open311.org/GeoReport_v2), element by element, with the kind of value the standard gives.
GEOREPORT_SERVICE = {
    "service_code": "id",
    "service_name": "text",
    "description": "text",
    "metadata": "boolean",
    "type": ("realtime", "batch", "blackbox"),
    "keywords": "text",
    "group": "text",
}
GEOREPORT_REQUEST = {
    "service_request_id": "id",
    "status": ("open", "closed"),
    "status_notes": "text",
    "service_name": "text",
    "service_code": "id",
    "description": "text",
    "agency_responsible": "text",
    "service_notice": "text",
    "requested_datetime": "datetime",
    "updated_datetime": "datetime",
    "expected_datetime": "datetime",
    "address": "text",
    "address_id": "id",
    "zipcode": "text",
    "lat": "number",
    "long": "number",
    "media_url": "url",
    # Ashyq's one extension (documented in docs/api.md; GeoReport v2 clients skip elements they do not know): the
    # channel the appeal came through, one of dialogue's channels.
    "channel": ("open_dialogue", "virtual_reception", "blog", "web_conference"),
}
GEOREPORT_POST_RESPONSE = {"service_request_id": "id", "service_notice": "text", "account_id": "id"}
GEOREPORT_ERROR = {"code": "integer", "description": "text"}
ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}


def _value_ok(kind, value, xml: bool) -> bool:
    if value is None or value == "":
        return kind not in ("id",) or value is None  # optional elements may be empty; ids are never empty strings
    if isinstance(kind, tuple):
        return value in kind
    if kind == "boolean":
        return value in ("true", "false") if xml else isinstance(value, bool)
    if kind == "integer":
        return str(value).isdigit()
    if kind == "number":
        return float(value) is not None
    if kind == "datetime":  # W3C format with a time zone
        return dt.datetime.fromisoformat(value).tzinfo is not None
    return isinstance(value, str)


def _check_json(items, fields):
    assert isinstance(items, list) and items
    for item in items:
        assert set(item) == set(fields), set(item) ^ set(fields)
        for name, kind in fields.items():
            assert _value_ok(kind, item[name], xml=False), (name, item[name])


def _check_xml(content: bytes, root: str, fields):
    tree = ET.fromstring(content)
    assert tree.tag == root and len(tree)
    for child in tree:
        assert child.tag == ROOTS[root]
        values = {e.tag: e.text for e in child}
        assert set(values) == set(fields), set(values) ^ set(fields)
        for name, kind in fields.items():
            assert _value_ok(kind, values[name], xml=True), (name, values[name])


def test_the_openapi_document_passes_openapi_spec_validator(client, reference):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    validate(response.json())  # raises OpenAPIValidationError on any fault


def test_an_invalid_openapi_document_is_refused_by_the_same_validator(client, reference):
    import pytest
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    spec = client.get("/api/v1/openapi.json").json()
    first = next(iter(spec["paths"].values()))
    next(iter(first.values()))["responses"] = "none"
    with pytest.raises(OpenAPIValidationError):
        validate(spec)


def test_services_follow_georeport_v2(client, db):
    _check_json(client.get(f"{BASE}/services.json").json(), GEOREPORT_SERVICE)
    _check_xml(client.get(f"{BASE}/services.xml").content, "services", GEOREPORT_SERVICE)


def test_service_requests_follow_georeport_v2(client, published):  # noqa: F811
    _check_json(client.get(f"{BASE}/requests.json").json(), GEOREPORT_REQUEST)
    _check_xml(client.get(f"{BASE}/requests.xml").content, "service_requests", GEOREPORT_REQUEST)
    number = published["road"].number
    _check_json(client.get(f"{BASE}/requests/{number}.json").json(), GEOREPORT_REQUEST)
    _check_xml(client.get(f"{BASE}/requests/{number}.xml").content, "service_requests", GEOREPORT_REQUEST)


def test_posting_a_request_and_its_errors_follow_georeport_v2(client, form):  # noqa: F811
    _check_json(client.post(f"{BASE}/requests.json", form).json(), GEOREPORT_POST_RESPONSE)
    _check_xml(client.post(f"{BASE}/requests.xml", form).content, "service_requests", GEOREPORT_POST_RESPONSE)
    bad = {**form, "service_code": "pothole"}
    _check_json(client.post(f"{BASE}/requests.json", bad).json(), GEOREPORT_ERROR)
    _check_xml(client.post(f"{BASE}/requests.xml", bad).content, "errors", GEOREPORT_ERROR)
