"""Assessment of bodies (issue 4): counts by aggregate SQL, the two methods, rankings, the recomputation
from the public export, incremental refresh after events, and the pages."""

import datetime as dt
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from ashyq.accounts.models import Role
from ashyq.assessment import figures, recompute, scoring, selectors
from ashyq.assessment.models import BodyMonthFigures
from ashyq.core import clock
from ashyq.dialogue import services
from ashyq.dialogue.models import Appeal, Outcome, Resolution
from ashyq.publicdata import export

SITE_SCRIPT = re.compile(r'<script src="/static/ashyq/site\.js[^"]*" defer></script>')

FORMAL = "ministry-of-internal-affairs"  # redirects or formally explains everything, on time
SLOW = "ministry-of-healthcare"  # solves problems, late
OTHER = "ministry-of-justice"  # receives the formal body's redirects and answers them
MARCH = dt.date(2025, 3, 3)  # a Monday
SETTINGS = {"min_appeals": 5}


def staff(make_user, bodies, slug):
    return make_user(Role.OFFICIAL, bodies[slug]), make_user(Role.HEAD, bodies[slug])


@pytest.fixture
def scenario(people, bodies, make_user, submit, at):
    return build_scenario(bodies, make_user, submit, at)


def build_scenario(bodies, make_user, submit, at):
    """12 appeals to the formal body (6 redirected away, 6 explained on time: applicants say no, 3 complain,
    2 write again), 12 to the slow body (resolved 30+ days late: applicants say yes), one ping-pong."""
    formal_official, _ = staff(make_user, bodies, FORMAL)
    slow_official, _ = staff(make_user, bodies, SLOW)
    other_official, _ = staff(make_user, bodies, OTHER)
    applicants = [make_user(Role.APPLICANT) for _ in range(12)]
    made = {"formal": [], "slow": []}
    for i, applicant in enumerate(applicants):
        with at(MARCH + dt.timedelta(days=i % 3)):
            a = submit(applicant, FORMAL)
            made["formal"].append(a)
            if i < 6:
                services.redirect_appeal(formal_official, a, bodies[OTHER], "Not our competence.")
        with at(MARCH + dt.timedelta(days=i % 3 + 1)):
            if i < 6:
                services.answer_appeal(other_official, a, text="Measures taken.", outcome=Outcome.RESOLVED)
            else:
                services.answer_appeal(formal_official, a, text="We explain the law.", outcome=Outcome.EXPLAINED)
                services.record_feedback(applicant, a, resolution=Resolution.NO, rating=1)
        with at(MARCH + dt.timedelta(days=i % 3)):
            s = submit(applicant, SLOW)
            made["slow"].append(s)
        with at(dt.date(2025, 4, 15) + dt.timedelta(days=i % 2)):
            services.answer_appeal(slow_official, s, text="Fixed.", outcome=Outcome.RESOLVED)
            services.record_feedback(applicant, s, resolution=Resolution.YES if i % 4 else Resolution.PARTLY, rating=5)
    with at(dt.date(2025, 3, 20)):
        for applicant, a in list(zip(applicants, made["formal"]))[6:9]:
            services.complain_about_answer(applicant, a, text="A stock reply; nothing was done.")
    with at(dt.date(2025, 4, 1)):
        for applicant in applicants[9:11]:
            submit(applicant, FORMAL, subject="Again: bribe demanded")
    with at(dt.date(2025, 3, 4)):  # ping-pong: formal -> justice -> formal
        pp = submit(applicants[0], FORMAL, subject="Where does this go?")
        services.redirect_appeal(formal_official, pp, bodies[OTHER], "Justice.")
        services.redirect_appeal(other_official, pp, bodies[FORMAL], "Internal affairs after all.")
    return made


def by_slug(rows):
    return {r["body"]: r for r in rows}


CSV = b"country,turnover\nRussia,19983.0\nChina,14792.5\n"


