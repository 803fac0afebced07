"""Finds personal data in text and proposes redactions (placeholder version: emails, phones, IINs)."""
import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?:\+7|\b8)[\s\-(]*7\d{2}[\s\-)]*\d{3}[\s\-]*\d{2}[\s\-]*\d{2}\b")
TWELVE_DIGITS = re.compile(r"\b\d{12}\b")


def redact(text: str) -> str:
    text = EMAIL.sub("[email]", text or "")
    text = PHONE.sub("[phone]", text)
    return TWELVE_DIGITS.sub("[IIN/BIN]", text)
