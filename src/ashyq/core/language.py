"""Which language a text is written in: Kazakh (Cyrillic or Latin script), Russian, English, or Kazakh and
Russian mixed, from letters, common words and Kazakh suffixes. No model and no download.

It sits in core because search (dialogue), redaction (moderation), the content analysis and the open-data
catalogue all read it. The values are the codes of `analysis.models.Language`.
"""

import re

KAZAKH, KAZAKH_LATIN, RUSSIAN, ENGLISH, MIXED, UNKNOWN = "kk", "kk-latn", "ru", "en", "mixed", "und"

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)
CYRILLIC_WORD = re.compile(r"[а-яёәғқңөұүһі]")
LATIN_WORD = re.compile(r"[a-zäğñöūüışçáǵńóúý]")

KAZAKH_CYRILLIC_LETTERS = frozenset("әғқңөұүһі")
# Letters that only a Latin-script Kazakh alphabet uses (2018 acute and 2021 diacritic variants).
KAZAKH_LATIN_LETTERS = frozenset("äğñöūüışçáǵńóúý")

KAZAKH_WORDS = frozenset(
    {
        "және",
        "мен",
        "бен",
        "пен",
        "үшін",
        "бойынша",
        "туралы",
        "емес",
        "жоқ",
        "бар",
        "осы",
        "бұл",
        "сол",
        "деп",
        "маған",
        "біз",
        "біздің",
        "менің",
        "сіз",
        "сізден",
        "өтінемін",
        "сұраймын",
        "ауданы",
        "қаласы",
        "облысы",
        "тұрғынымын",
        "еді",
        "болды",
        "болып",
        "келеді",
        "жатыр",
        "керек",
        "тиіс",
        "ешқандай",
        "әлі",
        "да",
        "де",
        "бойы",
        "аса",
        "өте",
        "бізге",
        "оның",
        "олар",
        "сондай",
    }
)
# Common Kazakh content words without a Kazakh letter: evidence of the language only (not function words).
KAZAKH_CONTENT_WORDS = frozenset(
    {
        "жол",
        "жолы",
        "жолдар",
        "арыз",
        "ауыл",
        "ауылы",
        "мектеп",
        "мектепте",
        "бала",
        "балалар",
        "су",
        "ай",
        "жыл",
        "тез",
        "жасау",
        "алу",
        "беру",
    }
)
RUSSIAN_WORDS = frozenset(
    {
        "и",
        "в",
        "не",
        "на",
        "что",
        "по",
        "с",
        "это",
        "для",
        "как",
        "прошу",
        "из",
        "о",
        "к",
        "мы",
        "меня",
        "мне",
        "у",
        "от",
        "за",
        "уже",
        "был",
        "была",
        "было",
        "нет",
        "так",
        "но",
        "или",
        "его",
        "их",
        "при",
        "до",
        "также",
        "просим",
        "города",
        "района",
        "области",
        "который",
        "которые",
        "после",
        "года",
        "во",
        "со",
        "же",
        "очень",
        "под",
        "все",
        "когда",
        "где",
        "нам",
        "нас",
    }
)
ENGLISH_WORDS = frozenset(
    {
        "the",
        "and",
        "to",
        "of",
        "in",
        "is",
        "my",
        "please",
        "for",
        "was",
        "not",
        "have",
        "has",
        "with",
        "that",
        "this",
        "our",
        "we",
        "i",
        "are",
        "been",
        "from",
        "on",
        "at",
        "by",
        "it",
        "be",
        "no",
        "since",
    }
)
ENGLISH_CONTENT_WORDS = frozenset(
    {
        "there",
        "street",
        "road",
        "roads",
        "school",
        "hospital",
        "they",
        "their",
        "would",
        "could",
        "about",
        "a",
        "an",
    }
)
KAZAKH_LATIN_WORDS = frozenset(
    {
        "jäne",
        "jane",
        "men",
        "üşin",
        "ushin",
        "úshin",
        "boiynşa",
        "boiynsha",
        "boıynsha",
        "turaly",
        "emes",
        "joq",
        "bar",
        "osy",
        "bul",
        "būl",
        "ötinemin",
        "otinemin",
        "ótinemin",
        "audany",
        "qalasy",
        "oblysy",
        "kerek",
        "tiis",
        "bizdiñ",
        "bizdin",
        "menıñ",
        "meniñ",
        "menin",
        "sūraimyn",
        "suraimyn",
        "sıraımyn",
        "áli",
        "äli",
        "jol",
        "joldar",
        "joly",
        "auyl",
        "auyly",
        "mektep",
        "mektepte",
        "sálemetsiz",
        "salemetsiz",
        "be",
        "qala",
        "aýyl",
        "kóshe",
        "koshe",
        "köşe",
        "köşesi",
        "koshesi",
        "kóshesi",
        "jaryq",
        "su",
        "jok",
        "auylda",
        "audanda",
    }
)
# Kazakh endings that Russian words never have (in either script, letters folded): a Cyrillic word that
# ends so, or a Latin word that ends so, leans Kazakh.
KAZAKH_ENDINGS_CYRILLIC = (
    "дың",
    "дің",
    "тың",
    "тің",
    "ның",
    "нің",
    "ға",
    "ге",
    "қа",
    "ке",
    "дан",
    "ден",
    "тан",
    "тен",
    "нан",
    "нен",
    "лар",
    "лер",
    "дар",
    "дер",
    "тар",
    "тер",
    "мыз",
    "міз",
    "ңыз",
    "ңіз",
    "сы",
    "сі",
    "ды",
    "ді",
    "ты",
    "ті",
    "да",
    "де",
    "та",
    "те",
    "ғы",
    "гі",
    "мын",
    "мін",
    "ады",
    "еді",
)
KAZAKH_ENDINGS_LATIN = (
    "dyñ",
    "diñ",
    "tyñ",
    "tiñ",
    "nyñ",
    "niñ",
    "dyn",
    "din",
    "nyn",
    "nin",
    "ğa",
    "ga",
    "qa",
    "dan",
    "den",
    "tan",
    "ten",
    "nan",
    "nen",
    "lar",
    "ler",
    "dar",
    "der",
    "tar",
    "ter",
    "myz",
    "miz",
    "ñyz",
    "ñiz",
    "nyz",
    "niz",
    "sy",
    "dy",
    "ty",
    "ny",
    "da",
    "mın",
    "myn",
    "min",
    "yna",
    "ine",
    "ynda",
    "inde",
    "ymyz",
    "imiz",
    "ady",
    "edi",
)
ENGLISH_ENDINGS = ("ing", "tion", "ed", "ly", "ness", "ment", "ous", "ies")


