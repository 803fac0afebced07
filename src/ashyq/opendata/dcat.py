"""DCAT-AP descriptions of the catalogue and its datasets (rdflib), in Turtle, RDF/XML and JSON-LD.

The graph follows DCAT-AP 3.0.0 and passes SEMIC's SHACL shapes for 3.0.0 and 2.1.1 with no violation
(tests/test_dcat_conformance.py): every object the profile gives a class is typed with it (licences are
dct:LicenseDocument, formats dct:MediaTypeOrExtent, frequencies dct:Frequency, publishers foaf:Agent, landing
pages and documentation foaf:Document, the source a dct:ProvenanceStatement), and the quality checklist is a
set of dqv:QualityMeasurement, not a claim of conformance. The one point where the two releases disagree is
the datatype of dcat:byteSize (xsd:nonNegativeInteger in 3.0.0, xsd:decimal in 2.1.1): `profile="2"` types
it for DCAT-AP 2 harvesters.

The graph is built from the open-data Dataset rows alone, so a dataset published by any app through the
open-data services joins it the same way. Text goes in as rdflib Literals (rdflib escapes them for each
syntax); stored links go in through `_iri`, which percent-encodes what an IRI may not hold, so one bad link
saved before links were checked on entry cannot break the catalogue for everyone.
"""

from urllib.parse import quote

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from . import quality, selectors

