""" "Which body should receive this?" for the applicant writing an appeal: the top three bodies with the
applicant's own words that point to each, for the appeal form (with and without script) and the API.

Nothing is stored: the text is classified in memory and forgotten. The applicant chooses; a suggestion is
never applied for them.
"""

import re
from dataclasses import dataclass

from ashyq.bodies.models import Body, Topic
from ashyq.core.models import Region
from ashyq.dialogue import registry

from . import routing, sectors
from . import text as text_module

# Asking for suggestions has its own limits, apart from sending appeals: a person who asks a few times
# while writing must still be able to send. The form's button and the script's requests share them.
RATE_GROUP = registry.ASSISTANT_RATE_GROUP
RATE_PER_USER = "120/h"
RATE_PER_ADDRESS = "300/h"

ACTION = "suggest"
CHOOSE = "choose"
MAX_WORDS = 4


@dataclass
class ShownSuggestion(routing.BodySuggestion):
    """A routing suggestion as the form shows it: with the sector's name and whether it is the one chosen."""

    sector_name: str = ""
    chosen: bool = False

    @property
    def for_akimats(self) -> bool:
        # A trained model learns "a local akimat" across regions; its count is over all akimats.
        return self.body.kind == Body.Kind.AKIMAT and self.score is not None


def asks_for_bodies(request) -> bool:
    """The appeal form's "Which body?" or "Choose this body" button: re-render, send nothing."""
    return request.method == "POST" and (request.POST.get("action") == ACTION or bool(request.POST.get(CHOOSE)))


# Rates read when a request comes, so an operator (or a test) may change the numbers above.
def per_user(group, request):
    return RATE_PER_USER


def per_address(group, request):
    return RATE_PER_ADDRESS


# Words that say nothing about where an appeal belongs, though a small model may weigh them.
FUNCTION_WORDS = (
    text_module.RUSSIAN_WORDS
    | text_module.KAZAKH_WORDS
    | text_module.ENGLISH_WORDS
    | {
        "чтобы",
        "если",
        "когда",
        "тоже",
        "потому",
        "очень",
        "нам",
        "нас",
        "наш",
        "нашего",
        "нашей",
        "наши",
        "этот",
        "эта",
        "этого",
        "этой",
        "ещё",
        "еще",
        "только",
        "можно",
        "нужно",
        "меня",
        "разобраться",
        "бірақ",
        "сондықтан",
        "ретінде",
        "кезде",
        "біздің",
        "please",
        "would",
        "could",
        "there",
        "their",
    }
)
MIN_WORD = 3


def _own_words(candidates: list[str], text: str) -> list[str]:
    """Of the model's words, those that tell something and that the applicant wrote, as they wrote them.

    The model reads a lower-cased text with Latin-script Kazakh also transliterated: a word it names may
    not be in the applicant's text as such, and then it is not shown as theirs."""
    shown: list[str] = []
    for candidate in candidates:
        tokens = candidate.split()
        if not any(len(t) >= MIN_WORD and t not in FUNCTION_WORDS for t in tokens):
            continue
        match = re.search(r"(?<!\w)" + r"\s+".join(map(re.escape, tokens)) + r"(?!\w)", text, re.IGNORECASE)
        if match is None:
            continue
        word = match[0]
        # "сотрудник полиции" already says "полиции"
        if any(word.casefold() in kept.casefold() for kept in shown):
            continue
        shown = [kept for kept in shown if kept.casefold() not in word.casefold()] + [word]
    return shown[:MAX_WORDS]


def _words_naming(topic: str, text: str) -> list[str]:
    """The applicant's words that name a sector (whole words around the word list's matches)."""
    pattern = dict(sectors.patterns()).get(topic)
    if pattern is None:
        return []
    words = []
    for match in pattern.finditer(text):
        start, end = match.start(), match.end()
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        word = text[start:end].strip()
        if word and word.casefold() not in {w.casefold() for w in words}:
            words.append(word)
    return words[:MAX_WORDS]


def suggest(text: str, region: Region | None, chosen: str = "") -> list[ShownSuggestion]:
    text = re.sub(r"\s+", " ", text or "").strip()
    found = routing.suggest_bodies(text, region, k=3)
    topics = {t.slug: t.name for t in Topic.objects.filter(slug__in=[s.named_sector for s in found if s.named_sector])}
    result = []
    for s in found:
        because = _own_words(s.because, text) or (_words_naming(s.named_sector, text) if s.named_sector else [])
        result.append(
            ShownSuggestion(
                body=s.body,
                score=s.score,
                because=because[:MAX_WORDS],
                past_answered=s.past_answered,
                named_sector=s.named_sector,
                sector_name=topics.get(s.named_sector, ""),
                chosen=bool(chosen) and s.body.slug == chosen,
                calibrated=s.calibrated,
            )
        )
    return result


def text_of(data) -> str:
    """What the classifier reads from the form: the subject and the text, as at registration."""
    return f"{data.get('subject', '')}\n{data.get('text', '')}".strip()


def context_for(data, chosen: str = "") -> dict:
    """The template context of analysis/_suggestions.html for the form's data (a QueryDict or dict)."""
    text = text_of(data)
    region = Region.objects.filter(iso_code=data.get("region") or "").first()
    too_short = len(re.sub(r"\s+", " ", text)) < routing.MIN_TEXT_LENGTH
    suggestions = [] if too_short else suggest(text, region, chosen)
    unsure = routing.unsure(suggestions)
    return {
        "asked": True,
        "too_short": too_short,
        "unsure": unsure,
        "suggestions": [] if unsure else suggestions,
        "min_length": routing.MIN_TEXT_LENGTH,
    }


class FormAssistant:
    """The appeal form's assistant (dialogue/registry.py), registered in apps.py: the form's "Which body?" and
    "Choose this body" buttons are answered with these suggestions instead of registering an appeal."""

    def asks(self, request) -> bool:
        return asks_for_bodies(request)

    def chosen(self, data) -> str:
        return data.get(CHOOSE) or data.get("body") or ""

    def context(self, data, chosen: str) -> dict:
        return context_for(data, chosen=chosen)

    def rate_per_user(self) -> str:
        return RATE_PER_USER

    def rate_per_address(self) -> str:
        return RATE_PER_ADDRESS