def words(text: str) -> list[str]:
    return WORD.findall((text or "").lower())


def _kazakh_cyrillic(word: str) -> bool:
    return word in KAZAKH_WORDS or word in KAZAKH_CONTENT_WORDS or bool(KAZAKH_CYRILLIC_LETTERS.intersection(word))


# Russian inflections Kazakh words do not have, and letters native Kazakh words do not use.
RUSSIAN_ENDINGS = (
    "ый",
    "ий",
    "ая",
    "яя",
    "ое",
    "ее",
    "ые",
    "ие",
    "ых",
    "их",
    "ого",
    "его",
    "ому",
    "ему",
    "ой",
    "ей",
    "ом",
    "ем",
    "ами",
    "ями",
    "ать",
    "ять",
    "ить",
    "еть",
    "ться",
    "тся",
    "ют",
    "ишь",
    "ешь",
    "ение",
    "ения",
    "ость",
    "ости",
    "ция",
    "ции",
    "ную",
    "ов",
    "ев",
    "ах",
    "ях",
)
RUSSIAN_LETTERS = frozenset("ёъщэ")


def _russian_cyrillic(word: str) -> bool:
    if _kazakh_cyrillic(word):
        return False
    return word in RUSSIAN_WORDS or bool(RUSSIAN_LETTERS.intersection(word)) or (len(word) > 3 and word.endswith(RUSSIAN_ENDINGS))


def word_is_kazakh(word: str, latin: bool = False) -> bool:
    """Does one word, out of context, look Kazakh? (Kazakh letters, a common Kazakh word or a Kazakh-only ending.)"""
    if latin:
        return (
            word in KAZAKH_LATIN_WORDS
            or bool(KAZAKH_LATIN_LETTERS.intersection(word))
            or "'" in word
            or "’" in word
            or (len(word) > 4 and word.endswith(KAZAKH_ENDINGS_LATIN))
            or "q" in word
        )
    return _kazakh_cyrillic(word)


def detect(text: str) -> str:
    """kk, kk-latn, ru, en, mixed or und.

    Mixed means both Kazakh and Russian carry a real share of the text, as in "Сәлеметсіз бе, прошу
    разобраться...": the reports count it apart so neither language's share is inflated. Cyrillic words
    with no Kazakh letter, no common Kazakh word and no Kazakh-only ending count as Russian, since Kazakh
    running text almost never goes several words without one of them.
    """
    tokens = words(text)
    cyrillic = [w for w in tokens if CYRILLIC_WORD.match(w)]
    latin = [w for w in tokens if LATIN_WORD.match(w)]
    if not cyrillic and not latin:
        return UNKNOWN
    if len(cyrillic) >= len(latin):
        return _cyrillic(text, cyrillic)
    kazakh_latin = sum(1 for w in latin if word_is_kazakh(w, latin=True))
    english = sum(
        1 for w in latin if w in ENGLISH_WORDS or w in ENGLISH_CONTENT_WORDS or (len(w) > 4 and w.endswith(ENGLISH_ENDINGS))
    )
    if kazakh_latin == 0 and english == 0:
        return UNKNOWN
    return KAZAKH_LATIN if kazakh_latin > english else ENGLISH


SENTENCE = re.compile(r"[.!?;\n]+")


def _counts(cyrillic: list[str]) -> tuple[int, int]:
    return sum(1 for w in cyrillic if _kazakh_cyrillic(w)), sum(1 for w in cyrillic if _russian_cyrillic(w))


def _cyrillic(text: str, cyrillic: list[str]) -> str:
    kazakh, russian = _counts(cyrillic)
    if kazakh == 0:
        # No Kazakh letter or word anywhere: Russian, if there is a real word to go by.
        return RUSSIAN if russian or any(len(w) > 2 for w in cyrillic) else UNKNOWN
    # A sentence in each language ("Сәлеметсіз бе! Прошу разобраться, ...") is mixed text.
    sides = set()
    for sentence in SENTENCE.split(text):
        in_sentence = [w for w in words(sentence) if CYRILLIC_WORD.match(w)]
        k, r = _counts(in_sentence)
        if k >= 1 and k > r:
            sides.add(KAZAKH)
        elif k == 0 and (r >= 1 or len(in_sentence) >= 3):
            sides.add(RUSSIAN)
    if sides == {KAZAKH, RUSSIAN}:
        return MIXED
    # Or both languages within one sentence, each with a real share.
    if kazakh >= 2 and russian >= 3 and min(kazakh, russian) / (kazakh + russian) >= 0.3:
        return MIXED
    return KAZAKH if kazakh >= russian else RUSSIAN
