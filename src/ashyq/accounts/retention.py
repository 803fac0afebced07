"""Retention of personal data outside the appeal record: what `manage.py purge_personal_data` removes, and when.

The appeal record itself (appeals, their hash-chained events, answers, feedback, attachments) is a state
record with its own statutory retention and is never deleted here. What goes is personal data kept beside it
for a working purpose that has passed: sign-ups never confirmed, who reported what once the report is settled,
the personal-data fragments a moderator saw redacted, credentials nobody uses, finished sessions, and (only if
the operator sets a period) the identity behind accounts that have been quiet for years.

Each rule reads its period from settings (docs/operations.md, "Personal data and retention"), picks the records
older than that, and changes them in its own transaction, so a failing rule leaves the others done and its own
records for the next run. Rules only ever select what is still there to remove, so a second run changes nothing.
A run leaves a PurgeRun row with the counts, never the data.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q, QuerySet

from ashyq.core import clock
from ashyq.dialogue.models import OPEN_STATUSES, Appeal, AppealEvent
from ashyq.moderation.models import AbuseReport, ModerationDecision

from .models import ApiToken, PurgeRun, Role, User

logger = logging.getLogger("ashyq.accounts.retention")

BATCH = 1000  # rows changed per statement where each row needs its own new value

DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db")


@dataclass(frozen=True)
class Rule:
    name: str
    setting: str | None  # None: always applies, with `now` as the cut-off (the records say when they end)
    unit: str  # "days" or "years"
    what: str
    done: str  # what happened to each record: deleted, blanked, ...
    candidates: Callable[[dt.datetime, dt.datetime], QuerySet]  # (cutoff, now) -> records to change
    apply: Callable[[QuerySet, dt.datetime], int]  # (candidates, now) -> records changed

    def period(self) -> int | None:
        return getattr(settings, self.setting) if self.setting else None

    def is_on(self) -> bool:
        return self.setting is None or self.period() is not None

    def period_text(self) -> str | None:
        if self.setting is None:
            return "on expiry"
        period = self.period()
        return None if period is None else f"{period} {self.unit if period != 1 else self.unit[:-1]}"

    def cutoff(self, now: dt.datetime) -> dt.datetime:
        period = self.period()
        if self.setting is None:
            return now
        if self.unit == "years":
            return years_before(now, period)
        return now - dt.timedelta(days=period)


def years_before(moment: dt.datetime, years: int) -> dt.datetime:
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February in a year that has none
        return moment.replace(year=moment.year - years, day=28)


# --- unconfirmed sign-ups ------------------------------------------------------------------------------------


def unconfirmed_accounts(cutoff, now):
    """Applicants who signed up before the cut-off, never confirmed their email (inactive, never signed in) and
    have no appeal. Anonymised accounts are inactive too, but they are not sign-ups: left alone."""
    return User.objects.filter(
        role=Role.APPLICANT,
        is_active=False,
        last_login__isnull=True,
        anonymised_at__isnull=True,
        is_staff=False,
        is_superuser=False,
        date_joined__lt=cutoff,
    ).exclude(Exists(Appeal.objects.filter(applicant=OuterRef("pk"))))


def delete_accounts(candidates, now) -> int:
    try:
        with transaction.atomic():
            return candidates.delete()[1].get(User._meta.label, 0)
    except ProtectedError:
        # Something of the record refers to one of them after all: delete the others one by one, keep that one.
        deleted = 0
        for pk in list(candidates.values_list("pk", flat=True)):
            try:
                with transaction.atomic():
                    deleted += candidates.filter(pk=pk).delete()[1].get(User._meta.label, 0)
            except ProtectedError:
                logger.warning("Unconfirmed account %s is referred to by the record and is kept", pk)
        return deleted


# --- reports of abuse ----------------------------------------------------------------------------------------


def abuse_report_addresses(cutoff, now):
    """Reports resolved before the cut-off that still say who sent them: the keyed hash of the address and the
    reporter's account. Only open reports are compared with new ones (moderation/services.report_abuse), so a
    settled report needs neither; its reason, comment and resolution stay."""
    return AbuseReport.objects.filter(resolved_at__lt=cutoff).filter(Q(reporter__isnull=False) | ~Q(address_hash=""))


def blank_reporters(candidates, now) -> int:
    return candidates.update(address_hash="", reporter=None)


# --- moderators' redaction logs ------------------------------------------------------------------------------


def redaction_fragments(cutoff, now):
    """Moderation decisions taken before the cut-off whose log still holds the redacted fragments (the names,
    numbers and addresses themselves). A log is written whole at the decision and blanked whole here, so its
    first entry tells whether it still holds text."""
    return (
        ModerationDecision.objects.filter(decided_at__lt=cutoff)
        .filter(redactions__0__text__isnull=False)
        .exclude(redactions__0__text="")
    )


def blank_fragments(candidates, now) -> int:
    """Keep each entry's field, offsets, kind and source (who decided, when and what kind of data was redacted
    stay on the decision); blank only the text."""
    changed, after = 0, 0
    while True:
        # Walk up the primary key, so each batch reads on from the last instead of rescanning the blanked ones.
        batch = list(candidates.filter(pk__gt=after).only("pk", "redactions").order_by("pk")[:BATCH])
        if not batch:
            return changed
        for decision in batch:
            decision.redactions = [{**entry, "text": ""} if isinstance(entry, dict) else entry for entry in decision.redactions]
        ModerationDecision.objects.bulk_update(batch, ["redactions"])
        changed += len(batch)
        after = batch[-1].pk


# --- API tokens ----------------------------------------------------------------------------------------------


def unused_api_tokens(cutoff, now):
    """Tokens not revoked whose last use (or, never used, whose issue) is before the cut-off."""
    return ApiToken.objects.filter(revoked_at__isnull=True).filter(
        Q(last_used_at__lt=cutoff) | Q(last_used_at__isnull=True, created_at__lt=cutoff)
    )


def revoke_tokens(candidates, now) -> int:
    return candidates.update(revoked_at=now)


# --- sessions ------------------------------------------------------------------------------------------------


def expired_sessions(cutoff, now):
    """Sessions past their expiry (they hold the account number of whoever signed in). Other session engines
    (signed cookies, the cache) keep nothing in the database to remove."""
    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE not in DB_SESSION_ENGINES:
        return Session.objects.none()
    return Session.objects.filter(expire_date__lt=cutoff)


def delete_rows(candidates, now) -> int:
    return candidates.delete()[0]


# --- applicants quiet for years ------------------------------------------------------------------------------


def quiet_applicants(cutoff, now):
    """Applicants with no open appeal, no step in any of their appeals' records since the cut-off, no sign-in
    and no use of an API token since then, and who joined before it."""
    return (
        User.objects.filter(
            role=Role.APPLICANT, anonymised_at__isnull=True, is_staff=False, is_superuser=False, date_joined__lt=cutoff
        )
        .exclude(last_login__gte=cutoff)
        .exclude(Exists(Appeal.objects.filter(applicant=OuterRef("pk"), status__in=OPEN_STATUSES)))
        .exclude(Exists(AppealEvent.objects.filter(appeal__applicant=OuterRef("pk"), at__gte=cutoff)))
        .exclude(Exists(ApiToken.objects.filter(user=OuterRef("pk"), last_used_at__gte=cutoff)))
    )


def anonymise_accounts(candidates, now) -> int:
    from . import services

    done = 0
    for pk in list(candidates.values_list("pk", flat=True)):
        # Lock and ask again: whoever signed in or wrote since the list was read is no longer quiet.
        user = candidates.filter(pk=pk).select_for_update().first()
        if user is not None:
            services.anonymise(user, why="retention: no activity within ASHYQ_RETAIN_APPLICANT_DATA_YEARS")
            done += 1
    return done


# In the order they run. Labels are for the operator's terminal and log, in English like the other commands.
RULES = [
    Rule(
        "unconfirmed_accounts",
        "ASHYQ_RETAIN_UNCONFIRMED_ACCOUNTS_DAYS",
        "days",
        "sign-ups never confirmed, without appeals",
        "deleted",
        unconfirmed_accounts,
        delete_accounts,
    ),
    Rule(
        "applicant_accounts",
        "ASHYQ_RETAIN_APPLICANT_DATA_YEARS",
        "years",
        "applicants without activity, all appeals closed",
        "anonymised",
        quiet_applicants,
        anonymise_accounts,
    ),
    Rule(
        "abuse_report_reporters",
        "ASHYQ_RETAIN_ABUSE_REPORT_ADDRESSES_DAYS",
        "days",
        "reporters of resolved abuse reports: address hash, account",
        "blanked",
        abuse_report_addresses,
        blank_reporters,
    ),
    Rule(
        "redaction_fragments",
        "ASHYQ_RETAIN_REDACTION_FRAGMENTS_DAYS",
        "days",
        "redacted fragments in moderation decisions",
        "blanked",
        redaction_fragments,
        blank_fragments,
    ),
    Rule(
        "unused_api_tokens",
        "ASHYQ_RETAIN_UNUSED_API_TOKENS_DAYS",
        "days",
        "API tokens not used",
        "revoked",
        unused_api_tokens,
        revoke_tokens,
    ),
    Rule("expired_sessions", None, "days", "expired sessions", "deleted", expired_sessions, delete_rows),
]


@dataclass
class Outcome:
    rule: Rule
    period: str | None
    count: int | None  # None: the rule is off
    failed: bool = False


def purge(*, dry_run: bool = False) -> list[Outcome]:
    """Apply every rule that is on. A dry run counts what would change and changes nothing (no PurgeRun either)."""
    started = clock.now()
    outcomes = []
    for rule in RULES:
        if not rule.is_on():
            outcomes.append(Outcome(rule, None, None))
            continue
        now = clock.now()
        candidates = rule.candidates(rule.cutoff(now), now)
        try:
            if dry_run:
                count = candidates.count()
            else:
                with transaction.atomic():
                    count = rule.apply(candidates, now)
        except Exception:
            # The traceback names the rule, not the data; the rule's records wait for the next run.
            logger.exception("purge_personal_data: the rule %s failed and was rolled back", rule.name)
            outcomes.append(Outcome(rule, rule.period_text(), 0, failed=True))
            continue
        outcomes.append(Outcome(rule, rule.period_text(), count))
        if not dry_run:
            logger.info("purge_personal_data: %s %s %s", rule.name, count, rule.done)
    if not dry_run:
        PurgeRun.objects.create(
            started_at=started,
            finished_at=clock.now(),
            periods={o.rule.name: o.period for o in outcomes},
            counts={o.rule.name: o.count for o in outcomes if o.count is not None},
            failed=[o.rule.name for o in outcomes if o.failed],
        )
    return outcomes
