"""Finds personal data in a text and proposes redactions for the public copy of an appeal or answer.

`find_personal_data(text)` returns non-overlapping spans (start, end, kind, text), in order;
`redact(text)` replaces each span with a placeholder such as [IIN] or [NAME];
`apply_redactions(text, spans)` does the same for spans a moderator has edited.

What is found:
- IIN and BIN: any 12 digits right after ИИН/ЖСН/IIN/БИН/BIN/БСН, whatever their check digit, and
  elsewhere 12 digits, whole or in groups (9001 0130 0017, 900101-300017), passing Kazakhstan's check digit (weights 1..11; if the sum mod 11 is 10, a
  second pass with weights 3..11,1,2; if that is 10 too, the number is not valid). An IIN must start
  with a real date of birth and a century/sex digit 1-6; a BIN with a year, a month and an entity type.
- phone numbers: +7 or 8 (or a bare 7 before 7xx), then ten digits with spaces, dashes, dots, slashes or
  brackets (mobiles 7xx, landlines with area codes such as 7172 or 727, Russian numbers +7 9xx); without
  the prefix, ten digits starting with 7 grouped like a phone (701 234 56 78, (727) 123-45-67, a mobile
  code in one block 7012345678), and city numbers (25-14-36) after a word such as "тел.", "звоните",
  "хабарласыңыз", "WhatsApp" - but not amounts (тенге, ₸, KZT), dates, years, goods codes, case numbers;
- emails; bank cards (13-19 digits, in one block or in groups of 3-6, Luhn-valid);
- IBANs of Kazakhstan (KZ, 2 check digits, 16 characters, ISO 7064 mod 97), with or without spaces;
- usernames in messengers and social networks (@handle, t.me/..., instagram.com/...), except accounts of
  bodies and the press;
- addresses that identify a home: a street or microdistrict followed by a house number, with the flat
  ("ул. Абая, д. 15, кв. 42", "Абай даңғылы, 15 үй, 42 пәтер", "12 ш/а, 23 үй"), or a house number in a
  village; the city, district, region and village names stay, and so does a street without a number;
- people's names in Cyrillic and Latin: known first names (data/first-names.txt), surnames by their
  endings (-ов/-ева/-баев, -ov/-eva), patronymics in every case (-ович/-овне, -ұлы/-қызы, -uly/-kyzy),
  initials ("Иванов И.И.", "И.О. Фамилия", "Surname И. О."), and a capitalised word after a word that
  introduces a person ("гражданин Цой", "мой сын", "көршім", "Ms") or before a Kazakh form of address
  ("Гүлжан апай", "Ержан мырза").

It errs on the side of privacy but leaves alone the names of bodies, regions and cities (read from the
reference data), streets, months and words that are only capitalised because they start a sentence. It is
a proposal: a moderator reviews every public text and can add or remove redactions. What it finds and
misses on a written corpus is measured in tests/test_redaction.py and reported in docs/ARCHITECTURE.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from ashyq.core.placeholders import TOKENS

from . import ner

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


# One list for redaction and for the pages that show the placeholders translated (core/placeholders.py).
PLACEHOLDERS = TOKENS
KINDS = tuple(PLACEHOLDERS)

UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
LOWER = "a-zа-яёәғқңөұүһі"
LETTERS = UPPER + LOWER


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


# --- numbers, emails ----------------------------------------------------------------------------------------

IBAN_RE = re.compile(r"(?<![0-9A-Za-z])KZ\d{2}(?: ?[0-9A-Z]){16}(?![0-9A-Za-z])", re.IGNORECASE)
# Starts only where a run of address characters starts: a retry from every character of a long run of
# digits and dashes would take quadratic time.
EMAIL_RE = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[^\W\d_]{2,}")
DIGIT_GROUPS_RE = re.compile(r"(?<![\d])\d+(?:[ \-]\d+)*(?![\d])")
TWELVE_RE = re.compile(r"(?<!\d)\d{12}(?!\d)")


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
            # The longest window starting at group i first; no card has more than 19 digits, so a window
            # never reaches past them (a long table of figures would otherwise take cubic time).
            last, count = i, 0
            while last < len(groups) and count + groups[last][1] - groups[last][0] <= 19:
                count += groups[last][1] - groups[last][0]
                last += 1
            for j in range(last - 1, i - 1, -1):
                window = groups[i : j + 1]
                digits = "".join(text[a:b] for a, b in window)
                if not 13 <= len(digits) <= 19:
                    continue
                sizes = [b - a for a, b in window]
                grouped_like_a_card = len(window) == 1 or (sizes[0] == 4 and all(3 <= s <= 6 for s in sizes))
                if grouped_like_a_card and luhn_ok(digits):
                    found = (window[0][0], window[-1][1], j)
                    break
            if found:
                yield Span(found[0], found[1], "CARD", text[found[0] : found[1]])
                i = found[2] + 1
            else:
                i += 1


# Twelve digits right after the word for them are an IIN or a BIN whatever their check digit: a mistyped
# number still identifies a person to anyone who knows the right one ("ИИН: 900101400123", "ЖСН-ім 9001...").
ANCHORED_TWELVE_RE = re.compile(
    r"(?<![\w])(ИИН|ЖСН|IIN|ИНН|БИН|BIN|БСН)(?![^\W\d_]{4})[^\d\n]{0,16}?(?<!\d)(\d(?:[ \-\u00a0]?\d){11})(?!\d)", re.IGNORECASE
)
# A valid IIN or BIN written in groups: 9001 0130 0017, 900101-300017, 900101 300 017.
GROUPED_TWELVE_RE = re.compile(r"(?<![\d\-])\d{2,6}(?:[ \-\u00a0]\d{2,6}){1,5}(?![\d\-])")


def _iins(text: str) -> Iterable[Span]:
    taken = []
    for m in ANCHORED_TWELVE_RE.finditer(text):
        kind = "BIN" if m.group(1).upper() in ("БИН", "BIN", "БСН") else "IIN"
        taken.append((m.start(2), m.end(2)))
        yield Span(m.start(2), m.end(2), kind, m.group(2))
    for m in TWELVE_RE.finditer(text):
        kind = classify_twelve_digits(m.group())
        if kind and not any(a <= m.start() < b for a, b in taken):
            yield Span(m.start(), m.end(), kind, m.group())
    for m in GROUPED_TWELVE_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if len(digits) == 12 and not any(a <= m.start() < b for a, b in taken):
            kind = classify_twelve_digits(digits)
            if kind:
                yield Span(m.start(), m.end(), kind, m.group())


# --- phones ----------------------------------------------------------------------------------------------------

# Separators people put inside a phone number: spaces (also no-break and thin), dashes of every width,
# dots, slashes and brackets; up to three in a row ("+7 ( 701 ) 123 - 45 - 67").
PHONE_SEP = "[ \\-.()/\u00a0\u2009\u202f\u2010-\u2015]"
# +7 or 8, or a bare 7 before a Kazakh number that itself starts with 7 (7 701 123 45 67, 77011234567).
PHONE_RE = re.compile(rf"(?<![\w+])(\+ ?7|8|7(?={PHONE_SEP}{{0,3}}7))((?:{PHONE_SEP}{{0,3}}\d){{10}})(?!\d)")

# Numbers written without +7/8. Once the prefix is dropped every Kazakh number starts with 7: mobiles
# 700-708, 747, 75x, 76x, 771-778; landlines with area codes 71xx, 72x(x). A run of digit groups is cut
# into windows grouped the way people group a phone (701 234 56 78, 701 234 5678, (7172) 74-55-11).
GROUP_SEP = "[ \\-.\u00a0\u2009\u202f\u2010-\u2015]"
DIGIT_RUN_RE = re.compile(rf"(?<![\w+\-/.,])(?:\(\s?)?\d+(?:\s?\))?(?:(?:{GROUP_SEP}{{1,3}}|\s?\)\s?|\s?\(\s?)\d+(?:\s?\))?)*")
MOBILE_CODES = frozenset("700 701 702 703 704 705 706 707 708 747 750 751 760 761 762 763 764 771 775 776 777 778".split())
NATIONAL_STARTS = ("70", "71", "72", "74", "75", "76", "77", "78")
NATIONAL_SHAPES = frozenset({(10,), (3, 3, 2, 2), (3, 3, 4), (3, 7), (4, 2, 2, 2), (4, 6), (4, 3, 3), (5, 1, 2, 2), (5, 5)})
# City numbers without an area code (25-14-36): only when a word such as "тел." or "звоните" introduces them.
LOCAL_SHAPES = frozenset({(2, 2, 2), (3, 2, 2), (1, 2, 2), (3, 4), (5,), (6,), (7,)})

# Words that introduce a phone number; it may follow them after a few filler words ("тел. моб.:",
# "байланыс телефоны:", "звоните мне по номеру"). "номер"/"number" also introduce case and account
# numbers, so they count only before digits grouped like a phone.
PHONE_CUE_RE = re.compile(
    r"^(?:тел|телефон\w*|моб|мобильн\w*|сот|сотов\w*|звон\w*|позвон\w*|перезвон\w*|связь|факс\w*"
    r"|раб|ұялы|хабарлас\w*|байланыс\w*|қоңырау\w*|whats\w*|вотсап\w*|ватсап\w*|вацап\w*|уатсап\w*|viber|вайбер\w*"
    r"|telegram\w*|телеграм\w*|phone\w*|tel|mobile|cell\w*|call\w*|fax|contact\w*|контакт\w*)$"
)
WEAK_PHONE_CUES = frozenset("номер номеру номера номером нөмір нөмірі нөмірім нөміріне нөмірге number".split())
PHONE_FILLERS = frozenset(
    """
