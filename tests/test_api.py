"""The JSON API at /api/v1/ as a client uses it: tokens, appeals, statutory rules, errors, reference data."""

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ashyq.accounts.models import ApiToken
from ashyq.bodies.models import Body
from ashyq.core import calendar
from ashyq.dialogue import services
from ashyq.dialogue.models import Answer, Appeal, AppealEvent

MONDAY = dt.date(2026, 11, 2)
REDIRECT_LAST_DAY = dt.date(2026, 11, 5)  # 3 working days after MONDAY

VALID = {
    "body": "anti-corruption-agency",
    "type": "report",
    "subject": "Bribe demanded for a building permit",
    "text": "The clerk at the land office asked for money to issue the permit.",
    "region": "KZ-75",
}


def call(client, method, path, token=None, data=None, **headers):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    body = data if isinstance(data, str) else json.dumps(data if data is not None else {})
    return client.post(f"/api/v1{path}", body, content_type="application/json", headers=headers)


def state(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    return (appeal.status, appeal.body_id, appeal.due_on, appeal.received_on, appeal.events.count())


# --- Writing an appeal ------------------------------------------------------------------------------------


def test_writing_an_appeal_returns_its_number_and_statutory_due_date(client, people, token_for, at):
    day = dt.date(2026, 3, 16)  # Nauryz (21-25 March) falls inside the term
    with at(day) as now:
        response = call(client, "post", "/appeals", token_for(people["applicant"]), VALID)
    assert response.status_code == 201
    body = response.json()
    appeal = Appeal.objects.get()
    assert body["id"] == appeal.pk and body["number"] == appeal.number and re.fullmatch(r"2026-\d{6}", body["number"])
    assert body["status"] == "registered" and body["deadline_state"] == "on_time"
    assert dt.datetime.fromisoformat(body["registered_at"]) == now
    # 15 working days on Kazakhstan's calendar, day 0 being the registration day: the holidays push it past
    # what counting Mondays to Fridays would give (6 April).
    assert body["due_on"] == calendar.add_working_days(day, 15, "KZ").isoformat() == "2026-04-09"
    assert appeal.applicant == people["applicant"] and appeal.body.slug == "anti-corruption-agency"


def test_the_answer_to_a_submission_is_what_reading_the_appeal_back_gives(client, people, token_for, at):
    """The answer to a submission is built from what the registration just wrote (no answer, no feedback, one stay at
    the addressed body, no attachments), without reading it back: it must say exactly what a read says."""
    token = token_for(people["applicant"])
    with at(MONDAY):
        created = call(client, "post", "/appeals", token, VALID)
        read = call(client, "get", f"/appeals/{created.json()['id']}", token)
    assert created.status_code == 201 and read.status_code == 200
    created_at, read_at = (dt.datetime.fromisoformat(r.json().pop("registered_at")) for r in (created, read))
    assert created_at == read_at  # the same moment (the registration's own clock gives it in local time)
    assert {k: v for k, v in created.json().items() if k != "registered_at"} == {
        k: v for k, v in read.json().items() if k != "registered_at"
    }
    appeal = Appeal.objects.get()
    assert created.json()["number"] == f"{MONDAY.year}-{appeal.pk:06d}" == appeal.number
    assert created.json()["redirect_chain"] == ["anti-corruption-agency"]
    assert created.json()["answer"] is None and created.json()["feedback"] is None and created.json()["attachments"] == []


def test_a_retry_after_the_appeal_moved_on_returns_it_as_it_now_stands(client, people, token_for, at):
    token = token_for(people["applicant"])
    with at(MONDAY):
        first = call(client, "post", "/appeals", token, VALID, **{"Idempotency-Key": "moved-on"})
        appeal = Appeal.objects.get(pk=first.json()["id"])
        services.redirect_appeal(people["official"], appeal, Body.objects.get(slug="general-prosecutors-office"), "Ours.")
        services.answer_appeal(people["other_official"], appeal, text="Checked.", outcome="resolved")
        retry = call(client, "post", "/appeals", token, VALID, **{"Idempotency-Key": "moved-on"})
    assert retry.status_code == 201 and retry.json()["id"] == appeal.pk
    assert retry.json()["redirect_chain"] == ["anti-corruption-agency", "general-prosecutors-office"]
    assert retry.json()["status"] == "answered" and retry.json()["answer"]["body"] == "general-prosecutors-office"
    assert retry.json() == call(client, "get", f"/appeals/{appeal.pk}", token).json()


def test_a_retry_with_the_same_idempotency_key_returns_the_same_appeal(client, people, token_for, at):
    token = token_for(people["applicant"])
    with at(MONDAY):
        first = call(client, "post", "/appeals", token, VALID, **{"Idempotency-Key": "f3b1c2d4-retry"})
        retry = call(client, "post", "/appeals", token, VALID, **{"Idempotency-Key": "f3b1c2d4-retry"})
        other = call(client, "post", "/appeals", token, VALID, **{"Idempotency-Key": "another-submission"})
    assert first.status_code == retry.status_code == 201
    assert retry.json()["id"] == first.json()["id"] and retry.json()["number"] == first.json()["number"]
    assert other.json()["id"] != first.json()["id"]
    assert Appeal.objects.count() == 2
    assert AppealEvent.objects.filter(kind="registered").count() == 2


def test_idempotency_keys_belong_to_one_applicant(client, people, token_for, at):
    with at(MONDAY):
        mine = call(client, "post", "/appeals", token_for(people["applicant"]), VALID, **{"Idempotency-Key": "k-1"})
        theirs = call(client, "post", "/appeals", token_for(people["other_applicant"]), VALID, **{"Idempotency-Key": "k-1"})
    assert mine.json()["id"] != theirs.json()["id"]
    assert Appeal.objects.get(pk=theirs.json()["id"]).applicant == people["other_applicant"]


def test_the_longest_text_allowed_is_accepted(client, people, token_for):
    response = call(client, "post", "/appeals", token_for(people["applicant"]), {**VALID, "text": "x" * 10_000})
    assert response.status_code == 201 and len(Appeal.objects.get().text) == 10_000


@pytest.mark.parametrize(
    "change, fields",
    [
        pytest.param({"body": "ministry-of-magic"}, {"body"}, id="unknown-body"),
        pytest.param({"region": "KZ-99"}, {"region"}, id="unknown-region"),
        pytest.param({"body": "nowhere", "region": "XX-1"}, {"body", "region"}, id="unknown-body-and-region"),
        pytest.param({"type": "petition"}, {"type"}, id="wrong-type"),
        pytest.param({"subject": ""}, {"subject"}, id="empty-subject"),
        pytest.param({"subject": "   "}, {"subject"}, id="blank-subject"),
        pytest.param({"text": ""}, {"text"}, id="empty-text"),
        pytest.param({"text": " \n\t "}, {"text"}, id="blank-text"),
        pytest.param({"text": "x" * 10_001}, {"text"}, id="over-long-text"),
        pytest.param({"subject": "s" * 201}, {"subject"}, id="over-long-subject"),
        pytest.param({"subject": 42}, {"subject"}, id="number-for-subject"),
        pytest.param({"text": None}, {"text"}, id="null-text"),
        pytest.param({"body": ["anti-corruption-agency"]}, {"body"}, id="list-for-body"),
        pytest.param({"is_public": "maybe"}, {"is_public"}, id="string-for-is_public"),
        pytest.param({"region": {"iso": "KZ-75"}}, {"region"}, id="object-for-region"),
        pytest.param({"text": None, "subject": None, "body": None}, {"text", "subject", "body"}, id="several-nulls"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_nothing_is_saved(client, people, token_for, change, fields):
    response = call(client, "post", "/appeals", token_for(people["applicant"]), {**VALID, **change})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"} and body["detail"]
    assert set(body["errors"]) == fields
    for messages in body["errors"].values():
        assert isinstance(messages, list) and messages and all(isinstance(m, str) and m for m in messages)
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()


def test_a_missing_field_is_named(client, people, token_for):
    data = {k: v for k, v in VALID.items() if k != "region"}
    response = call(client, "post", "/appeals", token_for(people["applicant"]), data)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"region"}
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("raw", ["{not json", '["a list"]', '"a string"'], ids=["malformed", "list", "string"])
def test_a_body_that_is_not_a_json_object_is_a_400(client, people, token_for, raw):
    response = call(client, "post", "/appeals", token_for(people["applicant"]), raw)
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}
    assert not Appeal.objects.exists()


# --- Authentication ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer ", "Bearer ashyq_not-a-real-token", "Token ashyq_not-a-real-token", "ashyq_not-a-real-token"],
    ids=["missing", "empty", "unknown", "wrong-scheme", "no-scheme"],
)
def test_writing_needs_a_valid_token(client, reference, authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = call(client, "post", "/appeals", None, VALID, **headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "A valid bearer token is required.", "errors": {}}
    assert not Appeal.objects.exists()


def test_an_invalid_token_is_refused_even_where_the_public_may_read(client, people, submit, at):
    with at(MONDAY) as now:
        appeal = submit(people["applicant"], is_public=True)
        Appeal.objects.filter(pk=appeal.pk).update(published_at=now)
    assert call(client, "get", f"/appeals/{appeal.pk}").status_code == 200
    assert call(client, "get", f"/appeals/{appeal.pk}", "ashyq_forged").status_code == 401
    assert call(client, "get", f"/appeals/{appeal.pk}/events", "ashyq_forged").status_code == 401


def test_a_revoked_token_or_a_deactivated_user_is_refused(client, people, token_for, submit):
    appeal = submit(people["applicant"])
    token = token_for(people["applicant"])
    assert call(client, "get", f"/appeals/{appeal.pk}", token).status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert call(client, "get", f"/appeals/{appeal.pk}", token).status_code == 401
    fresh = token_for(people["applicant"])
    people["applicant"].is_active = False
    people["applicant"].save()
    assert call(client, "get", f"/appeals/{appeal.pk}", fresh).status_code == 401


def test_create_api_token_prints_a_token_that_authenticates(client, people, submit):
    appeal = submit(people["applicant"])
    out = io.StringIO()
    call_command("create_api_token", "citizen", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("ashyq_") and len(token) > 30
    response = call(client, "get", f"/appeals/{appeal.pk}", token)
    assert response.status_code == 200 and response.json()["number"] == appeal.number
    assert ApiToken.objects.get(user=people["applicant"]).digest != token  # only the hash is stored
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", stdout=io.StringIO())


def test_anonymous_clients_are_throttled_with_retry_after(client, reference):
    statuses = [call(client, "get", "/regions").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    response = call(client, "get", "/regions")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert set(response.json()) == {"detail", "errors"}


def test_public_readers_are_throttled_per_client_not_all_together(client, people, submit, at, token_for):
    with at(MONDAY) as now:
        appeal = submit(people["applicant"], is_public=True)
        Appeal.objects.filter(pk=appeal.pk).update(published_at=now)
    url = f"/api/v1/appeals/{appeal.pk}"
    statuses = [client.get(url, REMOTE_ADDR="203.0.113.7").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60 and statuses[60] == 429  # the 60-a-minute limit without a token
    # A scraper exhausting its own limit does not lock out other readers or signed-in users.
    assert client.get(url, REMOTE_ADDR="198.51.100.20").status_code == 200
    assert call(client, "get", f"/appeals/{appeal.pk}", token_for(people["monitor"])).status_code == 200


# --- Statutory rules through the API -----------------------------------------------------------------------


@pytest.fixture
def registered(people, submit, at):
    """An appeal to the Anti-Corruption Agency registered on MONDAY (due 23 November 2026)."""
    with at(MONDAY):
        return submit(people["applicant"])


def test_redirect_on_the_last_day_of_the_term_works(client, people, token_for, registered, at):
    with at(REDIRECT_LAST_DAY):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/redirect",
            token_for(people["official"]),
            {"to_body": "general-prosecutors-office", "reason": "Prosecutors supervise permits."},
        )
    assert response.status_code == 200
    body = response.json()
    assert body["body"] == "general-prosecutors-office"
    assert body["redirect_chain"] == ["anti-corruption-agency", "general-prosecutors-office"]
    # The receiving body registers it the day it arrives; its own 15 working days start then.
    assert body["received_on"] == REDIRECT_LAST_DAY.isoformat()
    assert body["due_on"] == calendar.add_working_days(REDIRECT_LAST_DAY, 15).isoformat()


def test_redirect_after_the_three_working_day_term_is_refused(client, people, token_for, registered, at):
    before = state(registered)
    with at(REDIRECT_LAST_DAY + dt.timedelta(days=1)):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/redirect",
            token_for(people["official"]),
            {"to_body": "general-prosecutors-office", "reason": "Prosecutors supervise permits."},
        )
    assert response.status_code == 400
    assert "to_body" in response.json()["errors"]
    assert state(registered) == before


@pytest.mark.parametrize(
    "data, field",
    [
        ({"to_body": "ministry-of-magic", "reason": "Elsewhere."}, "to_body"),
        ({"to_body": "anti-corruption-agency", "reason": "Same body."}, "to_body"),
        ({"to_body": "general-prosecutors-office", "reason": "  "}, "reason"),
    ],
    ids=["unknown-body", "same-body", "no-reason"],
)
def test_redirect_needs_another_known_body_and_a_reason(client, people, token_for, registered, at, data, field):
    before = state(registered)
    with at(MONDAY):
        response = call(client, "post", f"/appeals/{registered.pk}/redirect", token_for(people["official"]), data)
    assert response.status_code == 400 and field in response.json()["errors"]
    assert state(registered) == before


def test_the_head_extends_up_to_two_months_in_total(client, people, token_for, registered, at):
    # received 2 November: at most until 2 January 2027, a holiday; 31 December is the last working day within it.
    with at(MONDAY):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/extend",
            token_for(people["head"]),
            {"until": "2026-12-31", "reason": "An audit of the land office is needed."},
        )
    assert response.status_code == 200 and response.json()["due_on"] == "2026-12-31"
    assert Appeal.objects.get(pk=registered.pk).events.last().kind == "extended"


def test_an_extension_past_two_months_is_refused(client, people, token_for, registered, at):
    before = state(registered)
    with at(MONDAY):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/extend",
            token_for(people["head"]),
            {"until": "2027-01-05", "reason": "An audit of the land office is needed."},
        )
    assert response.status_code == 400
    assert "until" in response.json()["errors"] and "2027-01-02" in response.json()["errors"]["until"][0]
    assert state(registered) == before


def test_an_extension_to_a_day_off_or_a_bad_date_is_refused(client, people, token_for, registered, at):
    before = state(registered)
    token = token_for(people["head"])
    with at(MONDAY):
        day_off = call(client, "post", f"/appeals/{registered.pk}/extend", token, {"until": "2026-12-16", "reason": "Audit."})
        not_a_date = call(client, "post", f"/appeals/{registered.pk}/extend", token, {"until": "soon", "reason": "Audit."})
    assert day_off.status_code == 400 and "until" in day_off.json()["errors"]  # Independence Day
    assert not_a_date.status_code == 400 and "until" in not_a_date.json()["errors"]
    assert state(registered) == before


def test_an_official_who_is_not_the_head_may_not_extend(client, people, token_for, registered, at):
    before = state(registered)
    with at(MONDAY):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/extend",
            token_for(people["official"]),
            {"until": "2026-12-01", "reason": "An audit of the land office is needed."},
        )
    assert response.status_code == 403 and response.json()["detail"]
    assert state(registered) == before


