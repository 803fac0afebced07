"""The DCAT catalogue checked by the standard's own validator: pySHACL with the DCAT-AP 3.0.0 and 2.1.1 shapes
that SEMIC publishes (vendored in tests/shacl, see its README), on the demo's open data and on a catalogue whose
every field holds hostile text. Every serialisation (Turtle, RDF/XML, JSON-LD) must parse back to the same graph."""

import re
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib.compare import isomorphic

from ashyq.opendata.showcase import load_showcase

SHAPES = Path(__file__).parent / "shacl"
# Shapes of each release, and the query that asks the catalogue for that release's typing (dcat.py: only the
# datatype of dcat:byteSize differs).
PROFILES = {
    "DCAT-AP 3.0.0": (["dcat-ap-3.0.0-SHACL.ttl"], ""),
    "DCAT-AP 2.1.1": (["dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl"], "?profile=2"),
}
FORMATS = {"ttl": "turtle", "rdf": "xml", "jsonld": "json-ld"}
HOSTILE = '"><script>alert(1)</script> \'; DROP TABLE x; -- \\ ${x} {{x}} <![CDATA[ ]]> &amp; \u202e\u0301 Ωμέγα """'


def _shapes(files):
    g = rdflib.Graph()
    for name in files:
        g.parse(SHAPES / name, format="turtle")
    # The 2.1.1 range file gives :PeriodOfTime_Shape an empty property shape (`sh:property [ ]`), which SHACL
    # processors refuse as malformed; it constrains nothing, so it is dropped here (the file stays as published).
    sh_property = rdflib.URIRef("http://www.w3.org/ns/shacl#property")
    for shape, prop in list(g.subject_objects(sh_property)):
        if isinstance(prop, rdflib.BNode) and not any(g.predicate_objects(prop)):
            g.remove((shape, sh_property, prop))
    return g


def _violations(data: rdflib.Graph, files) -> list[str]:
    conforms, report, text = validate(data, shacl_graph=_shapes(files), inference="none", advanced=True)
    return [] if conforms else [text]


def _served(client, url, parser):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return rdflib.Graph().parse(data=response.content, format=parser)


def _check(client, path):
    """Every syntax of `path` parses to the same graph, and that graph has no violation of either release."""
    for profile, (files, query) in PROFILES.items():
        graphs = {fmt: _served(client, f"{path}.{fmt}{query}", parser) for fmt, parser in FORMATS.items()}
        turtle = graphs["ttl"]
        for fmt, graph in graphs.items():
            assert isomorphic(graph, turtle), f"{path}.{fmt}{query} differs from its Turtle"
        assert _violations(turtle, files) == [], profile
    return _served(client, f"{path}.ttl", "turtle")


@pytest.fixture
def showcase(transactional_db, reference):
    load_showcase()


def test_the_demo_catalogue_has_no_shacl_violation_in_dcat_ap_3_and_2(client, showcase):
    from rdflib.namespace import DCAT, RDF

    g = _check(client, "/data/catalog")
    assert len(list(g.subjects(RDF.type, DCAT.Dataset))) == 9
    one = _check(client, "/data/datasets/doing-business-kz-uz/dcat")
    assert len(list(one.subjects(RDF.type, DCAT.Dataset))) == 1


def test_the_shapes_catch_what_the_issue_reported(client, showcase):
    """The validator is live: a bare literal where the profile wants a class, and a byte size typed as a plain
    string, are violations under the vendored shapes (so a clean result above means something)."""
    from rdflib import Literal
    from rdflib.namespace import DCAT, DCTERMS, RDF

    g = _served(client, "/data/catalog.ttl", "turtle")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.conformsTo, Literal("Ashyq quality checklist: 100/100")))
    assert _violations(g, PROFILES["DCAT-AP 3.0.0"][0])
    g = _served(client, "/data/catalog.ttl?profile=2", "turtle")
    distribution = next(g.subjects(RDF.type, DCAT.Distribution))
    g.set((distribution, DCAT.byteSize, Literal("12")))
    assert _violations(g, PROFILES["DCAT-AP 2.1.1"][0])


