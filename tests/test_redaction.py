"""Proposed redactions of personal data: checksums (property tests), tricky texts in kk/ru/en, the property that
only proposed spans change, and recall and precision on a written corpus (tests/data/redaction_cases.csv)."""

import csv
import datetime as dt
import itertools
import time
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from ashyq.moderation.redaction import (
    PLACEHOLDERS,
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


@pytest.fixture(autouse=True, scope="module")
def _rules_alone():
    # The properties here are those of the rules; the NER model (moderation/ner.py) is switched back on where a
    # test measures or checks it (the corpus, tests/test_redaction_ner.py).
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ASHYQ_REDACTION_NER", "0")
        yield


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
    return number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1 :]


# --- IIN / BIN ---------------------------------------------------------------------------------------------


@given(iins())
def test_a_valid_iin_is_always_found(iin):
    assert reference_iin_valid(iin)
    assert kinds(f"ИИН {iin}, тел. нет") == [("IIN", iin)]
    assert redact(f"ИИН:{iin}.") == "ИИН:[IIN]."


@given(iins(), st.integers(1, 9))
def test_a_wrong_check_digit_is_an_iin_only_after_its_word(iin, delta):
    wrong = flip(iin, 11, delta)
    assert "IIN" not in [k for k, _ in kinds(f"Номер {wrong}")]
    assert "IIN" not in [k for k, _ in kinds(f"Номер {wrong[:4]} {wrong[4:8]} {wrong[8:]}")]
    # After ИИН/ЖСН/IIN a mistyped number still points to a person.
    for word in ("ИИН", "ЖСН", "IIN", "иин:"):
        assert kinds(f"{word} {wrong}") == [("IIN", wrong)]


@given(iins(), st.integers(0, 10), st.integers(1, 9))
def test_a_mistyped_digit_is_found_exactly_when_the_checksum_still_holds(iin, index, delta):
    # Kazakhstan's check digit does not catch every single-digit error: the 11th digit weighs 11 (= 0 mod
    # 11) in the first pass, and a sum that lands on 10 falls through to the second pass. So the property
    # is: a mistyped number is reported as an IIN if and only if it independently passes the checksum.
    typo = flip(iin, index, delta)
    found = "IIN" in [k for k, _ in kinds(f"Номер {typo}")]  # without the word, which makes any 12 digits an IIN
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
    first11 = next(
        f"7001014{n:04d}"
        for n in range(10000)
        if sum((i + 1) * int(c) for i, c in enumerate(f"7001014{n:04d}")) % 11 == 10
        and iin_check_digit(f"7001014{n:04d}") is not None
    )
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
    assert redact(f"ТОО {flip(bin_, 11, 1)}") == f"ТОО {flip(bin_, 11, 1)}"
    assert redact(f"БИН ТОО {flip(bin_, 11, 1)}") == "БИН ТОО [BIN]"  # after its word, whatever the check digit


# --- cards and IBANs ---------------------------------------------------------------------------------------


@given(cards())
def test_a_luhn_valid_card_is_always_found_in_one_block_or_in_groups(card):
    assert kinds(f"карта {card} и всё") == [("CARD", card)]
    grouped = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
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
    spaced = " ".join(iban[i : i + 4] for i in range(0, 20, 4))
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
    (
        "Аким Медеуского района и Алматинский городской суд, область Абай.",
        "Аким Медеуского района и Алматинский городской суд, область Абай.",
    ),
    (
        "Документов нет. Снова прошу помочь. Специалистов не хватает.",
        "Документов нет. Снова прошу помочь. Специалистов не хватает.",
    ),
    ("Вера в справедливость и Надежда на ответ. Любовь к Родине.", "Вера в справедливость и Надежда на ответ. Любовь к Родине."),
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
        assert text[span.start : span.end] == span.text
    redact(text)