@pytest.mark.parametrize(
    "action, data",
    [
        ("redirect", {"to_body": "ministry-of-internal-affairs", "reason": "Police matter."}),
        ("extend", {"until": "2026-12-01", "reason": "Audit."}),
        ("answer", {"text": "Resolved.", "outcome": "resolved"}),
    ],
)
@pytest.mark.parametrize("role", ["other_official", "other_head"])
def test_staff_of_another_body_cannot_act_on_the_appeal(client, people, token_for, registered, at, action, data, role):
    before = state(registered)
    with at(MONDAY):
        response = call(client, "post", f"/appeals/{registered.pk}/{action}", token_for(people[role]), data)
    assert response.status_code in (403, 404)
    assert not Answer.objects.exists()
    assert state(registered) == before


def test_the_body_that_redirected_an_appeal_can_read_it_but_no_longer_act(client, people, token_for, registered, at):
    token = token_for(people["official"])
    with at(MONDAY):
        call(
            client,
            "post",
            f"/appeals/{registered.pk}/redirect",
            token,
            {"to_body": "general-prosecutors-office", "reason": "Prosecutors supervise permits."},
        )
        before = state(registered)
        assert call(client, "get", f"/appeals/{registered.pk}", token).status_code == 200
        response = call(client, "post", f"/appeals/{registered.pk}/answer", token, {"text": "Resolved.", "outcome": "resolved"})
    assert response.status_code == 403
    assert state(registered) == before


