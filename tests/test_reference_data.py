"""Kazakhstan's reference data: the 20 units and the bodies appeals go to, loaded idempotently."""

from ashyq.bodies.models import Body
from ashyq.bodies.reference_data import load_reference_data
from ashyq.core.models import Region

REQUIRED_SLUGS = {
    "anti-corruption-agency",
    "general-prosecutors-office",
    "ministry-of-internal-affairs",
    "ministry-of-healthcare",
    "ministry-of-finance",
    "state-revenue-committee",
    "ministry-of-justice",
    "ministry-of-trade-and-integration",
    "ministry-of-foreign-affairs",
    "ministry-of-education",
    "ministry-of-labour-and-social-protection",
    "ministry-of-energy",
    "ministry-of-industry-and-construction",
    "ministry-of-agriculture",
}


def test_twenty_units_with_iso_codes_names_and_population(reference):
    regions = Region.objects.all()
    assert regions.count() == 20
    assert regions.filter(kind="city").count() == 3 and regions.filter(kind="region").count() == 17
    for region in regions:
        assert region.iso_code.startswith("KZ-") and region.name_kk and region.name_ru and region.name_en
        assert region.population and region.population_date and region.population_source.startswith("https://")
    assert set(regions.filter(kind="city").values_list("name_en", flat=True)) == {"Astana", "Almaty", "Shymkent"}


def test_bodies_named_by_the_references_and_an_akimat_for_every_unit(reference):
    slugs = set(Body.objects.values_list("slug", flat=True))
    assert REQUIRED_SLUGS <= slugs
    akimats = Body.objects.filter(kind="akimat")
    assert akimats.count() == 20
    assert set(akimats.values_list("region__iso_code", flat=True)) == set(Region.objects.values_list("iso_code", flat=True))


def test_every_body_has_heads_title_in_three_languages_and_competences(reference):
    for body in Body.objects.prefetch_related("topics"):
        assert body.head_title_en and body.head_title_ru and body.head_title_kk, body.slug
        assert body.name_en and body.name_ru and body.name_kk, body.slug
        assert body.topics.exists(), body.slug


def test_complaints_go_up_the_hierarchy(reference):
    parent = {b.slug: b.parent.slug if b.parent else None for b in Body.objects.select_related("parent")}
    assert parent["state-revenue-committee"] == "ministry-of-finance"
    assert parent["ministry-of-healthcare"] == "government"
    assert parent["anti-corruption-agency"] == "presidential-administration"
    assert parent["akimat-almaty"] == "government"
    assert parent["general-prosecutors-office"] is None


def test_loading_twice_changes_nothing(reference, people, submit):
    appeal = submit(people["applicant"])
    before = (Region.objects.count(), Body.objects.count(), list(Body.objects.order_by("pk").values_list("pk", "slug")))
    load_reference_data()
    assert before == (Region.objects.count(), Body.objects.count(), list(Body.objects.order_by("pk").values_list("pk", "slug")))
    appeal.refresh_from_db()
    assert appeal.body.slug == "anti-corruption-agency"