def publish_dataset(make_user, body, slug, uploads, good=True):
    """A dataset of `body` created on 1 March 2025 with a valid version uploaded on each day of `uploads`
    (monthly frequency). `good`: every other item of the quality checklist passes; else only the frequency."""
    from ashyq.opendata import services as opendata
    from ashyq.opendata.models import Dataset, Resource, ResourceVersion

    official = make_user(Role.OFFICIAL, body)
    fields = {"title_en": slug, "title_ru": slug, "frequency": "monthly"}
    if good:
        fields |= {
            "licence": "CC-BY-4.0",
            "temporal_start": dt.date(2024, 1, 1),
            "spatial": "Kazakhstan",
            "description_en": "Monthly figures the body publishes, counted from its own register.",
            "source": "The body's register",
        }
    dataset = opendata.save_dataset(official, body, slug, **fields)
    resource = opendata.add_resource(official, dataset, f"{slug}.csv", Resource.Format.CSV)
    for day in uploads:
        version = opendata.upload_version(official, resource, CSV, f"{slug}.csv")
        assert version.valid
        ResourceVersion.objects.filter(pk=version.pk).update(
            created_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        )
    Dataset.objects.filter(pk=dataset.pk).update(created_at=timezone.make_aware(dt.datetime(2025, 3, 1, 9)))
    return dataset


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_formal_body_ranks_high_officially_and_low_on_ashyq_and_the_slow_solver_the_other_way(scenario, bodies):
    figures.recompute_all()
    rows = by_slug(selectors.ranking("2025-Q1"))
    formal, slow = rows[FORMAL], rows[SLOW]
    assert formal["ranked"] and slow["ranked"]
    assert formal["official_score"] > slow["official_score"]
    assert formal["official_rank"] < slow["official_rank"]
    assert slow["ashyq_score"] > formal["ashyq_score"]
    assert slow["ashyq_rank"] < formal["ashyq_rank"]
    assert formal["move"] < 0 < slow["move"]


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_open_data_uploads_and_quality_components(scenario, bodies, make_user):
    # The slow solver publishes a good dataset, updated every month on time; the formal body uploads every
    # month too, but a dataset without licence, coverage, description or source.
    publish_dataset(make_user, bodies[SLOW], "slow-data", [dt.date(2025, 3, 10), dt.date(2025, 4, 10)])
    publish_dataset(make_user, bodies[FORMAL], "formal-data", [dt.date(2025, 3, 10), dt.date(2025, 4, 10)], good=False)
    figures.recompute_all()
    s = BodyMonthFigures.objects.get(body=bodies[SLOW], month=dt.date(2025, 3, 1))
    assert (s.datasets, s.datasets_updated, s.quality_sum) == (1, 1, 100)  # every item passes at the end of March
    may = BodyMonthFigures.objects.get(body=bodies[SLOW], month=dt.date(2025, 5, 1))
    assert (may.datasets, may.datasets_updated, may.received) == (1, 0, 0)  # no upload in May: late by its end
    assert may.quality_sum == round(100 * 8 / 9)
    rows = by_slug(selectors.ranking("2025-Q1"))
    slow, formal, other = rows[SLOW], rows[FORMAL], rows[OTHER]
    assert slow["official_components"]["uploads"] == 10.0 and slow["ashyq_components"]["data_quality"] == 1.0
    assert formal["official_components"]["uploads"] == 10.0  # the official method counts uploads, not quality
    assert formal["ashyq_components"]["data_quality"] == 0.56  # 5 of 9 items: frequency, on time, formats, schema, download
    # A body with no dataset: no such component (not 1), and the score averages the rest.
    assert other["official_components"]["uploads"] is None and other["ashyq_components"]["data_quality"] is None
    oc = other["official_components"]
    assert other["official_score"] == round((oc["response"] + oc["timeliness"]) / 2, 2)
    # The key finding still holds with open data counted.
    assert formal["official_rank"] < slow["official_rank"] and slow["ashyq_rank"] < formal["ashyq_rank"]
    # Q2: updated in April only; by the ends of May and June the monthly dataset is late.
    q2 = by_slug(selectors.ranking("2025-Q2"))[SLOW]
    assert q2["official_components"]["uploads"] == round(1 + 9 * 1 / 3, 1)
    assert q2["ashyq_components"]["data_quality"] == pytest.approx((100 + 2 * round(800 / 9)) / 300)