мой моя мое моё мне моего нашего наш его её ее их по на или либо а также ниже для свой
рабочий рабочего домашний домашнего городской городского личный личного стационарный
менің біздің үй үйдің жұмыс немесе мына
my me is on at or and the his her our home work mobile
""".split()
)
# Words earlier in the sentence that make digits something else: a goods code, a case, an account, an amount.
GOODS_CODE_BEFORE = re.compile(r"(?:\bтн\s?вэд|\bтнвэд|\bкн\s?вэд|\bhs\b|\bкод|\bcode\b|\bартикул)", re.IGNORECASE)
NOT_A_PHONE_BEFORE = re.compile(
    GOODS_CODE_BEFORE.pattern
    + r"|(?:№|\bno\.|\bдел[оау]\b|\bіс\b|\bcase\b|\bсч[её]т|\bшот|\bдоговор|\bшарт|\bприказ|\bбұйрық|\bartic|\bстат"
    r"|\bбап|\bсумм|\bсома|\bamount|\bиин|\bбин|\bжсн|\bбсн|\bиндекс|\bindex|\bpostal|\bпочтов|\bзаявк|\bобращени"
    r"|\bөтініш|\bквитанц|\bинвойс|\bпаспорт|\bудостоверен|\bкуәлік|\bсери[яи])",
    re.IGNORECASE,
)
# Units after a number that make it an amount, a quantity or a date rather than a phone.
NOT_A_PHONE_AFTER = re.compile(
    r"\s?(?:тенге|теңге|тг\b|₸|kzt|тнг|руб|₽|usd|\$|долл|dollar|евро|eur|€|сом\b|млн|млрд|тыс|мың|миллион|million"
    r"|%|кв\.?\s?м|м2|м²|км\b|кг\b|тонн|шт\b|га\b|жыл|год|year|г\.)",
    re.IGNORECASE,
)
WORD_RE = re.compile(r"\w+|\S")
SENTENCE_END_RE = re.compile(r"[\n!?]|\.\s+(?=[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ])")


def _sentence_before(text: str, start: int, limit: int) -> str:
    return SENTENCE_END_RE.split(text[max(0, start - limit) : start])[-1]


def _phone_cue_before(text: str, start: int) -> str | None:
    """'strong' or 'weak' if a word that introduces a phone number stands just before `start`, else None."""
    for word in reversed(WORD_RE.findall(_sentence_before(text, start, 60))):
        lower = word.lower()
        if not lower[0].isalnum():
            if lower in ":-–—.,()/+":
                continue
            return None
        if PHONE_CUE_RE.match(lower):
            return "strong"
        if lower in WEAK_PHONE_CUES:
            return "weak"
        if lower in PHONE_FILLERS or lower.isdigit():  # "тел. 701 234 56 78, 25-14-36": a second number
            continue
        return None
    return None


def _bracketed(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in a bracket around the area code: "(727) 123-45-67"; leave one that closes a remark."""
    opening = text.rfind("(", max(0, start - 2), start)
    if opening >= 0 and text[opening + 1 : start].strip() == "":
        start = opening
    while end < len(text) and text[end] == ")" and text.count("(", start, end) > text.count(")", start, end):
        end += 1
    return start, end


