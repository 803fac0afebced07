"""package_search: words in Kazakh, Russian and English as prefixes, filters by publisher, tag and format, facets
and paging, on both databases; on PostgreSQL the catalogue is searched through its indexes."""

import importlib

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ashyq.opendata import search, services
from ashyq.opendata.models import Resource

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

MTI, ACA = "ministry-of-trade-and-integration", "anti-corruption-agency"


@pytest.fixture
def catalogue(bodies):
    made = {}
    for slug, body, tags, fmt, titles in [
        (
            "partners",
            MTI,
            ["trade"],
            "CSV",
            ("Main trading partners", "Основные торговые партнёры", "Негізгі сауда серіктестері"),
        ),
        (
            "exports",
            MTI,
            ["trade", "energy"],
            "XLSX",
            ("Exports of oil and gas", "Экспорт нефти и газа", "Мұнай мен газ экспорты"),
        ),
        ("grid", MTI, ["energy"], "CSV", ("Electricity grid", "Электросеть", "Электр желісі")),
        ("cases", ACA, ["justice"], "JSON", ("Corruption cases", "Коррупционные дела", "Сыбайлас жемқорлық істері")),
    ]:
        dataset = services.save_dataset(
            None,
            bodies[body],
            slug,
            title_en=titles[0],
            title_ru=titles[1],
            title_kk=titles[2],
            description_en=f"{titles[0]} published by the body.",
            tags=tags,
            licence="CC-BY-4.0",
        )
        services.add_resource(None, dataset, "data", fmt, url="https://example.kz/data")
        made[slug] = dataset
    return made


def find(client, **params):
    response = client.get("/api/3/action/package_search", params)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def names(result):
    return sorted(p["name"] for p in result["results"])


def test_words_match_as_prefixes_in_every_language_and_all_must_occur(client, catalogue):
    assert names(find(client, q="сауда")) == ["partners"]  # Kazakh title
    assert names(find(client, q="ТОРГОВ")) == ["partners"]  # Russian, any case, a prefix
    assert names(find(client, q="partner")) == ["partners"]
    assert names(find(client, q="oil gas")) == ["exports"]
    assert names(find(client, q="oil justice")) == []
    assert names(find(client, q="energy")) == ["exports", "grid"]  # tags are searched too
    assert names(find(client, q="*:*"))[:1] == ["cases"] and find(client, q="*:*")["count"] == 4
    assert find(client, q='it\'s "a" & | ! :*')["count"] == 0  # query syntax is never passed through


def test_filters_facets_and_paging(client, catalogue):
    result = find(client, fq=f"organization:{MTI} tags:energy", **{"facet.field": '["organization","tags","res_format"]'})
    assert result["count"] == 2 and names(result) == ["exports", "grid"]
    assert result["facets"]["organization"] == {MTI: 2}
    assert result["facets"]["tags"] == {"energy": 2, "trade": 1}
    assert result["facets"]["res_format"] == {"CSV": 1, "XLSX": 1}
    assert names(find(client, fq="res_format:csv")) == ["grid", "partners"]
    assert names(find(client, fq=f"organization:{ACA} res_format:CSV")) == []
    page = find(client, sort="name asc", rows=2, start=1)
    assert page["count"] == 4 and [p["name"] for p in page["results"]] == ["exports", "grid"]


def test_a_page_costs_the_same_queries_whatever_its_length(client, catalogue, bodies):
    for i in range(12):
        dataset = services.save_dataset(
            None, bodies[MTI], f"extra-{i}", title_en=f"Extra {i}", title_ru=f"Дополнительный {i}", tags=["trade"]
        )
        services.add_resource(None, dataset, "data", Resource.Format.CSV, url="https://example.kz/data")
    counts = []
    for rows in (2, 12):
        with CaptureQueriesContext(connection) as queries:
            assert len(find(client, q="extra", rows=rows, **{"facet.field": '["tags"]'})["results"]) == rows
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_search_expression_is_the_indexed_one():
    migration = importlib.import_module("ashyq.opendata.migrations.0003_search_indexes")
    assert search.DOCUMENT == migration.DOCUMENT


@pytest.mark.skipif(not ON_POSTGRES, reason="the indexes are PostgreSQL's")
@pytest.mark.parametrize(
    "criteria, index",
    [
        ({"q": "сауда"}, "opendata_dataset_search"),
        ({"tags": ["trade"]}, "opendata_dataset_tags"),
        ({"res_format": "CSV"}, "opendata_resource_format"),
        ({}, "opendata_dataset_modified"),
    ],
)
def test_on_postgresql_each_criterion_has_its_index(catalogue, criteria, index):
    qs = search.search_datasets(**criteria).order_by("-modified_at", "slug")[:10]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a four-row table would be scanned otherwise
        if "q" in criteria or "tags" in criteria:
            # On four rows the planner may walk the modified_at index for the order and filter as it goes, which
            # says nothing of the filter's own index; without plain index scans, only an index that can answer
            # the filter itself (a bitmap scan) is left.
            cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan
