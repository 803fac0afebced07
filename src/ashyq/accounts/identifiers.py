"""The identifiers that make one person one account: mobile phone numbers and IINs, checked and normalised, and the
keyed hash that is all Ashyq stores of them.

The hash is HMAC-SHA256 under a site secret (settings.ASHYQ_IDENTITY_HASH_KEY), not a per-row random salt: the same
number must give the same hash, so that a second account confirming it is found, while someone who reads the
database cannot recompute it from the few billion possible numbers without the key.
"""

import hashlib
import hmac

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def identity_hash(kind: str, value: str) -> str:
    return hmac.new(settings.ASHYQ_IDENTITY_HASH_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def normalise_phone(text: str) -> str:
    """A Kazakhstan mobile number (+7 7xx xxx xx xx) in E.164, from what people type: 8 701 123 45 67, +7(701)1234567,
    7011234567. ValidationError otherwise, saying what is expected."""
    expected = _("Enter a Kazakhstan mobile number, such as +7 701 123 45 67.")
    text = (text or "").strip()
    if not text or len(text) > 30:
        raise ValidationError(expected, code="phone")
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("8") and len(digits) == 11:  # the old trunk prefix: 8 701 ... is +7 701 ...
        text = "+7" + digits[1:]
    elif len(digits) == 10 and digits.startswith("7"):  # 701 123 45 67 without a prefix
        text = "+7" + digits
    try:
        number = phonenumbers.parse(text, "KZ")
    except phonenumbers.NumberParseException:
        raise ValidationError(expected, code="phone") from None
    national = str(number.national_number)
    if (
        number.country_code != 7
        or not national.startswith("7")
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number)
        not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    ):
        raise ValidationError(expected, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_iin(text: str) -> str:
    """A 12-digit individual identification number whose control digit holds (the two-pass weighted sum)."""
    iin = "".join((text or "").split())
    if len(iin) != 12 or not iin.isdigit():
        raise ValidationError(_("An IIN has 12 digits."), code="iin")
    digits = [int(d) for d in iin]
    control = sum(d * w for d, w in zip(digits[:11], range(1, 12))) % 11
    if control == 10:
        control = sum(d * w for d, w in zip(digits[:11], [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
    if control == 10 or control != digits[11]:
        raise ValidationError(_("This IIN's control digit does not match: check the number."), code="iin")
    return iin
