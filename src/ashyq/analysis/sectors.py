"""Sectors named in the text of an appeal (police, hospitals, tax offices, bailiffs, courts, akimats,
utility monopolies, schools ...), from a word list per topic of the bodies registry (data/sector-terms.csv),
so each sector links to the bodies competent for it. The trained sector model decides between them;
the list explains the suggestion and stands in when no model has been trained yet."""

import csv
import functools
import re
from pathlib import Path

TERMS = Path(__file__).resolve().parent / "data" / "sector-terms.csv"


@functools.cache
def patterns() -> list[tuple[str, re.Pattern]]:
    with TERMS.open(encoding="utf-8") as f:
        return [(row["topic"], re.compile(row["terms"], re.IGNORECASE)) for row in csv.DictReader(f)]


def named_sectors(text: str) -> list[str]:
    """Topics whose words appear in the text, most mentioned first."""
    counts = []
    for topic, pattern in patterns():
        n = len(pattern.findall(text or ""))
        if n:
            counts.append((-n, topic))
    return [topic for _, topic in sorted(counts)]


def prefer_named(suggestions, text: str):
    """Of the model's suggestions, put first one whose sector the text actually names, if any."""
    named = set(named_sectors(text))
    if not named or not suggestions or suggestions[0].value in named:
        return suggestions
    for i, s in enumerate(suggestions):
        if s.value in named:
            return [s] + suggestions[:i] + suggestions[i + 1 :]
    return suggestions
