"""Text of appeals as the classifiers see it: HTML stripped, one case, Kazakh in Latin script also
written in Cyrillic, and the language it is written in.

Kazakh is written in Cyrillic, in several Latin alphabets (2017 apostrophes, 2018 acute accents, 2021
letters with diacritics) and mixed with Russian in one sentence. The classifiers read character n-grams,
so a Latin-script appeal gets its Cyrillic transliteration appended: the same word then shares features
whichever script the applicant used.
"""

import html
import re
import unicodedata

from ashyq.core import language, wordforms
from ashyq.core.language import ENGLISH_WORDS, KAZAKH_WORDS, RUSSIAN_WORDS  # noqa: F401 (read by body_suggestions)

from .models import Language

TAG = re.compile(r"<[^>]{0,2000}>")
SPACE = re.compile(r"\s+")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)


def plain(text: str) -> str:
    """The visible text of possibly HTML-laden input: tags removed, entities decoded, NFC, one space."""
    text = TAG.sub(" ", text or "")
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return SPACE.sub(" ", text).strip()


def latin_to_cyrillic(text: str) -> str:
    return wordforms.to_cyrillic(text)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def detect_language(text: str) -> str:
    """kk, kk-latn, ru, en, mixed or und (core/language.py), of the visible text."""
    return Language(language.detect(plain(text)))


def for_classifier(text: str) -> str:
    """The text the classifiers read: plain, lower case, and for Latin-script Kazakh also in Cyrillic."""
    clean = plain(text).lower()
    if detect_language(clean) == Language.KAZAKH_LATIN:
        return f"{clean} {latin_to_cyrillic(clean.replace('’', chr(39)))}"
    return clean
