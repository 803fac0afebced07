"""Structured text: a draft or an act read into provisions named by Akoma Ntoso identifiers.

The identifiers follow the AKN naming convention (eId): each level is `<abbreviation>_<number>` and
levels are joined by `__`, e.g. `chp_2__art_5__para_2__point_3`. They come from the numbers written in
the text, so the same provision keeps its identifier in every version and in every language.

Levels recognised (Kazakh, Russian and English wordings):
- an annex (a `##` heading, e.g. "## МЕТОДИКА …" or "## Приложение 2") → `att_N`; a numbered `##` heading
  ("## 2. Понятие …") is a section of the annex above;
- a section "Раздел N" / "N-бөлім" / "Section N" → `sec_N`;
- a chapter "Глава N" / "N-тарау" / "Chapter N" (any heading level, or a line on its own) → `chp_N`;
- an article "Статья N." / "N-бап." / "Article N." → `art_N`;
- a point "N." at the start of a line → `para_N`;
- a sub-point "N)" → `point_N`.
Text before the first provision is the `preamble`; unnumbered paragraphs continue the provision above them.
A number met twice at the same place gets a suffix (`para_3_2`), so identifiers stay unique.
"""

import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_SOURCE_BYTES = 5 * 1024 * 1024
MAX_PROVISIONS = 5000

# Level order: a provision nests under the nearest open provision of a higher (smaller) level.
LEVELS = {"att": 0, "sec": 1, "chp": 2, "art": 3, "para": 4, "point": 5}

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SECTION = re.compile(r"^(?:Раздел\s+(\d+)|(\d+)[-‐]?\s*бөлім|Section\s+(\d+))\.?\s*(.*)$", re.I)
_CHAPTER = re.compile(r"^(?:Глава\s+(\d+)|(\d+)[-‐]?\s*тарау|Chapter\s+(\d+))\.?\s*(.*)$", re.I)
_ARTICLE = re.compile(r"^(?:Статья\s+(\d+)|(\d+)[-‐]?\s*бап|Article\s+(\d+))\.?\s*(.*)$", re.I)
_POINT = re.compile(r"^(\d{1,4})\\?\.\s+(.*)$")
_SUBPOINT = re.compile(r"^(\d{1,3})\)\s+(.*)$")
_NUMBERED_SECTION = re.compile(r"^(\d{1,3})\\?\.\s+(.*)$")
_MARKUP = re.compile(r"\*\*|__|(?<!\w)\*(?!\s)|(?<!\s)\*(?!\w)")


@dataclass
class Block:
    """One provision as parsed from one language's text."""

    eid: str
    kind: str
    num: str
    depth: int
    heading: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def _clean(line: str) -> str:
    """Drop Markdown emphasis and block-quote marks; the words stay as written."""
    line = line.strip()
    while line.startswith(">"):
        line = line[1:].strip()
    return _MARKUP.sub("", line).strip()


def _first(match) -> str:
    return next(g for g in match.groups()[:-1] if g)


def parse(text: str) -> list[Block]:
    """Read Markdown or plain text into provisions, in document order."""
    blocks: list[Block] = []
    stack: list[Block] = []  # the open provisions, outermost first
    seen: set[str] = set()
    annexes = 0
    preamble: Block | None = None

    def open_block(kind: str, num: str, heading: str = "", first_line: str = "") -> Block:
        nonlocal stack
        level = LEVELS[kind]
        stack = [b for b in stack if LEVELS[b.kind] < level]
        prefix = stack[-1].eid + "__" if stack else ""
        eid = f"{prefix}{kind}_{num}"
        base, n = eid, 1
        while eid in seen:
            n += 1
            eid = f"{base}_{n}"
        seen.add(eid)
        block = Block(eid=eid, kind=kind, num=num, depth=len(stack), heading=heading)
        if first_line:
            block.lines.append(first_line)
        blocks.append(block)
        stack.append(block)
        if len(blocks) > MAX_PROVISIONS:
            raise ValidationError({"text": _("The text has more than %(n)d provisions.") % {"n": MAX_PROVISIONS}})
        return block

    title_seen = False
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        heading = _HEADING.match(raw.strip())
        level = len(heading.group(1)) if heading else 0
        line = _clean(heading.group(2) if heading else raw)
        if not line or set(line) <= set("-–—_ "):
            continue
        if level == 1 and not title_seen and not blocks:
            title_seen = True  # the act's own title: shown from the process, not a provision
            continue
        for pattern, kind in ((_SECTION, "sec"), (_CHAPTER, "chp"), (_ARTICLE, "art")):
            m = pattern.match(line)
            if m:
                open_block(kind, _first(m), heading=m.groups()[-1].strip())
                break
        else:
            numbered = _NUMBERED_SECTION.match(line) if level == 2 else None
            if numbered:  # "## 2. Понятие …": a numbered section of the annex above, not a new annex
                open_block("sec", numbered.group(1), heading=numbered.group(2))
                continue
            if level == 2:
                annexes += 1
                open_block("att", str(annexes), heading=line)
                continue
            if heading:
                target = stack[-1] if stack else None
                if target is not None:
                    target.lines.append(line)
                continue
            m = _POINT.match(line)
            if m:
                open_block("para", m.group(1), first_line=line)
                continue
            m = _SUBPOINT.match(raw.strip().lstrip("> ")) or _SUBPOINT.match(line)
            if m and any(b.kind in ("para", "art") for b in stack):
                open_block("point", m.group(1), first_line=line)
                continue
            if stack:
                stack[-1].lines.append(line)
            else:
                if preamble is None:
                    preamble = Block(eid="preamble", kind="preamble", num="", depth=0)
                    blocks.insert(0, preamble)
                    seen.add("preamble")
                preamble.lines.append(line)
    return blocks


