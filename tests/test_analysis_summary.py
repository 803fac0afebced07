"""The monthly summary the content-analysis pages read (analysis/summary.py) equals a fresh aggregation of the
analysis rows, whatever the history (property test), and the reports read from it count what the rows say.

Hypothesis plays random appeal histories through the dialogue's services (the same histories as the incremental
figures' test: redirects back and forth, extensions, answers of every outcome, complaints, withdrawals, days and
months passing) and people's labels of cause and sector; the worker refreshes each appeal's rows, and with them the
summary, event by event. Then the summary must equal what the audit aggregates afresh from the rows in SQL, a rebuild
must give the same rows, and each report table must equal a count of the rows written here in Python."""

import datetime as dt
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ashyq.accounts.models import Role
from ashyq.analysis import refresh, reports, services, summary
from ashyq.analysis.models import AppealAnalysis, Handling, MonthlyCount
from ashyq.dialogue.models import Appeal

from .test_incremental_figures import BODIES, START, cast, history, play  # noqa: F401 (cast is a fixture)

CAUSES = ("corruption", "abuse_of_authority", "utilities")
SECTORS = ("corruption", "courts", "law-enforcement")
label_step = st.tuples(st.integers(0, 9), st.sampled_from(("cause", "sector")), st.integers(0, 2))


def stored() -> list[tuple]:
    return sorted(MonthlyCount.objects.values_list(*summary.KEY_COLUMNS, *summary.COUNT_COLUMNS))


def expected_counts(s: reports.Scope) -> dict:
    """Each report table counted from the rows in Python: the reports' unit of counting, written out plainly."""
    rows = [
        r
        for r in AppealAnalysis.objects.filter(month__gte=s.first, month__lte=s.last)
        if (s.body is None or r.body_id == s.body.pk) and (s.channel is None or r.channel == s.channel)
    ]
    counted = [r for r in rows if s.body is not None or r.final]
    out = {
        "cause": Counter(r.cause for r in counted),
        "handling": Counter(r.handling for r in counted),
        "language": Counter(r.language for r in counted),
        "month_cause": Counter((r.month, r.cause) for r in counted),
        "month_handling": Counter((r.month, r.handling) for r in counted),
        "region": Counter(r.region_id for r in counted),
        "sector": Counter(r.sector for r in counted),
        "channel": Counter(r.channel for r in counted),
        "redirects": Counter(r.redirected_to_id for r in rows if r.handling == Handling.REDIRECTED),
    }
    confirmed = {
        "cause": Counter(r.cause for r in counted if r.cause_confirmed),
        "sector": Counter(r.sector for r in counted if r.sector_confirmed),
    }
    return {"n": out, "confirmed": confirmed}


def assert_reports_count_the_rows(s: reports.Scope):
    c = reports.counts(s)
    want = expected_counts(s)
    for name, counter in want["n"].items():
        assert {k: g["n"] for k, g in c[name].items()} == dict(counter), name
    assert {k: g["cause_confirmed"] for k, g in c["cause"].items() if g["cause_confirmed"]} == dict(want["confirmed"]["cause"])
    assert {k: g["sector_confirmed"] for k, g in c["sector"].items() if g["sector_confirmed"]} == dict(
        want["confirmed"]["sector"]
    )


def label(moderator, steps):
    ids = list(Appeal.objects.order_by("pk").values_list("pk", flat=True))
    for n, task, value in steps:
        if ids:
            appeal = Appeal.objects.get(pk=ids[n % len(ids)])
            services.set_label(moderator, appeal, task, (CAUSES if task == "cause" else SECTORS)[value])


# Hypothesis runs its examples in one test's transaction: the appeals of earlier examples stay, and the summary must
# count them too.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(history=history, labels=st.lists(label_step, max_size=6))
def test_the_summary_kept_event_by_event_equals_a_fresh_aggregation(
    history, labels, cast, bodies, submit, at, run_queue, make_user
):
    play(history, cast, bodies, submit, at)
    run_queue()
    label(make_user(Role.MODERATOR), labels)
    assert summary.audit() == {"differences": 0, "examples": []}
    assert not MonthlyCount.objects.filter(n__lte=0).exists()  # a count that falls to zero goes
    incremental = stored()
    for s in [reports.scope(None, "2025-01", "2029-12")] + [reports.scope(bodies[slug], "2025-01", "2029-12") for slug in BODIES]:
        assert_reports_count_the_rows(s)
    assert summary.rebuild() == len(incremental)
    assert stored() == incremental
    # The full rebuild of the rows (`manage.py analyse_appeals`) brings the summary along batch by batch.
    refresh.refresh_all(batch=3)
    assert stored() == incremental


def test_an_answer_moves_only_the_counts_it_changes(cast, bodies, submit, at, run_queue):
    """An appeal answered after a redirect: its handling at the receiving body moves from pending to answered, for
    that body and for all bodies; the sender's redirect and every other count stay as they were."""
    official = cast["staff"][BODIES[0]][0]
    with at(START):
        appeal = submit(cast["applicants"][0], BODIES[0])
        submit(cast["applicants"][1], BODIES[1])  # another appeal at the receiving body: its counts stay
    run_queue()
    from ashyq.dialogue import services as dialogue

    with at(START + dt.timedelta(days=1)):
        dialogue.redirect_appeal(official, appeal, bodies[BODIES[1]], "Their matter.")
    run_queue()
    before = stored()
    receiver = cast["staff"][BODIES[1]][0]
    with at(START + dt.timedelta(days=3)):
        dialogue.answer_appeal(receiver, Appeal.objects.get(pk=appeal.pk), text="Done.", outcome="explained")
    run_queue()
    month, channel = START.replace(day=1), appeal.channel
    change = Counter({k[:5]: k[5] for k in stored()})
    change.subtract({k[:5]: k[5] for k in before})
    moved = {k: n for k, n in change.items() if n}
    receiver_id = bodies[BODIES[1]].pk
    assert moved == {
        (receiver_id, month, channel, "handling", Handling.PENDING.value): -1,
        (receiver_id, month, channel, "handling", Handling.MERITS.value): 1,
        (0, month, channel, "handling", Handling.PENDING.value): -1,
        (0, month, channel, "handling", Handling.MERITS.value): 1,
    }


def test_the_audit_names_a_difference_and_the_rebuild_repairs_it(cast, submit, at, run_queue):
    with at(START):
        submit(cast["applicants"][0], BODIES[0])
        submit(cast["applicants"][1], BODIES[2])
    run_queue()
    call_command("analysis_summary")  # nothing to report
    row = MonthlyCount.objects.filter(body_id=summary.ALL_BODIES, dimension="handling").first()
    MonthlyCount.objects.filter(pk=row.pk).update(n=row.n + 5)
    missing, _ = MonthlyCount.objects.filter(dimension="language").delete()
    found = summary.audit()
    # Every language row is missing, the one handling row differs (both sides of it are listed, one key).
    assert missing >= 2 and found["differences"] == missing + 1
    assert ("summary", row.body_id, row.month, row.channel, "handling", row.value, row.n + 5, 0, 0) in [
        tuple(e) for e in found["examples"]
    ]
    with pytest.raises(CommandError, match="summary keys differ"):
        call_command("analysis_summary")
    call_command("analysis_summary", "--rebuild")
    assert summary.audit()["differences"] == 0
    assert MonthlyCount.objects.get(pk__gt=0, body_id=0, dimension="handling", value=row.value, month=row.month).n == row.n