# --- phones written without +7/8 --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Мой телефон 701 234 56 78, звоните вечером.", "Мой телефон [PHONE], звоните вечером."),
        ("Звоните мне по номеру 7012345678 после 18:00.", "Звоните мне по номеру [PHONE] после 18:00."),
        ("Тел. (727) 123-45-67, приёмная.", "Тел. [PHONE], приёмная."),
        ("Тел. 25-14-36, звоните после обеда.", "Тел. [PHONE], звоните после обеда."),
        ("Моб.тел: 87071234567; раб: 25-14-36.", "Моб.тел: [PHONE]; раб: [PHONE]."),
        ("Прошу перезвонить по номеру 41-22-33.", "Прошу перезвонить по номеру [PHONE]."),
        ("WhatsApp: 777 123 45 67, пишите.", "WhatsApp: [PHONE], пишите."),
        ("+7 (701)-123-45-67, +7 ( 701 ) 123 – 45 – 67 и 7 701 123 45 67.", "[PHONE], [PHONE] и [PHONE]."),
        ("Хабарласыңыз: 701 234 5678.", "Хабарласыңыз: [PHONE]."),
        ("Ұялы: 707-111-22-33, үй телефоны 53-17-90.", "Ұялы: [PHONE], үй телефоны [PHONE]."),
        ("Байланыс телефоны: (7252) 53-17-90.", "Байланыс телефоны: [PHONE]."),
        ("Please call me on 701 234 5678 or (727) 250-14-36.", "Please call me on [PHONE] or [PHONE]."),
    ],
)
def test_phones_without_the_country_prefix_are_found(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Сумма долга 701 234 тенге, пеня 12 500 тг, 25 000 ₸, 120000 KZT, 7 701 234 567 тенге.",
        "Выделено 7 012 345 678 тенге, из них 1 500 000 тг на ремонт.",
        "I paid 150,000 KZT on 12.05.2024 under article 65.",
        "Статья 65, 65-бап, ст. 610 КоАП, пункт 3.",
        "Дело № 2-1234/2023, протокол № 7012345, обращение № 25-14-36.",
        "Счёт-фактура № 770 123 45 67 от 12.03.2024.",
        "Код ТН ВЭД 8703 23 190 0 и 7010 90 410 0, товар 7010900000 задержан.",
        "Индекс 050000, 2023 год, 12.05.2024, 2024-05-12, 18:30.",
        "С 2019 по 2024 год тарифы выросли на 75 %.",
        "Позвоните на горячую линию 109 или 1414.",
        "Мой номер заявления 123456, номер очереди 45.",
        "Заявка на портале eGov № 7012345678 не рассмотрена.",
        "Население 2 200 000 человек, из них 701 234 пенсионера.",
    ],
)
def test_money_dates_codes_and_case_numbers_are_not_phones(text):
    assert [s for s in find_personal_data(text) if s.kind == "PHONE"] == []


def test_an_iin_stays_an_iin_and_a_card_a_card_next_to_phone_words():
    assert kinds("Тел. ИИН 850101300005") == [("IIN", "850101300005")]
    assert kinds("Телефон и карта 4111 1111 1111 1111") == [("CARD", "4111 1111 1111 1111")]


# --- usernames ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Пишите в Telegram @nurlan_s88.", "Пишите в Telegram [USERNAME]."),
        ("Телеграмдағы @aigerim_astana арнасы.", "Телеграмдағы [USERNAME] арнасы."),
        ("Instagram: instagram.com/aigul.nurlanovna, t.me/dana_esen", "Instagram: [USERNAME], [USERNAME]"),
        ("Почта a.b@mail.kz, а не @a.", "Почта [EMAIL], а не @a."),
        ("Пресс-служба @akimat_almaty и @police_kz ответили.", "Пресс-служба @akimat_almaty и @police_kz ответили."),
    ],
)
def test_usernames_in_messengers_are_found_but_not_those_of_bodies(text, expected):
    assert redact(text) == expected