def test_publishing_a_version_refreshes_the_figures_on_commit(bodies, make_user, run_queue):
    with run_queue:
        publish_dataset(make_user, bodies[SLOW], "slow-data", [])
    this_month = BodyMonthFigures.objects.get(body=bodies[SLOW], month=clock.today().replace(day=1))
    assert (this_month.datasets, this_month.datasets_updated) == (1, 0)
    from ashyq.opendata import services as opendata
    from ashyq.opendata.models import Resource

    resource = Resource.objects.get(dataset__slug="slow-data")
    with run_queue:
        opendata.upload_version(make_user(Role.OFFICIAL, bodies[SLOW]), resource, CSV, "again.csv")
    this_month = BodyMonthFigures.objects.get(body=bodies[SLOW], month=clock.today().replace(day=1))  # rows are replaced
    assert (this_month.datasets, this_month.datasets_updated) == (1, 1)
    assert BodyMonthFigures.objects.filter(body=bodies[SLOW], month=dt.date(2025, 3, 1)).get().datasets == 1
    incremental = _stored()
    figures.recompute_all()
    assert _stored() == incremental


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_counts_of_each_measure(scenario, bodies):
    figures.recompute_all()
    march = dt.date(2025, 3, 1)
    f = BodyMonthFigures.objects.get(body=bodies[FORMAL], month=march)
    assert (f.received, f.redirected_away, f.ping_pong) == (14, 7, 1)  # 12 + the ping-pong twice (arrived, came back)
    assert (f.answered, f.on_time, f.explained, f.resolved) == (6, 6, 6, 0)
    assert (f.feedback, f.feedback_no, f.rating_sum, f.complaints, f.repeats) == (6, 6, 6, 3, 2)
    s = BodyMonthFigures.objects.get(body=bodies[SLOW], month=march)
    assert (s.received, s.answered, s.on_time, s.resolved, s.feedback_yes, s.feedback_partly) == (12, 12, 0, 12, 9, 3)
    assert min(int(d) for d in s.days_to_answer) > 15
    o = BodyMonthFigures.objects.get(body=bodies[OTHER], month=march)
    assert (o.received, o.redirected_away, o.ping_pong, o.answered, o.resolved) == (7, 1, 1, 6, 6)
    m = scoring.measures(
        scoring.sum_counts([{f: getattr(s, f) for f in scoring.COUNT_FIELDS} | {"days_to_answer": s.days_to_answer}])
    )
    assert m["days_to_answer_median"] >= 16 and m["days_to_answer_p90"] >= m["days_to_answer_median"]
    assert m["on_time_rate"]["value"] == 0 and m["on_time_rate"]["high"] > 0  # Wilson: never a hard 0


