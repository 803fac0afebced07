"""The Russian NER model behind redaction (moderation/ner.py): it ships inside an installed package, loads
with the network closed, finds the names the rules cannot, leaves places and bodies alone, and can be
switched off. And the keyword-anchored and grouped IINs."""

import socket

import pytest

from ashyq.moderation import ner
from ashyq.moderation.redaction import find_personal_data, redact


@pytest.fixture
def with_ner(monkeypatch):
    monkeypatch.setenv("ASHYQ_REDACTION_NER", "1")


def test_the_model_loads_and_runs_with_the_network_closed(monkeypatch, with_ner):
    def refuse(*args, **kwargs):
        raise OSError("network closed for this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    ner.model.cache_clear()
    try:
        assert ner.model() is not None
        assert ner.people("Вчера Бекзат Нурланович не пустил нас в кабинет.")
    finally:
        ner.model.cache_clear()


def test_names_only_the_model_finds(with_ner):
    # No cue word, no known ending: the rules alone miss these.
    assert redact("Документы передал Сергей Иванович Петренко лично.") == "Документы передал [NAME] лично."
    assert "[NAME]" in redact("Заявитель: Пак Виктория, 1985 г.р.")


def test_places_bodies_and_sentence_openers_stay(with_ner):
    for text in (
        "Акимат города Алматы не ответил в срок.",
        "Больница имени Абая переполнена.",
        "Абай ауданының әкімдігі жауап бермеді.",
        "Облыстық денсаулық сақтау басқармасына 3 рет жүгіндім.",
        "Телеграмдағы арна жалған ақпарат таратады.",
    ):
        assert redact(text) == text


def test_the_model_can_be_switched_off(monkeypatch):
    monkeypatch.setenv("ASHYQ_REDACTION_NER", "0")
    assert ner.people("Документы передал Сергей Иванович Петренко лично.") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ИИН 900101400123 опубликован", "ИИН [IIN] опубликован"),  # wrong check digit, after its word
        ("мой ЖСН: 900101400123.", "мой ЖСН: [IIN]."),
        ("IIN-900101400123", "IIN-[IIN]"),
        ("БИН 123456789012", "БИН [BIN]"),
        ("ИИН 9001 0130 0017", "ИИН [IIN]"),
        ("номер 9001 0130 0017 и 900101-300017", "номер [IIN] и [IIN]"),  # valid, in groups, no keyword
        ("номер 9001 0130 0018", "номер 9001 0130 0018"),  # in groups but invalid and no keyword: not an IIN
        ("Сумма 123456789012 тенге.", "Сумма 123456789012 тенге."),
        ("ИННОВАЦИЯ 123456789012", "ИННОВАЦИЯ 123456789012"),
    ],
)
def test_twelve_digits_after_their_word_or_valid_in_groups(text, expected, monkeypatch):
    monkeypatch.setenv("ASHYQ_REDACTION_NER", "0")
    assert redact(text) == expected
    assert all(s.kind in ("IIN", "BIN") for s in find_personal_data(text))
