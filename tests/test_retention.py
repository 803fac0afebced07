"""`manage.py purge_personal_data` removes personal data outside the appeal record once its retention period has
passed (ASHYQ_RETAIN_* settings), each rule with a record just inside the period (kept) and just outside (removed):
unconfirmed sign-ups, who sent settled reports of abuse, the redacted fragments in moderators' logs, unused API
tokens, expired sessions and, when configured, the identity behind applicant accounts quiet for years.

A dry run changes nothing; a second run finds nothing more; each rule runs in its own transaction; a run leaves a
PurgeRun with counts and no data; the appeal record, its hash chains and everything public stay as they were."""

import dataclasses
import datetime as dt
import io
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.forms.models import model_to_dict
from django.utils import timezone

from ashyq.accounts import retention
from ashyq.accounts.models import ApiToken, PurgeRun, Role, User
from ashyq.core import clock
from ashyq.dialogue import integrity
from ashyq.dialogue import services as dialogue_services
from ashyq.dialogue.models import AppealEvent
from ashyq.moderation import services as moderation
from ashyq.moderation.models import AbuseReport, ModerationDecision, RedactionKind, Target
from ashyq.publicdata import export
from tests.conftest import PASSWORD

# The moment every purge below runs at, and one minute: the margin on either side of each period's edge.
T = timezone.make_aware(dt.datetime(2027, 9, 1, 10, 0))
MINUTE = dt.timedelta(minutes=1)
DAYS = dt.timedelta(days=1)
SECRET_WORDS = ["Sadykova", "701 555 12 34"]
TEXT = "My neighbour Sadykova, phone +7 701 555 12 34, blocks the road."


def purge(*args) -> str:
    out = io.StringIO()
    with clock.frozen_at(T):
        call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue()


def line(output: str, rule: str) -> str:
    return next(row for row in output.splitlines() if row.startswith(rule + " "))


def snapshot() -> dict:
    """Every row of every table this command may touch, as plain values."""
    from ashyq.dialogue.models import Appeal

    return {
        model._meta.label: [
            model_to_dict(o, exclude=["password"]) | {"password": getattr(o, "password", None)}
            for o in model.objects.order_by("pk")
        ]
        for model in (User, ApiToken, Session, AbuseReport, ModerationDecision, Appeal, AppealEvent, PurgeRun)
    }


def at_moment(moment):
    return clock.frozen_at(moment)


# --- the data: for each rule, one record just outside its period and one just inside ---------------------------


@pytest.fixture
def unconfirmed(make_user, people, submit):
    def sign_up(name, joined, role=Role.APPLICANT, body=None):
        user = make_user(role, body, username=name)
        User.objects.filter(pk=user.pk).update(is_active=False, date_joined=joined)
        return user

    with_appeal = make_user(Role.APPLICANT, username="has-appeal")
    submit(with_appeal)
    User.objects.filter(pk=with_appeal.pk).update(is_active=False, date_joined=T - 400 * DAYS)
    return {
        "outside": sign_up("old-signup", T - 30 * DAYS - MINUTE),
        "inside": sign_up("new-signup", T - 30 * DAYS + MINUTE),
        "confirmed": make_user(Role.APPLICANT, username="confirmed", date_joined=T - 400 * DAYS),
        "with_appeal": with_appeal,
        "never_signed_in_official": sign_up(
            "official-never-in", T - 400 * DAYS, role=Role.OFFICIAL, body=people["official"].body
        ),
    }


@pytest.fixture
def published(people, submit):
    """A public appeal approved by a moderator 400 days before T, with the fragments the moderator saw redacted."""
    with at_moment(T - 400 * DAYS):
        appeal = submit(people["applicant"], subject="Road blocked", text=TEXT, is_public=True)
        # Added by hand, so the test does not depend on what the automatic proposals find.
        moderation.add_redaction(
            people["moderator"], appeal, target=Target.APPEAL, field="text", fragment="Sadykova", kind=RedactionKind.NAME
        )
        moderation.add_redaction(
            people["moderator"], appeal, target=Target.APPEAL, field="text", fragment="+7 701 555 12 34", kind=RedactionKind.PHONE
        )
        moderation.approve(people["moderator"], appeal, target=Target.APPEAL)
    appeal.refresh_from_db()
    return appeal


