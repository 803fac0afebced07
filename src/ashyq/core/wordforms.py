"""Word forms of Kazakh, Russian and English as people write them, reduced to one key per word, so that a
search for "взятка" finds "взятку" and "взятки", "прокуратура" finds "прокуратурасы" and "jol" finds "жолдың".

One function serves both sides: the index keeps `document_keys(text)` (one key per word, in order, so
phrases keep their positions) and a query asks for any of `query_keys(word)`. The same Python code
computes both on every database, so PostgreSQL and SQLite find the same appeals. It is in core because
the appeals' search, the open-data catalogue and the classifiers all read words the same way.

- Russian: the Snowball stemmer (snowballstemmer, the algorithm of PostgreSQL's `russian` config), ё as е.
- Kazakh: inflectional suffixes are stripped right to left — case (genitive, dative, accusative, locative,
  ablative, instrumental, and -дағы), then possessive, then plural — in every vowel-harmony and
  consonant-assimilation variant, keeping at least three letters; a final г/ғ/б that a vowel-initial
  suffix voiced goes back to к/қ/п (әкімдігі → әкімдік). The Kazakh letters are then folded to their
  nearest Russian ones (ә→а, і→и, қ→к, ң→н, ғ→г, ө→о, ү→у, ұ→у, һ→х, and й→и, as the
  2021 Latin alphabet writes both with i), so the same word typed on a
  Russian keyboard ("акимдик") or in Latin script without diacritics meets its proper spelling, and the
  Russian stemmer runs last, so a borrowed word keeps one key in both languages (прокуратурасы →
  прокуратура → прокуратур).
- Latin-script Kazakh (2017, 2018 and 2021 alphabets, and plain ASCII) is read in Cyrillic first.
- English: the Snowball English stemmer.

Which path a word takes: a word with a Kazakh letter is Kazakh; other words follow the language of their
text (`core.language.detect`), and a query word without a Kazakh letter asks for both its Russian and its
Kazakh key (and a Latin word for its English and its Kazakh key), since a query is too short to tell.
Kazakh without a lexicon is ambiguous at the edges ("ауданы" is аудан + ы, not ауда + ны): a short list of
stems that end like a suffix is kept whole.
"""

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from . import language

TOKEN = re.compile(r"[^\W_]+(?:['’][^\W\d_]*)*", re.UNICODE)
MAX_WORD = 40

_RUSSIAN = snowballstemmer.stemmer("russian")
_ENGLISH = snowballstemmer.stemmer("english")

# Latin Kazakh → Cyrillic, longest spellings first (2017 apostrophes, 2018 acute accents, 2021 diacritics,
# and the digraphs people type on an English keyboard).
LATIN_TO_CYRILLIC = [
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("iy", "ий"),
    ("a'", "ә"),
    ("g'", "ғ"),
    ("n'", "ң"),
    ("o'", "ө"),
    ("u'", "ү"),
    ("i'", "і"),
    ("s'", "ш"),
    ("c'", "ч"),
    ("a’", "ә"),
    ("g’", "ғ"),
    ("n’", "ң"),
    ("o’", "ө"),
    ("u’", "ү"),
    ("i’", "і"),
    ("s’", "ш"),
    ("c’", "ч"),
    ("ä", "ә"),
    ("á", "ә"),
    ("ğ", "ғ"),
    ("ǵ", "ғ"),
    ("ñ", "ң"),
    ("ń", "ң"),
    ("ö", "ө"),
    ("ó", "ө"),
    ("ū", "ұ"),
    ("ü", "ү"),
    ("ú", "ү"),
    ("ı", "ы"),
    ("ş", "ш"),
    ("ç", "ч"),
    ("ý", "у"),
    ("a", "а"),
    ("b", "б"),
    ("c", "с"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "һ"),
    ("i", "і"),
    ("j", "ж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("q", "қ"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "у"),
    ("x", "х"),
    ("y", "ы"),
    ("z", "з"),
]
_TRANSLIT = re.compile("|".join(re.escape(latin) for latin, _ in LATIN_TO_CYRILLIC))
_TRANSLIT_MAP = dict(LATIN_TO_CYRILLIC)

FOLD = str.maketrans(
    {"ә": "а", "і": "и", "қ": "к", "ң": "н", "ғ": "г", "ө": "о", "ү": "у", "ұ": "у", "һ": "х", "ё": "е", "й": "и"}
)

# Kazakh suffixes in folded spelling (і→и, ғ→г, қ→к, ң→н), both vowel-harmony rows and every
# assimilated first consonant. Each group strips at most one suffix, longest first.
CASE = sorted(
    {
        "дын",
        "дин",
        "тын",
        "тин",
        "нын",
        "нин",  # genitive
        "га",
        "ге",
        "ка",
        "ке",
        "на",
        "не",
        "ына",
        "ине",
        "ыма",
        "име",  # dative (-на/-не after a possessive)
        "ды",
        "ди",
        "ты",
        "ти",
        "ны",
        "ни",  # accusative
        "да",
        "де",
        "та",
        "те",
        "нда",
        "нде",  # locative
        "дан",
        "ден",
        "тан",
        "тен",
        "нан",
        "нен",
        "ндан",
        "нден",  # ablative
        "мен",
        "бен",
        "пен",
        "менен",
        "бенен",
        "пенен",  # instrumental
        "дагы",
        "деги",
        "тагы",
        "теги",
        "ндагы",
        "ндеги",  # -дағы (the one at/in)
        "дай",
        "дей",
        "тай",
        "тей",  # -дай (like)
        "сын",
        "син",  # possessive 3rd person + accusative
    },
    key=len,
    reverse=True,
)
POSSESSIVE = sorted(
    {
        "ымыз",
        "имиз",
        "мыз",
        "миз",
        "ыныз",
        "иниз",
        "ныз",
        "низ",
        "ым",
        "им",
        "ын",
        "ин",
        "сы",
        "си",
        "ы",
        "и",
    },
    key=len,
    reverse=True,
)
PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
MIN_STEM = 3
VOICED_BACK = {"г": "к", "б": "п"}  # әкімдігі → әкімдік, кітабы → кітап (after folding: ғ→г, қ→к)
# Stems that end like a suffix and would be cut wrongly (folded spelling).
KEEP_WHOLE = (
    "аудан",
    "орман",
    "заман",
    "адам",
    "азамат",
    "отан",
    "курылыс",
    "калалык",
    "туман",
    "диван",
    "еден",
    "деген",
    "ауылдык",
    "кызмет",
    "акимдик",
    "акимшилик",
    "мектеп",
    "емхана",
    "аурухана",
    "келисим",
    "уй",
    "ата",
    "ана",
    "бала",
)


def _strip_one(word: str, suffixes) -> str:
    for suffix in suffixes:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=65536)
