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

from .models import Language

TAG = re.compile(r"<[^>]{0,2000}>")
SPACE = re.compile(r"\s+")
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)

KAZAKH_CYRILLIC_LETTERS = set("әғқңөұүһі")
# Letters that only a Latin-script Kazakh alphabet uses (2018 acute and 2021 diacritic variants).
KAZAKH_LATIN_LETTERS = set("äğñöūüışçáǵńóúý")

KAZAKH_WORDS = {
    "және", "мен", "бен", "пен", "үшін", "бойынша", "туралы", "емес", "жоқ", "бар", "осы", "бұл", "сол", "деп",
    "маған", "біз", "біздің", "менің", "сіз", "сізден", "өтінемін", "сұраймын", "ауданы", "қаласы", "облысы",
    "тұрғынымын", "еді", "болды", "болып", "келеді", "жатыр", "керек", "тиіс", "ешқандай", "әлі", "да", "де",
}
RUSSIAN_WORDS = {
    "и", "в", "не", "на", "что", "по", "с", "это", "для", "как", "прошу", "из", "о", "к", "мы", "меня", "мне",
    "у", "от", "за", "уже", "был", "была", "было", "нет", "так", "но", "или", "его", "их", "при", "до", "также",
    "просим", "города", "района", "области", "который", "которые", "после", "года",
}
ENGLISH_WORDS = {
    "the", "and", "to", "of", "in", "is", "my", "please", "for", "was", "not", "have", "has", "with", "that",
    "this", "our", "we", "i", "are", "been", "from", "on", "at", "by", "it", "be", "no", "since",
}
KAZAKH_LATIN_WORDS = {
    "jäne", "jane", "men", "üşin", "ushin", "úshin", "boiynşa", "boiynsha", "boıynsha", "turaly", "emes", "joq",
    "bar", "osy", "bul", "būl", "ötinemin", "otinemin", "ótinemin", "audany", "qalasy", "oblysy", "kerek", "tiis",
    "bizdiñ", "bizdin", "menıñ", "meniñ", "menin", "sūraimyn", "suraimyn", "sıraımyn", "áli", "äli",
}

# Latin Kazakh → Cyrillic, longest spellings first. It need not be perfect: the result only adds
# features beside the original text.
_LATIN_TO_CYRILLIC = [
    ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("ts", "ц"), ("ya", "я"), ("yu", "ю"), ("iy", "ий"),
    ("a'", "ә"), ("g'", "ғ"), ("n'", "ң"), ("o'", "ө"), ("u'", "ү"), ("i'", "і"), ("s'", "ш"), ("c'", "ч"),
    ("ä", "ә"), ("á", "ә"), ("ğ", "ғ"), ("ǵ", "ғ"), ("ñ", "ң"), ("ń", "ң"), ("ö", "ө"), ("ó", "ө"),
    ("ū", "ұ"), ("ü", "ү"), ("ú", "ү"), ("ı", "ы"), ("ş", "ш"), ("ç", "ч"), ("ý", "у"),
    ("a", "а"), ("b", "б"), ("c", "с"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"), ("h", "һ"), ("i", "і"),
    ("j", "ж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("q", "қ"), ("r", "р"),
    ("s", "с"), ("t", "т"), ("u", "у"), ("v", "в"), ("w", "у"), ("x", "х"), ("y", "ы"), ("z", "з"),
]
_TRANSLIT = re.compile("|".join(re.escape(latin) for latin, _ in _LATIN_TO_CYRILLIC))
_TRANSLIT_MAP = dict(_LATIN_TO_CYRILLIC)


def plain(text: str) -> str:
    """The visible text of possibly HTML-laden input: tags removed, entities decoded, NFC, one space."""
    text = TAG.sub(" ", text or "")
    text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return SPACE.sub(" ", text).strip()


def latin_to_cyrillic(text: str) -> str:
    return _TRANSLIT.sub(lambda m: _TRANSLIT_MAP[m.group(0)], text)


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def detect_language(text: str) -> str:
    """kk, kk-latn, ru, en, mixed or und, from letters and common words (no model, no download).

    Mixed means both Kazakh and Russian carry a real share of the text, as in "Сәлеметсіз бе, прошу
    разобраться..." — the reports count it apart so neither language's share is inflated."""
    tokens = words(plain(text))
    if not tokens:
        return Language.UNKNOWN
    cyrillic = [w for w in tokens if re.match(r"[а-яёәғқңөұүһі]", w)]
    latin = [w for w in tokens if re.match(r"[a-zäğñöūüışçáǵńóúý]", w)]
    if len(cyrillic) >= len(latin):
        if len(cyrillic) < 1:
            return Language.UNKNOWN
        kazakh = sum(1 for w in cyrillic if w in KAZAKH_WORDS or KAZAKH_CYRILLIC_LETTERS.intersection(w))
        russian = sum(1 for w in cyrillic if w in RUSSIAN_WORDS or ("ы" in w and not KAZAKH_CYRILLIC_LETTERS.intersection(w) and w.endswith(("ый", "ых", "ым", "ыми", "ться", "ется", "ются"))))
        if kazakh == 0 and russian == 0:
            return Language.UNKNOWN
        total = kazakh + russian
        if kazakh and russian and min(kazakh, russian) / total >= 0.25 and min(kazakh, russian) >= 2:
            return Language.MIXED
        return Language.KAZAKH if kazakh > russian else Language.RUSSIAN
    kazakh_latin = sum(1 for w in latin if w in KAZAKH_LATIN_WORDS or KAZAKH_LATIN_LETTERS.intersection(w)
                       or "'" in w or "’" in w)
    english = sum(1 for w in latin if w in ENGLISH_WORDS)
    if kazakh_latin == 0 and english == 0:
        return Language.UNKNOWN
    return Language.KAZAKH_LATIN if kazakh_latin > english else Language.ENGLISH


def for_classifier(text: str) -> str:
    """The text the classifiers read: plain, lower case, and for Latin-script Kazakh also in Cyrillic."""
    clean = plain(text).lower()
    if detect_language(clean) == Language.KAZAKH_LATIN:
        return f"{clean} {latin_to_cyrillic(clean.replace('’', chr(39)))}"
    return clean
