"""Read-only JSON of Open Legal Acts under /api/v1/legal-acts/ (docs/api.md): processes, versions,
provisions, comments (public copies, pseudonyms), reports, adopted acts, agreements, and the Akoma Ntoso XML."""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from ashyq.bodies.models import Body

from . import akn, exports, selectors
from .models import CommentStatus

router = Router(tags=["legal acts"])
MAX_LIMIT = 100
# No register holds more rows than this: a larger offset reads an empty page. Clamped because SQLite refuses
# integers past 64 bits and PostgreSQL an OFFSET past its bigint, either a 500.
MAX_OFFSET = 2**31 - 1


def _page(offset: int, limit: int) -> slice:
    start = min(max(offset, 0), MAX_OFFSET)
    return slice(start, start + max(1, min(limit, MAX_LIMIT)))


class ProcessOut(Schema):
    id: int
    body: str
    act_type: str
    title_kk: str
    title_ru: str
    title_en: str
    phase: str
    opens_on: dt.date
    closes_on: dt.date
    days_left: int | None
    report_due_on: dt.date
    report_overdue: bool
    report_published_at: dt.datetime | None
    rule_version: int
    legal_basis: str
    synthetic: bool
    versions: int


class ProvisionOut(Schema):
    eid: str
    kind: str
    num: str
    depth: int
    heading_kk: str
    heading_ru: str
    heading_en: str
    text_kk: str
    text_ru: str
    text_en: str


class VersionOut(Schema):
    number: int
    created_at: dt.datetime
    note: str
    source_format: str


class CommentOut(Schema):
    id: int
    provision: str
    version: int
    author: str
    quote: str
    text: str
    created_at: dt.datetime
    supports: int
    opposes: int
    replies: list[str]
    decision: str | None
    reason: str | None


class ReportOut(Schema):
    process: int
    published_at: dt.datetime
    late: bool
    summary: str
    comments: list[CommentOut]


class ActOut(Schema):
    code: str
    act_type: str
    title_kk: str
    title_ru: str
    title_en: str
    number: str
    adopted_on: dt.date | None
    issuer_ru: str
    registration_number: str
    registered_on: dt.date | None
    status: str
    process: int | None
    versions: list[dict]


class CitationOut(Schema):
    fact: str
    publication: str = Field(description="Key of the publication in Ashyq's register of sources")
    citation: str = Field(description="The whole citation, as the pages write it")
    authors: str
    title: str
    journal: str
    issue: str
    year: int | None
    locator: str = Field(description="Page, table or passage, when more precise than the article's pages")


class AgreementOut(Schema):
    slug: str
    kind: str
    title_en: str
    title_ru: str
    parties: str
    country: str
    signed_on: dt.date | None
    signed_year: int | None
    signed_place: str
    ratifying_law: str
    entered_into_force_on: dt.date | None
    status: str
    text_published: bool
    text_requested_on: dt.date | None
    sources: list[CitationOut]


def _process(p) -> dict:
    return {
        "id": p.pk,
        "body": p.body.slug,
        "act_type": p.act_type,
        "title_kk": p.title_kk,
        "title_ru": p.title_ru,
        "title_en": p.title_en,
        "phase": p.phase,
        "opens_on": p.opens_on,
        "closes_on": p.closes_on,
        "days_left": p.days_left,
        "report_due_on": p.report_due_on,
        "report_overdue": p.overdue,
        "report_published_at": p.report_published_at,
        "rule_version": p.rule.version,
        "legal_basis": p.rule.legal_basis,
        "synthetic": p.synthetic,
        "versions": p.versions.count(),
    }


def _get(pk):
    process = get_object_or_404(selectors.public_processes().select_related("rule"), pk=pk)
    selectors.decorate([process])
    return process


def _comment(c, with_decision: bool) -> dict:
    return {
        "id": c.pk,
        "provision": c.provision_eid,
        "version": c.version.number,
        "author": c.author.pseudonym,
        "quote": c.quote,
        "text": c.public_text if c.status == CommentStatus.PUBLISHED else "",
        "created_at": c.created_at,
        "supports": c.supports,
        "opposes": c.opposes,
        "replies": [r.text for r in c.replies.all()],
        "decision": c.decision or None if with_decision else None,
        "reason": c.reason or None if with_decision else None,
    }


def _reported(process) -> bool:
    return process.report_published_at is not None


@router.get("/legal-acts/processes", response=list[ProcessOut], auth=None, summary="Discussion processes of drafts")
def list_processes(
    request, when: str = "", body: str = "", act_type: str = "", phase: str = "", offset: int = 0, limit: int = 50
):
    body_obj = get_object_or_404(Body, slug=body) if body else None
    qs = selectors.filtered_processes(
        when=when if when in ("open", "upcoming", "past") else "", body=body_obj, act_type=act_type, phase=phase
    ).select_related("rule")
    return [_process(p) for p in selectors.decorate(qs[_page(offset, limit)])]


@router.get(
    "/legal-acts/processes/{process_id}",
    response=ProcessOut,
    auth=None,
    url_name="legalacts_process",
    summary="One discussion process",
)
def get_process(request, process_id: int):
    return _process(_get(process_id))


