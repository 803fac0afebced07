"""Content analysis reports (issue 5): the study's four questions for one body and for all bodies, from
appeals played through the real dialogue services; per-capita rates, intervals, filters, comparison,
downloads equal to the pages, the open-data table that recomputes them, and bad filter input."""

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from ashyq.analysis import refresh, reports
from ashyq.analysis import services as analysis
from ashyq.analysis.models import AppealAnalysis, Handling
from ashyq.assessment.scoring import wilson
from ashyq.dialogue import services
from ashyq.dialogue.models import Outcome
from ashyq.publicdata import export

SITE_SCRIPT = re.compile(r'<script src="/static/ashyq/site\.js[^"]*" defer></script>')

ACC, GPO = "anti-corruption-agency", "general-prosecutors-office"
MARCH = dt.date(2025, 3, 3)  # a Monday
APRIL = dt.date(2025, 4, 7)
PRIVATE_WORDS = "Zembla-qx91 secret neighbour quarrel"
SMALL = {"min_appeals": 3}


@pytest.fixture
def case(people, bodies, regions, submit, at, run_queue):
    with run_queue:
        return build_case(people, bodies, regions, submit, at)


def build_case(people, bodies, regions, submit, at):
    """Five appeals to the Anti-Corruption Agency in March 2025 (one redirected to the General Prosecutor's
    Office, which opens an investigation; one answered with a disciplinary investigation; one explained;
    one pending; one withdrawn), a private appeal to the GPO, and one more appeal to the agency in April.
    Run with the dialogue's after-commit hooks executed (as in production), or in a committing test."""
    applicant, acc = people["applicant"], people["official"]
    made = {}
    with at(MARCH):
        made["redirected"] = submit(applicant, ACC, subject="Взятка в полиции", text="Участковый полиции требовал деньги.")
        made["investigated"] = submit(
            applicant,
            ACC,
            region=regions["KZ-71"],
            subject="Поборы в поликлинике",
            text="В поликлинике требуют деньги за приём врача.",
        )
        made["explained"] = submit(applicant, ACC, subject="Налоговая не отвечает", text="Налоговый инспектор волокитит.")
        made["pending"] = submit(applicant, ACC, subject="Долгое рассмотрение", text="Прошу разобраться.")
        made["withdrawn"] = submit(applicant, ACC, subject="Вопрос решён", text="Прошу разобраться.")
        made["private"] = submit(
            people["other_applicant"],
            GPO,
            region=regions["KZ-79"],
            subject=PRIVATE_WORDS,
            text=f"{PRIVATE_WORDS}: only the body may read this.",
        )
        services.redirect_appeal(acc, made["redirected"], bodies[GPO], "Надзор относится к прокуратуре.")
    with at(MARCH + dt.timedelta(days=3)):
        services.answer_appeal(
            people["other_official"],
            made["redirected"],
            outcome=Outcome.RESOLVED,
            text="Начато досудебное расследование, материалы направлены в суд.",
        )
        services.answer_appeal(
            acc,
            made["investigated"],
            outcome=Outcome.RESOLVED,
            text="Назначена служебная проверка, виновные привлечены к дисциплинарной ответственности.",
        )
        services.answer_appeal(acc, made["explained"], outcome=Outcome.EXPLAINED, text="Разъясняем порядок обжалования.")
        services.withdraw_appeal(applicant, made["withdrawn"], "Решено.")
        for key, cause in (("redirected", "corruption"), ("investigated", "corruption"), ("explained", "poor_work")):
            analysis.set_label(acc, made[key], "cause", cause)
        analysis.set_label(acc, made["investigated"], "sector", "healthcare")
    with at(APRIL):
        made["april"] = submit(applicant, ACC, subject="Ещё одна взятка", text="Снова требуют деньги.")
        analysis.set_label(acc, made["april"], "cause", "corruption")
    return made


def march(body=None):
    return reports.scope(body, "2025-03", "2025-03")


def by(rows, key):
    return {r[key]: r for r in rows}