def test_answering_an_answered_appeal_is_a_conflict(client, people, token_for, registered, at):
    token = token_for(people["official"])
    with at(MONDAY):
        first = call(
            client, "post", f"/appeals/{registered.pk}/answer", token, {"text": "The permit was issued.", "outcome": "resolved"}
        )
        before = state(registered)
        second = call(
            client,
            "post",
            f"/appeals/{registered.pk}/answer",
            token_for(people["head"]),
            {"text": "Actually, refused.", "outcome": "refused", "legal_ground": "Art. 89"},
        )
    assert first.status_code == 200 and first.json()["answer"]["outcome"] == "resolved"
    assert second.status_code == 409
    assert second.json()["detail"] and second.json()["errors"] == {}
    assert Answer.objects.get().text == "The permit was issued."
    assert state(registered) == before


def test_a_refusal_must_cite_its_legal_ground(client, people, token_for, registered, at):
    before = state(registered)
    with at(MONDAY):
        response = call(
            client,
            "post",
            f"/appeals/{registered.pk}/answer",
            token_for(people["official"]),
            {"text": "Refused.", "outcome": "refused"},
        )
    assert response.status_code == 400 and "legal_ground" in response.json()["errors"]
    assert state(registered) == before


def test_feedback_once_after_the_answer_and_no_withdrawal_after_it(client, people, token_for, registered, at):
    token = token_for(people["applicant"])
    with at(MONDAY):
        early = call(client, "post", f"/appeals/{registered.pk}/feedback", token, {"resolved": "yes", "rating": 5})
        services.answer_appeal(people["official"], registered, text="The permit was issued.", outcome="resolved")
        bad = call(client, "post", f"/appeals/{registered.pk}/feedback", token, {"resolved": "maybe", "rating": 9})
        given = call(client, "post", f"/appeals/{registered.pk}/feedback", token, {"resolved": "partly", "rating": 4})
        again = call(client, "post", f"/appeals/{registered.pk}/feedback", token, {"resolved": "no", "rating": 1})
        withdraw = call(client, "post", f"/appeals/{registered.pk}/withdraw", token)
    assert early.status_code == 409
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"resolution", "rating"}
    assert given.status_code == 200 and given.json()["feedback"]["resolution"] == "partly"
    assert given.json()["feedback"]["rating"] == 4
    assert again.status_code == 409 and withdraw.status_code == 409
    assert Appeal.objects.get(pk=registered.pk).status == "answered"


