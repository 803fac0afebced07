"""A readable difference between two versions of a draft: provision by provision, words inserted and deleted.

The result holds plain strings; the template escapes them and marks insertions and deletions with
<ins>/<del>, which screen readers announce, plus a visible word ("added"/"removed") for colour-blind readers."""

import difflib
import re

_WORDS = re.compile(r"\s+|[^\s]+")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text or "")


def inline(before: str, after: str) -> list[tuple[str, str]]:
    """[(op, text)] with op in 'same', 'del', 'ins'."""
    a, b = _words(before), _words(after)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("ins", "".join(b[j1:j2])))
    return out


def compare(old_version, new_version, lang: str) -> list[dict]:
    """Every provision that was added, removed or changed, in the new version's order (removed ones where they stood)."""
    field = f"text_{lang}"
    old = {p.eid: p for p in old_version.provisions.all()}
    new = list(new_version.provisions.all())
    new_ids = {p.eid for p in new}
    rows = []
    for p in new:
        before = old.get(p.eid)
        text_after = getattr(p, field) or p.text
        if before is None:
            rows.append({"eid": p.eid, "status": "added", "parts": [("ins", text_after)]})
        else:
            text_before = getattr(before, field) or before.text
            if text_before != text_after:
                rows.append({"eid": p.eid, "status": "changed", "parts": inline(text_before, text_after)})
    for eid, p in old.items():
        if eid not in new_ids:
            rows.append({"eid": eid, "status": "removed", "parts": [("del", getattr(p, field) or p.text)]})
    return rows
