"""Proposed redactions of personal data: checksums (property tests) and a corpus of tricky texts."""
import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ashyq.moderation.redaction import (
    Span,
    apply_redactions,
    find_fragment,
    find_personal_data,
    iban_ok,
    iin_check_digit,
    iin_checksum_ok,
    luhn_ok,
    redact,
)

# --- independent reference implementations, written from the specifications -----------------------------


def reference_iin_valid(number: str) -> bool:
    d = [int(c) for c in number]
    c = sum((i + 1) * d[i] for i in range(11)) % 11
    if c == 10:
        c = sum(((i + 2) % 11 + 1) * d[i] for i in range(11)) % 11
        if c == 10:
            return False
    return c == d[11]


def reference_luhn_digit(payload: str) -> str:
    total = 0
    for i, c in enumerate(reversed(payload)):
        v = int(c) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


def reference_iban(bban: str) -> str:
    numeric = "".join(str(int(c, 36)) for c in bban + "KZ00")
    return f"KZ{98 - int(numeric) % 97:02d}{bban}"


def kinds(text):
    return [(s.kind, s.text) for s in find_personal_data(text)]


# --- generators ------------------------------------------------------------------------------------------

@st.composite
def iins(draw):
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    century = (born.year - 1800) // 100  # 1 for the 1900s, 2 for the 2000s
    sex = draw(st.sampled_from([0, 1]))
    first11 = f"{born:%y%m%d}{2 * century - 1 + sex}{draw(st.integers(0, 9999)):04d}"
    check = iin_check_digit(first11)
    assume(check is not None)
    return first11 + str(check)


@st.composite
def cards(draw):
    payload = draw(st.text("0123456789", min_size=12, max_size=18))
    assume(payload[0] != "0")
    return payload + reference_luhn_digit(payload)


@st.composite
def ibans(draw):
    bban = draw(st.text("0123456789", min_size=3, max_size=3)) + draw(
        st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=13, max_size=13)
    )
    return reference_iban(bban)


def flip(number: str, index: int, delta: int) -> str:
    return number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1:]


# --- IIN / BIN ---------------------------------------------------------------------------------------------

@given(iins())
def test_a_valid_iin_is_always_found(iin):
    assert reference_iin_valid(iin)
    assert kinds(f"ИИН {iin}, тел. нет") == [("IIN", iin)]
    assert redact(f"ИИН:{iin}.") == "ИИН:[IIN]."


@given(iins(), st.integers(1, 9))
def test_a_wrong_check_digit_is_never_an_iin(iin, delta):
    assert "IIN" not in [k for k, _ in kinds(f"ИИН {flip(iin, 11, delta)}")]


@given(iins(), st.integers(0, 10), st.integers(1, 9))
def test_a_mistyped_digit_is_found_exactly_when_the_checksum_still_holds(iin, index, delta):
    # Kazakhstan's check digit does not catch every single-digit error: the 11th digit weighs 11 (= 0 mod
    # 11) in the first pass, and a sum that lands on 10 falls through to the second pass. So the property
    # is: a mistyped number is reported as an IIN if and only if it independently passes the checksum.
    typo = flip(iin, index, delta)
    found = "IIN" in [k for k, _ in kinds(f"ИИН {typo}")]
    if found:
        assert reference_iin_valid(typo)
    if not reference_iin_valid(typo):
        assert not found


@given(iins(), st.integers(0, 9), st.integers(1, 9))
def test_a_mistyped_digit_in_the_first_ten_is_caught_when_the_first_pass_decides(iin, index, delta):
    typo = flip(iin, index, delta)
    first_pass = lambda n: sum((i + 1) * int(n[i]) for i in range(11)) % 11  # noqa: E731
    assume(first_pass(iin) != 10 and first_pass(typo) != 10)
    assert not iin_checksum_ok(typo)
    assert "IIN" not in [k for k, _ in kinds(typo)]