def test_withdraw_needs_no_body(client, people, token_for, registered, at):
    with at(MONDAY):
        response = call(client, "post", f"/appeals/{registered.pk}/withdraw", token_for(people["applicant"]), None)
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn" and response.json()["deadline_state"] == "closed"


def test_an_unknown_appeal_is_404(client, people, token_for):
    response = call(client, "get", "/appeals/999999", token_for(people["monitor"]))
    assert response.status_code == 404 and response.json() == {"detail": "Not found.", "errors": {}}


# --- The record ---------------------------------------------------------------------------------------------


def test_the_events_list_every_step_in_order_with_the_bodies(client, people, token_for, registered, at):
    with at(MONDAY + dt.timedelta(days=1)):
        call(
            client,
            "post",
            f"/appeals/{registered.pk}/redirect",
            token_for(people["official"]),
            {"to_body": "general-prosecutors-office", "reason": "Prosecutors supervise permits."},
        )
    with at(MONDAY + dt.timedelta(days=3)):
        call(
            client,
            "post",
            f"/appeals/{registered.pk}/answer",
            token_for(people["other_official"]),
            {"text": "The permit was issued.", "outcome": "resolved"},
        )
    response = call(client, "get", f"/appeals/{registered.pk}/events", token_for(people["applicant"]))
    assert response.status_code == 200
    events = response.json()
    assert [(e["seq"], e["kind"], e["from_body"], e["to_body"]) for e in events] == [
        (1, "registered", None, "anti-corruption-agency"),
        (2, "redirected", "anti-corruption-agency", "general-prosecutors-office"),
        (3, "answered", None, "general-prosecutors-office"),
    ]
    assert events[1]["reason"] == "Prosecutors supervise permits."
    assert events[1]["data"]["due_on"] == calendar.add_working_days(MONDAY + dt.timedelta(days=1), 15).isoformat()
    assert [dt.datetime.fromisoformat(e["at"]).date() for e in events] == [
        MONDAY,
        MONDAY + dt.timedelta(days=1),
        MONDAY + dt.timedelta(days=3),
    ]
    assert events[1]["actor"] == "acc-official"  # the applicant sees who acted