def _stored():
    return {
        (r.body_id, r.month): ({f: getattr(r, f) for f in scoring.COUNT_FIELDS}, r.days_to_answer)
        for r in BodyMonthFigures.objects.all()
    }


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_figures_follow_events_and_equal_a_full_recomputation(people, bodies, make_user, submit, at, run_queue):
    # the scenario with on-commit callbacks executed, as in production
    with run_queue:
        build_scenario(bodies, make_user, submit, at)
    incremental = _stored()
    assert incremental
    figures.recompute_all()
    assert _stored() == incremental


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_scores_recomputed_from_the_public_export_alone_are_the_same(scenario, bodies, tmp_path, settings):
    Appeal.objects.update(is_public=True, published_at=timezone.now())
    figures.recompute_all()
    export.write_export(tmp_path)
    for fmt in ("csv", "json"):
        counts = recompute.counts_from_export(tmp_path / f"appeals.{fmt}", tmp_path / f"events.{fmt}")
        db = {(b.slug, m): c for (b_id, m), c in figures.compute_counts().items() for b in [Body_by_id(bodies, b_id)]}
        assert counts == db
        # The route read from the stays file (as the site keeps it) gives the same counts as replaying the events
        # (the path for exports made before the stays file).
        paths = [tmp_path / f"{stem}.{fmt}" for stem in ("appeals", "events", "stays")]
        assert recompute.counts_from_export(*paths) == db
        for period in ("2025", "2025-Q1", "2025-03", "2025-04"):
            from_export = recompute.ranking_from_counts(counts, period, as_of=clock.today())
            from_db = [{k: v for k, v in r.items() if k != "body_obj"} for r in selectors.ranking(period)]
            assert from_export == from_db


def Body_by_id(bodies, pk):
    return next(b for b in bodies.values() if b.pk == pk)


# --- pages and downloads -------------------------------------------------------------------------------------


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_ranking_scorecard_regions_and_methodology_pages(scenario, client, bodies):
    figures.recompute_all()
    page = client.get(reverse("assessment:ranking") + "?period=2025-Q1")
    assert page.status_code == 200
    html = page.content.decode()
    assert bodies[FORMAL].name in html and bodies[SLOW].name in html
    assert "Too few appeals to rank" in html  # government received only the three complaints
    card = client.get(reverse("assessment:scorecard", args=[SLOW]) + "?period=2025-Q1")
    assert card.status_code == 200
    html = card.content.decode()
    # Charts are SVG drawn by the server: no script but the site's own deferred enhancements (core/static/ashyq/site.js).
    assert "<svg" in html and "<script" not in SITE_SCRIPT.sub("", html) and "style=" not in html.split("<main", 1)[1]
    assert "Monthly figures" in html and "95-percent interval (Wilson)" in html
    assert client.get(reverse("assessment:regions") + "?period=2025").status_code == 200
    assert client.get(reverse("assessment:methodology")).status_code == 200
    assert client.get(reverse("assessment:ranking") + "?period=nonsense").status_code == 404


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_downloads_carry_the_same_figures_as_the_pages(scenario, client):
    figures.recompute_all()
    data = client.get(reverse("assessment:ranking-download", args=["json"]) + "?period=2025-Q1").json()
    rows = by_slug(data["bodies"])
    assert rows[FORMAL]["official_rank"] < rows[SLOW]["official_rank"] and rows[SLOW]["ashyq_rank"] < rows[FORMAL]["ashyq_rank"]
    csv_text = client.get(reverse("assessment:ranking-download", args=["csv"]) + "?period=2025-Q1").content.decode()
    assert csv_text.splitlines()[0].startswith("body,received,ranked,official_score")
    assert any(line.startswith(SLOW + ",12,True") for line in csv_text.splitlines())
    card = client.get(reverse("assessment:scorecard-download", args=[SLOW, "json"]) + "?period=2025-Q1").json()
    assert card["counts"]["received"] == 12 and card["ashyq_score"] == rows[SLOW]["ashyq_score"]
    assert card["measures"]["on_time_rate"]["n"] == 12
    assert client.get(reverse("assessment:scorecard-download", args=[SLOW, "csv"]) + "?period=2025").status_code == 200
    regions = client.get(reverse("assessment:regions-download", args=["json"]) + "?period=2025").json()["regions"]
    almaty = next(r for r in regions if r["region"] == "KZ-75")
    assert almaty["registered"] == Appeal.objects.count()
    assert almaty["per_100k"] == round(100_000 * almaty["registered"] / almaty["population"], 2)
    method = client.get(reverse("assessment:methodology-json")).json()
    assert method["min_appeals"] == 5 and abs(sum(method["ashyq"]["weights"].values()) - 1) < 1e-9


