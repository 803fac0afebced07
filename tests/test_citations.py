"""Sources are cited as publications (ashyq.core.publications): author, title in the reader's language where the
publication has it, journal, issue, pages, table. No page, export or API answer names a file of the development
references or a path outside the repository."""

import re

import pytest

from ashyq.core import publications
from ashyq.opendata.showcase import load_showcase

# A file of the development references ("003_3604cf307213d3a1.txt"), their folder, or a path of a development machine.
LEAK = re.compile(r"\d{3}_[0-9a-f]{16}\.txt|shared/seeds|\.\./shared|/work/|/home/|/tmp/")


def test_a_citation_names_authors_title_journal_issue_pages_and_table_in_each_language():
    en = publications.cite("makhambetaliyev-kosherbayev-2020", table=4, lang="en")
    assert en.startswith("Zhomart Makhambetaliyev, Sagyndyk Kosherbayev. Kazakhstan and Uzbekistan: Expansion of Trade")
    assert "Central Asia's Affairs" in en and "Kazakhstan Institute for Strategic Studies" in en and "4/2020" in en
    assert "17–26" in en and en.endswith("table 4.")
    ru = publications.cite("makhambetaliyev-kosherbayev-2020", table=4, lang="ru")
    assert "Казахстан и Узбекистан: расширение торгово-экономического сотрудничества" in ru and "таблица 4" in ru
    kk = publications.cite("makhambetaliyev-kosherbayev-2020", lang="kk")
    assert "Қазақстан мен Өзбекстан" in kk and "Қазақстан стратегиялық зерттеулер институты" in kk and "17–26" in kk
    # A publication without a Kazakh title is cited by the title it has.
    assert "BRI – China's Plan for a New World Order" in publications.cite("bugayenko-bri", lang="kk")


def test_the_registry_refuses_a_second_publication_under_a_key_in_use():
    with pytest.raises(ValueError):
        publications.register(publications.Publication(key="malibekova-2020", authors={}, title={"en": "Other"}))
    with pytest.raises(KeyError):
        publications.cite("no-such-publication")


@pytest.fixture
def showcase(transactional_db, reference):
    load_showcase()


def _served(client, lang="en"):
    """Every page, download, export and API answer that shows the showcase data or its sources."""
    from ashyq.opendata.models import Dataset

    urls = [
        "/data/",
        "/data/silk-road/",
        "/data/silk-road/china/",
        "/data/silk-road/compare/?country=china&country=uzbekistan",
        "/data/silk-road/compare.csv?country=china",
        "/data/silk-road/compare.json?country=china",
        "/data/catalog.ttl",
        "/data/catalog.rdf",
        "/data/catalog.jsonld",
        "/data/sitemap.xml",
        "/analysis/",
        "/api/3/action/package_search?rows=100",
    ]
    for dataset in Dataset.objects.prefetch_related("resources"):
        urls += [
            f"/data/datasets/{dataset.slug}/",
            f"/data/datasets/{dataset.slug}/datapackage.json",
            f"/api/3/action/package_show?id={dataset.slug}",
        ]
        for resource in dataset.resources.all():
            urls += [
                f"/data/datasets/{dataset.slug}/resources/{resource.pk}/",
                f"/data/datasets/{dataset.slug}/resources/{resource.pk}/v{resource.current_version.number}/download",
                f"/api/3/action/datastore_search?resource_id={resource.pk}&limit=1000",
            ]
    for url in urls:
        response = client.get(url, headers={"accept-language": lang})
        assert response.status_code == 200, url
        yield url, b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_no_served_answer_names_a_reference_file_or_a_path_outside_the_repository(client, showcase, lang):
    for url, text in _served(client, lang):
        assert not LEAK.search(text), (url, LEAK.search(text).group(0))


def test_pages_cite_the_publication_in_the_reader_s_language_with_the_table(client, showcase):
    page = client.get("/data/datasets/kazakhstan-trading-partners-2019/", headers={"accept-language": "ru"}).content.decode()
    assert "Казахстан и Узбекистан: расширение торгово-экономического сотрудничества" in page and "таблица 4" in page
    explorer = client.get("/data/silk-road/", headers={"accept-language": "kk"}).content.decode()
    assert "Қазақстан мен Өзбекстан: сауда-экономикалық ынтымақтастықты кеңейту" in explorer
    # The rows of the explorer (projects, aid, agreements) each cite their article.
    english = client.get("/data/silk-road/").content.decode()
    assert "Assyl Malibekova. Development of Cooperation Between Countries" in english
    analysis = client.get("/analysis/").content.decode()
    assert "Slyamzhar Akhmetzharov. Analysis of the Open Dialogue Platform" in analysis