def test_the_agency_report_answers_the_four_questions(case, bodies, regions):
    s = march(bodies[ACC])
    causes = reports.causes(s)
    assert causes["total"] == 5
    rows = by(causes["rows"], "cause")
    assert rows["corruption"]["count"] == 2 and rows["poor_work"]["count"] == 1 and rows[""]["count"] == 2
    assert rows["corruption"]["confirmed"] == 2 and rows["corruption"]["confirmed_share"]["value"] == 1
    low, high = wilson(2, 5)
    assert rows["corruption"]["share"] == {"k": 2, "n": 5, "value": 0.4, "low": low, "high": high}
    assert rows["state_support"]["count"] == 0  # every study category is listed, even when none occurs

    handling = {r["handling"]: r["count"] for r in reports.handling(s)["rows"]}
    assert handling == {
        "merits": 1,
        "investigation": 1,
        "redirected": 1,
        "refused": 0,
        "left_without_consideration": 0,
        "pending": 1,
        "withdrawn": 1,
    }
    # The redirect counts as "redirected to the GPO" for the agency ...
    redirects = reports.redirects(s)
    assert [(r["body"], r["count"]) for r in redirects["rows"]] == [(GPO, 1)] and redirects["total"] == 1
    # ... and as handled (an investigation) by the GPO, which also holds the private appeal.
    gpo = {r["handling"]: r["count"] for r in reports.handling(march(bodies[GPO]))["rows"]}
    assert gpo["investigation"] == 1 and gpo["pending"] == 1 and gpo["redirected"] == 0

    sectors = by(reports.sectors(s)["rows"], "sector")
    assert sectors["healthcare"]["count"] == 1 and sectors["healthcare"]["confirmed"] == 1
    assert sectors["law-enforcement"]["count"] == 1  # suggested from the text ("полиции"), not confirmed
    assert sectors["law-enforcement"]["confirmed"] == 0
    assert {"ministry-of-healthcare"} <= {b["slug"] for b in sectors["healthcare"]["bodies"]}

    languages = {r["language"]: r["count"] for r in reports.languages(s)["rows"]}
    assert languages["ru"] == 5 and sum(languages.values()) == 5


def test_regions_per_100k_with_the_population_and_its_source(case, bodies, regions):
    rows = by(reports.regions(march(bodies[ACC]))["rows"], "region")
    almaty, astana = rows["KZ-75"], rows["KZ-71"]
    assert almaty["count"] == 4 and astana["count"] == 1
    assert almaty["population"] == regions["KZ-75"].population > 0
    assert almaty["per_100k"] == round(100_000 * 4 / regions["KZ-75"].population, 2)
    assert almaty["population_source"] == regions["KZ-75"].population_source
    assert rows["KZ-79"]["count"] == 0 and rows["KZ-79"]["per_100k"] == 0


def test_all_bodies_count_each_appeal_once_at_the_body_that_holds_it(case, bodies):
    s = march()
    handling = {r["handling"]: r["count"] for r in reports.handling(s)["rows"]}
    assert sum(handling.values()) == 6  # five to the agency, the private one to the GPO
    assert handling["investigation"] == 2 and handling["redirected"] == 0 and handling["pending"] == 2
    # Redirects over all bodies: every redirect made in the months.
    assert [(r["body"], r["count"]) for r in reports.redirects(s)["rows"]] == [(GPO, 1)]
    assert AppealAnalysis.objects.filter(appeal=case["redirected"]).count() == 2


def test_period_filters_and_trends(case, bodies):
    both = reports.scope(bodies[ACC], "2025-03", "2025-04")
    assert reports.causes(both)["total"] == 6
    assert reports.causes(reports.scope(bodies[ACC], "2025-04", "2025-04"))["total"] == 1
    trend = reports.trend_causes(both)
    assert trend["months"] == ["2025-03", "2025-04"]
    series = {x["key"]: x["counts"] for x in trend["series"]}
    assert series["corruption"] == [2, 1] and series["poor_work"] == [1, 0] and series[""] == [2, 0]
    handling = {x["key"]: x["counts"] for x in reports.trend_handling(both)["series"]}
    assert handling["pending"] == [1, 1] and "refused" not in handling
    # Without a range: the twelve months up to the latest with appeals.
    default = reports.scope(bodies[ACC])
    assert (default.first, default.last) == (dt.date(2024, 5, 1), dt.date(2025, 4, 1))


