from ninja import Router, Schema

from ashyq.core.models import Region

from .models import Body

router = Router(tags=["reference data"])


class RegionOut(Schema):
    iso_code: str
    kind: str
    name_en: str
    name_ru: str
    name_kk: str
    population: int | None
    population_date: str | None


class BodyOut(Schema):
    slug: str
    kind: str
    name_en: str
    name_ru: str
    name_kk: str
    head_title_en: str
    parent: str | None
    region: str | None
    topics: list[str]
    accepts_appeals: bool


@router.get("/regions", response=list[RegionOut], auth=None, summary="Kazakhstan's 20 administrative units")
def list_regions(request):
    return [
        RegionOut(
            **{f: getattr(r, f) for f in ("iso_code", "kind", "name_en", "name_ru", "name_kk", "population")},
            population_date=r.population_date.isoformat() if r.population_date else None,
        )
        for r in Region.objects.order_by("iso_code")
    ]


@router.get("/bodies", response=list[BodyOut], auth=None, summary="State bodies whose heads receive appeals")
def list_bodies(request):
    bodies = Body.objects.select_related("parent", "region").prefetch_related("topics").order_by("slug")
    return [
        BodyOut(
            slug=b.slug,
            kind=b.kind,
            name_en=b.name_en,
            name_ru=b.name_ru,
            name_kk=b.name_kk,
            head_title_en=b.head_title_en,
            parent=b.parent.slug if b.parent else None,
            region=b.region.iso_code if b.region else None,
            topics=[t.slug for t in b.topics.all()],
            accepts_appeals=b.accepts_appeals,
        )
        for b in bodies
    ]
