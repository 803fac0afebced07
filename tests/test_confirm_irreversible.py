"""Steps that cannot be undone take two pages (core/confirmation.py): the form leads to a page that says what will
happen and reads back what was entered; only its "Yes" takes the step. "No, go back" returns to the appeal page with
everything still typed. Each irreversible step of an appeal is checked with the test client, and two of them in
headless Chromium."""

import datetime as dt

import pytest
from django.urls import reverse

from ashyq.core import calendar
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, EventKind
from ashyq.dialogue.models import Status as AppealStatus
from ashyq.moderation import services as moderation
from ashyq.moderation.models import ModerationDecision, Target

from .chromium import headless_chromium, needs_chromium
from .legalacts_helpers import rule  # noqa: F401 (fixture)

TODAY = dt.date(2026, 11, 2)  # a Monday: the redirect and extension windows are open on the day of registration


def _answered(appeal, people):
    services.answer_appeal(people["official"], appeal, text="We checked: no permit fee is due.", outcome="explained")
    return appeal


# step: (who takes it, prepare the appeal, the form's fields, a typed text the page must read back, the event it adds)
STEPS = {
    "answer": (
        "official",
        lambda appeal, people: appeal,
        lambda appeal: {"outcome": "refused", "text": "No fee is due for this permit.", "legal_ground": "Art. 89 APPC"},
        "No fee is due for this permit.",
        EventKind.ANSWERED,
    ),
    "redirect": (
        "official",
        lambda appeal, people: appeal,
        lambda appeal: {"to_body": "general-prosecutors-office", "reason": "Supervision of officials is the prosecutor's."},
        "Supervision of officials is the prosecutor's.",
        EventKind.REDIRECTED,
    ),
    "extend": (
        "head",
        lambda appeal, people: appeal,
        lambda appeal: {"until": calendar.add_working_days(appeal.due_on, 5).isoformat(), "reason": "An inspection is due."},
        "An inspection is due.",
        EventKind.EXTENDED,
    ),
    "feedback": (
        "applicant",
        _answered,
        lambda appeal: {"resolution": "no", "rating": "2", "comment": "The fee was still demanded."},
        "The fee was still demanded.",
        EventKind.FEEDBACK,
    ),
    "withdraw": (
        "applicant",
        lambda appeal, people: appeal,
        lambda appeal: {"reason": "Solved with the neighbours."},
        "Solved with the neighbours.",
        EventKind.WITHDRAWN,
    ),
}


@pytest.fixture
def step_on(client, people, submit, at):
    """An appeal ready for the step, the client signed in as who takes it, and the step's valid fields."""

    def make(name):
        who, prepare, fields, typed, event = STEPS[name]
        with at(TODAY):
            appeal = prepare(submit(people["applicant"]), people)
        client.force_login(people[who])
        return Appeal.objects.get(pk=appeal.pk), fields(appeal), typed, event

    return make


def _post(client, at, appeal, name, data):
    """Post the step's fields as the appeal page names them: by step (answer-text), its steps being one form."""
    named = {key if key in ("confirmed", "change") else f"{name}-{key}": value for key, value in data.items()}
    with at(TODAY):
        return client.post(reverse("dialogue:action", args=[appeal.pk, name]), named)