@pytest.fixture
def hostile_catalogue(transactional_db, reference, bodies):
    """A dataset with hostile text in every field, stored as a loader or an older version could have left it
    (links included: they were not checked on entry before), with a link resource and an uploaded file."""
    from ashyq.opendata import services
    from ashyq.opendata.models import Dataset, Resource

    body = bodies["ministry-of-trade-and-integration"]
    body.name_en, body.name_ru, body.name_kk = HOSTILE, HOSTILE + " ru", HOSTILE + " kk"
    body.save()
    text = {
        f"{field}_{lang}": f"{HOSTILE} {field} {lang}\x01\x0b"
        for field in ("title", "description")
        for lang in ("en", "ru", "kk")
    }
    dataset = Dataset.objects.create(
        body=body,
        slug="hostile",
        licence="CC-BY-4.0",
        spatial=HOSTILE,
        frequency="monthly",
        tags=[HOSTILE, "<b>", 'a"b'],
        source=HOSTILE + "\x01\x7f",
        documentation_url='https://example.org/doc"><script>alert(1)</script>?q=a b&c={x}|`^\\',
        **text,
    )
    Resource.objects.create(
        dataset=dataset,
        name=HOSTILE,
        format="CSV",
        description=HOSTILE,
        url='https://example.org/file.csv"><img src=x onerror=alert(1)>',
    )
    upload = Resource.objects.create(dataset=dataset, name=HOSTILE + " file", format="CSV", position=1)
    services.upload_version(None, upload, f'a,b\n"{HOSTILE}",1\n'.encode(), 'x"><.csv')
    return dataset


def test_hostile_strings_in_every_field_leave_every_dcat_output_parseable_and_conformant(client, hostile_catalogue):
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

    g = _check(client, "/data/catalog")
    _check(client, "/data/datasets/hostile/dcat")
    dataset = next(g.subjects(RDF.type, DCAT.Dataset))
    titles = {t.language: str(t) for t in g.objects(dataset, DCTERMS.title)}
    # The text comes back whole (control characters, which XML cannot carry, are the only thing dropped).
    assert titles["en"] == f"{HOSTILE} title en"
    page = str(next(g.objects(dataset, FOAF.page)))
    assert page.startswith("https://example.org/doc%22%3E%3Cscript%3Ealert(1)%3C/script%3E?q=a%20b&c=%7Bx%7D") and "<" not in page
    assert HOSTILE in {str(k) for k in g.objects(dataset, DCAT.keyword)}


@pytest.mark.parametrize(
    "url",
    [
        'https://example.org/a"><script>',
        "https://example.org/a b",
        "javascript:alert(1)",
        "https://example.org/\x07",
        "https://[::1/",
        "https:///nohost",
    ],
)
def test_a_link_that_is_not_a_web_address_is_refused_on_entry_with_its_field(db, bodies, make_user, client, url):
    from django.core.exceptions import ValidationError

    from ashyq.accounts.models import Role
    from ashyq.opendata import services
    from ashyq.opendata.models import Dataset

    body = bodies["ministry-of-trade-and-integration"]
    dataset = services.save_dataset(
        None, body, "links", title_en="Links", title_ru="Ссылки", documentation_url="https://example.org/док?a=1#b"
    )
    with pytest.raises(ValidationError) as refused:
        services.update_dataset(None, dataset, documentation_url=url)
    assert "documentation_url" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.add_resource(None, dataset, "file", "CSV", url=url)
    assert "url" in refused.value.message_dict
    assert Dataset.objects.get(pk=dataset.pk).documentation_url == "https://example.org/док?a=1#b"
    assert not dataset.resources.exists()
    # Through the publisher's form the page says which field is wrong and keeps what was typed.
    client.force_login(make_user(Role.OFFICIAL, body))
    response = client.post(
        f"/data/publish/{dataset.slug}/edit/", {"title_en": "Links", "title_ru": "Ссылки", "documentation_url": url}
    )
    page = response.content.decode()
    assert response.status_code == 400
    field = re.search(r'<input[^>]*id="id_documentation_url"[^>]*>', page)
    # Control characters are refused for the whole request before any form (issue 12, item 4); any other bad
    # link comes back beside its field.
    assert field is not None and 'aria-invalid="true"' in field.group(0) or any(ord(ch) < 32 for ch in url)
    assert Dataset.objects.get(pk=dataset.pk).documentation_url == "https://example.org/док?a=1#b"


def test_an_unknown_profile_is_a_clear_400(client, db):
    assert client.get("/data/catalog.ttl?profile=9").status_code == 400
