"""Language detection (core/language.py) measured on real complaints: KZgovData's Kazakh and Russian
columns (tests/data/kzgovdata, MIT licence) must each be recognised at >= 0.98, and a Kazakh sentence
followed by a Russian one (the way people mix the two) as mixed at >= 0.98; English and Latin-script
Kazakh from the project's own examples."""

import csv
import random
from pathlib import Path

import pytest

from ashyq.core import language

KZGOVDATA = Path(__file__).parent / "data" / "kzgovdata" / "data.csv"


@pytest.fixture(scope="module")
def rows():
    with open(KZGOVDATA, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def accuracy(texts, expected):
    right = sum(1 for t in texts if language.detect(t) == expected)
    return right / len(texts)


def test_kazakh_and_russian_columns_are_recognised(rows):
    kk = accuracy([r["text_kz"] for r in rows], language.KAZAKH)
    ru = accuracy([r["text_ru"] for r in rows], language.RUSSIAN)
    print(f"\nlanguage on KZgovData: kk {kk:.4f}, ru {ru:.4f} ({len(rows)} rows each)")
    assert kk >= 0.98 and ru >= 0.98


def test_kazakh_then_russian_is_mixed(rows):
    rng = random.Random(15)
    texts = []
    for row in rows:
        other = rng.choice(rows)
        first = row["text_kz"].split(". ")[0].rstrip(".")
        second = other["text_ru"].split(". ")[0].rstrip(".")
        texts.append(f"{first}. {second}." if rng.random() < 0.5 else f"{second}. {first}.")
    mixed = accuracy(texts, language.MIXED)
    print(f"\nmixed kk+ru on KZgovData: {mixed:.4f} ({len(texts)} texts)")
    assert mixed >= 0.98


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The street lights in our district have been off for two months, please repair them.", language.ENGLISH),
        ("Qūrmetti äkim! Bizdiñ auladağy jaryq eki ai boiy janbai tūr.", language.KAZAKH_LATIN),
        ("Salemetsiz be! Bizdin auylda auyz su joq, komektesuinizdi suraimyn.", language.KAZAKH_LATIN),
        ("Сәлеметсіз бе! Біздің ауылда су жоқ, прошу разобраться, потому что дети болеют.", language.MIXED),
        ("Ямы на дороге.", language.RUSSIAN),
        ("12345 !!! ???", language.UNKNOWN),
        ("", language.UNKNOWN),
    ],
)
def test_other_scripts_and_short_texts(text, expected):
    assert language.detect(text) == expected