# --- addresses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Проживаю: г. Алматы, ул. Абая, д. 15, кв. 42.", "Проживаю: г. Алматы, [ADDRESS]."),
        ("Адрес: улица Толе би 12-34, Алматы.", "Адрес: [ADDRESS], Алматы."),
        ("Живём в мкр. Самал-2, дом 5, кв. 17.", "Живём в [ADDRESS]."),
        ("На проспекте Назарбаева 100 нет пандуса.", "На [ADDRESS] нет пандуса."),
        ("По ул. Сейфуллина, 54/2 и ул.Жандосова 98/3 кв 11.", "По [ADDRESS] и [ADDRESS]."),
        ("г. Шымкент, 5 мкр., д. 12, кв. 3.", "г. Шымкент, [ADDRESS]."),
        ("ЖК «Хайвил», блок 3, кв. 45.", "[ADDRESS]."),
        ("Алматы, с. Кайнар, ул. Центральная, 5.", "Алматы, с. Кайнар, [ADDRESS]."),
        ("Мен Абай даңғылы, 15 үй, 42 пәтерде тұрамын.", "Мен [ADDRESS] тұрамын."),
        ("Жамбыл ауылы, Жамбыл көшесі 7.", "Жамбыл ауылы, [ADDRESS]."),
        ("Ақтөбе қаласы, 12 ш/а, 23 үй, 45 пәтер.", "Ақтөбе қаласы, [ADDRESS]."),
        ("Түркістан қаласы, Есім хан көшесі, 45-үй.", "Түркістан қаласы, [ADDRESS]."),
        ("Қайнар ауылы, 15 үй.", "Қайнар ауылы, [ADDRESS]."),
        ("I live at 45 Dostyk Avenue, apartment 12, Almaty.", "I live at [ADDRESS], Almaty."),
        ("She lives on Tole bi street 45, flat 12.", "She lives on [ADDRESS]."),
        ("живу на Абая 15, кв. 3", "живу на [ADDRESS]"),
    ],
)
def test_a_street_with_a_house_number_is_an_address(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Жители улицы Ермекова в Караганде просят светофор.",
        "Мы живём на улице Абая с 1998 года, дом старый.",
        "На проспекте Назарбаева 5 марта прорвало трубу.",
        "По ул. Абая 2023 году обещали ремонт.",
        "Мкр. Самал-2 и мкр. Аксай-4 остались без воды.",
        "Абай даңғылында 2024 жылы жөндеу болды.",
        "Қабанбай батыр көшесінде 15 жыл бойы жол жоқ.",
        "Тұрғындар Қонаев қаласындағы 4 шағын ауданда су жоқ деп шағымданады.",
        "Қарағанды облысы, Бұқар жырау ауданы, Ботақара кентінде жол жөнделмеген.",
        "Алматы, Бостандыкский район, Медеуский район, область Абай.",
        "Школа-гимназия № 12 имени Абая закрыта на карантин.",
        "Дом 8, кв. 70, индекс 010000, 2024 год.",
        "Акимат города Алматы и Департамент полиции Туркестанской области.",
    ],
)
def test_regions_cities_streets_without_a_house_and_bodies_stay(text):
    assert redact(text) == text


# --- names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # patronymics in every case, with no known first name
        ("Позвоните Зульфие Маратовне или Бахытжану Серикбаевичу.", "Позвоните [NAME] или [NAME]."),
        ("Сандуғаш Ержанқызы мен Тұрсынбай Омарұлына айттым.", "[NAME] мен [NAME] айттым."),
        ("Written by Sandugash Yerzhankyzy.", "Written by [NAME]."),
        ("My son Timur Nurlanovich Seitkali was detained.", "My son [NAME] was detained."),
        # initials
        ("Жалоба на Ахметов Н. и на Н. Ахметова, Жаксыбай А.Б. не ответил.", "Жалоба на [NAME] и на [NAME], [NAME] не ответил."),
        # people introduced by a role or a form of address
        ("Гражданка Ли Светлана и гражданин Цой пришли.", "Гражданка [NAME] и гражданин [NAME] пришли."),
        ("Мой сын Арсений и моя дочь Амина, тётя Маша.", "Мой сын [NAME] и моя дочь [NAME], тётя [NAME]."),
        ("Вопрос к сотруднику по имени Жансерик.", "Вопрос к сотруднику по имени [NAME]."),
        ("Көршім Бақберген айқайлайды, қызым Аяулым жылайды.", "Көршім [NAME] айқайлайды, қызым [NAME] жылайды."),
        ("Гүлжан апай мен Ержан мырзаға, Бекзат ағай.", "[NAME] апай мен [NAME] мырзаға, [NAME] ағай."),
        # "Азамат" is "citizen" and a first name: before a surname it is taken as the name, for privacy.
        ("Азамат Жолдасбеков сотқа жүгінді, азамат Тлеубай да.", "[NAME] сотқа жүгінді, азамат [NAME] да."),
        ("Contact Ms Johnson or Mr. Smith, not Dr Brown.", "Contact Ms [NAME] or Mr. [NAME], not Dr [NAME]."),
    ],
)
def test_names_without_a_known_first_name_are_found_by_their_form_or_context(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Гражданин Казахстана имеет право на обращение, гражданка Узбекистана тоже.",
        "Сосед сверху заливает нас. Без звонка родным и без адвоката. Телефон забрали.",
        "Ұлым Ресейдегі мектептен ауысты.",
        "Мне ответила специалист Управления образования.",
        "Начальник Департамента полиции и директор ТОО «Ақ Жол».",
        "Қымбатты әріптестер, Құрметті Әкім!",
        "Жители улицы Розыбакиева и проспекта Назарбаева, Байтұрсынов көшесі.",
    ],
)
def test_roles_before_common_words_bodies_and_streets_are_not_names(text):
    assert [s for s in find_personal_data(text) if s.kind == "NAME"] == []


