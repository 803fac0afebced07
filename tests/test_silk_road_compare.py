"""The Silk Road country comparison: partners side by side from the showcase datasets, charts drawn on the server with
a data table beside each, CSV and JSON downloads of the same figures, and clear errors for a bad request."""

import csv
import io
import re

import pytest
from django.urls import reverse

from ashyq.opendata.showcase import load_showcase

COMPARE = reverse("opendata:compare")


@pytest.fixture
def showcase(reference):
    load_showcase()


def _country_slugs(page):
    return re.findall(r'name="country" value="([^"]+)"[^>]* checked', page)


def test_the_default_comparison_shows_five_partners_with_figures_from_the_references(client, showcase):
    response = client.get(COMPARE)
    assert response.status_code == 200
    page = response.content.decode()
    assert _country_slugs(page) == ["china", "kyrgyzstan", "russia", "tajikistan", "uzbekistan"]  # the form, in list order
    side = page[page.index('id="side-title"') : page.index('id="turnover-title"')]
    headers = re.findall(r'<th scope="col"><a href="/data/silk-road/([^/]+)/">', side)
    assert headers == ["china", "russia", "uzbekistan", "kyrgyzstan", "tajikistan"]
    # Table 4 of Makhambetaliyev and Kosherbayev, Central Asia's Affairs 4/2020: Russia 19,983.0; China 14,792.5; Uzbekistan 3,415.1 (million US dollars, 2019).
    row = re.search(r"<tr><th scope=\"row\">Trade with Kazakhstan, 2019: turnover, million US dollars</th>(.*?)</tr>", side)[1]
    assert re.findall(r"<td>([^<]*)</td>", row) == ["14792.5", "19983.0", "3415.1", "—", "—"]
    row = re.search(r"<tr><th scope=\"row\">Regional trade agreement with Kazakhstan</th>(.*?)</tr>", side)[1]
    assert re.findall(r"<td>([^<]*)</td>", row) == ["—", "operating", "—", "operating", "notified"]


def test_every_chart_is_inline_svg_named_by_its_heading_with_a_table_beside_it(client, showcase):
    page = client.get(COMPARE).content.decode()
    charts = re.findall(r'<svg class="chart"[^>]*aria-labelledby="([^"]+)"', page)
    assert charts == ["turnover-title", "activities-title", "shares-title"]
    for title in charts:
        assert f'<h2 id="{title}">' in page
        after = page[page.index(f'aria-labelledby="{title}"') :]
        assert after.index("<table") < after.index("</figure>") + 200  # the data table follows the chart
    assert "<script" not in re.sub(r'<script src="/static/ashyq/site\.js[^"]*" defer></script>', "", page)
    # Three Central Asian partners have shares (Kyrgyzstan, Tajikistan, Uzbekistan): three lines.
    shares = page[
        page.index('aria-labelledby="shares-title"') : page.index("</svg>", page.index('aria-labelledby="shares-title"'))
    ]
    assert shares.count("<polyline") == 3


def test_the_counts_agree_with_each_country_page(client, showcase):
    page = client.get(COMPARE, {"country": ["china", "uzbekistan", "kyrgyzstan"]}).content.decode()
    table = page[page.index('id="activities-title"') :]
    for slug in ("china", "uzbekistan", "kyrgyzstan"):
        counts = re.search(
            rf'<th scope="row"><a href="/data/silk-road/{slug}/">[^<]+</a></th><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>',
            table,
        )
        projects, aid, agreements, total = map(int, counts.groups())
        assert projects + aid + agreements == total
        country = client.get(reverse("opendata:country", args=[slug])).content.decode()
        activities = country[country.index("<tbody>", country.index("Projects, aid and agreements")) :]
        activities = activities[: activities.index("</tbody>")]
        assert activities.count("<tr>") == total, slug


def test_the_downloads_carry_the_same_figures(client, showcase):
    query = {"country": ["russia", "china", "the-republic-of-korea"]}
    response = client.get(reverse("opendata:compare-download", args=["csv"]), query)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["name"] for r in rows] == ["Russia", "China", "The Republic of Korea"]
    assert [r["kz_turnover_musd"] for r in rows] == ["19983.0", "14792.5", "6545.5"]
    assert rows[0]["rta_with_kazakhstan"] == "+" and rows[1]["rta_with_kazakhstan"] == ""
    data = client.get(reverse("opendata:compare-download", args=["json"]), query).json()
    assert [c["slug"] for c in data["countries"]] == ["russia", "china", "the-republic-of-korea"]
    assert data["countries"][0]["kz_turnover_musd"] == 19983.0 and data["countries"][1]["rta_with_kazakhstan"] is None
    for record, row in zip(data["countries"], rows):
        assert {k: "" if v is None else str(v) for k, v in record.items()} == row
    assert any(url.endswith("/data/datasets/kazakhstan-trading-partners-2019/") for url in data["sources"])
    # The page's download links keep the selection.
    page = client.get(COMPARE, query).content.decode()
    assert "compare.csv?country=russia&amp;country=china&amp;country=the-republic-of-korea" in page


def test_bad_requests_get_a_clear_error_and_keep_the_good_choices(client, showcase):
    page = client.get(COMPARE, {"country": ["china", "<script>x</script>"]})
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "&lt;script&gt;x&lt;/script&gt;" in text and "<script>x" not in text
    assert _country_slugs(text) == ["china"]
    response = client.get(COMPARE, {"chosen": "1"})
    assert response.status_code == 400 and "Choose at least one country." in response.content.decode()
    many = ["china", "russia", "uzbekistan", "kyrgyzstan", "tajikistan", "turkey", "italy", "france", "spain"]
    text = client.get(COMPARE, {"country": many}).content.decode()
    assert "Choose at most 8 countries" in text and len(_country_slugs(text)) == 8
    for fmt in ("csv", "json"):
        response = client.get(reverse("opendata:compare-download", args=[fmt]), {"country": ["china", "atlantis"]})
        assert response.status_code == 400 and "atlantis" in response.content.decode()


def test_the_explorer_and_every_partner_page_link_to_the_comparison(client, showcase):
    assert COMPARE in client.get(reverse("opendata:silk-road")).content.decode()
    page = client.get(reverse("opendata:country", args=["turkey"])).content.decode()
    assert f"{COMPARE}?country=turkey&amp;country=china" in page
    compared = client.get(COMPARE, {"country": ["turkey", "china"]}).content.decode()
    assert _country_slugs(compared) == ["china", "turkey"]


def test_without_the_showcase_the_page_says_so(client, reference):
    response = client.get(COMPARE)
    assert response.status_code == 200 and "not loaded yet" in response.content.decode()
