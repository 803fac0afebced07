"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis, in-process WSGI).

Whatever the generated input (any operation, any path id, any JSON body, with no token, a wrong token, or an
applicant's, an official's or a head's token), the API never answers with a server error, and every answer is
one the document describes: a documented status, the documented content type, and a body that matches the
documented schema (errors included: api.ERROR_RESPONSES). Every example runs against a world with real
appeals, and about half the examples are pointed at one of them, so the operations get past "404 Not found"
into the services. The number of examples per operation is bounded (FUZZ) to keep the run short in CI; it runs
on SQLite and on PostgreSQL like the rest of the suite.
"""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ashyq.dialogue import services
from ashyq.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def in_test_transaction(environ, start_response):
    """The Django WSGI app, without closing the test's database connection at the end of each request
    (as django.test.Client does), so every example sees the test's data."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = application(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return [body]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", in_test_transaction)

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def world(people, submit, token_for):
    open_appeal = submit(people["applicant"], is_public=True)
    answered = submit(people["applicant"])
    services.answer_appeal(people["official"], answered, text="Checked.", outcome="explained")
    return {
        "ids": [open_appeal.pk, answered.pk],
        "tokens": {role: token_for(people[role]) for role in ("applicant", "official", "head")},
        "counter": [0],
    }


def _call(case, world, headers):
    cache.clear()  # the per-address and per-user throttles would turn the rest of the run into 429s
    world["counter"][0] += 1
    if case.path_parameters and "appeal_id" in case.path_parameters and world["counter"][0] % 2:
        case.path_parameters["appeal_id"] = world["ids"][world["counter"][0] // 2 % len(world["ids"])]
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_api_anonymous_never_500(case, world):
    _call(case, world, {})


@schema.parametrize()
@FUZZ
def test_api_with_a_wrong_token_never_500(case, world):
    _call(case, world, {"Authorization": "Bearer ashyq_not-a-real-token"})


@pytest.mark.parametrize("role", ["applicant", "official", "head"])
@schema.parametrize()
@FUZZ
def test_api_signed_in_never_500(case, world, role):
    _call(case, world, {"Authorization": f"Bearer {world['tokens'][role]}"})
