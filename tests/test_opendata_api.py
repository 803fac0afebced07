"""The CKAN-compatible Action API, read by the ckanapi client as a harvester would; the showcase pages."""

import ckanapi
import pytest

from ashyq.opendata.showcase import load_showcase


@pytest.fixture
def showcase(transactional_db, reference):
    load_showcase()


def test_ckanapi_reads_the_catalogue_and_the_datastore(live_server, showcase):
    ckan = ckanapi.RemoteCKAN(live_server.url)
    assert ckan.action.status_show()["ckan_version"].startswith("2.")
    names = ckan.action.package_list()
    assert "kazakhstan-trading-partners-2019" in names and len(names) == 9
    found = ckan.action.package_search(
        q="partners",
        fq="organization:ministry-of-trade-and-integration tags:trade res_format:CSV",
        rows=1,
        start=0,
        sort="name asc",
        **{"facet.field": ["organization", "tags"]},
    )
    assert found["count"] == 2 and [p["name"] for p in found["results"]] == ["kazakhstan-trading-partners-2019"]
    assert found["search_facets"]["organization"]["items"][0]["count"] == 2
    package = ckan.action.package_show(id="kazakhstan-trading-partners-2019")
    assert package["organization"]["name"] == "ministry-of-trade-and-integration" and package["num_resources"] == 1
    assert ckan.action.organization_list() == ["ministry-of-trade-and-integration"]
    assert ckan.action.organization_show(id="ministry-of-trade-and-integration")["package_count"] == 9
    resource_id = package["resources"][0]["id"]
    assert ckan.action.resource_show(id=resource_id)["datastore_active"] is True
    result = ckan.action.datastore_search(
        resource_id=resource_id, filters={"partner": "Uzbekistan"}, fields=["partner", "turnover_musd"]
    )
    assert result["records"] == [{"partner": "Uzbekistan", "turnover_musd": 3415.1}] and result["total"] == 1
    result = ckan.action.datastore_search(resource_id=resource_id, q="korea", include_total=False)
    assert len(result["records"]) == 1 and "total" not in result
    result = ckan.action.datastore_search(resource_id=resource_id, sort="turnover_musd desc", limit=2, offset=1)
    assert [r["partner"] for r in result["records"]] == ["Other countries", "Russia"] and result["total"] == 12
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="no-such-dataset")
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.datastore_search(resource_id=resource_id, sort="nonsense")


def test_envelope_and_errors_over_get(client, showcase):
    response = client.get("/api/3/action/package_show")
    assert response.status_code == 409
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Validation Error" and "help" in body
    assert client.get("/api/3/action/no_such_action").status_code == 400
    ok = client.get("/api/3/action/package_search", {"q": "doing business"}).json()
    assert ok["success"] and ok["result"]["count"] == 1


def test_every_showcase_row_names_its_source_and_the_figures_match_the_reference(showcase):
    from ashyq.core import publications
    from ashyq.opendata.showcase import DATASETS, rows

    for slug, *_ in DATASETS:
        for row in rows(slug):
            assert row["source_publication"], (slug, row)
            assert all(key in {p.key for p in publications.all_publications()} for key in row["source_publication"].split(";"))
    kz = {r["partner"]: r for r in rows("kazakhstan-trading-partners-2019")}
    assert (kz["Russia"]["turnover_musd"], kz["China"]["export_musd"], kz["TOTAL"]["import_musd"]) == (19983.0, 8003.9, 39709.3)
    hs = {r["hs_code"]: r for r in rows("uzbek-competition-russian-market")}
    assert hs["0702"]["title"] == "Tomatoes, fresh or chilled" and hs["8544"]["rf_total_import_musd"] == 1060.5


def test_showcase_pages(client, showcase):
    page = client.get("/data/silk-road/").content.decode()
    assert "<svg" in page and "19983.0" in page and "Ready4Trade" in page
    filtered = client.get("/data/silk-road/", {"who": "Kazakhstan", "where": "Tajikistan"}).content.decode()
    assert "Flour" in filtered and "Ready4Trade" not in filtered
    china = client.get("/data/silk-road/china/").content.decode()
    assert "14792.5" in china and "Bozshakol" in china
    assert client.get("/data/silk-road/atlantis/").status_code == 404
    catalogue = client.get("/data/").content.decode()
    assert "Doing Business" in catalogue
    dataset = client.get("/data/datasets/doing-business-kz-uz/")
    assert dataset.status_code == 200 and "100" in dataset.content.decode()


def test_the_publisher_sees_the_report_and_others_are_refused(client, showcase, make_user, bodies):
    from ashyq.accounts.models import Role
    from ashyq.opendata.models import Resource

    resource = Resource.objects.get(dataset__slug="doing-business-kz-uz")
    url = f"/data/publish/doing-business-kz-uz/resources/{resource.pk}/upload/"
    assert client.get(url).status_code == 302
    client.force_login(make_user(Role.OFFICIAL, bodies["anti-corruption-agency"]))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"]))
    from django.core.files.uploadedfile import SimpleUploadedFile

    # The upload redirects to the version's validation report (post/redirect/get).
    response = client.post(url, {"file": SimpleUploadedFile("bad.csv", b"a,b\n1,2\n3,4,5\n", "text/csv")}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "extra value" in page and "<td>3</td>" in page
    assert (
        client.get(f"/data/datasets/doing-business-kz-uz/resources/{resource.pk}/?column=indicator&value=Taxation")
        .content.decode()
        .split('id="columns-title"')[0]  # the rows' table, not the columns' table below it
        .count("<tr>")
        == 2
    )


def test_dcat_ap_catalogue_and_dataset_in_turtle_and_json_ld(client, showcase):
    import rdflib
    from rdflib.namespace import DCAT, DCTERMS, RDF

    for fmt, parser in (("ttl", "turtle"), ("jsonld", "json-ld")):
        response = client.get(f"/data/catalog.{fmt}")
        assert response.status_code == 200
        g = rdflib.Graph().parse(data=response.content.decode(), format=parser)
        catalogs = list(g.subjects(RDF.type, DCAT.Catalog))
        assert len(catalogs) == 1 and len(list(g.objects(catalogs[0], DCAT.dataset))) == 9
        dataset = next(
            d for d in g.subjects(RDF.type, DCAT.Dataset) if str(d).endswith("/data/datasets/doing-business-kz-uz/#dataset")
        )
        titles = {t.language: str(t) for t in g.objects(dataset, DCTERMS.title)}
        assert set(titles) == {"kk", "ru", "en"}
        distribution = next(g.objects(dataset, DCAT.distribution))
        assert str(next(g.objects(distribution, DCTERMS.format))).endswith("/file-type/CSV")
        assert "/v1/download" in str(next(g.objects(distribution, DCAT.downloadURL)))
        assert str(next(g.objects(dataset, DCTERMS.accrualPeriodicity))).endswith("/frequency/NEVER")
    one = rdflib.Graph().parse(data=client.get("/data/datasets/doing-business-kz-uz/dcat.ttl").content.decode(), format="turtle")
    assert len(list(one.subjects(RDF.type, DCAT.Dataset))) == 1
    assert client.get("/data/datasets/nope/dcat.ttl").status_code == 404


def test_the_sitemap_lists_datasets_downloads_and_country_pages(client, showcase):
    xml = client.get("/data/sitemap.xml").content.decode()
    assert xml.startswith("<?xml") and "/data/datasets/doing-business-kz-uz/" in xml
    assert "/v1/download" in xml and "/data/silk-road/china/" in xml