@pytest.fixture
def reports(people, published):
    def report(who, address, resolved):
        with at_moment(T - 200 * DAYS):
            item = moderation.report_abuse(who, address, published, target=Target.APPEAL, reason="offensive", comment="Rude.")
        AbuseReport.objects.filter(pk=item.pk).update(resolved_at=resolved)
        item.refresh_from_db()
        return item

    return {
        "outside": report(people["other_applicant"], "198.51.100.7", T - 90 * DAYS - MINUTE),
        "inside": report(None, "198.51.100.8", T - 90 * DAYS + MINUTE),
        "open": report(people["monitor"], "198.51.100.9", None),
    }


@pytest.fixture
def decisions(people, submit, published):
    """Two decisions with fragments: one taken just outside 365 days before T, one just inside; and a refusal."""
    first = ModerationDecision.objects.get(appeal=published)
    ModerationDecision.objects.filter(pk=first.pk).update(decided_at=T - 365 * DAYS - MINUTE)
    with at_moment(T - 365 * DAYS + MINUTE):
        second = submit(people["applicant"], subject="Noise", text=TEXT, is_public=True)
        moderation.add_redaction(
            people["moderator"], second, target=Target.APPEAL, field="text", fragment="Sadykova", kind=RedactionKind.NAME
        )
        inside = moderation.approve(people["moderator"], second, target=Target.APPEAL)
        refused = moderation.refuse(
            people["moderator"], submit(people["applicant"], is_public=True), target=Target.APPEAL, reason="not_an_appeal"
        )
    first.refresh_from_db()
    return {"outside": first, "inside": inside, "refused": refused}


@pytest.fixture
def tokens(people):
    def token(user, *, created, used=None, revoked=None):
        item, _ = ApiToken.issue(user)
        ApiToken.objects.filter(pk=item.pk).update(created_at=created, last_used_at=used, revoked_at=revoked)
        item.refresh_from_db()
        return item

    old = T - 800 * DAYS
    return {
        "used_outside": token(people["official"], created=old, used=T - 365 * DAYS - MINUTE),
        "used_inside": token(people["official"], created=old, used=T - 365 * DAYS + MINUTE),
        "unused_outside": token(people["applicant"], created=T - 365 * DAYS - MINUTE),
        "unused_inside": token(people["applicant"], created=T - 365 * DAYS + MINUTE),
        "already_revoked": token(people["monitor"], created=old, used=old, revoked=old),
    }


@pytest.fixture
def sessions(people):
    def session(expires):
        store = SessionStore()
        store["_auth_user_id"] = str(people["applicant"].pk)
        store.create()
        Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
        return store.session_key

    return {"expired": session(T - MINUTE), "live": session(T + MINUTE)}


@pytest.fixture
def everything(unconfirmed, reports, decisions, tokens, sessions):
    return {"unconfirmed": unconfirmed, "reports": reports, "decisions": decisions, "tokens": tokens, "sessions": sessions}


# --- each rule ------------------------------------------------------------------------------------------------


def test_unconfirmed_sign_ups_are_deleted_after_the_period_and_nothing_else(unconfirmed):
    output = purge()
    assert line(output, "unconfirmed_accounts").endswith("older than 30 days: 1 deleted")
    assert not User.objects.filter(pk=unconfirmed["outside"].pk).exists()
    for kept in ("inside", "confirmed", "with_appeal", "never_signed_in_official"):
        assert User.objects.filter(pk=unconfirmed[kept].pk).exists(), kept


def test_a_sign_up_can_be_deleted_although_it_has_a_token(unconfirmed):
    # Tokens are issued by an operator; the account's deletion takes them along.
    ApiToken.issue(unconfirmed["outside"])
    purge()
    assert not ApiToken.objects.filter(user_id=unconfirmed["outside"].pk).exists()


def test_settled_reports_of_abuse_forget_who_sent_them_after_the_period(reports):
    before = {k: (r.reason, r.comment, r.created_at, r.resolved_at, r.appeal_id) for k, r in reports.items()}
    output = purge()
    assert line(output, "abuse_report_reporters").endswith("older than 90 days: 1 blanked")
    for key, report in reports.items():
        report.refresh_from_db()
        assert (report.reason, report.comment, report.created_at, report.resolved_at, report.appeal_id) == before[key]
    assert reports["outside"].address_hash == "" and reports["outside"].reporter is None
    assert reports["inside"].address_hash == moderation.address_hash("198.51.100.8")
    assert reports["open"].address_hash and reports["open"].reporter is not None  # open reports still count reporters


def test_redacted_fragments_are_blanked_after_the_period_keeping_who_when_and_what_kind(decisions, published, tmp_path):
    outside = decisions["outside"]
    texts = [entry["text"] for entry in outside.redactions]
    assert "Sadykova" in texts and "+7 701 555 12 34" in texts
    shape = [{k: v for k, v in entry.items() if k != "text"} for entry in outside.redactions]
    kept = (outside.moderator_id, outside.decided_at, outside.event_id, outside.decision, outside.target)
    public = (published.public_subject, published.public_text)
    export.write_export(tmp_path / "before")
    events_before = list(AppealEvent.objects.order_by("pk").values_list("pk", "hash"))

    output = purge()
    assert line(output, "redaction_fragments").endswith("older than 365 days: 1 blanked")
    outside.refresh_from_db()
    assert all(entry["text"] == "" for entry in outside.redactions)
    assert [{k: v for k, v in entry.items() if k != "text"} for entry in outside.redactions] == shape
    assert (outside.moderator_id, outside.decided_at, outside.event_id, outside.decision, outside.target) == kept
    inside = ModerationDecision.objects.get(pk=decisions["inside"].pk)
    assert inside.redactions == decisions["inside"].redactions and any(e["text"] for e in inside.redactions)
    assert ModerationDecision.objects.get(pk=decisions["refused"].pk).redactions == []

    # The public copy, the record and the export are as they were; none of them ever held the fragments.
    published.refresh_from_db()
    assert (published.public_subject, published.public_text) == public
    assert list(AppealEvent.objects.order_by("pk").values_list("pk", "hash")) == events_before
    assert list(integrity.verify_all()) == []
    export.write_export(tmp_path / "after")
    for name in ("appeals.csv", "appeals.json", "events.csv", "events.json"):
        assert (tmp_path / "after" / name).read_text() == (tmp_path / "before" / name).read_text()
        for word in SECRET_WORDS:
            assert word not in (tmp_path / "after" / name).read_text()


def test_fragments_are_blanked_batch_after_batch(decisions, monkeypatch):
    ModerationDecision.objects.filter(pk=decisions["inside"].pk).update(decided_at=T - 400 * DAYS)
    monkeypatch.setattr(retention, "BATCH", 1)
    assert line(purge(), "redaction_fragments").endswith("2 blanked")
    for decision in ModerationDecision.objects.all():
        assert all(entry["text"] == "" for entry in decision.redactions)


def test_unused_api_tokens_are_revoked_after_the_period(tokens):
    output = purge()
    assert line(output, "unused_api_tokens").endswith("older than 365 days: 2 revoked")
    state = {k: ApiToken.objects.get(pk=t.pk).revoked_at for k, t in tokens.items()}
    assert state["used_outside"] == T and state["unused_outside"] == T
    assert state["used_inside"] is None and state["unused_inside"] is None
    assert state["already_revoked"] == tokens["already_revoked"].revoked_at


def test_expired_sessions_are_deleted(sessions):
    output = purge()
    assert line(output, "expired_sessions").endswith(": 1 deleted")
    assert list(Session.objects.values_list("session_key", flat=True)) == [sessions["live"]]


# --- applicants quiet for years (off unless configured) ------------------------------------------------------


