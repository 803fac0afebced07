"""The channel of an appeal (Open Dialogue, the President's Virtual Reception, a head's blog, a web conference):
kept on the appeal and in its registration event, shown on its page, in the API and Open311, and a filter on the
public record, in the assessment and in the content analysis."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ashyq.analysis import reports
from ashyq.dialogue.models import Appeal, AppealEvent, Channel, EventKind
from tests.public_record_helpers import publish

MONDAY = dt.date(2026, 11, 2)
PA = "presidential-administration"


@pytest.fixture
def appeals(people, submit, at, run_queue):
    """Two Open Dialogue appeals and one to the Virtual Reception, all published, in November 2026."""
    with at(MONDAY):
        dialogue = [
            publish(submit(people["applicant"], subject=f"road {i}", text="text"), f"Road {i}", "Public road text")
            for i in range(2)
        ]
        reception = publish(
            submit(people["other_applicant"], body=PA, channel=Channel.VIRTUAL_RECEPTION, subject="pension", text="text"),
            "Pension not paid",
            "Public pension text",
        )
        run_queue()
    return {"dialogue": dialogue, "reception": reception}


def test_the_channel_is_kept_on_the_appeal_and_in_its_registration_event(appeals):
    reception = appeals["reception"]
    assert reception.channel == Channel.VIRTUAL_RECEPTION
    registered = AppealEvent.objects.get(appeal=reception, kind=EventKind.REGISTERED)
    assert registered.data["channel"] == "virtual_reception"
    plain = AppealEvent.objects.get(appeal=appeals["dialogue"][0], kind=EventKind.REGISTERED)
    assert plain.data["channel"] == "open_dialogue"
    assert appeals["dialogue"][0].channel == Channel.OPEN_DIALOGUE


def test_an_unknown_channel_is_refused_and_nothing_is_saved(people, submit):
    before = Appeal.objects.count()
    with pytest.raises(ValidationError) as error:
        submit(people["applicant"], channel="carrier-pigeon")
    assert "channel" in error.value.message_dict
    assert Appeal.objects.count() == before


def test_the_appeal_page_the_api_and_open311_show_the_channel(client, token_for, people, appeals):
    reception = appeals["reception"]
    client.force_login(people["other_applicant"])
    page = client.get(reverse("dialogue:detail", args=[reception.pk])).content.decode()
    assert "Virtual Reception of the President" in page
    api = client.get(
        f"/api/v1/appeals/{reception.pk}", headers={"Authorization": f"Bearer {token_for(people['other_applicant'])}"}
    )
    assert api.json()["channel"] == "virtual_reception"
    client.logout()
    open311 = client.get(f"/open311/v2/requests/{reception.number}.json").json()
    assert open311[0]["channel"] == "virtual_reception"


def test_the_api_writes_an_appeal_through_a_channel_and_refuses_an_unknown_one(client, token_for, people, reference):
    headers = {"Authorization": f"Bearer {token_for(people['applicant'])}"}
    payload = {"body": PA, "type": "application", "subject": "Pension", "text": "Not paid for 3 months", "region": "KZ-75"}
    created = client.post(
        "/api/v1/appeals", {**payload, "channel": "virtual_reception"}, content_type="application/json", headers=headers
    )
    assert created.status_code == 201, created.content
    assert created.json()["channel"] == "virtual_reception"
    bad = client.post("/api/v1/appeals", {**payload, "channel": "fax"}, content_type="application/json", headers=headers)
    assert bad.status_code == 400
    assert "channel" in bad.json()["errors"]


def test_the_public_record_filters_by_channel(client, appeals):
    html = client.get(reverse("dialogue:public"), {"channel": "virtual_reception"}).content.decode()
    assert "Pension not paid" in html and "Road 0" not in html
    html = client.get(reverse("dialogue:public"), {"channel": "open_dialogue"}).content.decode()
    assert "Pension not paid" not in html and "Road 0" in html and "Road 1" in html
    assert client.get(reverse("dialogue:public"), {"channel": "fax"}).status_code == 400


def test_the_analysis_counts_each_channel_apart_and_filters_by_it(client, appeals):
    everything = reports.scope(None, "2026-11", "2026-11")
    counted = {r["channel"]: r["count"] for r in reports.channels(everything)["rows"]}
    assert counted == {"open_dialogue": 2, "virtual_reception": 1, "blog": 0, "web_conference": 0}
    reception = reports.scope(None, "2026-11", "2026-11", "virtual_reception")
    assert reports.causes(reception)["total"] == 1
    page = client.get(reverse("analysis:index"), {"from": "2026-11", "to": "2026-11", "channel": "virtual_reception"})
    assert page.status_code == 200
    assert 'value="virtual_reception" selected' in page.content.decode()
    download = client.get(reverse("analysis:table", args=["channels", "csv"]), {"from": "2026-11", "to": "2026-11"})
    rows = {r["channel"]: r for r in csv.DictReader(io.StringIO(download.content.decode()))}
    assert rows["virtual_reception"]["count"] == "1"
    assert client.get(reverse("analysis:index"), {"channel": "fax"}).status_code == 400


def test_the_assessment_shows_appeals_by_channel_and_one_channel_by_body(client, appeals, at):
    with at(MONDAY + dt.timedelta(days=3)):
        by_channel = client.get(reverse("assessment:channels"), {"period": "2026-11"})
        assert by_channel.status_code == 200
        rows = by_channel.context["rows"]
        assert {r["key"]: r["received"] for r in rows} == {
            "open_dialogue": 2,
            "virtual_reception": 1,
            "blog": 0,
            "web_conference": 0,
        }
        one = client.get(reverse("assessment:channels"), {"period": "2026-11", "channel": "virtual_reception"})
        assert [(r["key"], r["received"]) for r in one.context["rows"]] == [(PA, 1)]
        download = client.get(reverse("assessment:channels-download", args=["csv"]), {"period": "2026-11"})
        table = {r["channel"]: r for r in csv.DictReader(io.StringIO(download.content.decode()))}
        assert table["virtual_reception"]["received"] == "1" and table["open_dialogue"]["received"] == "2"
        assert client.get(reverse("assessment:channels"), {"period": "2026-11", "channel": "fax"}).status_code == 404


def test_the_monitor_dashboard_shows_the_virtual_reception_apart(client, people, appeals, at):
    client.force_login(people["monitor"])
    with at(MONDAY + dt.timedelta(days=3)):
        page = client.get(reverse("assessment:dashboard"))
    rows = {r["key"]: r for r in page.context["channels"]["rows"]}
    assert rows["virtual_reception"]["received"] == 1 and rows["open_dialogue"]["received"] == 2
    assert 'id="dashboard-channel-virtual_reception"' in page.content.decode()
