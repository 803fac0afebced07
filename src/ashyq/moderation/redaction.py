"""Finds personal data in a text and proposes redactions for the public copy of an appeal or answer.

`find_personal_data(text)` returns non-overlapping spans (start, end, kind, text), in order;
`redact(text)` replaces each span with a placeholder such as [IIN] or [NAME];
`apply_redactions(text, spans)` does the same for spans a moderator has edited.

What is found:
- IIN and BIN: 12 digits passing Kazakhstan's check digit (weights 1..11; if the sum mod 11 is 10, a
  second pass with weights 3..11,1,2; if that is 10 too, the number is not valid). An IIN must start
  with a real date of birth and a century/sex digit 1-6; a BIN with a year, a month and an entity type.
- phone numbers: +7 or 8, then ten digits with spaces, dashes, dots or brackets (mobiles 7xx, landlines
  with area codes such as 7172 or 727, Russian numbers +7 9xx);
- emails; bank cards (13-19 digits, in one block or in groups of 3-6, Luhn-valid);
- IBANs of Kazakhstan (KZ, 2 check digits, 16 characters, ISO 7064 mod 97), with or without spaces;
- people's names in Cyrillic and Latin: known first names (data/first-names.txt), surnames by their
  endings (-ов/-ева/-баев, -ov/-eva), patronymics (-ович/-овна, -ұлы/-қызы, -uly/-kyzy) and initials
  ("Иванов И.И.", "И.О. Фамилия", "Surname И. О.").

It errs on the side of privacy but leaves alone the names of bodies, regions and cities (read from the
reference data), months and words that are only capitalised because they start a sentence. It is a
proposal: a moderator reviews every public text and can add or remove redactions.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from pathlib import Path
from typing import Iterable, NamedTuple

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_FILES = (
    Path(__file__).resolve().parent.parent / "bodies" / "data",
    Path(__file__).resolve().parent.parent / "core" / "data",
)


class Span(NamedTuple):
    start: int
    end: int
    kind: str
    text: str


PLACEHOLDERS = {
    "IIN": "[IIN]",
    "BIN": "[BIN]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "CARD": "[CARD]",
    "IBAN": "[IBAN]",
    "NAME": "[NAME]",
    "ADDRESS": "[ADDRESS]",
    "OTHER": "[REDACTED]",
}
KINDS = tuple(PLACEHOLDERS)


# --- checksums ---------------------------------------------------------------------------------------------

IIN_WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
IIN_WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


def iin_check_digit(first11: str) -> int | None:
    """The 12th digit of an IIN/BIN whose first 11 digits are given, or None if no digit is valid."""
    digits = [int(c) for c in first11]
    check = sum(w * d for w, d in zip(IIN_WEIGHTS_1, digits)) % 11
    if check == 10:
        check = sum(w * d for w, d in zip(IIN_WEIGHTS_2, digits)) % 11
        if check == 10:
            return None
    return check


def iin_checksum_ok(number: str) -> bool:
    if len(number) != 12 or not number.isdigit():
        return False
    return iin_check_digit(number[:11]) == int(number[11])


def _iin_date_ok(number: str) -> bool:
    century_sex = int(number[6])
    if century_sex not in (1, 2, 3, 4, 5, 6):
        return False
    century = 1800 + 100 * ((century_sex - 1) // 2)
    try:
        dt.date(century + int(number[:2]), int(number[2:4]), int(number[4:6]))
    except ValueError:
        return False
    return True


def _bin_structure_ok(number: str) -> bool:
    # YYMM of registration, entity type (4 resident, 5 non-resident legal entity, 6 entrepreneur), kind 0-3.
    return 1 <= int(number[2:4]) <= 12 and number[4] in "456" and number[5] in "0123"


def classify_twelve_digits(number: str) -> str | None:
    """'IIN', 'BIN' or None for a 12-digit string."""
    if not iin_checksum_ok(number):
        return None
    if _iin_date_ok(number):
        return "IIN"
    if _bin_structure_ok(number):
        return "BIN"
    return None


def luhn_ok(number: str) -> bool:
    if not number.isdigit():
        return False
    total = 0
    for i, c in enumerate(reversed(number)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    """ISO 13616 / ISO 7064 mod 97-10 check of a compact, upper-case IBAN."""
    if len(iban) < 5 or not iban.isascii() or not iban.isalnum():
        return False
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


# --- numbers, phones, emails -------------------------------------------------------------------------------

IBAN_RE = re.compile(r"(?<![0-9A-Za-z])KZ\d{2}(?: ?[0-9A-Z]){16}(?![0-9A-Za-z])", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
DIGIT_GROUPS_RE = re.compile(r"(?<![\d])\d+(?:[ \-]\d+)*(?![\d])")
TWELVE_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")
PHONE_RE = re.compile(r"(?<![\w+])(\+ ?7|8)((?:[ \-.()\u00a0]{0,3}\d){10})(?!\d)")


def _ibans(text: str) -> Iterable[Span]:
    for m in IBAN_RE.finditer(text):
        compact = m.group().replace(" ", "").upper()
        if len(compact) == 20 and iban_ok(compact):
            yield Span(m.start(), m.end(), "IBAN", m.group())


def _emails(text: str) -> Iterable[Span]:
    for m in EMAIL_RE.finditer(text):
        yield Span(m.start(), m.end(), "EMAIL", m.group())


def _cards(text: str) -> Iterable[Span]:
    for m in DIGIT_GROUPS_RE.finditer(text):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in re.finditer(r"\d+", m.group())]
        i = 0
        while i < len(groups):
            found = None
            for j in range(len(groups) - 1, i - 1, -1):  # the longest window starting at group i
                window = groups[i:j + 1]
                digits = "".join(text[a:b] for a, b in window)
                if not 13 <= len(digits) <= 19:
                    continue
                sizes = [b - a for a, b in window]
                grouped_like_a_card = len(window) == 1 or (sizes[0] == 4 and all(3 <= s <= 6 for s in sizes))
                if grouped_like_a_card and luhn_ok(digits):
                    found = (window[0][0], window[-1][1], j)
                    break
            if found:
                yield Span(found[0], found[1], "CARD", text[found[0]:found[1]])
                i = found[2] + 1
            else:
                i += 1


def _iins(text: str) -> Iterable[Span]:
    for m in TWELVE_RE.finditer(text):
        kind = classify_twelve_digits(m.group())
        if kind:
            yield Span(m.start(), m.end(), kind, m.group())


def _phones(text: str) -> Iterable[Span]:
    for m in PHONE_RE.finditer(text):
        prefix, rest = m.group(1), m.group(2)
        national = re.sub(r"\D", "", rest)
        if prefix == "8" and national[0] not in "79":
            continue
        if prefix != "8" and national[0] not in "3456789":
            continue
        if rest.count("(") != rest.count(")") or rest.count("(") > 1:
            continue
        yield Span(m.start(), m.end(), "PHONE", m.group())


# --- names ---------------------------------------------------------------------------------------------------

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
LOWER = "a-zа-яёәғқңөұүһі"
LETTERS = UPPER + LOWER
TOKEN_RE = re.compile(rf"[{LETTERS}]+(?:-[{LETTERS}]+)*")

KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһі", "агкноуухи")
TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}
LATIN_VARIANTS = (("ya", "ia"), ("yu", "iu"), ("kh", "h"), ("ks", "x"), ("iy", "y"), ("iy", "ii"), ("zh", "j"))

# Endings added to first names and surnames in Russian and Kazakh sentences (Ивану, Нұрланға, Ахметовтің).
RUSSIAN_ENDINGS = ("а", "я", "у", "ю", "ом", "ем", "ём", "ой", "ей", "ою", "ею", "е", "ы", "и", "ым", "им", "ых", "ыми")
KAZAKH_ENDINGS = (
    "ға", "ге", "қа", "ке", "на", "не", "ның", "нің", "дың", "дің", "тың", "тің", "ны", "ні", "ды", "ді", "ты", "ті",
    "мен", "бен", "пен", "нан", "нен", "дан", "ден", "тан", "тен", "да", "де", "та", "те", "ка", "га",
)
ENDINGS = tuple(sorted(set(RUSSIAN_ENDINGS + KAZAKH_ENDINGS), key=len, reverse=True))

SURNAME_STRONG = re.compile(
    r"^.{2,}(?:ов|ев)(?:" + "|".join(ENDINGS) + r")?$"
    r"|^.{2,}(?:ov|ev|yov|yev)(?:a|u|oy|ym|y)?$"
)
SURNAME_WEAK = re.compile(
    r"^.{2,}(?:ин|ын)(?:а|у|ым|ой|е|ых|ы)?$"
    r"|^.{2,}(?:ск|цк)(?:ий|ого|ому|им|ом|ая|ой|ую)$"
    r"|^.{2,}(?:енко|чук|щук|юк)$"
    r"|^.{2,}(?:in|yn|ina|yna|sky|skiy|skii|skaya|skaia|enko|chuk)$"
)
PATRONYMIC = re.compile(
    r"^.{2,}(?:ович|евич|ьич|овна|евна|ична)(?:а|у|ем|е|ом|ы|ой|ою)?$"
    r"|^.{2,}(?:ұлы|улы|қызы|кызы)(?:на|не|ның|нің|ға|ге|мен|нан|нен|ны|ні)?$"
    r"|^.{2,}(?:ovich|evich|ovna|evna|ichna|uly|uli|ulu|kyzy|qyzy|kizi)$"
)

# Words that are never a name on their own (a name next to them is still found): months, days, cities and
# common words that surname rules would catch. The names of bodies and regions are added from the
# reference data.
PROTECTED_WORDS = """
январь января февраль февраля март марта апрель апреля май мая июнь июня июль июля август августа
сентябрь сентября октябрь октября ноябрь ноября декабрь декабря
қаңтар ақпан наурыз сәуір мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан
january february march april may june july august september october november december
понедельник вторник среда четверг пятница суббота воскресенье дүйсенбі сейсенбі сәрсенбі бейсенбі жұма сенбі жексенбі
monday tuesday wednesday thursday friday saturday sunday
алматы астана шымкент караганда қарағанды актобе ақтөбе тараз павлодар семей атырау костанай қостанай
кызылорда қызылорда уральск орал петропавловск актау ақтау темиртау туркестан түркістан кокшетау көкшетау
талдыкорган талдықорған экибастуз екібастұз рудный жезказган жезқазған балхаш балқаш конаев қонаев
усть-каменогорск өскемен байконур байқоңыр аксу ақсу сатпаев степногорск
нур-султан нұр-сұлтан
ростов саратов киев львов харьков псков тамбов кишинев берлин пекин турин дублин лондон
казахстан қазақстан kazakhstan россия москва moscow almaty astana
республика президент министр министерство агентство акимат аким прокуратура прокурор суд полиция
ministry agency affairs internal prosecutor office government court police
снова слова основа готова здорова сколько готов здоров основ
уважаемый уважаемая құрметті
""".split()

HONORIFIC_ABBREVIATIONS = {"г", "ул", "пр", "д", "кв", "мкр", "обл", "р", "т", "им", "ст", "стр", "пос"}


def _norm(token: str) -> str:
    return token.lower().replace("ё", "е")


def _stems(norm: str) -> Iterable[str]:
    """The token and what it could be without a case ending (with the nominative endings put back)."""
    yield norm
    for ending in ENDINGS:
        if norm.endswith(ending) and len(norm) - len(ending) >= 2:
            stem = norm[: -len(ending)]
            yield stem
            for back in ("а", "я", "й", "ь", "ия"):
                yield stem + back


def _translit(name: str) -> str:
    return "".join(TRANSLIT.get(c, c) for c in name)


def _latin_forms(name: str) -> set[str]:
    base = _translit(name.translate(KAZAKH_TO_RUSSIAN))
    if base.startswith("e"):
        base_forms = {base, "y" + base}
    else:
        base_forms = {base}
    forms = set(base_forms)
    for old, new in LATIN_VARIANTS:
        forms |= {f.replace(old, new) for f in list(forms)}
    forms |= {re.sub(r"(?<=[aeiouy])s(?=[aeiouy])", "ss", f) for f in list(forms)}  # Asel -> Assel
    return forms


@functools.lru_cache(maxsize=1)
def first_names() -> dict[str, bool]:
    """Every spelling of a known first name -> True if it is also a common word (needs context)."""
    names: dict[str, bool] = {}
    for line in (DATA_DIR / "first-names.txt").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        ambiguous = line.endswith("?")
        name = _norm(line.rstrip("?"))
        for form in {name, name.translate(KAZAKH_TO_RUSSIAN)} | _latin_forms(name):
            names[form] = names.get(form, False) or ambiguous
    return names


@functools.lru_cache(maxsize=1)
def protected_words() -> frozenset[str]:
    words = {_norm(w) for w in PROTECTED_WORDS}
    for folder in REFERENCE_FILES:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    for column, value in row.items():
                        if column and (column.startswith("name_") or column.startswith("head_title") or column.startswith("center")):
                            words.update(_norm(t) for t in TOKEN_RE.findall(value or ""))
    return frozenset(words)


def _is_protected(norm: str) -> bool:
    protected = protected_words()
    return any(stem in protected for stem in _stems(norm))


def _first_name(norm: str) -> bool | None:
    """None if not a known first name; else whether it is ambiguous (also a common word)."""
    names = first_names()
    for stem in _stems(norm):
        if stem in names:
            return names[stem]
    return None


def _surname_stem_is_first_name(norm: str) -> bool:
    # Kazakh surnames are built on a forefather's first name: Ахметов, Маратова, Нұрланов.
    for stem in _stems(norm):
        m = re.match(r"^(.{2,}?)(?:ов|ев|ova|ov|eva|ev)(?:а|a)?$", stem)
        if m and _first_name(m.group(1)) is not None:
            return True
    return False


class _Token(NamedTuple):
    start: int
    end: int  # including the dot of an initial
    text: str
    cls: str  # INITIAL, PATRON, FIRST, SURNAME, CAP or "" (not a name)
    strong: bool


def _sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0«\"'(“„":
        i -= 1
    if i < 0 or text[i] in "\n!?…":
        return True
    if text[i] != ".":
        return False
    # A dot after an initial ("И. Иванов") or an abbreviation ("г. Алматы") does not end a sentence.
    m = re.search(rf"([{LETTERS}]+)$", text[: i])
    if m and (len(m.group(1)) == 1 and m.group(1).isupper() or _norm(m.group(1)) in HONORIFIC_ABBREVIATIONS):
        return False
    return True


def _classify(text: str, m: re.Match) -> _Token:
    word, start, end = m.group(), m.start(), m.end()
    if not word[0].isupper():
        return _Token(start, end, word, "", False)
    if len(word) == 1:
        if end < len(text) and text[end] == ".":
            return _Token(start, end + 1, word, "INITIAL", False)
        return _Token(start, end, word, "", False)
    if word.isupper() and len(word) <= 4:  # an acronym: ИИН, МВД, ТОО
        return _Token(start, end, word, "", False)
    norm = _norm(word)
    protected = _is_protected(norm)
    if PATRONYMIC.match(norm) and not protected:
        return _Token(start, end, word, "PATRON", True)
    ambiguous = _first_name(norm)
    if ambiguous is not None:
        return _Token(start, end, word, "FIRST", not ambiguous and not protected)
    if protected:
        return _Token(start, end, word, "", False)
    if SURNAME_STRONG.match(norm):
        strong = not _sentence_start(text, start) or _surname_stem_is_first_name(norm)
        return _Token(start, end, word, "SURNAME", strong)
    if SURNAME_WEAK.match(norm):
        return _Token(start, end, word, "SURNAME", False)
    return _Token(start, end, word, "CAP", False)


def _adjacent(text: str, left: _Token, right: _Token) -> bool:
    gap = text[left.end:right.start]
    return len(gap) <= 3 and gap.strip(" \u00a0") == ""


def _names(text: str) -> Iterable[Span]:
    tokens = [_classify(text, m) for m in TOKEN_RE.finditer(text)]
    n = len(tokens)
    linked = [i + 1 < n and _adjacent(text, tokens[i], tokens[i + 1]) for i in range(n)]  # i linked to i+1
    named = [t.strong for t in tokens]

    def neighbours(i):
        if i > 0 and linked[i - 1]:
            yield i - 1, "before"
        if linked[i]:
            yield i + 1, "after"

    # Initials make the capitalised word beside them a name: "Ким А.Б.", "А.Б. Ким", "Ivanov I.I.".
    for i, t in enumerate(tokens):
        if t.cls == "INITIAL":
            for j, _where in neighbours(i):
                if tokens[j].cls in ("CAP", "SURNAME", "FIRST", "PATRON"):
                    named[i] = named[j] = True

    changed = True
    while changed:
        changed = False
        for i, t in enumerate(tokens):
            if named[i] or not t.cls:
                continue
            for j, where in neighbours(i):
                if not named[j]:
                    continue
                other = tokens[j]
                if t.cls in ("INITIAL", "FIRST", "SURNAME", "PATRON"):
                    hit = True
                elif t.cls == "CAP":
                    hit = (
                        other.cls == "INITIAL"
                        or (where == "before" and other.cls == "FIRST")  # Асель Ким: a surname after a first name
                        or (where == "after" and other.cls == "PATRON")  # Жақсылық Серікович
                        or (where == "after" and other.cls == "FIRST" and linked[j] and named[j + 1]
                            and tokens[j + 1].cls == "PATRON")  # Сейтқали Нұрлан Маратович
                    )
                else:
                    hit = False
                if hit:
                    named[i] = True
                    changed = True
                    break

    i = 0
    while i < n:
        if not named[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and linked[j] and named[j + 1]:
            j += 1
        start, end = tokens[i].start, tokens[j].end
        yield Span(start, end, "NAME", text[start:end])
        i = j + 1


# --- putting it together -------------------------------------------------------------------------------------

DETECTORS = (_ibans, _emails, _cards, _iins, _phones, _names)


def find_personal_data(text: str) -> list[Span]:
    """Spans of personal data in `text`, in order and not overlapping (the more certain finding wins)."""
    text = text or ""
    accepted: list[Span] = []
    for detector in DETECTORS:
        for span in detector(text):
            if not any(span.start < a.end and a.start < span.end for a in accepted):
                accepted.append(span)
    return sorted(accepted)


def merge_spans(spans: Iterable[Span]) -> list[Span]:
    """Sort spans and join overlapping ones (the kind of the first one is kept)."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start < merged[-1].end:
            last = merged[-1]
            end = max(last.end, span.end)
            merged[-1] = Span(last.start, end, last.kind, last.text if end == last.end else "")
        else:
            merged.append(span)
    return merged


def apply_redactions(text: str, spans: Iterable[Span]) -> str:
    text = text or ""
    out, pos = [], 0
    for span in merge_spans(spans):
        out.append(text[pos:span.start])
        out.append(PLACEHOLDERS.get(span.kind, PLACEHOLDERS["OTHER"]))
        pos = span.end
    out.append(text[pos:])
    return "".join(out)


def redact(text: str) -> str:
    return apply_redactions(text or "", find_personal_data(text or ""))


def find_fragment(text: str, fragment: str) -> list[tuple[int, int]]:
    """Where a fragment typed by a moderator occurs: exactly if it does, else ignoring case."""
    text, fragment = text or "", (fragment or "").strip()
    if not fragment:
        return []
    found = [(m.start(), m.end()) for m in re.finditer(re.escape(fragment), text)]
    if not found:
        found = [(m.start(), m.end()) for m in re.finditer(re.escape(fragment), text, re.IGNORECASE)]
    return found