def test_the_public_record_of_a_published_appeal_hides_names(client, people, token_for, registered, at):
    with at(MONDAY) as now:
        services.answer_appeal(people["official"], registered, text="The permit was issued.", outcome="resolved")
        Appeal.objects.filter(pk=registered.pk).update(is_public=True, published_at=now)
    events = call(client, "get", f"/appeals/{registered.pk}/events").json()
    assert [e["actor"] for e in events] == ["applicant", "official"]
    assert "citizen" not in json.dumps(events) and "acc-official" not in json.dumps(events)


# --- Reference data and the contract ------------------------------------------------------------------------


def test_bodies_have_stable_slugs_and_every_region_has_an_akimat(client, reference):
    response = call(client, "get", "/bodies")
    assert response.status_code == 200
    bodies = {b["slug"]: b for b in response.json()}
    for slug in (
        "anti-corruption-agency",
        "general-prosecutors-office",
        "ministry-of-internal-affairs",
        "ministry-of-healthcare",
    ):
        assert slug in bodies and bodies[slug]["accepts_appeals"]
    akimats = [b for b in bodies.values() if b["kind"] == "akimat"]
    assert len(akimats) == 20
    assert len({a["region"] for a in akimats}) == 20
    assert all(a["parent"] == "government" for a in akimats)


