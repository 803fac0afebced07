"""Issue 11, points 1-3: every appeal counts once at each body for what became of it; redirects are judged by
what followed; bodies that game the count rank at the bottom by the Ashyq method (simulate_gaming)."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.assessment import config, figures, final_state, recompute, scoring, selectors, simulation
from ashyq.assessment.final_state import Ending, stay_states
from ashyq.assessment.models import GamingSimulation
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal
from ashyq.publicdata import export

SOLVER = "ministry-of-healthcare"  # resolves everything itself
GOOD_ROUTER = "ministry-of-justice"  # sends half to the competent body, which resolves them; resolves the rest
BAD_ROUTER = "ministry-of-education"  # redirects five of six to a body whose matter they are not, resolves one
DUMPER = "ministry-of-finance"  # redirects everything
SILENT = "ministry-of-energy"  # answers nothing
RECEIVER = "administrative-police-committee"  # receives the dumped appeals (and resolves its own)
START = dt.date(2025, 3, 3)  # a Monday
SETTINGS = {"min_appeals": 5}


# --- the rule itself -----------------------------------------------------------------------------------------


def states(stays, **ending):
    return [s.state for s in stay_states(stays, Ending(addressed_body=stays[0][0], **ending))]


def test_each_stay_ends_in_exactly_one_state():
    a, b, c = "a", "b", "c"
    assert states([(a, 1)], status="answered", outcome="resolved", resolution="yes") == ["resolved_confirmed"]
    assert states([(a, 1)], status="answered", outcome="resolved") == ["resolved_unconfirmed"]
    assert states([(a, 1)], status="answered", outcome="resolved", resolution="partly") == ["resolved_unconfirmed"]
    assert states([(a, 1)], status="answered", outcome="resolved", resolution="no") == ["resolved_disputed"]
    assert states([(a, 1)], status="answered", outcome="resolved", upheld=True) == ["resolved_disputed"]
    assert states([(a, 1)], status="withdrawn") == ["withdrawn"]
    assert states([(a, 1)], status="in_progress", due_on="2025-04-01") == ["open"]
    # Redirected and resolved on the merits by the receiver: justified for the sender, credited to the receiver.
    assert states([(a, 1), (b, 2)], status="answered", outcome="resolved") == ["redirected_justified", "resolved_unconfirmed"]
    assert states([(a, 1), (b, 2)], status="answered", outcome="refused") == ["redirected_justified", "refused"]
    # ... but not when the receiver says it is not its matter either (neutral for the receiver), or the applicant says no.
    assert states([(a, 1), (b, 2)], status="answered", outcome="explained") == ["redirected_unjustified", "not_competent"]
    assert states([(a, 1), (b, 2)], status="answered", outcome="left_without_consideration") == [
        "redirected_unjustified",
        "not_competent",
    ]
    assert states([(a, 1), (b, 2)], status="answered", outcome="resolved", resolution="no") == [
        "redirected_unjustified",
        "resolved_disputed",
    ]
    assert states([(a, 1), (b, 2)], status="answered", outcome="resolved", upheld=True)[0] == "redirected_unjustified"
    # Bounced back or sent onward: the first redirect was wrong whatever happened next.
    assert states([(a, 1), (b, 2), (a, 3)], status="answered", outcome="resolved", resolution="yes") == [
        "redirected_unjustified",
        "redirected_justified",
        "resolved_confirmed",
    ]
    assert states([(a, 1), (b, 2), (c, 3)], status="answered", outcome="resolved")[:2] == [
        "redirected_unjustified",
        "redirected_justified",
    ]
    # Still with the receiver: pending, by the receiver's due date.
    pending = stay_states([(a, 1), (b, 2)], Ending(status="registered", due_on="2025-04-01", addressed_body=a))
    assert (pending[0].state, pending[0].due_on, pending[1].state) == ("redirect_pending", "2025-04-01", "open")
    # The body's own staff as applicants never count for it.
    assert states([(a, 1)], status="answered", outcome="resolved", resolution="yes", applicant_staff_of=a) == ["own_staff"]
    timely = stay_states([(a, 1)], Ending(status="answered", outcome="explained", on_time=True, extended=True, addressed_body=a))
    assert (timely[0].timely, timely[0].timely_extended) == (False, True)
    assert set(final_state.NEUTRAL) <= set(final_state.FINAL_STATES)


def test_pending_redirects_count_against_the_sender_once_the_receivers_term_passes():
    c = scoring.empty_counts() | {"received": 1, "redirected_away": 1, "redirect_pending": {"2025-04-01": 1}}
    assert scoring.ashyq_score(scoring.settle(dict(c), dt.date(2025, 3, 20)), {"outcome": 1}) is None  # not judged yet
    late = scoring.settle(dict(c), dt.date(2025, 4, 2))
    assert late["redirect_late"] == 1 and scoring.ashyq_score(late, {"outcome": 1}) == 0


# --- through the services -----------------------------------------------------------------------------------


def _day(k):
    from ashyq.core import calendar

    return calendar.add_working_days(START, k)


@pytest.fixture
def population(bodies, make_user, submit, at):
    staff = {slug: make_user(Role.OFFICIAL, bodies[slug]) for slug in (SOLVER, GOOD_ROUTER, BAD_ROUTER, DUMPER, SILENT, RECEIVER)}
    made = {}

    def write(slug, i):
        applicant = make_user(Role.APPLICANT)
        with at(_day(i % 3)):
            appeal = submit(applicant, slug)
        made.setdefault(slug, []).append(appeal)
        return applicant, appeal

    def resolve(slug, appeal, applicant, k=5, resolution="yes"):
        with at(_day(k)):
            services.answer_appeal(staff[slug], appeal, text="Measures taken.", outcome="resolved")
            services.record_feedback(applicant, appeal, resolution=resolution, rating=5)

    def redirect(slug, appeal, to):
        with at(_day(3)):
            return services.redirect_appeal(staff[slug], appeal, bodies[to], "Not our competence.")

    for i in range(6):
        resolve(SOLVER, *reversed(write(SOLVER, i)))
        resolve(RECEIVER, *reversed(write(RECEIVER, i)))
        applicant, appeal = write(GOOD_ROUTER, i)
        if i % 2:  # to the competent body, which resolves it
            resolve(SOLVER, redirect(GOOD_ROUTER, appeal, SOLVER), applicant, k=8)
        else:
            resolve(GOOD_ROUTER, appeal, applicant)
        applicant, appeal = write(BAD_ROUTER, i)
        if i:
            appeal = redirect(BAD_ROUTER, appeal, RECEIVER)
            with at(_day(6)):
                services.answer_appeal(staff[RECEIVER], appeal, text="Not a matter for the police.", outcome="explained")
        else:
            resolve(BAD_ROUTER, appeal, applicant)
        applicant, appeal = write(DUMPER, i)
        appeal = redirect(DUMPER, appeal, RECEIVER)
        with at(_day(6)):
            services.answer_appeal(
                staff[RECEIVER],
                appeal,
                text="Not a matter for the police.",
                outcome="left_without_consideration",
                legal_ground="APPC art. 89",
            )
        write(SILENT, i)
    return made


def _ranking(period="2025-Q1", as_of=dt.date(2025, 6, 2)):
    counts = selectors.counts_by_body(period, as_of=as_of)
    from ashyq.bodies.models import Body

    slugs = dict(Body.objects.filter(pk__in=list(counts)).values_list("pk", "slug"))
    return {r["body"]: r for r in scoring.ranking({slugs[b]: c for b, c in counts.items()}, config.get()["weights"], 5)}


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_redirecting_most_and_resolving_a_few_ranks_low_and_correct_redirects_are_neutral(population, bodies):
    figures.recompute_all()
    rows = _ranking()
    solver, good, bad, dumper, silent, receiver = (rows[s] for s in (SOLVER, GOOD_ROUTER, BAD_ROUTER, DUMPER, SILENT, RECEIVER))
    # The official count is fooled by the redirects: the dumper and the bad router score as well as the solver.
    assert dumper["official_score"] == bad["official_score"] == solver["official_score"] == 10.0
    # The Ashyq method: correct redirects are neutral (the good router scores as the solver does) ...
    assert good["ashyq_score"] == solver["ashyq_score"] == 100.0
    # ... and the receiver is not penalised for the eleven appeals dumped on it.
    assert receiver["ashyq_score"] == 100.0
    # A body that redirects five of six and resolves one is far below; one that redirects all, or answers
    # nothing, is ranked at the bottom (not "no score").
    assert bad["ashyq_score"] < 30 and bad["ashyq_rank"] > solver["ashyq_rank"]
    assert dumper["ashyq_score"] == silent["ashyq_score"] == 0
    assert dumper["ranked"] and silent["ranked"]
    assert dumper["ashyq_rank"] == silent["ashyq_rank"] == max(r["ashyq_rank"] for r in rows.values() if r["ashyq_rank"])
    assert silent["answered"] == 0
    counts = selectors.counts_by_body("2025-Q1", as_of=dt.date(2025, 6, 2))
    by_slug = {bodies[s].pk: s for s in rows}
    good_counts = next(c for b, c in counts.items() if by_slug.get(b) == GOOD_ROUTER)
    assert good_counts["final_redirected_justified"] == 3 and good_counts["final_resolved_confirmed"] == 3
    receiver_counts = next(c for b, c in counts.items() if by_slug.get(b) == RECEIVER)
    assert receiver_counts["final_not_competent"] == 11 and receiver_counts["received"] == 17


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_the_states_from_the_published_rows_equal_the_databases(population, bodies, tmp_path):
    Appeal.objects.update(is_public=True, published_at=timezone.now())
    figures.recompute_all()
    export.write_export(tmp_path)
    from_rows = recompute.counts_from_export(tmp_path / "appeals.json", tmp_path / "events.json")
    slugs = {b.pk: s for s, b in bodies.items()}
    db = {(slugs[b], m): c for (b, m), c in figures.compute_counts().items()}
    assert from_rows == db
    # The same from the route as the export's stays give it, in either format.
    for fmt in ("json", "csv"):
        assert recompute.counts_from_export(*(tmp_path / f"{stem}.{fmt}" for stem in ("appeals", "events", "stays"))) == db


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_an_upheld_complaint_undoes_a_redirects_justification(bodies, make_user, submit, at, run_queue):
    # The committee's parent is the ministry of internal affairs: complaints about its answers go there.
    sender, receiver, higher = (make_user(Role.OFFICIAL, bodies[s]) for s in (SOLVER, RECEIVER, "ministry-of-internal-affairs"))
    applicant = make_user(Role.APPLICANT)
    with run_queue:
        with at(_day(0)):
            appeal = submit(applicant, SOLVER)
        with at(_day(1)):
            appeal = services.redirect_appeal(sender, appeal, bodies[RECEIVER], "Police matter.")
        with at(_day(4)):
            services.answer_appeal(receiver, appeal, text="Measures taken.", outcome="resolved")
    march = dt.date(2025, 3, 1)
    stored = figures.BodyMonthFigures.objects.get
    assert stored(body=bodies[SOLVER], month=march).final_redirected_justified == 1
    with run_queue:
        with at(_day(6)):
            complaint = services.complain_about_answer(applicant, appeal, text="Nothing was done.")
        with at(_day(8)):
            services.answer_appeal(higher, complaint, text="The complaint is upheld; the committee must act.", outcome="resolved")
    # The higher body's answer, an event on another appeal, refreshes the appeal complained about.
    assert stored(body=bodies[SOLVER], month=march).final_redirected_unjustified == 1
    assert stored(body=bodies[RECEIVER], month=march).final_resolved_disputed == 1
    incremental = {
        (r.body_id, r.month): {f: getattr(r, f) for f in scoring.COUNT_FIELDS} for r in figures.BodyMonthFigures.objects.all()
    }
    figures.recompute_all()
    assert incremental == {
        (r.body_id, r.month): {f: getattr(r, f) for f in scoring.COUNT_FIELDS} for r in figures.BodyMonthFigures.objects.all()
    }


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_the_ranking_page_shows_too_few_apart_from_ranked_last(population, client, at, submit, make_user):
    with at(START):
        submit(make_user(Role.APPLICANT), "anti-corruption-agency")  # one appeal: too few to rank
    figures.recompute_all()
    with at(dt.date(2025, 6, 2)):
        html = client.get(reverse("assessment:ranking") + "?period=2025-Q1").content.decode()
    ranked, unranked = html.split('id="unranked"')
    assert "no answer in the period" in ranked  # the silent body is ranked, at the bottom
    assert "Ministry of Energy" in ranked.rsplit("<tbody>", 1)[1]
    assert "They are not ranked last; they are not ranked." in unranked and "Anti-Corruption" in unranked
    methodology = client.get(reverse("assessment:methodology")).content.decode()
    assert "Redirected, and the receiver decided it on its merits (neutral)" in methodology


# --- the adversarial suite ------------------------------------------------------------------------------------


def test_every_gaming_strategy_ranks_in_the_bottom_quartile_by_the_ashyq_method(reference, client):
    out = io.StringIO()
    # 12 honest bodies (the minimum), 9 appeals each: enough for every strategy's pattern.
    call_command("simulate_gaming", "--appeals", "9", stdout=out)
    result = GamingSimulation.objects.latest("ran_at").result
    rows = {r["strategy"]: r for r in result["strategies"]}
    assert set(rows) == set(simulation.STRATEGIES) and result["honest"] == 12
    for r in rows.values():
        assert r["n"] == 13 and r["ashyq_bottom_quartile"], r
    # Where the official method is fooled (top half), the table says so.
    fooled = [s for s, r in rows.items() if r["official_rank"] <= r["n"] // 2]
    assert {"redirect_everything", "redirect_most", "formal_on_time", "self_confirmation"} <= set(fooled)
    printed = {line.split()[0]: line for line in out.getvalue().splitlines()[2:] if line.split()[0] in rows}
    for s, line in printed.items():
        assert re.search(r"\s(yes|no)\s", line).group(1) == ("yes" if s in fooled else "no")
    # No honest body in the bottom quartile because of correct redirects: the body that routes most appeals
    # elsewhere, correctly, ranks among the honest, and every honest body ranks above every gaming body.
    population = result["population"]
    router = next(r for r in population if r["body"] == "simulated-body-02")
    assert router["strategy"] is None and router["redirected_justified"] >= 2
    assert not simulation.bottom_quartile(router["ashyq_rank"], len(population))
    worst_honest = max(r["ashyq_rank"] for r in population if r["strategy"] is None)
    best_gaming = min(r["ashyq_rank"] for r in population if r["strategy"])
    assert worst_honest < best_gaming
    # Nothing of the simulation stays in the record; the table does, on the methodology page.
    assert not Appeal.objects.exists()
    page = client.get(reverse("assessment:methodology")).content.decode()
    assert "Redirects every appeal to another body" in page and "simulate_gaming" in page
