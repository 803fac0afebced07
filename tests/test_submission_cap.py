"""One cap on new appeals for every channel (the form, the JSON API, Open311), per applicant and per client
address, configurable; the counters are shared, so changing channel gains nothing."""

import json

import pytest
from django.urls import reverse

from ashyq.dialogue.models import Appeal

APPEAL = {
    "body": "anti-corruption-agency",
    "type": "report",
    "subject": "Broken lift",
    "text": "The lift is broken.",
    "region": "KZ-75",
}


def via_api(client, token, address="203.0.113.1"):
    return client.post(
        "/api/v1/appeals",
        json.dumps(APPEAL),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        REMOTE_ADDR=address,
    )


def via_form(client, user, address="203.0.113.1"):
    client.force_login(user)
    return client.post(reverse("dialogue:new"), APPEAL, REMOTE_ADDR=address)


def via_open311(client, token, address="203.0.113.1"):
    return client.post(
        "/open311/v2/requests.json",
        {
            "api_key": token,
            "service_code": "report",
            "attribute[body]": "anti-corruption-agency",
            "attribute[region]": "KZ-75",
            "description": "The lift is broken.",
        },
        REMOTE_ADDR=address,
    )


def test_the_api_stops_at_the_per_user_cap_with_a_json_429(client, people, token_for, settings):
    settings.ASHYQ_SUBMISSIONS_PER_USER = "5/h"
    token = token_for(people["applicant"])
    statuses = [via_api(client, token).status_code for _ in range(5)]
    refused = via_api(client, token, address="198.51.100.9")  # another address does not reset a person's cap
    assert statuses == [201] * 5 and refused.status_code == 429
    assert "too many appeals" in refused.json()["detail"] and int(refused["Retry-After"]) >= 1
    assert Appeal.objects.count() == 5


def test_the_cap_is_shared_by_the_form_the_api_and_open311(client, people, token_for, settings):
    settings.ASHYQ_SUBMISSIONS_PER_USER = "3/h"
    token = token_for(people["applicant"])
    assert via_form(client, people["applicant"]).status_code == 302
    client.logout()
    assert via_api(client, token).status_code == 201
    assert via_open311(client, token).status_code == 200
    assert via_api(client, token).status_code == 429
    assert via_open311(client, token).status_code == 429
    response = via_form(client, people["applicant"])
    assert response.status_code == 429 and "too many appeals" in response.content.decode()
    assert Appeal.objects.count() == 3


def test_the_per_address_cap_holds_across_accounts(client, people, token_for, settings):
    settings.ASHYQ_SUBMISSIONS_PER_ADDRESS = "2/h"
    tokens = [token_for(people["applicant"]), token_for(people["other_applicant"])]
    assert via_api(client, tokens[0]).status_code == 201
    assert via_api(client, tokens[1]).status_code == 201
    assert via_api(client, tokens[0]).status_code == 429
    assert via_api(client, tokens[1], address="198.51.100.9").status_code == 201  # another connection: its own cap


def test_the_defaults_are_those_of_the_form_before():
    from django.conf import settings

    assert (settings.ASHYQ_SUBMISSIONS_PER_USER, settings.ASHYQ_SUBMISSIONS_PER_ADDRESS) == ("20/h", "60/h")


@pytest.mark.parametrize("rate", ["6/h", "4/d"])
def test_the_cap_is_a_setting(client, people, token_for, settings, rate):
    settings.ASHYQ_SUBMISSIONS_PER_USER = rate
    token = token_for(people["applicant"])
    limit = int(rate.split("/")[0])
    statuses = [via_api(client, token, address=f"10.0.{n // 250}.{n % 250}").status_code for n in range(limit + 1)]
    assert statuses == [201] * limit + [429]
