"""The content analysis reads an appeal's route from the dialogue's stays (AppealStay) and gives the same rows the
events used to give: each body that held the appeal, the month it received it, how it handled it and where it sent
it. The rule the analysis followed before the stays existed is kept here as the reference, and every history the
services can make (redirected twice, bounced back, extended, withdrawn, answered in each way) is held to it."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ashyq.analysis import refresh
from ashyq.analysis.handling import answer_handling
from ashyq.analysis.models import AppealAnalysis, Handling
from ashyq.dialogue import services
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, EventKind, Status
from tests.appeal_steps import take_step

MONDAY = dt.date(2026, 11, 2)
INVESTIGATION_TEXT = "Назначена служебная проверка, виновные привлечены к дисциплинарной ответственности."
COLUMNS = ("body_id", "month", "handling", "redirected_to_id", "final")


def events_rows(appeal: Appeal) -> list[tuple]:
    """The analysis's rows by the rule it followed before the stays: replay the registration and redirect events,
    then name the last stay's handling from the appeal's status and answer."""
    events = AppealEvent.objects.filter(appeal=appeal, kind__in=(EventKind.REGISTERED, EventKind.REDIRECTED)).order_by("seq")
    route: list[list] = []  # [body_id, received_on, handling, redirected_to_id]
    for event in events:
        if event.kind == EventKind.REGISTERED:
            day = event.data.get("received_on") or event.at.date().isoformat()
            route.append([event.to_body_id or appeal.addressed_body_id, dt.date.fromisoformat(day), Handling.PENDING, None])
        elif route:
            route[-1][2:] = [Handling.REDIRECTED, event.to_body_id]
            route.append([event.to_body_id, dt.date.fromisoformat(event.data["received_on"]), Handling.PENDING, None])
    answer = Answer.objects.filter(appeal=appeal).first()
    if route and appeal.status == Status.ANSWERED and answer is not None:
        route[-1][2] = answer_handling(answer.outcome, answer.text)
    elif route and appeal.status == Status.WITHDRAWN:
        route[-1][2] = Handling.WITHDRAWN
    by_body = {body: (body, received.replace(day=1), handling, to) for body, received, handling, to in route}
    final = appeal.body_id if appeal.body_id in by_body else route[-1][0]
    return sorted((*row, body == final) for body, row in by_body.items())


def stored_rows(appeal: Appeal) -> list[tuple]:
    return sorted(AppealAnalysis.objects.filter(appeal=appeal).values_list(*COLUMNS))


def step(name, appeal, people, bodies):
    staff = people["official"] if appeal.body.slug == "anti-corruption-agency" else people["other_official"]
    if name == "answer_investigation":
        services.answer_appeal(staff, appeal, text=INVESTIGATION_TEXT, outcome="resolved")
    elif name == "answer_refused":
        services.answer_appeal(staff, appeal, text="Not within the law's scope.", outcome="refused", legal_ground="Article 89.")
    elif name == "answer_left":
        services.answer_appeal(staff, appeal, text="Anonymous.", outcome="left_without_consideration", legal_ground="Article 89.")
    else:
        take_step(name, appeal, people, bodies)


PATHS = [
    [],
    ["assign", "answer", "feedback"],
    ["redirect"],
    ["redirect", "redirect_back"],
    ["redirect", "redirect_back", "redirect", "answer_investigation"],
    ["extend", "redirect", "extend", "answer_refused"],
    ["redirect", "redirect_back", "assign", "extend", "answer", "complain"],
    ["extend", "withdraw"],
    ["redirect", "withdraw"],
    ["answer_left"],
    ["answer_investigation"],
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS, ids=lambda p: "-".join(p) or "registered")
def test_rows_from_the_stays_equal_the_rule_over_the_events(people, bodies, submit, at, path):
    with at(MONDAY):
        appeal = submit(people["applicant"])
    for name in path:
        with at(dt.date(2026, 11, 3)):
            step(name, Appeal.objects.get(pk=appeal.pk), people, bodies)
        appeal = Appeal.objects.get(pk=appeal.pk)
        refresh.refresh_appeal(appeal.pk)
        assert stored_rows(appeal) == events_rows(appeal), (path, name)
    refresh.refresh_appeal(appeal.pk)
    expected = events_rows(appeal)
    assert stored_rows(appeal) == expected
    # The batch rebuild (manage.py analyse_appeals) reads the same stays.
    AppealAnalysis.objects.all().delete()
    refresh.refresh_all()
    assert stored_rows(appeal) == expected


@pytest.mark.django_db
def test_a_bounced_appeal_counts_once_at_each_body_with_its_last_handling(people, bodies, submit, at):
    acc, gpo = bodies["anti-corruption-agency"], bodies["general-prosecutors-office"]
    with at(MONDAY):
        appeal = submit(people["applicant"])
    with at(dt.date(2026, 11, 3)):
        for name in ("redirect", "redirect_back", "redirect", "answer_investigation"):
            step(name, Appeal.objects.get(pk=appeal.pk), people, bodies)
    refresh.refresh_appeal(appeal.pk)
    rows = {r.body_id: r for r in AppealAnalysis.objects.filter(appeal=appeal)}
    assert set(rows) == {acc.pk, gpo.pk}
    assert (rows[acc.pk].handling, rows[acc.pk].redirected_to_id, rows[acc.pk].final) == (Handling.REDIRECTED, gpo.pk, False)
    assert (rows[gpo.pk].handling, rows[gpo.pk].redirected_to_id, rows[gpo.pk].final) == (Handling.INVESTIGATION, None, True)


@pytest.mark.django_db
def test_the_refresh_reads_the_route_not_the_events_and_its_cost_does_not_grow_with_the_route(people, bodies, submit, at):
    """Run after every step of every appeal: a few indexed reads of the appeal, its stays, answer and labels."""

    def refresh_queries(appeal):
        with CaptureQueriesContext(connection) as queries:
            refresh.refresh_appeal(appeal.pk)
        sql = [q["sql"] for q in queries.captured_queries]
        assert not any("dialogue_appealevent" in s for s in sql), sql
        return len(sql)

    with at(MONDAY):
        short = submit(people["applicant"])
        services.answer_appeal(people["official"], short, text=INVESTIGATION_TEXT, outcome="resolved")
        long = submit(people["applicant"], subject="Road not repaired")
    with at(dt.date(2026, 11, 3)):
        for name in ("redirect", "redirect_back", "redirect", "redirect_back", "answer_investigation"):
            step(name, Appeal.objects.get(pk=long.pk), people, bodies)
    assert refresh_queries(short) == refresh_queries(long)