EU = "http://publications.europa.eu/resource/authority/"
FREQ = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "quarterly": "QUARTERLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
    "never": "NEVER",
}
LICENCES = {
    "CC-BY-4.0": "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0",
    "CC0-1.0": "http://publications.europa.eu/resource/authority/licence/CC0",
    "ODbL-1.0": "http://publications.europa.eu/resource/authority/licence/ODBL",
}
MEDIA_TYPES = {
    "CSV": "text/csv",
    "JSON": "application/json",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
LANGUAGES = {"kk": "KAZ", "ru": "RUS", "en": "ENG"}
LOCN = Namespace("http://www.w3.org/ns/locn#")
DQV = Namespace("http://www.w3.org/ns/dqv#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# Media types of the three serialisations, by rdflib's name for each.
FORMATS = {"turtle": "text/turtle; charset=utf-8", "xml": "application/rdf+xml; charset=utf-8", "json-ld": "application/ld+json"}
PROFILES = ("3", "2")
# What an IRI may not hold (RFC 3987): controls, space and these; anything else is left as written.
_IRI_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"<>\\^`{|}')


def _abs(path: str) -> URIRef:
    return URIRef(settings.ASHYQ_SITE_URL.rstrip("/") + path)


def _iri(url: str) -> URIRef:
    """A stored link as an IRI: characters an IRI cannot hold are percent-encoded, so the link still leads where
    it did and no syntax (Turtle's <...>, RDF/XML's attributes) can be broken out of."""
    return URIRef(quote(url.strip(), safe=_IRI_SAFE + "%") if url else url)


def _text(value: str) -> str:
    """Text as every RDF syntax can carry it: XML 1.0 has no way to write most control characters or lone
    surrogates, so they are dropped (they carry no meaning a reader could use)."""
    return "".join(
        ch for ch in str(value) if ch in "\t\n\r" or (" " <= ch and not "\ud800" <= ch <= "\udfff" and ch not in "\ufffe\uffff")
    )


def _literal(value, lang=None) -> Literal:
    return Literal(_text(value), lang=lang)


def _graph() -> Graph:
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("locn", LOCN),
        ("dqv", DQV),
        ("skos", SKOS),
        ("spdx", SPDX),
    ):
        g.bind(prefix, ns)
    return g


def _typed(g: Graph, node: URIRef, *classes) -> URIRef:
    for cls in classes:
        g.add((node, RDF.type, cls))
    return node


def _languages(g: Graph, node, langs):
    for lang in langs:
        g.add((node, DCTERMS.language, _typed(g, URIRef(EU + "language/" + LANGUAGES[lang]), DCTERMS.LinguisticSystem)))


def _document(g: Graph, url: URIRef) -> URIRef:
    return _typed(g, url, FOAF.Document)


def _agent(g: Graph, node: URIRef, names: dict) -> URIRef:
    _typed(g, node, FOAF.Agent, FOAF.Organization)
    for lang, name in names.items():
        if name:
            g.add((node, FOAF.name, _literal(name, lang)))
    return node


def _metric(g: Graph, code: str, labels: dict, datatype) -> URIRef:
    """A metric of Ashyq's quality checklist, defined once in the graph with its kk/ru/en wording."""
    metric = _abs(reverse("opendata:catalogue") + f"#quality-{code}")
    if (metric, RDF.type, DQV.Metric) not in g:
        _typed(g, metric, DQV.Metric)
        g.add((metric, DQV.expectedDataType, datatype))
        for lang, label in labels.items():
            g.add((metric, SKOS.definition, _literal(label, lang)))
    return metric


def _quality(g: Graph, node: URIRef, dataset):
    """The published checklist as DQV measurements: one boolean per item and the score out of 100."""
    items = quality.checklist(dataset)
    labels = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            labels[lang] = {item["code"]: str(item["label"]) for item in items}
            labels[lang]["score"] = str(quality.SCORE_LABEL)
    values = [(item["code"], Literal(bool(item["passed"])), XSD.boolean) for item in items]
    values.append(("score", Literal(quality.score(dataset), datatype=XSD.integer), XSD.integer))
    for code, value, datatype in values:
        measurement = BNode()
        g.add((node, DQV.hasQualityMeasurement, measurement))
        _typed(g, measurement, DQV.QualityMeasurement)
        g.add((measurement, DQV.isMeasurementOf, _metric(g, code, {lang: labels[lang][code] for lang in LANGUAGES}, datatype)))
        g.add((measurement, DQV.value, value))


def _distribution(g: Graph, dataset, resource, licence, profile) -> URIRef:
    page = _abs(reverse("opendata:resource", args=[dataset.slug, resource.pk]))
    dist = _typed(g, URIRef(page + "#distribution"), DCAT.Distribution)
    g.add((dist, DCTERMS.title, _literal(resource.name)))
    if resource.description:
        g.add((dist, DCTERMS.description, _literal(resource.description)))
    g.add((dist, DCTERMS.format, _typed(g, URIRef(EU + "file-type/" + resource.format), DCTERMS.MediaTypeOrExtent)))
    if resource.format in MEDIA_TYPES:
        media = URIRef("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[resource.format])
        g.add((dist, DCAT.mediaType, _typed(g, media, DCTERMS.MediaType)))
    # The resource's page always gives access (preview, versions, downloads); a link resource also its link.
    g.add((dist, DCAT.accessURL, _typed(g, page, RDFS.Resource)))
    if resource.url:
        g.add((dist, DCAT.accessURL, _typed(g, _iri(resource.url), RDFS.Resource)))
    current = resource.current_version
    if current:
        download = _abs(reverse("opendata:download", args=[dataset.slug, resource.pk, current.number]))
        g.add((dist, DCAT.downloadURL, _typed(g, download, RDFS.Resource)))
        # Written "123.0" for xsd:decimal: the lexical form Turtle's shorthand would give, so every syntax agrees.
        size = (
            Literal(f"{current.size}.0", datatype=XSD.decimal)
            if profile == "2"
            else Literal(current.size, datatype=XSD.nonNegativeInteger)
        )
        g.add((dist, DCAT.byteSize, size))
        g.add((dist, DCTERMS.modified, Literal(current.created_at.isoformat(), datatype=XSD.dateTime)))
        if profile != "2" and current.sha256:
            # DCAT-AP 2 allows only SHA-1 checksums; Ashyq keeps SHA-256.
            checksum = _typed(g, BNode(), SPDX.Checksum)
            g.add((dist, SPDX.checksum, checksum))
            g.add((checksum, SPDX.algorithm, _typed(g, SPDX.checksumAlgorithm_sha256, SPDX.ChecksumAlgorithm)))
            g.add((checksum, SPDX.checksumValue, Literal(current.sha256, datatype=XSD.hexBinary)))
    if licence:
        g.add((dist, DCTERMS.license, licence))
    return dist


def add_dataset(g: Graph, dataset, profile: str = "3") -> URIRef:
    page = _abs(reverse("opendata:dataset", args=[dataset.slug]))
    node = _typed(g, URIRef(page + "#dataset"), DCAT.Dataset)
    g.add((node, DCTERMS.identifier, Literal(str(dataset.pk))))
    langs = [lang for lang in LANGUAGES if getattr(dataset, f"title_{lang}") or getattr(dataset, f"description_{lang}")]
    for lang in LANGUAGES:
        if getattr(dataset, f"title_{lang}"):
            g.add((node, DCTERMS.title, _literal(getattr(dataset, f"title_{lang}"), lang)))
        if getattr(dataset, f"description_{lang}"):
            g.add((node, DCTERMS.description, _literal(getattr(dataset, f"description_{lang}"), lang)))
    if not any(getattr(dataset, f"description_{lang}") for lang in LANGUAGES):
        # DCAT-AP requires a description; without one the titles are the best account there is.
        for lang in LANGUAGES:
            if getattr(dataset, f"title_{lang}"):
                g.add((node, DCTERMS.description, _literal(getattr(dataset, f"title_{lang}"), lang)))
    _languages(g, node, langs)
    body = dataset.body
    publisher = _agent(
        g,
        URIRef(_abs(reverse("body", args=[body.slug])) + "#body"),
        {lang: getattr(body, f"name_{lang}", "") for lang in LANGUAGES},
    )
    g.add((node, DCTERMS.publisher, publisher))
    g.add((node, DCAT.landingPage, _document(g, page)))
    g.add((node, DCTERMS.issued, Literal(dataset.created_at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, DCTERMS.modified, Literal(dataset.modified_at.isoformat(), datatype=XSD.dateTime)))
    for tag in dataset.tags:
        g.add((node, DCAT.keyword, _literal(tag)))
    if dataset.frequency in FREQ:
        g.add(
            (node, DCTERMS.accrualPeriodicity, _typed(g, URIRef(EU + "frequency/" + FREQ[dataset.frequency]), DCTERMS.Frequency))
        )
    if dataset.temporal_start or dataset.temporal_end:
        period = _typed(g, BNode(), DCTERMS.PeriodOfTime)
        g.add((node, DCTERMS.temporal, period))
        if dataset.temporal_start:
            g.add((period, DCAT.startDate, Literal(dataset.temporal_start, datatype=XSD.date)))
        if dataset.temporal_end:
            g.add((period, DCAT.endDate, Literal(dataset.temporal_end, datatype=XSD.date)))
    if dataset.spatial:
        place = _typed(g, BNode(), DCTERMS.Location)
        g.add((node, DCTERMS.spatial, place))
        g.add((place, LOCN.geographicName, _literal(dataset.spatial)))
    if dataset.source:
        statement = _typed(g, BNode(), DCTERMS.ProvenanceStatement)
        g.add((node, DCTERMS.provenance, statement))
        g.add((statement, RDFS.label, _literal(dataset.source)))
    if dataset.documentation_url:
        g.add((node, FOAF.page, _document(g, _iri(dataset.documentation_url))))
    licence = _typed(g, URIRef(LICENCES[dataset.licence]), DCTERMS.LicenseDocument) if dataset.licence in LICENCES else None
    for resource in dataset.resources.all():
        g.add((node, DCAT.distribution, _distribution(g, dataset, resource, licence, profile)))
    _quality(g, node, dataset)
    return node


def catalog_graph(profile: str = "3") -> Graph:
    g = _graph()
    home = _abs(reverse("opendata:catalogue"))
    catalog = _typed(g, URIRef(home + "#catalog"), DCAT.Catalog)
    g.add((catalog, DCTERMS.title, Literal("Ashyq open data", lang="en")))
    g.add((catalog, DCTERMS.title, Literal("Ashyq ашық деректері", lang="kk")))
    g.add((catalog, DCTERMS.title, Literal("Открытые данные Ashyq", lang="ru")))
    g.add((catalog, DCTERMS.description, Literal("Datasets published by Kazakhstan's state bodies on Ashyq.", lang="en")))
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal("Қазақстан мемлекеттік органдарының Ashyq-та жариялаған деректер жиынтықтары.", lang="kk"),
        )
    )
    g.add(
        (
            catalog,
            DCTERMS.description,
            Literal("Наборы данных, опубликованные государственными органами Казахстана на Ashyq.", lang="ru"),
        )
    )
    g.add((catalog, FOAF.homepage, _document(g, home)))
    _languages(g, catalog, LANGUAGES)
    g.add((catalog, DCTERMS.publisher, _agent(g, URIRef(_abs("/") + "#ashyq"), {None: "Ashyq"})))
    for dataset in selectors.datasets():
        g.add((catalog, DCAT.dataset, add_dataset(g, dataset, profile)))
    return g


def dataset_graph(dataset, profile: str = "3") -> Graph:
    g = _graph()
    add_dataset(g, dataset, profile)
    return g