def test_small_numbers_are_shown_but_not_ranked(case, bodies):
    # The assessment's default threshold (30): five appeals keep the study's order of causes.
    s = march(bodies[ACC])
    unranked = reports.causes(s)
    assert not unranked["ranked"]
    assert [r["cause"] for r in unranked["rows"]][:3] == ["corruption", "poor_work", "red_tape"]
    assert unranked["rows"][-1]["cause"] == ""  # not classified: always last
    with override_settings(ASHYQ_ASSESSMENT=SMALL):
        ranked = reports.causes(s)
        assert ranked["ranked"] and [r["count"] for r in ranked["rows"][:3]] == [2, 1, 0]
        compared = reports.comparison(reports.scope(None, "2025-03", "2025-03"))
        assert [r["body"] for r in compared["unranked"]] == [GPO]
        acc = compared["rows"][0]
    assert acc["body"] == ACC and acc["appeals"] == 5 and acc["top_cause"] == "corruption" and acc["top_cause_count"] == 2
    assert (acc["merits"]["k"], acc["redirected"]["k"], acc["investigated"]["k"], acc["confirmed"]["k"]) == (1, 1, 1, 3)
    assert acc["merits"]["n"] == 5


def test_rows_follow_the_record_and_equal_a_full_rebuild(case):
    before = sorted(
        AppealAnalysis.objects.values_list(
            "appeal_id", "body_id", "month", "cause", "sector", "handling", "redirected_to_id", "final"
        )
    )
    refresh.refresh_all()
    after = sorted(
        AppealAnalysis.objects.values_list(
            "appeal_id", "body_id", "month", "cause", "sector", "handling", "redirected_to_id", "final"
        )
    )
    assert before == after


# --- pages and downloads -----------------------------------------------------------------------------------------

PAGES = [
    ("analysis:index", [], "?from=2025-03&to=2025-04"),
    ("analysis:body", [ACC], "?from=2025-03&to=2025-04"),
    ("analysis:body", [GPO], "?from=2025-03&to=2025-03"),
    ("analysis:compare", [], "?from=2025-03&to=2025-04"),
]


def test_pages_show_the_report_with_charts_and_tables(case, client, bodies):
    html = client.get(reverse("analysis:body", args=[ACC]) + "?from=2025-03&to=2025-03").content.decode()
    main = html.split("<main", 1)[1]
    # Charts are SVG drawn by the server: no script but the site's own deferred enhancements (core/static/ashyq/site.js).
    assert "<svg" in main and "<script" not in SITE_SCRIPT.sub("", html) and "style=" not in main
    for caption in (
        "Causes of appeals",
        "Appeals by region",
        "Criticised sectors",
        "Handling",
        "Redirects by receiving body",
        "Languages",
        "Monthly appeals by cause",
        "Monthly appeals by handling",
    ):
        assert f"<caption>{caption}</caption>" in main
    assert escape(bodies[GPO].name) in main and "Encounter with corruption" in main
    assert 'scope="col"' in main and 'scope="row"' in main
    # Links to each table's downloads, with the same months.
    assert reverse("analysis:body-table", args=[ACC, "causes", "csv"]) + "?from=2025-03&amp;to=2025-03" in main
    index = client.get(reverse("analysis:index")).content.decode()
    assert reverse("analysis:compare") in index and f'<option value="{ACC}"' in index
    compare = client.get(reverse("analysis:compare") + "?from=2025-03&to=2025-03").content.decode()
    assert reverse("analysis:body", args=[ACC]) in compare and "Too few appeals to compare" in compare
    # The navigation and the body's page lead here.
    assert reverse("analysis:index") in client.get("/").content.decode()
    assert reverse("analysis:body", args=[ACC]) in client.get(reverse("body", args=[ACC])).content.decode()


def test_the_body_selector_goes_to_the_body_report(case, client):
    response = client.get(reverse("analysis:index") + f"?body={GPO}&from=2025-03&to=2025-03")
    assert response.status_code == 302
    assert response["Location"] == reverse("analysis:body", args=[GPO]) + "?from=2025-03&to=2025-03"