def test_the_checksum_matches_known_numbers_and_the_second_pass():
    # Worked by hand: 9001013000 + 2: first pass 1*9+3*0+...
    for number in ("900101300012", "850101300005"):
        assert iin_checksum_ok(number) == reference_iin_valid(number)
    # A number whose first pass gives 10 uses the second weights.
    first11 = next(f"7001014{n:04d}" for n in range(10000)
                   if sum((i + 1) * int(c) for i, c in enumerate(f"7001014{n:04d}")) % 11 == 10
                   and iin_check_digit(f"7001014{n:04d}") is not None)
    second = sum(w * int(c) for w, c in zip((3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2), first11)) % 11
    assert iin_check_digit(first11) == second
    assert kinds(f"{first11}{second}") == [("IIN", f"{first11}{second}")]


def test_twelve_digits_that_fail_the_checksum_or_the_date_stay():
    valid = "850101300005"
    assert iin_checksum_ok(valid)
    text = "Номер дела 850101300006, счёт 123456789012, дата 851301300000."
    assert not iin_checksum_ok("850101300006")
    assert redact(text) == text
    # Checksum right but no such date (31 February): neither an IIN nor a BIN.
    bad_date = "850231300" + "00"
    check = iin_check_digit(bad_date)
    if check is not None:
        assert redact(f"x {bad_date}{check} x") == f"x {bad_date}{check} x"


def test_a_bin_passes_the_same_checksum():
    first11 = next(f"0504400{n:04d}" for n in range(10000) if iin_check_digit(f"0504400{n:04d}") is not None)
    bin_ = first11 + str(iin_check_digit(first11))
    assert redact(f"БИН ТОО {bin_}") == "БИН ТОО [BIN]"
    assert redact(f"БИН ТОО {flip(bin_, 11, 1)}") == f"БИН ТОО {flip(bin_, 11, 1)}"


# --- cards and IBANs ---------------------------------------------------------------------------------------

@given(cards())
def test_a_luhn_valid_card_is_always_found_in_one_block_or_in_groups(card):
    assert kinds(f"карта {card} и всё") == [("CARD", card)]
    grouped = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
    assume(len(grouped.split()[-1]) >= 3)
    assert kinds(f"карта {grouped} и всё") == [("CARD", grouped)]
    assert redact(f"карта {grouped.replace(' ', '-')}.") == "карта [CARD]."


@given(cards(), st.data())
def test_a_card_with_one_digit_changed_is_never_a_card(card, data):
    index = data.draw(st.integers(0, len(card) - 1))
    typo = flip(card, index, data.draw(st.integers(1, 9)))
    assert not luhn_ok(typo)
    assert "CARD" not in [k for k, _ in kinds(f"карта {typo}")]


@given(ibans())
def test_a_valid_iban_is_always_found_with_or_without_spaces(iban):
    assert iban_ok(iban)
    spaced = " ".join(iban[i:i + 4] for i in range(0, 20, 4))
    assert kinds(f"IBAN {iban}, банк") == [("IBAN", iban)]
    assert redact(f"IBAN {spaced}, банк") == "IBAN [IBAN], банк"


@given(ibans(), st.data())
def test_an_iban_with_one_digit_changed_is_never_an_iban(iban, data):
    positions = [i for i, c in enumerate(iban) if c.isdigit()]
    index = data.draw(st.sampled_from(positions))
    typo = flip(iban, index, data.draw(st.integers(1, 9)))
    assert "IBAN" not in [k for k, _ in kinds(f"IBAN {typo}")]


# --- the corpus ------------------------------------------------------------------------------------------