@override_settings(ASHYQ_ASSESSMENT={**SETTINGS, "falling_points": 5})
def test_monitor_dashboard_lists_ping_pong_complaints_overdue_and_is_for_monitors_only(scenario, client, people, at):
    figures.recompute_all()
    url = reverse("assessment:dashboard")
    assert client.get(url).status_code in (302, 403)
    client.force_login(people["applicant"])
    assert client.get(url).status_code == 403
    client.force_login(people["monitor"])
    with at(dt.date(2025, 6, 2)):
        page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Where does this go?" not in html  # numbers and bodies, not private texts
    assert html.count("about the answer to") == 3
    ctx = page.context
    assert len(ctx["ping_pong"]) == 1 and ctx["overdue_total"] >= 3  # the three complaints and the ping-pong are open


def test_wilson_interval_and_percentile():
    low, high = scoring.wilson(0, 10)
    assert low == 0 and 0.27 < high < 0.28
    low, high = scoring.wilson(5, 10)
    assert 0.23 < low < 0.24 and 0.76 < high < 0.77
    assert scoring.wilson(0, 0) is None
    assert scoring.percentile({"1": 5, "10": 5}, 0.5) == 1 and scoring.percentile({"1": 5, "10": 5}, 0.9) == 10
    assert scoring.parse_period("2025-Q2")[1:] == (dt.date(2025, 4, 1), dt.date(2025, 7, 1))
    assert scoring.previous_period("2025-01") == "2024-12" and scoring.previous_period("2025-Q1") == "2024-Q4"


def test_weights_are_configuration(scenario, settings):
    figures.recompute_all()
    counts = selectors.counts_by_body("2025-Q1")
    slow = next(c for b, c in counts.items() if c["received"] == 12 and c["on_time"] == 0)
    settings.ASHYQ_ASSESSMENT = {"weights": dict.fromkeys(scoring.ashyq_components(slow), 0) | {"timeliness": 1}}
    from ashyq.assessment import config

    assert scoring.ashyq_score(slow, config.get()["weights"]) == 0


def test_recompute_scores_command(scenario, capsys):
    from django.core.management import call_command

    call_command("recompute_scores")
    assert "recomputed" in capsys.readouterr().out
    assert BodyMonthFigures.objects.exists()


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_pages_render_in_each_language(scenario, client, lang):
    figures.recompute_all()
    client.cookies["django_language"] = lang
    for url in (
        reverse("assessment:ranking"),
        reverse("assessment:scorecard", args=[FORMAL]) + "?period=2025-Q1",
        reverse("assessment:regions"),
        reverse("assessment:methodology"),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
        assert page.status_code == 200
        assert f'lang="{lang}"' in page.content.decode()


def test_falling_scores_on_the_dashboard(bodies, people, settings):
    settings.ASHYQ_ASSESSMENT = {"min_appeals": 10, "falling_points": 10}
    body = bodies[SLOW]
    good = {
        "received": 20,
        "answered": 20,
        "on_time": 20,
        "resolved": 20,
        "feedback": 10,
        "feedback_yes": 10,
        "rating_sum": 50,
        "final_resolved_confirmed": 10,
        "final_resolved_unconfirmed": 10,
        "final_timely": 20,
    }
    bad = {
        "received": 20,
        "answered": 20,
        "on_time": 5,
        "explained": 20,
        "feedback": 10,
        "feedback_no": 10,
        "rating_sum": 10,
        "complaints": 5,
        "final_explained": 20,
        "final_timely": 5,
    }
    BodyMonthFigures.objects.create(body=body, month=dt.date(2025, 1, 1), **good)
    BodyMonthFigures.objects.create(body=body, month=dt.date(2025, 4, 1), **bad)
    falling = selectors.falling_scores()
    assert [f["body"] for f in falling] == [body]
    assert falling[0]["period"] == "2025-Q2" and falling[0]["change"] < -10


def test_a_failing_refresh_never_blocks_the_dialogue_and_is_retried_until_it_works(
    people, submit, monkeypatch, run_queue, caplog
):
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from ashyq.assessment import contributions

    real = contributions.apply_many
    calls = []

    def broken_twice(appeal_ids):
        calls.append(sorted(appeal_ids))
        if len(calls) <= 2:  # the worker's batch, then the task alone: the hiccup lasts
            raise RuntimeError("database hiccup")
        return real(appeal_ids)

    monkeypatch.setattr(contributions, "apply_many", broken_twice)
    appeal = submit(people["applicant"])
    assert Appeal.objects.filter(pk=appeal.pk).exists()  # the submission never waited for the figures
    run_queue()
    assert calls == [[appeal.pk], [appeal.pk]] and "database hiccup" in caplog.text
    # The failed task is back in the queue, due after its backoff, not run at once.
    retry = DBTaskResult.objects.get(task_path="ashyq.assessment.tasks.refresh_appeal_figures")
    assert retry.status == TaskResultStatus.READY and retry.run_after > timezone.now()
    assert not BodyMonthFigures.objects.filter(body=appeal.body).exists()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())  # the backoff has passed
    assert run_queue() == 1
    assert BodyMonthFigures.objects.get(body=appeal.body).received == 1
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL


def test_moderation_events_do_not_refresh(people, submit, run_queue):
    from django_tasks_db.models import DBTaskResult

    appeal = submit(people["applicant"])
    run_queue()
    before = DBTaskResult.objects.filter(task_path__startswith="ashyq.assessment.").count()
    services.assign_executor(people["official"], appeal, people["official"])
    assert DBTaskResult.objects.filter(task_path__startswith="ashyq.assessment.").count() == before


def test_a_body_that_answers_nothing_scores_at_the_bottom_not_no_score():
    from ashyq.assessment import config

    weights = config.DEFAULTS["weights"]
    silent = scoring.settle(scoring.empty_counts() | {"received": 40, "open_due": {"2025-03-01": 40}}, dt.date(2025, 6, 1))
    assert scoring.ashyq_score(silent, weights) == 0
    assert scoring.official_score(silent) == 1.0  # the official count sees nothing processed
    # The worst answering body still scores above it: an answer of any kind is something.
    poor = scoring.settle(
        scoring.empty_counts()
        | {"received": 40, "answered": 40, "final_left_without_consideration": 40, "repeats": 40, "complaints": 40},
        dt.date(2025, 6, 1),
    )
    assert 0 < scoring.ashyq_score(poor, weights)
    # Still within their term: nothing to judge yet, so no score (and no rank) rather than a bottom one.
    waiting = scoring.settle(scoring.empty_counts() | {"received": 40, "open_due": {"2025-07-01": 40}}, dt.date(2025, 6, 1))
    assert scoring.ashyq_score(waiting, weights) is None


# --- every published score from the export's aggregated figures (private appeals count) ---------------------