def kazakh_stem(word: str) -> str:
    """The folded stem of a Kazakh word (any script; case as given is lowered)."""
    word = to_cyrillic(word.lower()).translate(FOLD)
    for stem in KEEP_WHOLE:
        if word.startswith(stem) and len(word) - len(stem) <= 7:
            rest = word[len(stem) :]
            if not rest or _strip_chain(rest) == "":
                return stem
    stripped = word
    for group in (CASE, POSSESSIVE, PLURAL):
        stripped = _strip_one(stripped, group)
    if stripped != word and stripped[-1] in VOICED_BACK and word[len(stripped)] in "аеиыуо":
        stripped = stripped[:-1] + VOICED_BACK[stripped[-1]]
    return stripped


def _strip_chain(rest: str) -> str:
    """What is left of `rest` after removing one case, possessive and plural suffix (for KEEP_WHOLE)."""
    for group in (CASE, POSSESSIVE, PLURAL):
        for suffix in group:
            if rest.endswith(suffix):
                rest = rest[: -len(suffix)]
                break
    return rest


def to_cyrillic(text: str) -> str:
    """Latin-script Kazakh in Cyrillic (text already in lower case); Cyrillic passes unchanged."""
    return _TRANSLIT.sub(lambda m: _TRANSLIT_MAP[m.group(0)], text)


@lru_cache(maxsize=65536)
def russian_key(word: str) -> str:
    return _RUSSIAN.stemWord(word.replace("ё", "е"))


@lru_cache(maxsize=65536)
def kazakh_key(word: str) -> str:
    return _RUSSIAN.stemWord(kazakh_stem(word))


@lru_cache(maxsize=65536)
def english_key(word: str) -> str:
    return _ENGLISH.stemWord(word)


def tokens(text: str) -> list[str]:
    """The words and numbers of a text, lower case, NFC, at most MAX_WORD characters each."""
    text = unicodedata.normalize("NFC", text or "").lower()
    return [t[:MAX_WORD] for t in TOKEN.findall(text)]


def _is_latin(word: str) -> bool:
    return bool(language.LATIN_WORD.match(word))


def _has_kazakh_letter(word: str) -> bool:
    return bool(language.KAZAKH_CYRILLIC_LETTERS.intersection(word))


def word_key(word: str, text_language: str) -> str:
    """The one key the index keeps for `word` (a token of `tokens()`) in a text of `text_language`."""
    if word.isdigit():
        return word
    if _is_latin(word):
        if text_language == language.KAZAKH_LATIN or language.KAZAKH_LATIN_LETTERS.intersection(word):
            return kazakh_key(word)
        return english_key(word.replace("’", "'"))
    if _has_kazakh_letter(word) or text_language in (language.KAZAKH, language.KAZAKH_LATIN):
        return kazakh_key(word)
    return russian_key(word)


def document_keys(text: str) -> list[str]:
    """One key per word of `text`, in order (positions kept for phrases)."""
    words = tokens(text)
    lang = language.detect(text) if words else language.UNKNOWN
    return [word_key(w, lang) for w in words]


def query_keys(word: str) -> tuple[str, ...]:
    """The keys a query word may have in an indexed text of any language (one to three, distinct)."""
    word = word.lower()
    if word.isdigit():
        return (word,)
    if _is_latin(word):
        keys = [kazakh_key(word)]
        if not language.KAZAKH_LATIN_LETTERS.intersection(word):
            keys.append(english_key(word.replace("’", "'")))
    elif _has_kazakh_letter(word):
        keys = [kazakh_key(word)]
    else:
        keys = [russian_key(word), kazakh_key(word)]
    return tuple(dict.fromkeys(keys))


def exact_words(text: str) -> list[str]:
    """The words as written (lower case, ё as е): what a quoted phrase is matched against."""
    return [w.replace("ё", "е").replace("’", "'") for w in tokens(text)]