def test_no_private_text_on_any_page_or_download(case, client):
    urls = [reverse(name, args=args) + query for name, args, query in PAGES]
    for body in ([], [GPO]):
        for table in ("causes", "regions", "sectors", "handling", "redirects", "languages", "trend-causes", "trend-handling"):
            for fmt in ("csv", "json"):
                name = "analysis:body-table" if body else "analysis:table"
                urls.append(reverse(name, args=[*body, table, fmt]) + "?from=2025-03&to=2025-04")
    urls += [reverse("analysis:compare-download", args=[fmt]) for fmt in ("csv", "json")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert "Zembla-qx91" not in text and "only the body may read" not in text, url
        assert "Участковый" not in text and "досудебное" not in text, url  # nor any other appeal's or answer's words


def test_downloads_carry_exactly_what_the_tables_show(case, client, bodies):
    query = "?from=2025-03&to=2025-03"
    data = client.get(reverse("analysis:body-table", args=[ACC, "causes", "json"]) + query).json()
    assert data["scope"]["body"] == ACC and data["scope"]["from"] == "2025-03" and data["total"] == 5
    assert data["rows"] == json.loads(json.dumps(reports.causes(march(bodies[ACC]))["rows"]))
    rows = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("analysis:body-table", args=[ACC, "causes", "csv"]) + query).content.decode())
        )
    )
    corruption = next(r for r in rows if r["cause"] == "corruption")
    assert corruption["count"] == "2" and corruption["share"] == "0.4"
    assert float(corruption["share_low"]) == round(wilson(2, 5)[0], 4)
    regions = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("analysis:body-table", args=[ACC, "regions", "csv"]) + query).content.decode())
        )
    )
    assert {"region", "count", "population", "per_100k", "population_source"} <= set(regions[0])
    redirects = client.get(reverse("analysis:body-table", args=[ACC, "redirects", "json"]) + query).json()
    assert [(r["body"], r["count"]) for r in redirects["rows"]] == [(GPO, 1)]
    sectors = client.get(reverse("analysis:table", args=["sectors", "csv"]) + query).content.decode()
    assert "competent_bodies" in sectors.splitlines()[0]
    trend = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("analysis:body-table", args=[ACC, "trend-causes", "csv"]) + "?from=2025-03&to=2025-04"
                ).content.decode()
            )
        )
    )
    assert trend[0][0] == "month" and [row[0] for row in trend[1:]] == ["2025-03", "2025-04"]
    column = trend[0].index("corruption")
    assert [row[column] for row in trend[1:]] == ["2", "1"]
    with override_settings(ASHYQ_ASSESSMENT=SMALL):
        compared = client.get(reverse("analysis:compare-download", args=["json"]) + query).json()
        assert compared["bodies"][0]["body"] == ACC and compared["bodies"][0]["ranked"] is True
        header = client.get(reverse("analysis:compare-download", args=["csv"]) + query).content.decode().splitlines()[0]
    assert header.startswith("body,name,appeals,ranked,top_cause")


@pytest.mark.parametrize(
    "query, message",
    [
        ("?from=2025-13", "give a month as YYYY-MM"),
        ("?from=March", "give a month as YYYY-MM"),
        ("?to=2025-3", "give a month as YYYY-MM"),
        ("?from=2025-05&to=2025-03", "The first month comes after the last one."),
        ("?from=2000-01&to=2025-03", "Choose at most 120 months."),
    ],
)
def test_bad_months_get_a_clear_error_not_a_500(case, client, query, message):
    for url in (reverse("analysis:index"), reverse("analysis:body", args=[ACC]), reverse("analysis:compare")):
        response = client.get(url + query)
        assert response.status_code == 400 and message in response.content.decode(), url
    response = client.get(reverse("analysis:body-table", args=[ACC, "causes", "json"]) + query)
    assert response.status_code == 400 and message in response.json()["error"]
    response = client.get(reverse("analysis:table", args=["handling", "csv"]) + query)
    assert response.status_code == 400 and message in response.content.decode()


def test_unknown_body_or_table_is_a_404(case, client):
    assert client.get(reverse("analysis:body", args=["no-such-body"])).status_code == 404
    assert client.get(reverse("analysis:index") + "?body=no-such-body").status_code == 404
    assert client.get(reverse("analysis:body-table", args=["no-such-body", "causes", "csv"])).status_code == 404
    assert client.get("/analysis/secrets.csv").status_code == 404
    assert client.get(f"/analysis/bodies/{ACC}/causes.xml").status_code == 404


def test_pages_render_in_each_language(case, client):
    for lang in ("kk", "ru", "en"):
        client.cookies["django_language"] = lang
        for name, args, query in PAGES:
            assert client.get(reverse(name, args=args) + query, HTTP_ACCEPT_LANGUAGE=lang).status_code == 200


# --- the open-data table ------------------------------------------------------------------------------------------


def recompute(rows, body: str | None, first: str, last: str):
    """A report's causes, regions and handling from analysis_month_figures alone (what a reader of the open data
    would do): the body's rows, or for all bodies the final rows, summed over the months."""
    in_range = [r for r in rows if first <= r["month"][:7] <= last]
    out = {"causes": {}, "regions": {}, "handling": {}, "redirects": {}}
    for r in in_range:
        table = {"cause": "causes", "region": "regions", "handling": "handling"}.get(r["dimension"])
        if table and (r["body"] == body if body else r["final"]):
            out[table][r["value"]] = out[table].get(r["value"], 0) + r["count"]
        if r["dimension"] == "redirected_to" and (r["body"] == body or not body):
            out["redirects"][r["value"]] = out["redirects"].get(r["value"], 0) + r["count"]
    return out