def _phone_window(text: str, groups: list[tuple[int, int]], i: int, j: int) -> tuple[int, int] | None:
    """The span of groups i..j if they are a phone number written without +7/8, else None."""
    shape = tuple(b - a for a, b in groups[i : j + 1])
    national = shape in NATIONAL_SHAPES
    if not national and shape not in LOCAL_SHAPES:
        return None
    digits = "".join(text[a:b] for a, b in groups[i : j + 1])
    start, end = _bracketed(text, groups[i][0], groups[j][1])
    # Joined by a single dash or dot to the groups around it, it is part of a longer number (2-25-14-36-9).
    if j + 1 < len(groups) and groups[j + 1][0] - groups[j][1] == 1 and text[groups[j][1]] in "-.":
        return None
    if i > 0 and groups[i][0] - groups[i - 1][1] == 1 and text[groups[i - 1][1]] in "-.":
        return None
    if NOT_A_PHONE_AFTER.match(text, end):
        return None
    cue = _phone_cue_before(text, start)
    sentence = _sentence_before(text, start, 100)
    if national and len(digits) == 10 and digits.startswith(NATIONAL_STARTS):
        mobile = digits[:3] in MOBILE_CODES
        if cue is None and GOODS_CODE_BEFORE.search(sentence):
            return None
        if cue is None and (shape == (10,) or not mobile) and NOT_A_PHONE_BEFORE.search(sentence):
            return None
        if shape == (10,) and not mobile and cue is None:
            return None  # ten digits in one block: a code or an account unless introduced as a phone
        return start, end
    if shape in LOCAL_SHAPES and (cue == "strong" or (cue == "weak" and len(shape) > 1)):
        return start, end
    return None


def _national_phones(text: str) -> Iterable[Span]:
    for run in DIGIT_RUN_RE.finditer(text):
        groups = [(g.start() + run.start(), g.end() + run.start()) for g in re.finditer(r"\d+", run.group())]
        i = 0
        while i < len(groups):
            for j in range(min(i + 3, len(groups) - 1), i - 1, -1):  # the longest window from group i
                found = _phone_window(text, groups, i, j)
                if found:
                    yield Span(found[0], found[1], "PHONE", text[found[0] : found[1]])
                    i = j + 1
                    break
            else:
                i += 1


def _phones(text: str) -> Iterable[Span]:
    for m in PHONE_RE.finditer(text):
        prefix, rest = m.group(1), m.group(2)
        national = re.sub(r"\D", "", rest)
        if prefix == "8" and national[0] not in "79":
            continue
        if prefix == "7" and national[0] != "7":
            continue
        if prefix not in ("8", "7") and national[0] not in "3456789":
            continue
        if rest.count("(") != rest.count(")") or rest.count("(") > 1:
            continue
        if NOT_A_PHONE_AFTER.match(text, m.end()):
            continue
        yield Span(m.start(), m.end(), "PHONE", m.group())
    yield from _national_phones(text)


# --- usernames in messengers and social networks --------------------------------------------------------------

USERNAME_RE = re.compile(
    r"(?:(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|instagram\.com|vk\.com|facebook\.com|fb\.com|tiktok\.com"
    r"|x\.com|twitter\.com|ok\.ru|threads\.net)/@?[A-Za-z0-9_.]*[A-Za-z0-9_]"
    r"|(?<![\w@.])@[A-Za-z][A-Za-z0-9_.]{2,30}[A-Za-z0-9_])",
    re.IGNORECASE,
)
# Accounts of state bodies and the press are public: a handle containing one of these is left alone.
PUBLIC_ACCOUNT_PARTS = (
    "gov",
    "akimat",
    "akimdik",
    "akorda",
    "police",
    "polis",
    "minist",
    "prokur",
    "egov",
    "official",
    "press",
    "news",
    "inform",
    "parlam",
    "senate",
    "mazhilis",
    "primeminister",
    "sud_",
    "court",
)


def _usernames(text: str) -> Iterable[Span]:
    for m in USERNAME_RE.finditer(text):
        handle = m.group().rsplit("/", 1)[-1].lower()
        if not handle.strip("@") or any(part in handle for part in PUBLIC_ACCOUNT_PARTS):
            continue
        yield Span(m.start(), m.end(), "USERNAME", m.group())


# --- addresses -------------------------------------------------------------------------------------------------