@pytest.fixture
def quiet(people, make_user, submit, at):
    """Applicants whose last step was answered on 2 March 2022, each kept busy in one other way but the first."""
    answered = dt.date(2022, 3, 2)
    last_step = timezone.make_aware(dt.datetime(2022, 3, 2, 10, 0))

    def applicant(name, *, last_login=last_step):
        user = make_user(Role.APPLICANT, username=name, first_name="Name", last_name=name.title())
        User.objects.filter(pk=user.pk).update(date_joined=last_step - 30 * DAYS, last_login=last_login)
        with at(answered - dt.timedelta(days=7)):
            appeal = submit(user, subject=f"About {name}", text="Text.", is_public=True)
        with at(answered):
            dialogue_services.answer_appeal(people["official"], appeal, text="Answer.", outcome="explained")
        user.refresh_from_db()
        return user, appeal

    quiet_user, quiet_appeal = applicant("quiet")
    busy_user, _ = applicant("busy")
    with at(dt.date(2027, 2, 1)):  # wrote again, and that appeal is still open
        submit(busy_user, subject="Open", text="Still waiting.")
    returning_user, _ = applicant("returning", last_login=T - 10 * DAYS)
    api_user, _ = applicant("api-user")
    token, _ = ApiToken.issue(api_user)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=T - 10 * DAYS)
    official = people["official"]
    User.objects.filter(pk=official.pk).update(date_joined=last_step - 400 * DAYS, last_login=last_step)
    return {
        "quiet": quiet_user,
        "quiet_appeal": quiet_appeal,
        "busy": busy_user,
        "returning": returning_user,
        "api": api_user,
        "official": official,
        "last_step": last_step,
    }


def test_quiet_applicants_are_kept_unless_a_period_is_set(quiet, settings):
    assert settings.ASHYQ_RETAIN_APPLICANT_DATA_YEARS is None  # the default: never
    output = purge()
    assert line(output, "applicant_accounts").endswith("off (ASHYQ_RETAIN_APPLICANT_DATA_YEARS is empty)")
    assert not User.objects.filter(anonymised_at__isnull=False).exists()


def test_applicants_quiet_for_the_period_are_anonymised_and_their_record_stays(quiet, settings, tmp_path):
    settings.ASHYQ_RETAIN_APPLICANT_DATA_YEARS = 5
    user, appeal = quiet["quiet"], quiet["quiet_appeal"]
    events = list(AppealEvent.objects.filter(appeal=appeal).order_by("seq").values_list("seq", "hash"))
    five_years_after = quiet["last_step"].replace(year=2027)

    # Just inside: five years after the last step less a minute, nothing happens.
    with clock.frozen_at(five_years_after - MINUTE):
        out = io.StringIO()
        call_command("purge_personal_data", stdout=out)
    assert line(out.getvalue(), "applicant_accounts").endswith("older than 5 years: 0 anonymised")
    assert User.objects.get(pk=user.pk).anonymised_at is None

    # Just outside: anonymised, and only that applicant.
    with clock.frozen_at(five_years_after + MINUTE):
        out = io.StringIO()
        call_command("purge_personal_data", stdout=out)
    assert line(out.getvalue(), "applicant_accounts").endswith("older than 5 years: 1 anonymised")
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email, user.is_active) == ("", "", None, False)
    assert user.username == f"anonymised-{user.pk}" and not user.has_usable_password()
    assert user.anonymised_at == five_years_after + MINUTE
    for key in ("busy", "returning", "api", "official"):
        other = User.objects.get(pk=quiet[key].pk)
        assert other.anonymised_at is None and other.email and other.is_active, key
    assert list(AppealEvent.objects.filter(appeal=appeal).order_by("seq").values_list("seq", "hash")) == events
    assert list(integrity.verify_all()) == []


# --- the run as a whole -----------------------------------------------------------------------------------------


def test_a_dry_run_counts_and_changes_nothing(everything):
    before = snapshot()
    output = purge("--dry-run")
    assert snapshot() == before
    assert not PurgeRun.objects.exists()
    assert line(output, "unconfirmed_accounts").endswith("1 would be deleted")
    assert line(output, "abuse_report_reporters").endswith("1 would be blanked")
    assert line(output, "redaction_fragments").endswith("1 would be blanked")
    assert line(output, "unused_api_tokens").endswith("2 would be revoked")
    assert line(output, "expired_sessions").endswith("1 would be deleted")
    assert "Dry run: nothing was changed." in output