def _plain(data):
    return json.loads(json.dumps(data))


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_published_score_recomputed_from_the_export_figures_with_private_appeals(
    scenario, client, bodies, tmp_path, at, fmt, make_user
):
    from django.core.management import call_command

    # A mix: half the appeals published, the rest private (or never published); all of them count.
    ids = list(Appeal.objects.order_by("pk").values_list("pk", flat=True))
    Appeal.objects.filter(pk__in=ids[::2]).update(is_public=True, published_at=timezone.now())
    # A body with datasets: their counts are in the figures too, and the scores use them.
    publish_dataset(make_user, bodies[OTHER], "justice-data", [dt.date(2025, 3, 10), dt.date(2025, 5, 20)])
    figures.recompute_all()
    day = dt.date(2025, 6, 2)  # the complaints, the repeats and the ping-pong are open and overdue by then
    with at(day):
        call_command("export_public_data", "--out", str(tmp_path), stdout=__import__("io").StringIO())
    data = recompute.load_export(tmp_path, fmt)
    assert data["as_of"] == day
    # Private appeals count: the figures hold more than the published rows do.
    published = recompute.counts_from_export(tmp_path / f"appeals.{fmt}", tmp_path / f"events.{fmt}")
    assert sum(c["received"] for c in data["counts"].values()) > sum(c["received"] for c in published.values())
    db = {(Body_by_id(bodies, b).slug, m): c for (b, m), c in figures.compute_counts().items()}
    assert data["counts"] == db
    assert any(c["open_due"] for c in data["counts"].values())
    assert data["counts"][(OTHER, dt.date(2025, 5, 1))]["datasets_updated"] == 1
    with at(day):
        for period in ("2025", "2025-Q1", "2025-03", "2025-04", "2025-Q2"):
            site = client.get(reverse("assessment:ranking-download", args=["json"]) + f"?period={period}").json()
            assert _plain(recompute.ranking_from_counts(data["counts"], period, as_of=data["as_of"])) == site["bodies"]
            for slug in (FORMAL, SLOW, OTHER):
                card = client.get(reverse("assessment:scorecard-download", args=[slug, "json"]) + f"?period={period}").json()
                mine = _plain(recompute.scorecard_from_counts(data["counts"], slug, period, as_of=data["as_of"]))
                assert {k: card[k] for k in mine} == mine
                if slug == OTHER:
                    assert mine["official_components"]["uploads"] is not None
                    assert mine["ashyq_components"]["data_quality"] is not None
            regions = client.get(reverse("assessment:regions-download", args=["json"]) + f"?period={period}").json()
            mine = [
                {k: r[k] for k in ("region", "population", "registered", "per_100k", "answered", "resolved")}
                for r in recompute.regions_from_export(data, period)
            ]
            assert mine == regions["regions"]
    # The figures files carry counts, never appeal numbers or texts.
    text = (tmp_path / f"body_month_figures.{fmt}").read_text(encoding="utf-8")
    assert not any(a.number in text for a in Appeal.objects.all()) and "bribe" not in text.lower()


@override_settings(ASHYQ_ASSESSMENT=SETTINGS)
def test_open_appeals_past_their_term_count_as_not_on_time(scenario, bodies):
    figures.recompute_all()
    april = selectors.counts_by_body("2025-04", as_of=dt.date(2025, 4, 2))
    later = selectors.counts_by_body("2025-04", as_of=dt.date(2025, 7, 1))
    formal = bodies[FORMAL].pk
    # The two repeat appeals of 1 April to the formal body are never answered: not overdue on 2 April, overdue in July.
    assert april[formal]["overdue"] == 0 and later[formal]["overdue"] == 2
    assert later[formal]["answered"] == 0
    m = scoring.measures(later[formal])
    assert m["on_time_rate"]["k"] == 0 and m["on_time_rate"]["n"] == 2  # never answering does not look timely
    assert scoring.ashyq_components(later[formal])["timeliness"] == 0
    # A body that answers some on time and leaves others overdue: on time among answered AND overdue.
    c = scoring.settle(
        scoring.empty_counts()
        | {
            "received": 10,
            "answered": 4,
            "on_time": 4,
            "final_resolved_confirmed": 4,
            "final_timely": 4,
            "open_due": {"2025-05-01": 6},
        },
        dt.date(2025, 6, 1),
    )
    assert scoring.ashyq_components(c)["timeliness"] == 0.4
    assert scoring.measures(c)["on_time_rate"]["n"] == 10
    before_term = scoring.settle(dict(c), dt.date(2025, 5, 1))  # due that day: not overdue yet
    assert scoring.ashyq_components(before_term)["timeliness"] == 1.0