# An address identifies a home when a street (or a microdistrict) is followed by a house number: that part is
# proposed, with the flat, block and entrance after it. City, district, region and village names stay (they
# are needed to analyse appeals by region), and so does a street named without a number.
_U, _L, _A = UPPER, LOWER, LETTERS
_NOT_IN_WORD = rf"(?<![{_A}])"
_WORD_ENDS = rf"(?![{_A}])"
_CAPW = rf"[{_U}][{_A}]*(?:-(?:[{_A}]+|\d+[{_A}]?))*"  # Абая, Самал-2, Алма-Ата
_QUOTED = r"[«\"“][^»\"”\n]{2,40}[»\"”]"
# Lower-case words inside street names: Толе би, Қабанбай батыр, Тәуке хан, Жібек жолы, Бұқар жырау.
_CONNECTOR = r"(?:би|бия|батыр|батыра|хан|хана|ата|ана|жырау|ақын|акын|акына|жолы|шешен|баба|bi|batyr|khan|zholy|joly|ata)"
_STREET_NAME = (
    rf"(?:(?:[{_U}]\.\s?){{0,2}}(?:{_CAPW}|{_QUOTED})(?:\s(?:{_CAPW}|{_CONNECTOR}{_WORD_ENDS})){{0,2}}"
    rf"|\d{{1,2}}(?:-?(?:я|й|ая|ый|ші|шы))?\s{_CAPW}(?:\s{_CAPW})?)"  # 8 Марта, 1-я Алматинская
)
_MICRO_NAME = rf"(?:{_STREET_NAME}|\d{{1,3}}[{_L}]?{_WORD_ENDS})"  # мкр. Самал-2, мкр. 5
# Words for a street or a district written before its name (ул. Абая, мкр. Самал-2) and after it (Абай
# даңғылы, Самал-2 ш/а, Tole bi street).
_STREET_WORD_BEFORE = (
    r"(?:ул\.|ул(?=\s)|улиц(?:а|е|ы|у|ей)|пр-?т\.?|пр-кт\.?|пр\.|просп\.|проспект(?:а|е|у|ом)?|пер\.|переул(?:ок|ка|ке|ку)"
    r"|б-р\.?|бульвар(?:а|е|у)?|наб\.|набережн(?:ая|ой|ую)|шоссе|пл\.|площад(?:ь|и)|тупик(?:а|е)?|трасс(?:а|е)"
    r"|көш\.|даңғ\.|str\.)"
)
_DISTRICT_WORD_BEFORE = (
    r"(?:мкр-?н\.?|мкр\.?|мкрн\.?|микрорайон(?:а|е|у)?|м-н|кв-л\.?|квартал(?:а|е)?|ж\.?/м\.?|жилмассив(?:а|е)?"
    r"|жил(?:ой|ом) массиве?|ЖК|жил(?:ой|ом) комплексе?|ш/а|ш\.а\.|microdistrict)"
)
_STREET_WORD_AFTER = (
    r"(?:көшесі(?:нде|ндегі|не|нің)?|көш\.|даңғылы(?:нда|ндағы|на|ның)?|даңғ\.|тұйығы|тұйық көшесі|алаңы|жағалауы"
    r"|тас жолы|бульвары|проспектісі|(?i:street|st\.|avenue|ave\.?|road|rd\.|lane|boulevard|blvd\.?))"
)
_DISTRICT_WORD_AFTER = (
    r"(?:шағын аудан(?:ы(?:нда|ндағы)?)?|ш/а|ш\.а\.|ықшам ?ауданы|мөлтек ауданы|м/а|мкр\.?|мкрн\.?|микрорайон"
    r"|тұрғын үй кешені|ТҮК|(?i:microdistrict))"
)
_MONTHS = (
    r"январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]\w*|июн\w*|июл\w*|август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*"
    r"|қаңтар\w*|ақпан\w*|наурыз\w*|сәуір\w*|мамыр\w*|маусым\w*|шілде\w*|тамыз\w*|қыркүйек\w*|қазан\w*|қараша\w*"
    r"|желтоқсан\w*|january|february|march|april|may|june|july|august|september|october|november|december"
)
# A number followed by one of these is a date, a year, an amount or a quantity, not a house.
_NOT_A_HOUSE = (
    rf"(?!\s?(?i:{_MONTHS}|год\w*|г\.|жыл\w*|year|тенге|теңге|тг|₸|kzt|%|млн|млрд|тыс|мың|лет|жас|раз\w*|рет|"
    r"человек|адам|км|м\b|метр\w*|сағат\w*|час\w*|минут\w*|шт|кг|см|сем\w*|отбасы|дн\w*|күн\w*|ден\w*|года"
    r"|домов|дома|квартир|подъезд\w+|этаж\w+|жител\w*|дет\w*|машин\w*|школ\w*|үйде\w+|пәтерлі)"
    rf"{_WORD_ENDS})(?![-–][{_A}])"
)
_HOUSE_NUM = rf"\d{{1,4}}(?:[{_L}]|-?[{_U}])?{_WORD_ENDS}(?:\s?[/\-]\s?\d{{1,4}}(?:[{_L}{_U}])?{_WORD_ENDS})?(?![\d:.,]\d|\d)"
_HOUSE_MARK = (
    r"(?i:д\.|д(?=\s?\d)|дом(?:а|е|у)?|д-м|зд\.|здание|уч\.|участок|блок|корп\.|корпус|house|bldg\.?|building|block"
    r"|үй|үйі|h\.)\s?№?|№"
)
_KZ_HOUSE_SUFFIX = rf"(?:үй(?:і|де|інде|дің|ге)?){_WORD_ENDS}"
_FLAT_MARK = (
    r"(?i:кв\.|кв(?=\s?\d)|квартир(?:а|е|у|ы)|корп\.|корпус|к\.|блок|под\.|подъезд|эт\.|этаж|комн\.|комната|офис|оф\."
    r"|пәтер(?:і|де)?|кіреберіс|қабат|apt\.?|apartment|flat|suite|entrance|floor)"
)
_KZ_FLAT_SUFFIX = rf"(?:пәтер(?:і|де|інде|дің|ге)?|қабат(?:та)?|кіреберіс|подъезд){_WORD_ENDS}"
_HOUSE = rf"(?:\s?,\s?|\s)(?:(?:{_HOUSE_MARK})\s?)?{_HOUSE_NUM}(?:\s?-?\s?{_KZ_HOUSE_SUFFIX}|{_NOT_A_HOUSE})"
_EXTRAS = rf"(?:\s?,?\s?(?:{_FLAT_MARK}\s?№?\s?{_HOUSE_NUM}|{_HOUSE_NUM}\s?-?\s?{_KZ_FLAT_SUFFIX})){{0,4}}"
ADDRESS_RES = (
    # ул. Абая, д. 15, кв. 42; улица Толе би 12-34; мкр. Самал-2, дом 5; пр. Назарбаева 100
    re.compile(
        rf"{_NOT_IN_WORD}(?:(?i:{_STREET_WORD_BEFORE})\s?(?:им(?:\.|ени)\s?)?{_STREET_NAME}"
        rf"|(?i:{_DISTRICT_WORD_BEFORE})\s?{_MICRO_NAME}){_HOUSE}{_EXTRAS}"
    ),
    # Абай даңғылы, 15 үй, 42 пәтер; Жамбыл көшесі 7; 12 ш/а, 23 үй; Tole bi street 45, flat 12
    re.compile(
        rf"{_NOT_IN_WORD}(?:(?:[{_U}]\.\s?){{0,2}}{_CAPW}(?:\s(?:{_CAPW}|{_CONNECTOR}))?\s{_STREET_WORD_AFTER}"
        rf"|(?:{_CAPW}|\d{{1,3}})\s?-?\s?{_DISTRICT_WORD_AFTER}){_HOUSE}{_EXTRAS}"
    ),
    # 12 Abay Avenue, apt 5; house 15, Satpayev street
    re.compile(
        rf"{_NOT_IN_WORD}(?i:house|h\.)\s?{_HOUSE_NUM},?\s{_CAPW}(?:\s{_CAPW})?\s(?i:street|st\.|avenue|ave\.?|road|rd\.|lane)"
    ),
    re.compile(
        rf"(?<![\d\w])\d{{1,4}}[a-zA-Z]?\s{_CAPW}(?:\s{_CAPW})?\s(?i:street|st\.|avenue|ave\.?|road|rd\.|lane|boulevard)"
        rf"{_EXTRAS}"
    ),
    # на Абая 15, кв. 3: no street word, but a house and a flat after a name
    re.compile(
        rf"{_NOT_IN_WORD}(?!(?i:дом|кв|квартира|корпус|подъезд|этаж|офис|блок|үй|пәтер|house|flat){_WORD_ENDS})"
        rf"{_CAPW}\s{_HOUSE_NUM}\s?,?\s?{_FLAT_MARK}\s?№?\s?{_HOUSE_NUM}{_EXTRAS}"
    ),
)
# In a village the house number alone identifies a home: "с. Кайнар, д. 5", "Қайнар ауылы, 15 үй". Only the
# house part is proposed; the village stays.
VILLAGE_HOUSE_RE = re.compile(
    rf"(?:{_NOT_IN_WORD}(?:с\.|(?i:село|селе|пос\.|пос[её]лок|пос[её]лке))\s?{_CAPW}|{_CAPW}\s(?:ауылы|ауылында|кенті|кентінде))"
    rf"\s?,?\s?(?P<house>(?i:д\.|дом|үй)\s?№?\s?{_HOUSE_NUM}{_EXTRAS}|{_HOUSE_NUM}\s?-?\s?{_KZ_HOUSE_SUFFIX}{_EXTRAS})"
)
# A street named without a number: not an address, and its name is not a person's name either.
STREET_NAME_RES = (
    re.compile(
        rf"{_NOT_IN_WORD}(?:(?i:{_STREET_WORD_BEFORE})\s?(?:им(?:\.|ени)\s?)?{_STREET_NAME}|(?i:{_DISTRICT_WORD_BEFORE})\s?{_MICRO_NAME})"
    ),
    re.compile(
        rf"{_NOT_IN_WORD}(?:[{_U}]\.\s?){{0,2}}{_CAPW}(?:\s(?:{_CAPW}|{_CONNECTOR}))?\s(?:{_STREET_WORD_AFTER}|{_DISTRICT_WORD_AFTER})"
    ),
)