def _state(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    return (appeal.status, appeal.body_id, appeal.due_on, appeal.events.count(), hasattr(appeal, "feedback"))


@pytest.mark.parametrize("name", STEPS)
def test_the_form_leads_to_a_page_that_says_what_happens_and_changes_nothing(client, at, step_on, name):
    appeal, data, typed, _ = step_on(name)
    before = _state(appeal)
    response = _post(client, at, appeal, name, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"No. {appeal.number}" in page.split("<h1>")[1].split("</h1>")[0] and "This cannot be undone" in page
    assert typed.replace("'", "&#x27;") in page  # read back, and carried to the confirming post
    assert 'name="confirmed" value="yes"' in page and 'name="change" value="yes"' in page
    for field, value in data.items():
        assert f'name="{name}-{field}" value="{value}"'.replace("'", "&#x27;") in page.replace("'", "&#x27;")
    assert _state(appeal) == before


@pytest.mark.parametrize("name", STEPS)
def test_confirming_takes_the_step(client, at, step_on, name):
    appeal, data, typed, event = step_on(name)
    response = _post(client, at, appeal, name, {**data, "confirmed": "yes"})
    assert response.status_code == 302
    last = Appeal.objects.get(pk=appeal.pk).events.order_by("-seq").first()
    assert last.kind == event


@pytest.mark.parametrize("name", STEPS)
def test_going_back_keeps_what_was_typed_and_changes_nothing(client, at, step_on, name):
    appeal, data, typed, _ = step_on(name)
    before = _state(appeal)
    response = _post(client, at, appeal, name, {**data, "change": "yes"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="form-{name}"' in page and typed.replace("'", "&#x27;") in page
    assert "This cannot be undone" not in page and "errorlist" not in page
    assert _state(appeal) == before


def test_the_page_reads_back_choices_in_words(client, at, step_on):
    appeal, data, _, _ = step_on("feedback")
    page = _post(client, at, appeal, "feedback", {**data, "resolution": "yes"}).content.decode()
    assert "<dd>yes, my problem was solved</dd>" in page  # the verdict in words, not as its code
    appeal, data, _, _ = step_on("redirect")
    page = _post(client, at, appeal, "redirect", data).content.decode()
    assert "General Prosecutor" in page and "<dd>general-prosecutors-office</dd>" not in page


@pytest.mark.parametrize("name", STEPS)
def test_a_form_with_errors_is_shown_again_not_confirmed(client, at, step_on, name):
    appeal, data, _, _ = step_on(name)
    before = _state(appeal)
    emptied = dict.fromkeys(data, "")
    for posted in (emptied, {**emptied, "confirmed": "yes"}):
        response = _post(client, at, appeal, name, posted)
        assert response.status_code == 400 and "This field is required" in response.content.decode()
        assert "This cannot be undone" not in response.content.decode()
    assert _state(appeal) == before


def test_the_reason_of_a_withdrawal_is_required(client, at, step_on):
    appeal, _, _, _ = step_on("withdraw")
    response = _post(client, at, appeal, "withdraw", {"reason": "", "confirmed": "yes"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status != AppealStatus.WITHDRAWN


@pytest.mark.parametrize("name", STEPS)
def test_someone_who_may_not_take_the_step_is_not_asked_to_confirm_it(client, at, people, step_on, name):
    appeal, data, _, _ = step_on(name)
    before = _state(appeal)
    client.force_login(people["other_official"])  # of another body: may read nothing of this appeal
    assert _post(client, at, appeal, name, data).status_code in (403, 404)
    client.force_login(people["monitor"])  # may read every appeal, act on none
    response = _post(client, at, appeal, name, data)
    assert response.status_code == 403 and "This cannot be undone" not in response.content.decode()
    assert _state(appeal) == before


def test_switching_the_language_on_the_confirmation_returns_to_the_appeal_page(client, at, step_on):
    """The confirmation answers a POST only: its language switch goes back to the appeal page, not to a 405."""
    appeal, data, _, _ = step_on("withdraw")
    page = _post(client, at, appeal, "withdraw", data).content.decode()
    detail = reverse("dialogue:detail", args=[appeal.pk])
    assert f'name="next" type="hidden" value="{detail}"' in page
    assert f'formaction="/i18n/keep/?next={detail}"' in page


# --- a moderator's decisions -------------------------------------------------------------------------------------


def _decisions(appeal):
    appeal = Appeal.objects.get(pk=appeal.pk)
    return (appeal.published_at, appeal.hidden_at, appeal.events.count(), ModerationDecision.objects.count())


@pytest.fixture
def awaiting(people, submit):
    return submit(people["applicant"], subject="Potholes", text="The road to school is broken.", is_public=True)


@pytest.fixture
def hidden(people, submit):
    appeal = submit(people["applicant"], subject="Potholes", text="The road to school is broken.", is_public=True)
    moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    for i in range(3):
        moderation.report_abuse(None, f"10.1.0.{i}", appeal, target="appeal", reason="spam")
    return Appeal.objects.get(pk=appeal.pk)


MODERATION_STEPS = {
    # step: (the appeal's fixture, its address, the form's fields, words of the confirmation, the decision)
    "approve": ("awaiting", "/moderation/{pk}/appeal/approve/", {}, "Everyone can read the redacted copy", "approved"),
    "refuse": (
        "awaiting",
        "/moderation/{pk}/appeal/refuse/",
        {"refuse-reason": "duplicate", "refuse-note": "See 2026-1."},
        "See 2026-1.",
        "refused",
    ),
    "restore": (
        "hidden",
        "/moderation/{pk}/hidden/restore/",
        {"restore-note": "The reports were wrong."},
        "The reports were wrong.",
        "restored",
    ),
    "keep_hidden": (
        "hidden",
        "/moderation/{pk}/hidden/keep/",
        {"keep-reason": "offensive", "keep-note": "Insults."},
        "Insults.",
        "kept_hidden",
    ),
}


@pytest.mark.parametrize("name", MODERATION_STEPS)
def test_a_moderators_decision_is_confirmed_on_a_second_page(client, people, request, name):
    fixture, address, data, words, decision = MODERATION_STEPS[name]
    appeal = request.getfixturevalue(fixture)
    url = address.format(pk=appeal.pk)
    client.force_login(people["moderator"])
    before = _decisions(appeal)

    page = client.post(url, data)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"No. {appeal.number}" in text and "This cannot be undone" in text and words in text
    assert _decisions(appeal) == before

    back = client.post(url, {**data, "change": "yes"})
    assert back.status_code == 200 and "This cannot be undone" not in back.content.decode()
    assert all(value in back.content.decode() for value in data.values())  # what was typed is in the form again
    assert _decisions(appeal) == before

    assert client.post(url, {**data, "confirmed": "yes"}).status_code == 302
    assert _decisions(appeal) != before
    assert ModerationDecision.objects.filter(appeal=appeal).latest("pk").decision == decision


@pytest.mark.parametrize("name", ["refuse", "keep_hidden"])
def test_a_decision_without_its_reason_is_shown_again_not_confirmed(client, people, request, name):
    fixture, address, data, _, _ = MODERATION_STEPS[name]
    appeal = request.getfixturevalue(fixture)
    client.force_login(people["moderator"])
    before = _decisions(appeal)
    note = next(name for name in data if name.endswith("-note"))
    response = client.post(address.format(pk=appeal.pk), {note: "x"})
    assert response.status_code == 400 and "This cannot be undone" not in response.content.decode()
    assert _decisions(appeal) == before


@pytest.mark.parametrize("name", MODERATION_STEPS)
def test_no_one_but_a_moderator_gets_a_decisions_confirmation(client, people, request, name):
    fixture, address, data, _, _ = MODERATION_STEPS[name]
    appeal = request.getfixturevalue(fixture)
    client.force_login(people["official"])
    assert client.post(address.format(pk=appeal.pk), data).status_code == 403


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_withdrawing_in_a_browser_asks_first(live_server, people, submit):
    from django.test import Client
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    appeal = submit(people["applicant"])
    session = Client()
    session.force_login(people["applicant"])
    with headless_chromium() as driver:
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.set_window_size(390, 844)
        driver.get(f"{live_server.url}/appeals/{appeal.pk}/")
        wait = WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw textarea[name=withdraw-reason]").send_keys(
            "Solved with the neighbours."
        )
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw button[type=submit]").click()
        # Each click loads a new page: wait for what it shows rather than read the old one.
        wait.until(lambda d: "This cannot be undone" in d.find_element(By.TAG_NAME, "main").text)
        assert Appeal.objects.get(pk=appeal.pk).status != AppealStatus.WITHDRAWN
        # Back: the reason is still there; then forward and confirm.
        driver.find_element(By.ID, "confirm-back").click()
        reason = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#form-withdraw textarea[name=withdraw-reason]"))
        assert reason.get_attribute("value") == "Solved with the neighbours."
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw button[type=submit]").click()
        wait.until(lambda d: d.find_element(By.ID, "confirm-yes")).click()
        wait.until(lambda d: "The appeal is withdrawn." in d.find_element(By.TAG_NAME, "body").text)
        assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.WITHDRAWN


# --- a developer's end of a discussion of a draft legal act ----------------------------------------------------------


@pytest.fixture
def draft(people, rule, at):
    """A draft whose discussion closed and whose report is published: it may now be adopted or withdrawn."""
    from ashyq.legalacts import services as legalacts

    from .legalacts_helpers import publish

    with at(dt.date(2026, 3, 2)):
        process = publish(people["official"], opens_on=dt.date(2026, 3, 2), closes_on=dt.date(2026, 3, 30))
    with at(dt.date(2026, 3, 31)):
        legalacts.publish_report(people["official"], process)
    process.refresh_from_db()
    return process


LEGAL_STEPS = {
    "adopt": ({"number": "42", "adopted_on": "2026-03-31"}, "an adopted act cannot return to discussion", "adopted"),
    "withdraw": ({"reason": "The Code changed; a new draft follows."}, "a withdrawn draft cannot be reopened", "withdrawn"),
}


@pytest.mark.parametrize("name", LEGAL_STEPS)
def test_ending_a_discussion_is_confirmed_on_a_second_page(client, people, at, draft, name):
    data, words, stage = LEGAL_STEPS[name]
    url = reverse("legalacts:manage-action", args=[draft.pk, name])
    client.force_login(people["official"])
    before = draft.stage
    with at(dt.date(2026, 3, 31)):
        page = client.post(url, data)
        assert page.status_code == 200 and words in page.content.decode()
        assert all(value in page.content.decode() for value in data.values() if "-" not in value)
        draft.refresh_from_db()
        assert draft.stage == before
        back = client.post(url, {**data, "change": "yes"})
        assert back.status_code == 200 and words not in back.content.decode()
        assert list(data.values())[0] in back.content.decode()  # what was typed is in the form again
        draft.refresh_from_db()
        assert draft.stage == before
        assert client.post(url, {**data, "confirmed": "yes"}).status_code == 302
    draft.refresh_from_db()
    assert draft.stage == stage


@pytest.mark.parametrize("name", LEGAL_STEPS)
def test_no_one_but_the_developer_gets_the_confirmation(client, people, at, draft, name):
    data, words, _ = LEGAL_STEPS[name]
    client.force_login(people["other_official"])
    with at(dt.date(2026, 3, 31)):
        response = client.post(reverse("legalacts:manage-action", args=[draft.pk, name]), data)
    assert response.status_code in (403, 404) and words not in response.content.decode()
