"""The registers: the real acts load parsed in both languages with their requisites, each agreement shows its
sources as publications, the synthetic discussions play through the services, and the registers reach DCAT."""

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from ashyq.core import publications
from ashyq.demo import legalacts as demo
from ashyq.legalacts import exports, register
from ashyq.legalacts.models import ActStatus, AdoptedAct, Agreement, Process, Stage

from .legalacts_helpers import rule  # noqa: F401


def test_real_acts_load_with_requisites_and_both_languages(reference):
    assert register.load_acts() == 2
    assert register.load_acts() == 0  # loading twice changes nothing
    methodology = AdoptedAct.objects.get(code="139450")
    assert (methodology.number, methodology.registration_number, methodology.registered_on) == (
        "20-01-38.3",
        "19983",
        dt.date(2020, 2, 5),
    )
    assert methodology.body.slug == "presidential-administration" and methodology.status == ActStatus.IN_FORCE
    version = methodology.versions.get()
    assert version.version_date == dt.date(2021, 12, 20) and "21-01-38.46" in version.caused_by
    chapter = version.provisions.get(eid="att_2__chp_1")
    assert chapter.heading_ru == "Общие положения" and chapter.heading_kk == "Жалпы ережелер"
    assert version.provisions.filter(eid__startswith="att_2__chp_", text_kk__gt="", text_ru__gt="").count() > 10
    instruction = AdoptedAct.objects.get(code="35300")
    assert instruction.status == ActStatus.REPEALED and "225" in instruction.status_note


def test_act_page_shows_kazakh_and_russian_side_by_side(client, reference):
    register.load_acts()
    html = client.get("/legal-acts/acts/139450/").content.decode()
    assert 'lang="kk"' in html and 'lang="ru"' in html and "Жалпы ережелер" in html and "Общие положения" in html
    assert "19983" in html


def test_real_act_exports_valid_akoma_ntoso(client, reference):
    from lxml import etree

    from ashyq.legalacts import akn

    register.load_acts()
    for code in ("139450", "35300"):
        for lang in ("kk", "ru"):
            root = etree.fromstring(client.get(f"/api/v1/legal-acts/acts/{code}/akn.xml?lang={lang}").content)
            assert akn.validate(root) == [], (code, lang)


def test_agreements_cite_publications_never_files(client, db):
    assert register.load_agreements() > 0
    china = Agreement.objects.filter(country="china")
    assert china.filter(slug="kz-cn-oil-pipeline-1997", signed_year=1997).exists()
    for agreement in Agreement.objects.all():
        assert agreement.citations.exists(), agreement.slug
        for citation in agreement.citations.all():
            # Written by the register of sources: the same citation as on the Silk Road pages, never "None".
            assert str(citation).startswith(publications.cite(citation.publication)[:-1]) and "None" not in str(citation)
    html = client.get("/legal-acts/agreements/").content.decode()
    assert "Central Asia&#x27;s Affairs" in html and "4/2020" in html and "pp. 17–26" in html
    assert "Bakhtiyor Mustafayev. Fergana Valley" in html and ", None" not in html
    assert "/data/silk-road/china/" in html and "text not published" in html
    assert ".txt" not in html
    client.post(reverse("set_language"), {"language": "ru", "next": "/legal-acts/agreements/"})
    assert "Ферганская долина – пространство возможностей" in client.get("/legal-acts/agreements/").content.decode()
    sources = [s for a in client.get("/api/v1/legal-acts/agreements").json() for s in a["sources"]]
    assert {s["publication"] for s in sources} >= {"zhekenov-hu-orazakynkyzy", "mustafayev-2020"}
    assert all(s["citation"] and s["title"] for s in sources)
    rows = list(csv.DictReader(io.StringIO(exports.agreements_csv().decode())))
    assert len(rows) == len(sources) and all(r["source"] and r["citation"].endswith(".") for r in rows)


def test_an_agreement_citing_a_publication_outside_the_register_is_refused(db, tmp_path):
    data = json.loads(register.DATA.joinpath("agreements.json").read_text(encoding="utf-8"))[:1]
    data[0]["citations"][0]["publication"] = "no-such-article"
    path = tmp_path / "agreements.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="no-such-article"):
        register.load_agreements(path)
    assert not Agreement.objects.exists()


def test_demo_discussions_and_register_datasets(reference, rule, make_user):
    from ashyq.accounts.models import Role
    from ashyq.demo.loader import USERS
    from ashyq.opendata.dcat import catalog_graph

    bodies = reference["bodies"]
    for username, role, body, *_ in USERS:
        if username in ("demo-citizen", "demo-official-acc", "demo-moderator", "demo-monitor", "demo-official-gpo"):
            make_user(role, bodies.get(body) if body else None, username=username)
    register.load_acts()
    register.load_agreements()
    assert demo.load_discussions() == 3
    assert demo.load_discussions() == 0
    done = Process.objects.get(stage=Stage.ADOPTED)
    assert done.synthetic and done.comments.exclude(reason="").count() == 4 and done.versions.count() == 2
    assert Process.objects.filter(synthetic=True).count() == 3
    assert demo.publish_registers_as_datasets() == 2
    turtle = catalog_graph().serialize(format="turtle")
    assert "register-of-adopted-acts" in turtle and "register-of-international-agreements" in turtle
    assert Role.OFFICIAL  # the roles the demo users were made with