def _trim_address(text: str, start: int, end: int) -> tuple[int, int]:
    # The pattern may take in the space or comma before the house part; a span ends on a letter or digit.
    while end > start and not text[end - 1].isalnum():
        end -= 1
    return start, end


SPACES_RE = re.compile(r"\s*")


def _without_a_leading_common_word(text: str, regex: re.Pattern, m: re.Match) -> int:
    """Where the address starts: "Мен Абай даңғылы, 15 үй" and "Алматы Абай даңғылы 5" lose their first
    word (a pronoun, a city) when the rest is still the same address; "Абай даңғылы 5" keeps "Абай"."""
    word = TOKEN_RE.match(text, m.start())
    if word and _norm(word.group()) in protected_words():
        rest = regex.match(text, SPACES_RE.match(text, word.end()).end())
        if rest and rest.end() == m.end():
            return rest.start()
    return m.start()


def _addresses(text: str) -> Iterable[Span]:
    found: list[tuple[int, int]] = []
    for regex in ADDRESS_RES:
        found += [(_without_a_leading_common_word(text, regex, m), m.end()) for m in regex.finditer(text)]
    found += [(m.start("house"), m.end("house")) for m in VILLAGE_HOUSE_RE.finditer(text)]
    # Where patterns overlap the longest wins.
    taken: list[tuple[int, int]] = []
    for start, end in sorted(found, key=lambda se: (se[0] - se[1], se[0])):
        start, end = _trim_address(text, start, end)
        if end > start and not any(start < b and a < end for a, b in taken):
            taken.append((start, end))
    for start, end in sorted(taken):
        yield Span(start, end, "ADDRESS", text[start:end])


def _street_name_positions(text: str) -> set[int]:
    """Positions of the characters that name a street (with or without a number)."""
    return {i for regex in STREET_NAME_RES for m in regex.finditer(text) for i in range(m.start(), m.end())}


# --- names ---------------------------------------------------------------------------------------------------

TOKEN_RE = re.compile(rf"[{LETTERS}]+(?:-[{LETTERS}]+)*")

KAZAKH_TO_RUSSIAN = str.maketrans("әғқңөұүһі", "агкноуухи")
TRANSLIT = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
}
LATIN_VARIANTS = (("ya", "ia"), ("yu", "iu"), ("kh", "h"), ("ks", "x"), ("iy", "y"), ("iy", "ii"), ("zh", "j"))

