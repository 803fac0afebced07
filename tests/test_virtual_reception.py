"""The President's Virtual Reception: its own page and form; the appeal is registered at the Presidential
Administration on the virtual_reception channel, keeps the usual terms and may be redirected under the usual rules;
its figures are counted apart in the analysis and on the monitors' dashboard."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.analysis import reports
from ashyq.dialogue import selectors, services
from ashyq.dialogue.models import Appeal, AppealEvent, Channel, EventKind, Status

MONDAY = dt.date(2026, 11, 2)
FORM = {
    "type": "application",
    "subject": "Pension not paid",
    "text": "My pension has not been paid for three months.",
    "region": "KZ-75",
}


@pytest.fixture
def administration(bodies):
    return bodies["presidential-administration"]


@pytest.fixture
def pa_official(make_user, administration):
    return make_user(Role.OFFICIAL, administration, username="pa-official")


def test_the_reference_data_has_the_presidential_administration_with_its_source(administration):
    assert selectors.virtual_reception_body() == administration
    assert administration.accepts_appeals and administration.source.startswith("https://")


def test_a_citizen_writes_to_the_virtual_reception_and_it_is_registered_at_the_administration(client, people, administration, at):
    client.force_login(people["applicant"])
    page = client.get(reverse("dialogue:virtual-reception"))
    assert page.status_code == 200
    html = page.content.decode()
    assert administration.name in html and 'name="body"' not in html, "no body to choose: it goes to the Administration"
    with at(MONDAY):
        response = client.post(reverse("dialogue:virtual-reception"), FORM)
    appeal = Appeal.objects.get(applicant=people["applicant"])
    assert response.status_code == 302 and response["Location"] == reverse("dialogue:detail", args=[appeal.pk])
    assert appeal.channel == Channel.VIRTUAL_RECEPTION and appeal.body == administration == appeal.addressed_body
    assert appeal.due_on == dt.date(2026, 11, 23), "the usual 15 working days"
    registered = AppealEvent.objects.get(appeal=appeal, kind=EventKind.REGISTERED)
    assert registered.data["channel"] == "virtual_reception" and registered.to_body == administration
    detail = client.get(response["Location"]).content.decode()
    assert "Virtual Reception of the President" in detail


def test_a_bad_form_keeps_what_was_typed_and_registers_nothing(client, people, reference):
    client.force_login(people["applicant"])
    response = client.post(reverse("dialogue:virtual-reception"), {**FORM, "subject": ""})
    assert response.status_code == 400
    assert FORM["text"] in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_channel_cannot_be_used_to_reach_another_body(people, submit):
    with pytest.raises(ValidationError) as error:
        submit(people["applicant"], body="anti-corruption-agency", channel=Channel.VIRTUAL_RECEPTION)
    assert "Presidential Administration" in error.value.message_dict["body"][0]
    assert not Appeal.objects.exists()


def test_the_administration_redirects_under_the_usual_rules_and_the_channel_stays(people, submit, bodies, pa_official, at):
    with at(MONDAY):
        appeal = submit(people["applicant"], body="presidential-administration", channel=Channel.VIRTUAL_RECEPTION)
        late = submit(people["applicant"], body="presidential-administration", channel=Channel.VIRTUAL_RECEPTION)
    with at(MONDAY + dt.timedelta(days=2)):
        services.redirect_appeal(pa_official, appeal, bodies["anti-corruption-agency"], "A matter of corruption")
    appeal.refresh_from_db()
    assert appeal.body == bodies["anti-corruption-agency"] and appeal.channel == Channel.VIRTUAL_RECEPTION
    assert appeal.status == Status.REGISTERED and appeal.received_on == MONDAY + dt.timedelta(days=2)
    with at(MONDAY + dt.timedelta(days=7)), pytest.raises(ValidationError) as error:
        services.redirect_appeal(pa_official, late, bodies["anti-corruption-agency"], "Too late")
    assert "redirect term ended" in error.value.message_dict["to_body"][0]
    # The receiving body answers it; it stays a Virtual Reception appeal on the record.
    with at(MONDAY + dt.timedelta(days=9)):
        services.answer_appeal(people["official"], appeal, text="Checked and resolved.", outcome="resolved")
    assert Appeal.objects.get(pk=appeal.pk).channel == Channel.VIRTUAL_RECEPTION


def test_its_figures_appear_apart_in_the_analysis_and_on_the_dashboard(
    client, people, submit, pa_official, bodies, at, run_queue
):
    with at(MONDAY):
        reception = submit(people["applicant"], body="presidential-administration", channel=Channel.VIRTUAL_RECEPTION)
        submit(people["applicant"], body="presidential-administration", channel=Channel.VIRTUAL_RECEPTION)
        submit(people["other_applicant"])
        services.redirect_appeal(pa_official, reception, bodies["anti-corruption-agency"], "Its matter")
        run_queue()
    rows = {r["channel"]: r["count"] for r in reports.channels(reports.scope(None, "2026-11", "2026-11"))["rows"]}
    assert rows["virtual_reception"] == 2 and rows["open_dialogue"] == 1
    client.force_login(people["monitor"])
    with at(MONDAY + dt.timedelta(days=1)):
        dashboard = client.get(reverse("assessment:dashboard"))
    by_channel = {r["key"]: r for r in dashboard.context["channels"]["rows"]}
    assert by_channel["virtual_reception"]["received"] == 2 and by_channel["virtual_reception"]["redirected"] == 1
    assert by_channel["open_dialogue"]["received"] == 1 and by_channel["open_dialogue"]["redirected"] == 0


def test_below_the_level_the_page_says_which_level_and_how_to_reach_it(client, people, settings, reference):
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, "write_appeal": "sms"}
    client.force_login(people["applicant"])
    html = client.get(reverse("dialogue:virtual-reception")).content.decode()
    assert 'name="subject"' not in html and "phone confirmed by an SMS code" in html
    assert reverse("accounts:verification") + "?next=/appeals/virtual-reception/" in html


def test_an_anonymous_visitor_is_sent_to_sign_in(client, reference):
    response = client.get(reverse("dialogue:virtual-reception"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
