"""Country and region names in the reader's language, from CLDR (through Babel), never from a hand-typed list.

Data that Ashyq ships or publishes names countries as its source wrote them, in English ("Russia", "The Republic of
Korea", "USA"). Pages show them in Kazakh, Russian or English: the English name is matched to its CLDR territory code
(CLDR's own English names, and the few other spellings the sources use, below), and the code gives the name in the
active language. Anything that is not a country or region (an organisation, "CIS countries incl. ...") is shown as
written; the groupings the sources name that CLDR has no code for are interface strings in the catalog.

The stored and downloaded data keep the source's English names: only what a page shows is translated."""

import functools
import re

from babel import Locale
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# Other spellings the sources use for a CLDR territory (CLDR's English name is the first column's meaning).
SPELLINGS = {
    "the republic of korea": "KR",
    "republic of korea": "KR",
    "korea": "KR",
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "turkey": "TR",
    "russian federation": "RU",
    "kyrgyz republic": "KG",
    "iran": "IR",
    "republic of kazakhstan": "KZ",
    "republic of uzbekistan": "UZ",
    "people's republic of china": "CN",
    "vietnam": "VN",
    "europe": "150",
    "asia": "142",
    "central asia": "143",
}

# Groupings and totals with no CLDR code: interface strings, translated in the catalog.
GROUPINGS = {
    "total": _("Total"),
    "others": _("Others"),
    "other countries": _("Other countries"),
    "cis": _("CIS"),
    "eaeu": _("EAEU"),
}


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


@functools.cache
def _codes() -> dict[str, str]:
    """English name (lower case) -> CLDR territory code, countries and the world's regions."""
    codes = {_key(name): code for code, name in Locale("en").territories.items()}
    codes.update(SPELLINGS)
    return codes


@functools.cache
def _names(language: str) -> dict[str, str]:
    try:
        return dict(Locale.parse(language.replace("-", "_")).territories)
    except (ValueError, LookupError):
        return dict(Locale("en").territories)


def code(name: str) -> str | None:
    """The CLDR territory code of a country or region named in English, or None for anything else."""
    return _codes().get(_key(name or ""))


def is_country(name: str) -> bool:
    return code(name) is not None or _key(name or "") in GROUPINGS


def name(english: str, language: str | None = None) -> str:
    """The name of a country or region in `language` (the active language by default); other text as written."""
    if not english:
        return english
    grouping = GROUPINGS.get(_key(english))
    if grouping is not None:
        return str(grouping)
    territory = code(english)
    if territory is None:
        return english
    return _names((language or get_language() or "en").split("-")[0]).get(territory, english)


def parts(text: str, separator: str = ";", phrases: dict | None = None) -> list[tuple[str, bool]]:
    """A list as the sources write it ("Kazakhstan;China") as (shown, translated) pairs: countries and the given
    phrases in the active language; anything else (an organisation's name) as written, translated False, so a page
    can mark it as English text (WCAG 3.1.2, language of parts)."""
    out = []
    for part in (text or "").split(separator):
        part = part.strip()
        if not part:
            continue
        if phrases and part in phrases:
            out.append((str(phrases[part]), True))
        elif is_country(part):
            out.append((name(part), True))
        else:
            out.append((part, False))
    return out


def names(text: str, separator: str = ";", joiner: str = "; ") -> str:
    """A list of names as the sources write it ("Kazakhstan;China"): each country in the active language."""
    return joiner.join(shown for shown, _translated in parts(text, separator)) if text else text


def matches(query: str, text: str, separator: str = ";") -> bool:
    """Does `query` occur in the text as written or in its names in the active language (a reader types 'Китай')?"""
    query = _key(query)
    return bool(query) and (query in (text or "").lower() or query in names(text or "", separator).lower())