# Endings added to first names and surnames in Russian and Kazakh sentences (Ивану, Нұрланға, Ахметовтің).
RUSSIAN_ENDINGS = ("а", "я", "у", "ю", "ом", "ем", "ём", "ой", "ей", "ою", "ею", "е", "ы", "и", "ым", "им", "ых", "ыми")
KAZAKH_ENDINGS = (
    "ға",
    "ге",
    "қа",
    "ке",
    "на",
    "не",
    "ның",
    "нің",
    "дың",
    "дің",
    "тың",
    "тің",
    "ны",
    "ні",
    "ды",
    "ді",
    "ты",
    "ті",
    "мен",
    "бен",
    "пен",
    "нан",
    "нен",
    "дан",
    "ден",
    "тан",
    "тен",
    "да",
    "де",
    "та",
    "те",
    "ка",
    "га",
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
    r"^.{2,}(?:ович|евич|ьич)(?:а|у|ем|е|ом)?$"
    r"|^.{2,}(?:овн|евн|ичн)(?:а|ы|е|у|ой|ою)$"
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
уважаемый уважаемая құрметті қымбатты
узбекистан узбекистана кыргызстан кыргызстана киргизия таджикистан туркменистан китай китая турция турции
германия германии украина украины беларусь беларуси грузия грузии азербайджан азербайджана сша америки
өзбекстан қырғызстан тәжікстан түрікменстан ресей қытай түркия
управление управления управлению управлением управлении отдел отдела отделу отделом отделе департамент
департамента департаменту департаментом департаменте комитет комитета комитету комитетом комитете служба
службы службе службу службой центр центра центру центром центре филиал филиала филиале школа школы школе
школу гимназия гимназии лицей лицея больница больницы больнице поликлиника поликлиники поликлинике
цон цона цону цоне егов egov basqarmasy басқармасы басқарма бөлімі бөлім мектеп мектебі мектебінің
вы вас вам вами ваш ваша ваше ваши мен сен біз сіз олар сізге сізді сіздің біздің менің оның олардың сол бұл ол мына әлгі
барлық кейбір үлкен кіші жаңа жас
""".split()

HONORIFIC_ABBREVIATIONS = {"г", "ул", "пр", "д", "кв", "мкр", "обл", "р", "т", "им", "ст", "стр", "пос"}

# Words that introduce a person: the capitalised word right after them is a name even if no list knows it
# ("гражданин Цой", "мой сын Арсений", "көршім Бақберген", "Ms Johnson"). They are never names themselves.
NAME_BEFORE_CUES = frozenset(
    _w.replace("ё", "е")
    for _w in """
гражданин гражданина гражданину гражданином гражданка гражданки гражданке гражданку гражданкой господин госпожа
г-н г-жа товарищ сосед соседа соседу соседом соседка соседки соседке соседку соседкой соседи соседей
сын сына сыну сыном дочь дочери дочерью муж мужа мужу мужем жена жены жене жену женой брат брата брату братом
сестра сестры сестре сестру сестрой отец отца отцу мать матери мама мамы маме маму папа папы папе внук внука
внуку внучка внучки внучке племянник племянника племянница тетя тети дядя дяди бабушка бабушки дедушка дедушки
свекровь зять невестка участковый участкового участковому инспектор инспектора инспектору следователь
следователя следователю судья судьи судье врач врача врачу учитель учителя учителю учительница учительницы
директор директора директору начальник начальника начальнику заведующий заведующая заведующего заведующей
сотрудник сотрудника сотруднику сотрудница сотрудницы водитель водителя воспитатель воспитательница
председатель председателя нотариус адвокат адвоката юрист кондуктор медсестра фельдшер бухгалтер прораб
полковник майор капитан лейтенант сержант зовут
азамат азаматша азаматқа азаматтың азаматшаға көрші көршім көршіміз көршісі ұлым ұлымыз қызым қызымыз
күйеуім әйелім інім ағам әпкем апам сіңлім қарындасым әкем анам шешем немерем жиенім келінім балам
мұғалім мұғалімі дәрігер дәрігері тергеуші бастық бастығы директоры жүргізуші тәрбиеші атым есімім
mr mrs ms miss dr mister madam citizen neighbour neighbor son daughter husband wife brother sister father
mother colonel officer inspector judge teacher doctor named
""".split()
)
ABBREVIATED_CUES = frozenset({"mr", "mrs", "ms", "dr", "г-н", "г-жа"})
# A Kazakh adjective after a cue is not a name: "Ұлым Ресейдегі мектептен".
NOT_A_NAME_AFTER_CUE_RE = re.compile(r"(?:дағы|дегі|тағы|тегі|ғы|гі)$")
# Only after "по": "по имени Жансерик", "по фамилии Ким" (not "школа имени Абая").
NAME_BEFORE_CUES_AFTER_PO = frozenset({"имени", "фамилии"})
# Kazakh forms of address and "called" after a name: "Гүлжан апай", "Ержан мырзаға", "Бекзат деген".
NAME_AFTER_CUE_RE = re.compile(
    r"^(?:апай|ағай|агай|мырза|ханым|әпке|тәте|деген|есімді)(?:ға|ге|дың|дің|ның|нің|мен|ды|ді|ны|ні|а)?$"
)
# A capitalised word ending like these is not a name before a form of address ("Мектептегі апай").
NOT_A_NAME_BEFORE_CUE_RE = re.compile(r"(?:ның|нің|дың|дің|тың|тің|дағы|дегі|тағы|тегі|ғы|гі)$")


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
    words = {_norm(w) for w in PROTECTED_WORDS} | NAME_BEFORE_CUES | NAME_BEFORE_CUES_AFTER_PO
    for folder in REFERENCE_FILES:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8") as handle:
                for row in csv.DictReader(handle):
                    for column, value in row.items():
                        if column and column.startswith(("name_", "head_title", "center")):
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
    m = re.search(rf"([{LETTERS}]+)$", text[:i])
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
    if ambiguous is not None and norm in protected_words() and norm not in first_names():
        ambiguous = None  # "Қымбатты" ("dear") only looks like "Қымбат" with an ending
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
    gap = text[left.end : right.start]
    return len(gap) <= 3 and gap.strip(" \u00a0") == ""


def _cue_gap(text: str, left: _Token, right: _Token) -> bool:
    # Spaces only, or a dot after an abbreviation ("Mr. Smith"); a dot after "адвоката" ends a sentence.
    gap = text[left.end : right.start]
    if _norm(left.text) in ABBREVIATED_CUES:
        gap = gap.removeprefix(".")
    return re.fullmatch(r"[ \u00a0]{1,2}", gap) is not None


TITLE_WORDS = frozenset(
    """
мастер бригадир аким акима әкім әкімі министр депутат менеджер оператор специалист главврач завуч ректор декан
менің маған мені meнің біздің оның сіздің баламның ұлымның қызымның
""".split()
)


@functools.cache
def _morph():
    try:
        import pymorphy3
    except ImportError:
        return None
    return pymorphy3.MorphAnalyzer()


@functools.lru_cache(maxsize=4096)
def _common_word(token: str) -> bool:
    """Is a capitalised Russian word most likely an ordinary word ("Вчера", "Теперь"), not a name? (pymorphy3's
    dictionary, shipped in its package.)"""
    morph = _morph()
    if morph is None or not re.fullmatch(r"[А-Яа-яЁё]+", token):
        return False
    best = morph.parse(token.lower())[0]
    return best.is_known and not {"Name", "Surn", "Patr", "Geox", "Orgn"} & set(best.tag.grammemes)


def _not_part_of_a_name(token: str) -> bool:
    norm = _norm(token)
    head = token.split("-")[0]
    return (
        not token[0].isupper()
        or head.isupper()
        and len(head) > 1
        or norm in NAME_BEFORE_CUES
        or norm in TITLE_WORDS
        or norm.endswith(("ның", "нің", "дың", "дің", "тың", "тің"))
    )


def _names(text: str) -> Iterable[Span]:
    in_street = _street_name_positions(text)
    tokens = []
    for m in TOKEN_RE.finditer(text):
        token = _classify(text, m)
        if m.start() in in_street:
            token = token._replace(cls="", strong=False)  # ул. Назарбаева, Абай даңғылы: a street, not a person
        elif _norm(m.group()) in TITLE_WORDS:
            token = token._replace(cls="", strong=False)  # Мастер Серик, Маған Қанат: a title or pronoun before a name
        tokens.append(token)
    n = len(tokens)
    linked = [i + 1 < n and _adjacent(text, tokens[i], tokens[i + 1]) for i in range(n)]  # i linked to i+1
    named = [t.strong for t in tokens]

    # Cue words: "гражданин Цой", "по имени Жансерик", "Ms Johnson" before a name, "Гүлжан апай" after one.
    for i, t in enumerate(tokens):
        norm = _norm(t.text)
        cue_before = norm in NAME_BEFORE_CUES or (
            norm in NAME_BEFORE_CUES_AFTER_PO and i > 0 and _norm(tokens[i - 1].text) == "по"
        )
        if (
            cue_before
            and i + 1 < n
            and tokens[i + 1].cls
            and tokens[i + 1].text[0].isupper()
            and _cue_gap(text, t, tokens[i + 1])
            and not NOT_A_NAME_AFTER_CUE_RE.search(_norm(tokens[i + 1].text))
        ):
            named[i + 1] = True
        if NAME_AFTER_CUE_RE.match(norm) and i > 0 and linked[i - 1]:
            before = tokens[i - 1]
            if before.cls in ("FIRST", "SURNAME", "PATRON") or (
                before.cls == "CAP" and not NOT_A_NAME_BEFORE_CUE_RE.search(_norm(before.text))
            ):
                named[i - 1] = True

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
                        or (
                            where == "after"
                            and other.cls == "FIRST"
                            and linked[j]
                            and named[j + 1]
                            and tokens[j + 1].cls == "PATRON"  # Сейтқали Нұрлан Маратович
                            and not (_sentence_start(text, t.start) and _common_word(t.text))
                        )  # not "Вчера Нұрлан ..."
                        or (
                            where == "before"
                            and other.cls == "PATRON"
                            and j > 0
                            and linked[j - 1]
                            and named[j - 1]
                            and tokens[j - 1].cls == "FIRST"
                        )  # Timur Nurlanovich Seitkali
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


PLACE_WORD_AFTER_RE = re.compile(
    rf"\s+(?:{_CONNECTOR}|ауданы|ауданында|облысы|облысында|қаласы|қаласында|ауылы|ауылында|кенті|кентінде"
    rf"|району|района|районе|области|город|улица|улице|көшесі|даңғылы)(?![{LETTERS}])",
    re.IGNORECASE,
)


def _model_names(text: str) -> Iterable[Span]:
    """Names the Russian NER model (ner.py) tags as people, except streets, places and words of the
    reference data (bodies, regions, cities). The model reads Russian: a lone capitalised word that opens a
    sentence or carries a Kazakh suffix (Облыстық, Телеграмдағы) is only a name if the rules know it."""
    in_street = _street_name_positions(text)
    for start, end in ner.people(text):
        tokens = list(TOKEN_RE.finditer(text, start, end))
        # The model often takes in the word before or after a name ("Мастер Серик", "Маған Қанат", "ЖСН-ім").
        while tokens and _not_part_of_a_name(tokens[0].group()):
            tokens.pop(0)
        while tokens and _not_part_of_a_name(tokens[-1].group()):
            tokens.pop()
        if not tokens or any(m.start() in in_street for m in tokens):
            continue
        start, end = tokens[0].start(), tokens[-1].end()
        norms = [_norm(m.group()) for m in tokens]
        if all(_is_protected(n) for n in norms) or PLACE_WORD_AFTER_RE.match(text, end):
            continue
        if len(tokens) == 1:
            word = norms[0]
            if NOT_A_NAME_BEFORE_CUE_RE.search(word) or re.search(r"(?:тық|тік|лық|лік|дық|дік|лар|лер|дар|дер)$", word):
                continue
            if _sentence_start(text, tokens[0].start()) and not _first_name(word) and not SURNAME_STRONG.match(word):
                continue
        yield Span(start, end, "NAME", text[start:end])


# --- putting it together -------------------------------------------------------------------------------------

# Earlier detectors are more certain: a phone or an address wins over a name found inside it.
DETECTORS = (_ibans, _emails, _iins, _cards, _phones, _usernames, _addresses, _names, _model_names)


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
        out.append(text[pos : span.start])
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