def test_a_run_does_what_the_dry_run_said_leaves_a_trace_without_data_and_a_second_run_finds_nothing(everything, people):
    dry = purge("--dry-run")
    done = purge()
    for rule in (
        "unconfirmed_accounts",
        "abuse_report_reporters",
        "redaction_fragments",
        "unused_api_tokens",
        "expired_sessions",
    ):
        assert line(dry, rule).replace("would be ", "") == line(done, rule)
    run = PurgeRun.objects.get()
    assert run.counts == {
        "unconfirmed_accounts": 1,
        "abuse_report_reporters": 1,
        "redaction_fragments": 1,
        "unused_api_tokens": 2,
        "expired_sessions": 1,
    }
    assert run.periods["unconfirmed_accounts"] == "30 days" and run.periods["applicant_accounts"] is None
    assert run.failed == [] and run.started_at == T
    # Neither the output nor the trace holds what was removed.
    reporter_hash = moderation.address_hash("198.51.100.7")
    trace = str(model_to_dict(run)) + done
    for secret in [*SECRET_WORDS, "old-signup", "old-signup@example.kz", reporter_hash, everything["sessions"]["expired"]]:
        assert secret not in trace

    before = snapshot()
    again = purge()
    assert all(
        line(again, rule).endswith(": 0 " + verb)
        for rule, verb in [
            ("unconfirmed_accounts", "deleted"),
            ("abuse_report_reporters", "blanked"),
            ("redaction_fragments", "blanked"),
            ("unused_api_tokens", "revoked"),
            ("expired_sessions", "deleted"),
        ]
    )
    after = snapshot()
    assert len(after.pop(PurgeRun._meta.label)) == 2
    before.pop(PurgeRun._meta.label)
    assert after == before


def test_each_rule_runs_in_its_own_transaction(everything, monkeypatch):
    """A rule that fails is rolled back whole and named; the others are done, and the next run retries it."""

    def half_then_fail(candidates, now):
        retention.blank_fragments(candidates, now)
        raise RuntimeError("disk full")

    rules = [dataclasses.replace(r, apply=half_then_fail) if r.name == "redaction_fragments" else r for r in retention.RULES]
    monkeypatch.setattr(retention, "RULES", rules)
    with pytest.raises(CommandError, match="redaction_fragments"):
        purge()
    assert (
        ModerationDecision.objects.get(pk=everything["decisions"]["outside"].pk).redactions
        == everything["decisions"]["outside"].redactions
    )
    assert not User.objects.filter(pk=everything["unconfirmed"]["outside"].pk).exists()
    assert AbuseReport.objects.get(pk=everything["reports"]["outside"].pk).address_hash == ""
    run = PurgeRun.objects.get()
    assert run.failed == ["redaction_fragments"] and run.counts["unconfirmed_accounts"] == 1

    monkeypatch.undo()
    assert line(purge(), "redaction_fragments").endswith("1 blanked")


def test_nothing_public_changes(everything, people, client, tmp_path):
    published = everything["reports"]["outside"].appeal

    def pages():
        html = client.get(f"/appeals/{published.pk}/").content.decode() + client.get("/appeals/public/").content.decode()
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    export.write_export(tmp_path / "before")
    before = pages()
    assert people["applicant"].pseudonym in before and "[NAME]" in before
    purge()
    export.write_export(tmp_path / "after")
    for name in ("appeals.csv", "appeals.json", "events.csv", "events.json"):
        assert (tmp_path / "after" / name).read_bytes() == (tmp_path / "before" / name).read_bytes()
    assert pages() == before


def test_signing_in_still_works_for_everyone_the_rules_keep(everything, client):
    purge()
    assert client.login(username="confirmed", password=PASSWORD)


@pytest.mark.parametrize("raw, expected", [("", None), ("never", None), (" 30 ", 30), ("5", 5)])
def test_periods_are_read_from_the_environment(monkeypatch, raw, expected):
    from ashyq.settings import env_period

    monkeypatch.setenv("ASHYQ_RETAIN_TEST_DAYS", raw)
    assert env_period("ASHYQ_RETAIN_TEST_DAYS", 7) == expected


@pytest.mark.parametrize("raw", ["0", "-3", "thirty", "1.5"])
def test_a_period_that_is_not_a_whole_number_stops_start_up(monkeypatch, raw):
    from ashyq.settings import env_period

    monkeypatch.setenv("ASHYQ_RETAIN_TEST_DAYS", raw)
    with pytest.raises(ImproperlyConfigured, match="ASHYQ_RETAIN_TEST_DAYS"):
        env_period("ASHYQ_RETAIN_TEST_DAYS", 7)