CORPUS = [
    # numbers
    ("ИИН 850101300005, повторяю: 850101300006.", "ИИН [IIN], повторяю: 850101300006."),
    ("Сумма 123456789012 тенге.", "Сумма 123456789012 тенге."),
    ("Карта 4111 1111 1111 1111, не 4111 1111 1111 1112.", "Карта [CARD], не 4111 1111 1111 1112."),
    ("Счёт KZ86 125K ZT50 0410 0100, не KZ87 125K ZT50 0410 0100.", "Счёт [IBAN], не KZ87 125K ZT50 0410 0100."),
    # phones
    ("Звоните +7 (701) 123-45-67 или 8 701 123 45 67.", "Звоните [PHONE] или [PHONE]."),
    ("Тел.: 87011234567, +77011234567, 8-747-765-43-21.", "Тел.: [PHONE], [PHONE], [PHONE]."),
    ("Приёмная: 8 (7172) 74-55-11, 8 7172 74 55 11.", "Приёмная: [PHONE], [PHONE]."),
    ("Дом 8, кв. 70, индекс 010000, 2024 год.", "Дом 8, кв. 70, индекс 010000, 2024 год."),
    # emails
    ("Пишите на aigerim.n+ashyq@mail.kz или a_b@gov.kz.", "Пишите на [EMAIL] или [EMAIL]."),
    # names, Russian forms
    ("Иванов И.И. требовал деньги.", "[NAME] требовал деньги."),
    ("Жалоба на Петрову А. С. и на И.О. Сидорова", "Жалоба на [NAME] и на [NAME]"),
    ("Начальник Сидоров И. О. не ответил.", "Начальник [NAME] не ответил."),
    ("Ольга Петровна Смирнова пришла, Вере Павловне не сказали.", "[NAME] пришла, [NAME] не сказали."),
    ("Прошу наказать Сейткалиева за волокиту.", "Прошу наказать [NAME] за волокиту."),
    ("Ким А.Б. и Асель Ким работают там.", "[NAME] и [NAME] работают там."),
    # names, Kazakh forms
    ("Нұрлан Серікұлы мен Айгерім Нұрланқызы келді.", "[NAME] мен [NAME] келді."),
    ("Мен Ахметовке хат жаздым, Ерланға айттым.", "Мен [NAME] хат жаздым, [NAME] айттым."),
    ("Нурлан Серикович Ахметов", "[NAME]"),
    # names, Latin
    ("Ivanov I.I. and Aigerim Nurlankyzy met Nurlan Serikuly.", "[NAME] and [NAME] met [NAME]."),
    ("Written by Olga Petrovna Smirnova and Yerlan.", "Written by [NAME] and [NAME]."),
    # what must stay
    ("Министерство внутренних дел Республики Казахстан", "Министерство внутренних дел Республики Казахстан"),
    ("Ministry of Internal Affairs of the Republic of Kazakhstan", "Ministry of Internal Affairs of the Republic of Kazakhstan"),
    ("В г. Алматы и в Астане 5 марта, а в Шымкенте в мае.", "В г. Алматы и в Астане 5 марта, а в Шымкенте в мае."),
    ("Аким Медеуского района и Алматинский городской суд, область Абай.",
     "Аким Медеуского района и Алматинский городской суд, область Абай."),
    ("Документов нет. Снова прошу помочь. Специалистов не хватает.",
     "Документов нет. Снова прошу помочь. Специалистов не хватает."),
    ("Вера в справедливость и Надежда на ответ. Любовь к Родине.",
     "Вера в справедливость и Надежда на ответ. Любовь к Родине."),
    ("Наурыз мейрамы, 22 наурыз. Мамыр айы.", "Наурыз мейрамы, 22 наурыз. Мамыр айы."),
    ("ИИН, МВД и ТОО — сокращения.", "ИИН, МВД и ТОО — сокращения."),
]


@pytest.mark.parametrize("text, expected", CORPUS)
def test_the_corpus(text, expected):
    assert redact(text) == expected


def test_spans_carry_their_kind_and_the_original_text():
    text = "Иванов И.И., тел. +7 701 123 45 67, почта a@b.kz"
    assert find_personal_data(text) == [
        Span(0, 11, "NAME", "Иванов И.И."),
        Span(18, 34, "PHONE", "+7 701 123 45 67"),
        Span(42, 48, "EMAIL", "a@b.kz"),
    ]


def test_overlapping_redactions_merge_and_a_moderator_span_gets_its_placeholder():
    text = "улица Абая 10, квартира 5"
    spans = [Span(0, 13, "ADDRESS", "улица Абая 10"), Span(6, 10, "NAME", "Абая"), Span(15, 25, "OTHER", "квартира 5")]
    assert apply_redactions(text, spans) == "[ADDRESS], [REDACTED]"


def test_find_fragment_is_exact_first_then_ignores_case():
    assert find_fragment("Дом у Озера, у озера", "озера") == [(15, 20)]
    assert find_fragment("Дом у Озера", "озера") == [(6, 11)]
    assert find_fragment("Дом", "  ") == []


def test_empty_and_none():
    assert redact("") == "" and redact(None) == "" and find_personal_data("") == []


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_redact_never_crashes_and_spans_point_into_the_text(text):
    for span in find_personal_data(text):
        assert text[span.start:span.end] == span.text
    redact(text)