def from_reports(s):
    def counts(table, key):
        return {r[key]: r["count"] for r in table["rows"] if r["count"]}

    return {
        "causes": counts(reports.causes(s), "cause"),
        "regions": counts(reports.regions(s), "region"),
        "handling": counts(reports.handling(s), "handling"),
        "redirects": counts(reports.redirects(s), "body"),
    }


def test_the_open_data_table_recomputes_the_reports(case, bodies, tmp_path):
    export.write_export(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "analysis-month-figures")
    header = next(csv.reader((tmp_path / "analysis_month_figures.csv").open(encoding="utf-8")))
    assert [f["name"] for f in resource["schema"]["fields"]] == header
    assert "appeal" not in header and "text" not in header and "subject" not in header

    def parse_csv(r):
        return {**r, "count": int(r["count"]), "final": r["final"] == "true"}

    from_csv = [parse_csv(r) for r in csv.DictReader((tmp_path / "analysis_month_figures.csv").open(encoding="utf-8"))]
    from_json = json.loads((tmp_path / "analysis_month_figures.json").read_text(encoding="utf-8"))
    # Each dimension on its own sums to every analysis row; no row ties one dimension to another.
    for dimension in ("cause", "sector", "region", "language", "handling"):
        assert sum(r["count"] for r in from_csv if r["dimension"] == dimension) == AppealAnalysis.objects.count() == 8
    assert {"cause", "region"}.isdisjoint(header)
    for rows in (from_csv, from_json):
        for body, first, last in (
            (ACC, "2025-03", "2025-03"),
            (ACC, "2025-03", "2025-04"),
            (GPO, "2025-03", "2025-04"),
            (None, "2025-03", "2025-04"),
        ):
            s = reports.scope(bodies[body] if body else None, first, last)
            assert recompute(rows, body, first, last) == from_reports(s), (body, first, last)
    text = (tmp_path / "analysis_month_figures.json").read_text(encoding="utf-8")
    assert "Zembla" not in text and "Участковый" not in text


def test_handling_rule_names_investigations_in_kazakh_russian_and_english():
    from ashyq.analysis.handling import answer_handling

    assert (
        answer_handling(Outcome.RESOLVED, "Тексеру жүргізілді, кінәлілер тәртіптік жауапкершілікке тартылды.")
        == Handling.INVESTIGATION
    )
    assert answer_handling(Outcome.RESOLVED, "Дорогу отремонтировали.") == Handling.MERITS
    assert answer_handling(Outcome.REFUSED, "investigation") == Handling.REFUSED


# --- the benchmark generator --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_generated_appeals_have_the_analysis_rows_their_record_gives(reference):
    from collections import Counter

    from django.core.management import call_command

    from ashyq.dialogue.models import Appeal

    call_command("generate_appeals", "300", "--seed", "4", verbosity=0)
    columns = ("appeal_id", "body_id", "month", "region_id", "handling", "redirected_to_id", "final", "published")
    generated = sorted(AppealAnalysis.objects.values_list(*columns))
    finals = Counter(AppealAnalysis.objects.filter(final=True).values_list("appeal_id", flat=True))
    assert set(finals) == set(Appeal.objects.values_list("pk", flat=True)) and set(finals.values()) == {1}
    assert set(AppealAnalysis.objects.values_list("handling", flat=True)) >= {
        "merits",
        "investigation",
        "redirected",
        "refused",
        "left_without_consideration",
        "pending",
        "withdrawn",
    }
    causes = Counter(AppealAnalysis.objects.filter(final=True).values_list("cause", flat=True))
    assert causes.most_common(1)[0][0] in {"corruption", "poor_work"} and len(causes) >= 8
    assert AppealAnalysis.objects.filter(cause_confirmed=True).exists()
    assert set(AppealAnalysis.objects.values_list("language", flat=True)) >= {"ru", "kk", "mixed"}
    # Where each appeal went and how each body handled it are what the analysis itself reads from the record.
    refresh.refresh_all()
    assert sorted(AppealAnalysis.objects.values_list(*columns)) == generated