def test_regions_are_the_twenty_units_with_iso_codes(client, reference):
    response = call(client, "get", "/regions")
    assert response.status_code == 200
    codes = [r["iso_code"] for r in response.json()]
    assert len(codes) == len(set(codes)) == 20
    assert all(re.fullmatch(r"KZ-\d{2}", c) for c in codes)
    assert {"KZ-71", "KZ-75", "KZ-79"} <= set(codes)  # Astana, Almaty, Shymkent


CONTRACT = {
    "/api/v1/regions": {"get"},
    "/api/v1/bodies": {"get"},
    "/api/v1/appeals": {"post"},
    "/api/v1/appeals/{appeal_id}": {"get"},
    "/api/v1/appeals/{appeal_id}/events": {"get"},
    "/api/v1/appeals/{appeal_id}/redirect": {"post"},
    "/api/v1/appeals/{appeal_id}/extend": {"post"},
    "/api/v1/appeals/{appeal_id}/answer": {"post"},
    "/api/v1/appeals/{appeal_id}/feedback": {"post"},
    "/api/v1/appeals/{appeal_id}/withdraw": {"post"},
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_openapi_document_is_valid_and_lists_the_contract(client, reference):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    assert re.fullmatch(r"3\.\d+\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    for path, methods in CONTRACT.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), path
    operation_ids = []
    for path, item in spec["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in HTTP_METHODS | {"parameters", "summary", "description"}
            if method not in HTTP_METHODS:
                continue
            assert operation["responses"], (path, method)
            operation_ids.append(operation["operationId"])
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path" and p["required"] for p in operation["parameters"])
    assert len(operation_ids) == len(set(operation_ids))
    for ref in _refs(spec):
        assert ref.startswith("#/")
        node = spec
        for part in ref[2:].split("/"):
            node = node[part]  # every reference resolves inside the document
    schemes = spec["components"]["securitySchemes"]
    assert any(s["type"] == "http" and s["scheme"].lower() == "bearer" for s in schemes.values())
    assert spec["paths"]["/api/v1/appeals"]["post"]["security"]
    assert "security" not in spec["paths"]["/api/v1/bodies"]["get"]  # reference data is open


@pytest.mark.parametrize(
    "day, expected",
    [
        (MONDAY, "on_time"),
        (dt.date(2026, 11, 17), "on_time"),  # 4 working days left
        (dt.date(2026, 11, 18), "soon_due"),  # 3 working days left
        (dt.date(2026, 11, 23), "due_today"),
        (dt.date(2026, 11, 24), "overdue"),
        (calendar.add_working_days(dt.date(2026, 11, 23), 15), "overdue"),  # 15 working days late
        (calendar.add_working_days(dt.date(2026, 11, 23), 16), "very_overdue"),
    ],
)
def test_deadline_state_follows_the_calendar(client, people, token_for, registered, at, day, expected):
    with at(day):
        response = call(client, "get", f"/appeals/{registered.pk}", token_for(people["applicant"]))
    assert response.json()["due_on"] == "2026-11-23"
    assert response.json()["deadline_state"] == expected


def test_the_api_lets_the_applicant_choose_to_be_named_on_a_public_appeal(client, people, token_for, reference):
    from ashyq.dialogue.models import Appeal

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_for(people['applicant'])}"}
    base = {
        "body": "anti-corruption-agency",
        "type": "proposal",
        "subject": "Publish salaries",
        "text": "Please.",
        "region": "KZ-75",
    }
    named = client.post(
        "/api/v1/appeals", {**base, "is_public": True, "show_name": True}, content_type="application/json", **headers
    )
    private = client.post(
        "/api/v1/appeals", {**base, "subject": "Other", "show_name": True}, content_type="application/json", **headers
    )
    assert Appeal.objects.get(pk=named.json()["id"]).show_name is True
    # A private appeal is never shown, so a name choice on it means nothing and is not kept.
    assert Appeal.objects.get(pk=private.json()["id"]).show_name is False