# --- every proposal can be stored ------------------------------------------------------------------------


def test_every_kind_the_detector_proposes_is_a_kind_a_moderator_can_choose():
    from ashyq.moderation.models import RedactionKind

    assert set(PLACEHOLDERS) == set(RedactionKind.values)


def test_a_long_table_of_figures_is_read_in_linear_time():
    # Card windows and email starts used to be retried from every group: 500 groups took seconds.
    text = "1 " * 5000 + "12-" * 3000 + "ул. Абая " * 1000
    started = time.perf_counter()
    find_personal_data(text)
    assert time.perf_counter() - started < 10


# --- the property: only the proposed spans change ----------------------------------------------------------

FRAGMENTS = [
    "Иванов И.И.",
    "701 234 56 78",
    "тел. 25-14-36",
    "ул. Абая, д. 15, кв. 42",
    "Абай даңғылы, 15 үй",
    "@nurlan_s88",
    "a@b.kz",
    "850101300005",
    "4111 1111 1111 1111",
    "KZ86 125K ZT50 0410 0100",
    "гражданин Цой",
    "Гүлжан апай",
    "1 500 000 тенге",
    "статья 65",
    "2024 год",
    "Алматы",
    "мкр. Самал-2",
    "+7 (701) 123-45-67",
    "Mr Smith",
    "кв.",
    "Нұрлан Серікұлы",
    "(727)",
    "12.05.2024",
    "№ 7012345678",
]


@settings(max_examples=300)
@given(
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=12),
    st.lists(st.sampled_from([" ", ", ", ". ", "\n", "", " - ", ": "]), min_size=12, max_size=12),
)
def test_redaction_changes_only_the_proposed_spans_and_spans_never_overlap(parts, separators):
    text = "".join(part + separator for part, separator in zip(parts, separators))
    spans = find_personal_data(text)
    for span in spans:
        assert 0 <= span.start < span.end <= len(text) and text[span.start : span.end] == span.text
    for left, right in itertools.pairwise(spans):
        assert left.end <= right.start
    expected, position = [], 0
    for span in spans:
        expected += [text[position : span.start], PLACEHOLDERS[span.kind]]
        position = span.end
    assert redact(text) == "".join(expected) + text[position:]


# --- measurement on a written corpus ------------------------------------------------------------------------

# Batch 1 was written before the rules for phones without a prefix, addresses and name cues; batch 2 after
# them and not used to tune them; batch 3 to probe weaknesses known at that time (lower case, nicknames,
# addresses without a street word, numbers in words); batch 4 with the keyword-anchored and grouped IINs, the
# NER model and the Kazakh patronymic forms (some of its misses were then fixed, so it flatters too).
CASES = Path(__file__).parent / "data" / "redaction_cases.csv"


def _letters_and_digits(text, start, end):
    return {i for i in range(start, end) if text[i].isalnum()}


def measure(rows):
    """Recall: share of the known items at least 80 per cent of whose letters and digits are proposed.
    Precision: share of the proposed spans at least 80 per cent of whose letters and digits are known items."""
    found = items = right = proposed = 0
    for row in rows:
        text = row["text"]
        known = []
        for item in filter(None, row["personal_data"].split(" | ")):
            fragment = item.split(": ", 1)[1]
            start = text.index(fragment)
            known.append(_letters_and_digits(text, start, start + len(fragment)))
        spans = [_letters_and_digits(text, s.start, s.end) for s in find_personal_data(text)]
        covered, expected = set().union(*spans), set().union(*known)
        items += len(known)
        found += sum(len(k & covered) >= 0.8 * len(k) for k in known)
        proposed += len(spans)
        right += sum(len(s & expected) >= 0.8 * len(s) for s in spans)
    return found, items, right, proposed


