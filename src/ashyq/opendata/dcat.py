"""DCAT-AP descriptions of the catalogue and its datasets (rdflib), in Turtle and JSON-LD.

Frequencies, formats and licences use the EU vocabularies DCAT-AP names; titles and descriptions carry
their language tags (kk, ru, en)."""
from django.conf import settings
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from . import quality, selectors

EU_FREQ = "http://publications.europa.eu/resource/authority/frequency/"
EU_FILE = "http://publications.europa.eu/resource/authority/file-type/"
FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "quarterly": "QUARTERLY", "annual": "ANNUAL",
        "irregular": "IRREG", "never": "NEVER"}
LICENCES = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/", "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
            "ODbL-1.0": "https://opendatacommons.org/licenses/odbl/1-0/"}
LOCN = Namespace("http://www.w3.org/ns/locn#")
FORMATS = {"turtle": "text/turtle; charset=utf-8", "json-ld": "application/ld+json"}


def _abs(path: str) -> URIRef:
    return URIRef(settings.ASHYQ_SITE_URL.rstrip("/") + path)


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("locn", LOCN)):
        g.bind(prefix, ns)
    return g


def add_dataset(g: Graph, dataset) -> URIRef:
    node = _abs(reverse("opendata:dataset", args=[dataset.slug]))
    g.add((node, RDF.type, DCAT.Dataset))
    g.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    for lang in ("kk", "ru", "en"):
        if getattr(dataset, f"title_{lang}"):
            g.add((node, DCTERMS.title, Literal(getattr(dataset, f"title_{lang}"), lang=lang)))
        if getattr(dataset, f"description_{lang}"):
            g.add((node, DCTERMS.description, Literal(getattr(dataset, f"description_{lang}"), lang=lang)))
    publisher = _abs(reverse("body", args=[dataset.body.slug]))
    g.add((node, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    for lang in ("kk", "ru", "en"):
        g.add((publisher, FOAF.name, Literal(getattr(dataset.body, f"name_{lang}"), lang=lang)))
    g.add((node, DCAT.landingPage, node))
    g.add((node, DCTERMS.issued, Literal(dataset.created_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(dataset.modified_at.isoformat(), datatype=XSD.dateTime)))
    for tag in dataset.tags:
        g.add((node, DCAT.keyword, Literal(tag)))
    if dataset.frequency:
        g.add((node, DCTERMS.accrualPeriodicity, URIRef(EU_FREQ + FREQ[dataset.frequency])))
    if dataset.temporal_start or dataset.temporal_end:
        period = BNode()
        g.add((node, DCTERMS.temporal, period))
        g.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    if dataset.spatial:
        place = BNode()
        g.add((node, DCTERMS.spatial, place))
        g.add((place, RDF.type, DCTERMS.Location))
        g.add((place, LOCN.geographicName, Literal(dataset.spatial)))
    if dataset.source:
        g.add((node, DCTERMS.provenance, Literal(dataset.source)))
    if dataset.documentation_url:
        g.add((node, FOAF.page, URIRef(dataset.documentation_url)))
    licence = URIRef(LICENCES[dataset.licence]) if dataset.licence in LICENCES else None
    for resource in dataset.resources.all():
        current = resource.current_version
        dist = _abs(reverse("opendata:resource", args=[dataset.slug, resource.pk]))
        g.add((node, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(resource.name)))
        g.add((dist, DCTERMS.format, URIRef(EU_FILE + resource.format)))
        if resource.url:
            g.add((dist, DCAT.accessURL, URIRef(resource.url)))
        if current:
            download = _abs(reverse("opendata:download", args=[dataset.slug, resource.pk, current.number]))
            g.add((dist, DCAT.accessURL, dist))
            g.add((dist, DCAT.downloadURL, download))
            g.add((dist, DCAT.byteSize, Literal(current.size, datatype=XSD.nonNegativeInteger)))
            g.add((dist, DCTERMS.modified, Literal(current.created_at.isoformat(), datatype=XSD.dateTime)))
        if licence:
            g.add((dist, DCTERMS.license, licence))
    g.add((node, DCTERMS.conformsTo, Literal(f"Ashyq quality checklist: {quality.score(dataset)}/100")))
    return node


def catalog_graph() -> Graph:
    g = _graph()
    catalog = _abs(reverse("opendata:catalogue"))
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal("Ashyq open data", lang="en")))
    g.add((catalog, DCTERMS.title, Literal("Ashyq ашық деректері", lang="kk")))
    g.add((catalog, DCTERMS.title, Literal("Открытые данные Ashyq", lang="ru")))
    g.add((catalog, DCTERMS.description, Literal("Datasets published by Kazakhstan's state bodies on Ashyq.", lang="en")))
    g.add((catalog, DCTERMS.publisher, _abs("/")))
    g.add((_abs("/"), RDF.type, FOAF.Agent))
    g.add((_abs("/"), FOAF.name, Literal("Ashyq")))
    for dataset in selectors.datasets():
        g.add((catalog, DCAT.dataset, add_dataset(g, dataset)))
    return g


def dataset_graph(dataset) -> Graph:
    g = _graph()
    add_dataset(g, dataset)
    return g
