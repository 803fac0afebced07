"""Nothing a reader sees on a Kazakh or Russian page is left in English.

The main public pages are rendered in kk and ru with the Silk Road data, open datasets and appeals loaded, and every
visible text is read as a person would (scripts and styles left out, the alt, title, placeholder and aria-label that
assistive technology reads kept in). A text fails when it holds an English word of Ashyq's own vocabulary — a word of
an interface string in the catalog or of a country's English name — unless it stands inside an element marked
lang="en" (quoted source text and proper names in English, as WCAG 3.1.2 asks), or in code (<code>, <kbd>, a column's
name). Codes (CSV, JSON, HS codes) are in capitals or figures, file names and identifiers hold a dot, an underscore
or a slash, or are slugs (manage.py, share_pct, datapackage.json): none of them counts. What people publish (a dataset's rows, a
resource's file name, the source a publisher typed) is theirs and is marked data-user-content.

The vocabulary comes from the catalog and CLDR, not from a list in this file, so a new string that is never
translated, or a country name typed into a page, fails here."""

import re
from functools import cache
from pathlib import Path

import lxml.html
import pytest
from babel import Locale
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from ashyq.opendata.showcase import load_showcase

CATALOG = Path(__file__).resolve().parent.parent / "src" / "ashyq" / "locale" / "ru" / "LC_MESSAGES" / "django.po"
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][a-z]+(?:['’][a-z]+)?(?![A-Za-z0-9])")
HIDDEN = {"script", "style", "template", "noscript", "code", "kbd", "samp"}
READ_ATTRIBUTES = ("alt", "title", "placeholder", "aria-label")
# Names of the project, of standards, licences and journals: written the same in every language.
PROPER = {"ashyq", "ckan", "dcat", "frictionless"}
PROPER_NAMES = re.compile(r"Table Schema|Doing Business|Creative Commons Attribution|Central Asia's Affairs|Open Data Commons")
CODE = re.compile(r"\S*\w[._/]\w\S*|\b[a-z0-9]+(?:-[a-z0-9]+){2,}\b")


@cache
def english_vocabulary() -> frozenset[str]:
    """Words of the English source strings of the catalog and of CLDR's English country names, three letters or more."""
    words = set()
    with CATALOG.open("rb") as po:
        for message in read_po(po):
            for text in message.id if isinstance(message.id, tuple) else (message.id,):
                words |= {w.lower() for w in WORD.findall(re.sub(r"%\(\w+\)[sd]|\{[^}]*\}|<[^>]+>", " ", text or ""))}
    for name in Locale("en").territories.values():
        words |= {w.lower() for w in WORD.findall(name)}
    return frozenset(w for w in words if len(w) >= 3) - PROPER


def _language_of(element) -> str:
    while element is not None:
        lang = element.get("lang") if hasattr(element, "get") else None
        if lang:
            return lang.split("-")[0]
        element = element.getparent()
    return ""


def _in_code(element) -> bool:
    while element is not None:
        if isinstance(element.tag, str) and (
            element.tag in HIDDEN or element.get("translate") == "no" or element.get("data-user-content") is not None
        ):
            return True
        element = element.getparent()
    return False


def visible_texts(html: str):
    """(text, language) of everything a reader sees or hears, each with the language its element is marked in."""
    root = lxml.html.fromstring(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.text and element.text.strip() and not _in_code(element):
            yield element.text.strip(), _language_of(element)
        parent = element.getparent()
        if element.tail and element.tail.strip() and parent is not None and not _in_code(parent):
            yield element.tail.strip(), _language_of(parent)
        if not _in_code(element):
            for attribute in READ_ATTRIBUTES:
                if element.get(attribute):
                    yield element.get(attribute).strip(), _language_of(element)
            if element.tag == "input" and element.get("type") in ("submit", "button") and element.get("value"):
                yield element.get("value"), _language_of(element)


def english_left(html: str, language: str) -> list[str]:
    """The texts of a page in `language` that still hold English words of Ashyq's vocabulary."""
    vocabulary = english_vocabulary()
    left = []
    for text, lang in visible_texts(html):
        if lang != language:
            continue
        words = [w for w in WORD.findall(CODE.sub(" ", PROPER_NAMES.sub(" ", text))) if w.lower() in vocabulary]
        if words:
            left.append(f"{text[:120]!r} ({', '.join(words[:5])})")
    return left


def test_the_detector_finds_english_and_accepts_what_is_marked_or_code():
    page = (
        '<html lang="ru"><body><h1>Страна</h1><p>Russia</p><p lang="en">Agreement on trade</p>'
        '<p>Формат <code>turnover_musd</code>, CSV, share_pct, manage.py</p><img alt="Export chart">'
        "<td data-user-content>China</td><script>var Total = 1;</script></body></html>"
    )
    left = english_left(page, "ru")
    assert len(left) == 2, left
    assert "Russia" in left[0] and "Export chart" in left[1]


@pytest.fixture
def loaded(reference):
    load_showcase()


def pages():
    return [
        ("home", reverse("home")),
        ("data catalogue", reverse("opendata:catalogue")),
        ("Silk Road explorer", reverse("opendata:silk-road")),
        ("comparison", reverse("opendata:compare")),
        ("country page", reverse("opendata:country", args=["china"])),
        ("country page", reverse("opendata:country", args=["russia"])),
        ("dataset", reverse("opendata:dataset", args=["kazakhstan-trading-partners-2019"])),
        ("dataset", reverse("opendata:dataset", args=["silk-road-projects"])),
        ("assessment methodology", reverse("assessment:methodology")),
        ("assessment ranking", reverse("assessment:ranking")),
        ("appeals", reverse("dialogue:public")),
    ]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_public_pages_carry_no_english_interface_text(client, loaded, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    targets = pages()
    # The resource pages of the Silk Road datasets: every table a reader opens from the dataset page.
    for slug in ("kazakhstan-trading-partners-2019", "silk-road-projects", "central-asia-mutual-trade-shares"):
        page = client.get(reverse("opendata:dataset", args=[slug])).content.decode()
        targets += [
            ("resource", link) for link in dict.fromkeys(re.findall(r'href="(/data/datasets/[^"]+/resources/[^"/]+/)"', page))
        ]
    found = {}
    for label, path in targets:
        response = client.get(path)
        assert response.status_code == 200, (label, path, response.status_code)
        left = english_left(response.content.decode(), language)
        if left:
            found[f"{label} {path}"] = left
    assert not found, "\n".join(f"{page}:\n  " + "\n  ".join(texts) for page, texts in found.items())