def read_docx(data: bytes) -> str:
    """A DOCX file as Markdown-like lines: Word headings become `#` headings, other paragraphs lines.

    Word's automatic numbering is not part of the paragraph text, so numbers must be typed for the
    provisions to be found (the preview shows what was read before anything is published)."""
    import zipfile

    from docx import Document

    if len(data) > MAX_SOURCE_BYTES:
        raise ValidationError({"source": _("The file is larger than 5 MB.")})
    try:
        document = Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ValidationError({"source": _("This is not a readable DOCX file.")}) from exc
    lines = []
    for paragraph in document.paragraphs:
        style = (paragraph.style.name or "") if paragraph.style is not None else ""
        text = paragraph.text.strip()
        if not text:
            continue
        m = re.match(r"(?:Heading|Заголовок)\s*(\d)", style)
        lines.append(f"{'#' * int(m.group(1))} {text}" if m else text)
    return "\n".join(lines)


def read_source(data: bytes, filename: str) -> tuple[str, str]:
    """(text, format) from an uploaded file: .docx, .md or .txt (UTF-8)."""
    name = (filename or "").lower()
    if len(data) > MAX_SOURCE_BYTES:
        raise ValidationError({"source": _("The file is larger than 5 MB.")})
    if name.endswith(".docx"):
        return read_docx(data), "docx"
    if name.endswith((".md", ".markdown", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError({"source": _("The file is not UTF-8 text.")}) from exc
        return text, "markdown" if name.endswith((".md", ".markdown")) else "text"
    raise ValidationError({"source": _("Upload a .docx, .md or .txt file.")})


def merge(texts: dict[str, str], *, require_same_structure: bool) -> list[dict]:
    """Parse each language's text and join the provisions by identifier, in the order of the first text.

    With require_same_structure (drafts), a provision present in one language and missing in another is an
    error naming it: commenters must see the same points in Kazakh and Russian."""
    parsed = {lang: parse(text) for lang, text in texts.items() if text and text.strip()}
    if not parsed:
        raise ValidationError({"text_ru": _("The text is empty.")})
    order: list[str] = []
    rows: dict[str, dict] = {}
    for lang, blocks in parsed.items():
        for block in blocks:
            row = rows.get(block.eid)
            if row is None:
                row = rows[block.eid] = {"eid": block.eid, "kind": block.kind, "num": block.num, "depth": block.depth}
                order.append(block.eid)
            row[f"heading_{lang}"] = block.heading
            row[f"text_{lang}"] = block.text
    if require_same_structure and len(parsed) > 1:
        sets = {lang: {b.eid for b in blocks} for lang, blocks in parsed.items()}
        first_lang = next(iter(sets))
        for lang, eids in sets.items():
            missing = sets[first_lang] ^ eids
            if missing:
                raise ValidationError(
                    {
                        f"text_{lang}": _("The %(lang)s text does not have the same provisions as the %(other)s text: %(eids)s.")
                        % {"lang": lang, "other": first_lang, "eids": ", ".join(sorted(missing)[:5])}
                    }
                )
    return [rows[eid] for eid in order]