def test_the_corpus_is_well_formed():
    rows = list(csv.DictReader(CASES.open(encoding="utf-8")))
    assert len(rows) >= 60 and {r["lang"] for r in rows} >= {"ru", "kk", "en"}
    for row in rows:
        for item in filter(None, row["personal_data"].split(" | ")):
            kind, fragment = item.split(": ", 1)
            assert kind in PLACEHOLDERS and fragment in row["text"], item


def _recall_by_kind(rows):
    """{kind: (found, items)} with the same 80-per-cent rule as measure()."""
    out = {}
    for row in rows:
        text = row["text"]
        spans = [_letters_and_digits(text, s.start, s.end) for s in find_personal_data(text)]
        covered = set().union(*spans)
        for item in filter(None, row["personal_data"].split(" | ")):
            kind, fragment = item.split(": ", 1)
            start = text.index(fragment)
            known = _letters_and_digits(text, start, start + len(fragment))
            found, items = out.get(kind, (0, 0))
            out[kind] = (found + (len(known & covered) >= 0.8 * len(known)), items + 1)
    return out


def test_recall_and_precision_on_the_written_corpus(capsys, monkeypatch):
    monkeypatch.setenv("ASHYQ_REDACTION_NER", "1")  # the rules and the NER model together, as moderators get them
    rows = list(csv.DictReader(CASES.open(encoding="utf-8")))
    assert len(rows) >= 300
    lines = []
    for batch in ("1", "2", "3", "4"):
        found, items, right, proposed = measure([r for r in rows if r["batch"] == batch])
        lines.append(
            f"batch {batch}: recall {found}/{items} = {found / items:.2f}, precision {right}/{proposed} = {right / proposed:.2f}"
        )
    found, items, right, proposed = measure(rows)
    recall, precision = found / items, right / proposed
    lines.append(
        f"all {len(rows)} sentences: recall {found}/{items} = {recall:.2f}, precision {right}/{proposed} = {precision:.2f}"
    )
    by_kind = _recall_by_kind(rows)
    lines.append("recall by kind: " + ", ".join(f"{k} {f}/{n}" for k, (f, n) in sorted(by_kind.items())))

    def recall_of(*kinds):
        f = sum(by_kind.get(k, (0, 0))[0] for k in kinds)
        n = sum(by_kind.get(k, (0, 0))[1] for k in kinds)
        return f / n

    numbers = recall_of("IIN", "BIN", "PHONE", "EMAIL", "CARD")
    lines.append(f"IIN/BIN/phone/email/card {numbers:.3f}, names {recall_of('NAME'):.3f}, addresses {recall_of('ADDRESS'):.3f}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert numbers >= 0.95
    assert recall_of("NAME") >= 0.90 and recall_of("ADDRESS") >= 0.90
    assert precision >= 0.95


# --- in the moderation queue --------------------------------------------------------------------------------


def test_the_moderator_sees_each_new_kind_with_its_label_and_publishes_the_placeholders(client, people, submit):
    text = "Сосед с ул. Абая, д. 15, кв. 42 (тел. 25-14-36, Telegram @serik_b) шумит по ночам."
    appeal = submit(people["applicant"], subject="Шум", text=text, is_public=True)
    client.force_login(people["moderator"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/moderation/{appeal.pk}/appeal/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Сосед с [ADDRESS] (тел. [PHONE], Telegram [USERNAME]) шумит по ночам." in page
    for words, label in (
        ("ул. Абая, д. 15, кв. 42", "address"),
        ("25-14-36", "phone number"),
        ("@serik_b", "username in a messenger or social network"),
    ):
        assert f"<td>{words}</td><td>{label}</td>" in page
    assert client.post(f"/moderation/{appeal.pk}/appeal/approve/", {"confirmed": "yes"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.text == text
    assert appeal.public_text == "Сосед с [ADDRESS] (тел. [PHONE], Telegram [USERNAME]) шумит по ночам."
