"""The placeholders redaction puts in public copies in place of personal data ([NAME], [IIN], ...), and their
wording in the reader's language.

The stored copy keeps the one token (the API, Open311 and the open-data export give it as stored: one form for
programs); pages show it translated (templatetag `placeholders`), so a Kazakh or Russian page does not carry
English words in the middle of the applicant's text."""

import re

from django.utils.translation import gettext_lazy as _

# kind -> token, as moderation/redaction.py writes them.
TOKENS = {
    "IIN": "[IIN]",
    "BIN": "[BIN]",
    "PHONE": "[PHONE]",
    "EMAIL": "[EMAIL]",
    "CARD": "[CARD]",
    "IBAN": "[IBAN]",
    "NAME": "[NAME]",
    "ADDRESS": "[ADDRESS]",
    "USERNAME": "[USERNAME]",
    "OTHER": "[REDACTED]",
}

# Translators: each replaces personal data removed from a public text; keep the square brackets.
LABELS = {
    "[IIN]": _("[IIN]"),
    "[BIN]": _("[BIN]"),
    "[PHONE]": _("[PHONE]"),
    "[EMAIL]": _("[EMAIL]"),
    "[CARD]": _("[CARD]"),
    "[IBAN]": _("[IBAN]"),
    "[NAME]": _("[NAME]"),
    "[ADDRESS]": _("[ADDRESS]"),
    "[USERNAME]": _("[USERNAME]"),
    "[REDACTED]": _("[REDACTED]"),
}

_TOKEN = re.compile("|".join(re.escape(t) for t in LABELS))


def shown(text: str) -> str:
    """`text` with each placeholder in the active language."""
    if not text or "[" not in text:
        return text
    return _TOKEN.sub(lambda m: str(LABELS[m.group(0)]), text)
