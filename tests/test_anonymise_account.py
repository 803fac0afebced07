"""An applicant anonymises their account from their account page: their name, email, username and password go,
their API tokens and sessions stop working, and the appeal record stays whole (events and hash chains untouched,
the same pseudonym on the public record). Refused with a clear message while an appeal is open, with a wrong
password or without the tick; staff cannot do it themselves."""

import datetime as dt
import io
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ashyq.accounts.models import ApiToken, Role, User
from ashyq.dialogue import integrity, services
from ashyq.dialogue.models import AppealEvent
from ashyq.dialogue.notifications import notify_applicant
from ashyq.publicdata import export
from tests.chromium import IN_CI, needs_chromium
from tests.conftest import PASSWORD
from tests.public_record_helpers import publish, publish_answer
from tests.test_accessibility import AXE, Auditor, _submit_and_wait, axe_source, browser  # noqa: F401 (fixtures)

MONDAY = dt.date(2026, 3, 2)
ANONYMISE = reverse("accounts:anonymise")


@pytest.fixture
def applicant(make_user):
    return make_user(Role.APPLICANT, username="aigerim.s", first_name="Aigerim", last_name="Sadykova")


@pytest.fixture
def record(applicant, people, submit, at):
    """Three closed appeals: one public under the pseudonym, one public under the applicant's name, one private."""
    with at(MONDAY):
        pseudonymous = submit(applicant, subject="Road", text="The road to the school is broken.", is_public=True)
        named = submit(applicant, subject="Bribe", text="Money was asked for a permit.", is_public=True, show_name=True)
        private = submit(applicant, subject="Private", text="Only the body reads this.")
    with at(MONDAY + dt.timedelta(days=3)):
        services.answer_appeal(people["official"], pseudonymous, text="Repaired.", outcome="resolved")
        services.answer_appeal(people["official"], named, text="Investigated.", outcome="explained")
        services.withdraw_appeal(applicant, private, reason="Solved by itself.")
    publish(pseudonymous, "Road", "The road to the school is broken.")
    publish_answer(pseudonymous, "Repaired.")
    publish(named, "Bribe", "Money was asked for a permit.")
    return {"pseudonymous": pseudonymous, "named": named, "private": private}


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def chains(appeals) -> dict:
    return {
        a.pk: list(AppealEvent.objects.filter(appeal=a).order_by("seq").values_list("seq", "kind", "actor_id", "reason", "hash"))
        for a in appeals
    }


def exported(tmp_path, name) -> str:
    out = tmp_path / name
    export.write_export(out)
    return {p.name: p.read_text(encoding="utf-8") for p in out.iterdir() if p.name != "datapackage.json"}


def public_pages(client, record) -> str:
    body = record["named"].body.slug
    return client.get(reverse("dialogue:public")).content.decode() + client.get(reverse("body", args=[body])).content.decode()


def test_the_account_page_shows_the_person_their_data_and_the_way_to_anonymise(applicant, reference):
    page = signed_in(applicant).get(reverse("accounts:account")).content.decode()
    assert "aigerim.s" in page and "Aigerim Sadykova" in page and "aigerim.s@example.kz" in page
    assert applicant.pseudonym in page
    assert f'href="{ANONYMISE}"' in page