@router.get("/legal-acts/processes/{process_id}/versions", response=list[VersionOut], auth=None, summary="Versions of a draft")
def list_versions(request, process_id: int):
    return list(_get(process_id).versions.values("number", "created_at", "note", "source_format"))


@router.get(
    "/legal-acts/processes/{process_id}/versions/{version_number}/provisions",
    response=list[ProvisionOut],
    auth=None,
    summary="Provisions of one version, with their Akoma Ntoso identifiers",
)
def list_provisions(request, process_id: int, version_number: int):
    version = get_object_or_404(_get(process_id).versions, number=version_number)
    return list(version.provisions.values(*ProvisionOut.model_fields))


@router.get(
    "/legal-acts/processes/{process_id}/comments",
    response=list[CommentOut],
    auth=None,
    summary="Published comments (moderated copies, pseudonyms); decisions once the report is published",
)
def list_comments(request, process_id: int):
    process = _get(process_id)
    qs = process.comments.filter(status=CommentStatus.PUBLISHED).select_related("author", "version").prefetch_related("replies")
    return [_comment(c, _reported(process)) for c in qs]


@router.get("/legal-acts/processes/{process_id}/report", response=ReportOut, auth=None, summary="The developer's report")
def get_report(request, process_id: int):
    process = _get(process_id)
    if not _reported(process):
        raise Http404("The report is not published yet.")
    rows = selectors.report_rows(process).prefetch_related("replies")
    return {
        "process": process.pk,
        "published_at": process.report_published_at,
        "late": process.report_published_at.date() > process.report_due_on,
        "summary": process.report_summary,
        "comments": [_comment(c, True) for c in rows],
    }


def _xml(root):
    return HttpResponse(akn.to_bytes(root), content_type="application/akn+xml; charset=utf-8")


def _lang(lang: str) -> str:
    if lang not in akn.ISO3:
        raise Http404("lang is kk, ru or en")
    return lang


@router.get(
    "/legal-acts/processes/{process_id}/akn.xml",
    auth=None,
    url_name="legalacts_process_akn",
    summary="A version of the draft as Akoma Ntoso 3.0 XML (default: the latest, in Russian)",
)
def process_akn(request, process_id: int, lang: str = "ru", version: int = 0):
    process = _get(process_id)
    versions = process.versions.all()
    chosen = get_object_or_404(versions, number=version) if version else versions.order_by("-number").first()
    return _xml(akn.draft_version(chosen, _lang(lang)))


def _act(act) -> dict:
    return {
        "code": act.code,
        "act_type": act.act_type,
        "title_kk": act.title_kk,
        "title_ru": act.title_ru,
        "title_en": act.title_en,
        "number": act.number,
        "adopted_on": act.adopted_on,
        "issuer_ru": act.issuer_ru,
        "registration_number": act.registration_number,
        "registered_on": act.registered_on,
        "status": act.status,
        "process": act.process_id,
        "versions": [{"number": v.number, "version_date": v.version_date, "caused_by": v.caused_by} for v in act.versions.all()],
    }


@router.get("/legal-acts/acts", response=list[ActOut], auth=None, summary="The register of adopted acts")
def list_acts(request, offset: int = 0, limit: int = 50):
    return [_act(a) for a in selectors.acts().prefetch_related("versions")[_page(offset, limit)]]


@router.get("/legal-acts/acts/{code}", response=ActOut, auth=None, url_name="legalacts_act", summary="One adopted act")
def get_act(request, code: str):
    return _act(get_object_or_404(selectors.acts(), code=code))


@router.get(
    "/legal-acts/acts/{code}/versions/{version_number}/provisions",
    response=list[ProvisionOut],
    auth=None,
    summary="Provisions of a version of an adopted act",
)
def act_provisions(request, code: str, version_number: int):
    act = get_object_or_404(selectors.acts(), code=code)
    return list(get_object_or_404(act.versions, number=version_number).provisions.values(*ProvisionOut.model_fields))


@router.get(
    "/legal-acts/acts/{code}/akn.xml",
    auth=None,
    url_name="legalacts_act_akn",
    summary="An adopted act as Akoma Ntoso 3.0 XML (default: the latest version, in Russian)",
)
def act_akn(request, code: str, lang: str = "ru", version: int = 0):
    act = get_object_or_404(selectors.acts(), code=code)
    chosen = get_object_or_404(act.versions, number=version) if version else act.versions.order_by("-number").first()
    if chosen is None:
        raise Http404("This act has no text in the register.")
    return _xml(akn.act_version(chosen, _lang(lang)))


@router.get(
    "/legal-acts/agreements",
    response=list[AgreementOut],
    auth=None,
    summary="International agreements, each fact with its source",
)
def list_agreements(request):
    return [
        {
            "slug": a.slug,
            "kind": a.kind,
            "title_en": a.title_en,
            "title_ru": a.title_ru,
            "parties": a.parties,
            "country": a.country,
            "signed_on": a.signed_on,
            "signed_year": a.signed_year,
            "signed_place": a.signed_place,
            "ratifying_law": a.ratifying_law,
            "entered_into_force_on": a.entered_into_force_on,
            "status": a.status,
            "text_published": bool(a.full_text),
            "text_requested_on": a.text_requested_on,
            "sources": [{"fact": c.fact, **exports.citation_fields(c)} for c in a.citations.all()],
        }
        for a in selectors.agreements()
    ]
