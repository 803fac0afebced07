"""Characters that Ashyq refuses in any text it is sent.

C0 and C1 control characters (tab, line feed and carriage return excepted), DEL, NUL, lone UTF-16
surrogates and the non-characters U+FFFE/U+FFFF. None of them belongs in an appeal, an answer or a
dataset's metadata; NUL cannot be stored in PostgreSQL, a lone surrogate cannot be encoded as UTF-8
at all, and once published the others make the Open311 XML and every other XML or CSV consumer fail.
They are refused with a message that names the field and the character, never stripped silently:
the sender learns what was wrong and nothing they wrote is changed behind their back.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def first_forbidden(value: str) -> tuple[int, str] | None:
    """(position, character) of the first forbidden character in `value`, or None."""
    match = FORBIDDEN.search(value)
    return (match.start(), match.group()) if match else None


def problem(value: str) -> str | None:
    """A message saying which character is refused and where, or None when the text is acceptable."""
    found = first_forbidden(value) if isinstance(value, str) else None
    if found is None:
        return None
    position, char = found
    return _(
        "This text contains a control character or an invalid character (U+%(code)04X) at position %(position)d; "
        "remove it and send the text again."
    ) % {"code": ord(char), "position": position + 1}


def validate(value: str, field: str | None = None) -> None:
    """Raise ValidationError (for `field`, if given) when `value` holds a forbidden character."""
    message = problem(value)
    if message:
        raise ValidationError({field: [message]} if field else message, code="control_character")


def find_in(data, path: str = "") -> tuple[str, str] | None:
    """(field path, message) for the first forbidden character in a parsed JSON value: keys and strings at any depth."""
    if isinstance(data, str):
        message = problem(data)
        return (path or "__all__", message) if message else None
    if isinstance(data, dict):
        for key, value in data.items():
            key_path = f"{path}.{key}" if path else str(key)
            found = find_in(key, key_path) or find_in(value, key_path)
            if found:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = find_in(value, f"{path}.{index}" if path else str(index))
            if found:
                return found
    return None