def test_an_applicant_anonymises_their_account_and_the_record_stays_whole(applicant, record, people, tmp_path, token_for):
    appeals = list(record.values())
    token = token_for(applicant)
    alias = applicant.public_alias
    laptop, phone = signed_in(applicant), signed_in(applicant)  # two sessions: both must end
    before_chains = chains(appeals)
    before_export = exported(tmp_path, "before")
    before_rows = list(export.appeal_rows())
    anonymous = Client()
    before_public = public_pages(anonymous, record)
    assert "Aigerim Sadykova" in before_public and applicant.pseudonym in before_public

    page = laptop.get(ANONYMISE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="password"' in html and 'autocomplete="current-password"' in html and 'for="id_password"' in html
    assert 'name="confirm"' in html and 'for="id_confirm"' in html
    response = laptop.post(ANONYMISE, {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your account is anonymised" in response.content.decode()

    user = User.objects.get(pk=applicant.pk)
    assert (user.first_name, user.last_name, user.email) == ("", "", None)
    assert user.username == f"anonymised-{user.pk}" and "aigerim" not in user.username
    assert not user.has_usable_password() and not user.check_password(PASSWORD)
    assert not user.is_active and user.anonymised_at is not None
    assert user.public_alias == alias  # the pseudonym is the same
    assert not ApiToken.objects.filter(user=user, revoked_at__isnull=True).exists()

    # Nobody is signed in as them any more: not this session, not the other one, not the API, not a new sign-in.
    for client in (laptop, phone):
        assert client.get(reverse("dialogue:mine")).status_code == 302
        assert client.get(reverse("accounts:account"))["Location"].startswith(reverse("accounts:login"))
    api = Client().post(
        "/api/v1/appeals",
        {"body": "anti-corruption-agency", "type": "report", "subject": "S", "text": "T", "region": "KZ-75"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert api.status_code == 401
    assert not Client().login(username="aigerim.s", password=PASSWORD)

    # The record is untouched: the same events with the same hashes, chains that verify, choices as they were.
    assert chains(appeals) == before_chains
    assert list(integrity.verify_all()) == []
    out = io.StringIO()
    call_command("verify_event_chains", stdout=out)
    assert "All 3 appeal histories are intact." in out.getvalue()
    for appeal in appeals:
        appeal.refresh_from_db()
        assert appeal.applicant_id == user.pk
    assert (record["named"].show_name, record["pseudonymous"].show_name) == (True, False)

    # Nothing public changes, except that the name is gone: the export is the same, file by file and row by row.
    assert list(export.appeal_rows()) == before_rows
    after_export = exported(tmp_path, "after")
    assert after_export == before_export
    after_public = public_pages(anonymous, record)
    assert "Aigerim" not in after_public and "Sadykova" not in after_public
    assert applicant.pseudonym in after_public  # the pseudonymous appeal still shows the same pseudonym
    assert "Applicant (account anonymised)" in after_public  # the named one shows neither name nor pseudonym
    assert after_public.count(applicant.pseudonym) == before_public.count(applicant.pseudonym)
    for text in after_export.values():
        assert "aigerim" not in text.lower() and "sadykova" not in text.lower() and "example.kz" not in text

    # The body still sees the appeal and its history, without a name or an email to write to.
    official = Client()
    official.force_login(people["official"])
    detail = official.get(reverse("dialogue:detail", args=[record["named"].pk])).content.decode()
    assert "Money was asked for a permit." in detail and "Aigerim" not in detail and "example.kz" not in detail
    notify_applicant(record["named"].pk, record["named"].events.get(kind="answered").seq)
    assert not mail.outbox  # no address, no email


def test_a_wrong_password_is_refused_with_a_clear_message_and_changes_nothing(applicant, record, token_for):
    token_for(applicant)
    client = signed_in(applicant)
    response = client.post(ANONYMISE, {"password": "not-my-password", "confirm": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This is not your password." in html and 'role="alert"' in html
    user = User.objects.get(pk=applicant.pk)
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "aigerim.s",
        "Aigerim",
        "Sadykova",
        "aigerim.s@example.kz",
    )
    assert user.check_password(PASSWORD) and user.is_active and user.anonymised_at is None
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1
    assert client.get(reverse("dialogue:mine")).status_code == 200  # still signed in


def test_without_the_tick_nothing_happens(applicant, record):
    client = signed_in(applicant)
    response = client.post(ANONYMISE, {"password": PASSWORD})
    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert User.objects.get(pk=applicant.pk).anonymised_at is None
    # An empty form (as the page renders it) is refused too.
    assert client.post(ANONYMISE, {}).status_code == 400
    assert User.objects.get(pk=applicant.pk).is_active


def test_open_appeals_are_named_and_must_be_answered_or_withdrawn_first(applicant, record, submit):
    open_appeal = submit(applicant, subject="Still waiting", text="No answer yet.")
    client = signed_in(applicant)
    page = client.get(ANONYMISE).content.decode()
    assert open_appeal.number in page and "still open" in page
    response = client.post(ANONYMISE, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Your appeal {open_appeal.number} is still open" in html and "withdrawn" in html
    user = User.objects.get(pk=applicant.pk)
    assert user.email == "aigerim.s@example.kz" and user.is_active and user.check_password(PASSWORD)

    # Once it is withdrawn the same request goes through.
    services.withdraw_appeal(applicant, open_appeal)
    assert client.post(ANONYMISE, {"password": PASSWORD, "confirm": "on"}).status_code == 302
    assert User.objects.get(pk=applicant.pk).anonymised_at is not None


@pytest.mark.parametrize("role", ["official", "head", "moderator", "monitor", "admin"])
def test_staff_cannot_anonymise_themselves(people, role):
    user = people[role]
    client = Client()
    client.force_login(user)
    account = client.get(reverse("accounts:account")).content.decode()
    assert f'href="{ANONYMISE}"' not in account and "an administrator closes them" in account
    assert client.get(ANONYMISE).status_code == 403
    assert client.post(ANONYMISE, {"password": PASSWORD, "confirm": "on"}).status_code == 403
    user.refresh_from_db()
    assert user.is_active and user.anonymised_at is None and user.check_password(PASSWORD)


def test_anonymous_visitors_are_sent_to_sign_in(db):
    for url in (reverse("accounts:account"), ANONYMISE):
        assert Client().get(url)["Location"].startswith(reverse("accounts:login"))
        assert Client().post(url, {"password": PASSWORD, "confirm": "on"})["Location"].startswith(reverse("accounts:login"))


def test_several_anonymised_accounts_coexist_and_their_names_cannot_be_taken_at_sign_up(make_user, reference):
    first, second = make_user(Role.APPLICANT), make_user(Role.APPLICANT)
    for user in (first, second):
        assert signed_in(user).post(ANONYMISE, {"password": PASSWORD, "confirm": "on"}).status_code == 302
    assert User.objects.filter(email__isnull=True).count() == 2
    response = Client().post(
        reverse("accounts:signup"),
        {
            "username": f"anonymised-{first.pk + 100}",
            "email": "new@example.kz",
            "first_name": "A",
            "last_name": "B",
            "language": "en",
            "password1": "long-enough-password-77",
            "password2": "long-enough-password-77",
        },
    )
    assert response.status_code == 400 and "Please choose another username." in response.content.decode()
    assert not User.objects.filter(email="new@example.kz").exists()


def test_the_admin_log_no_longer_names_the_account(applicant, record, people):
    LogEntry.objects.create(
        user=people["admin"],
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(applicant.pk),
        object_repr=str(applicant),
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": ["Language"]}}]),
    )
    assert signed_in(applicant).post(ANONYMISE, {"password": PASSWORD, "confirm": "on"}).status_code == 302
    entry = LogEntry.objects.get(object_id=str(applicant.pk))
    assert entry.object_repr == f"anonymised-{applicant.pk}"


# --- accessibility of the two pages (axe-core in headless Chromium, as tests/test_accessibility.py) -------------


@pytest.mark.browser
@needs_chromium
@pytest.mark.skipif(not IN_CI and not AXE.exists(), reason="needs axe-core from npm (npm ci)")
@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_account_pages_are_accessible(language, browser, live_server, axe_source, applicant, record, submit):
    submit(applicant, subject="Still waiting", text="No answer yet.")  # so the open-appeal warning is on the page
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(applicant)
    auditor.audit("my account", reverse("accounts:account"))
    auditor.audit("anonymise my account", ANONYMISE)
    auditor.audit(
        "anonymise my account with errors", ANONYMISE, prepare=lambda d: _submit_and_wait(d, "main form button[type=submit]")
    )
    assert User.objects.get(pk=applicant.pk).anonymised_at is None
    assert not auditor.findings, "\n".join(auditor.findings)


@pytest.mark.django_db
def test_an_appeal_cannot_slip_in_from_a_session_opened_before_the_account_was_anonymised(people, submit):
    """The submission re-reads the applicant's row under lock: a request still holding the old user object
    (another tab, the same instant) is refused once the account is anonymised, and nothing is registered."""
    from django.core.exceptions import PermissionDenied

    from ashyq.dialogue.models import Appeal

    stale = people["applicant"]
    User.objects.filter(pk=stale.pk).update(is_active=False)
    with pytest.raises(PermissionDenied):
        submit(stale)
    assert not Appeal.objects.filter(applicant=stale).exists()
