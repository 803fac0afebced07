"""Levels of identity verification, and which level each step on the platform needs.

The vocabulary lives here, at the bottom, so that dialogue (and every app above it) can ask "may this person take
this step?" without importing the accounts app, which holds the verifications themselves and registers how a
person's level is read (`register_level_lookup`, in accounts' AppConfig.ready()), as it does for API tokens.

Which level a step needs is configuration (settings.ASHYQ_REQUIRED_LEVELS, one environment variable per step,
docs/operations.md). The lightest level must stay light: writing an appeal needs only a confirmed email, because
the reference studies found that demanding a digital signature kept people out.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Level(models.IntegerChoices):
    NONE = 0, _("no verification")
    EMAIL = 1, _("confirmed email")
    PHONE = 2, _("phone confirmed by an SMS code")
    SIGNATURE = 3, _("digital signature (EDS) or in person")


# The words the settings use for each level.
LEVEL_NAMES = {"none": Level.NONE, "email": Level.EMAIL, "sms": Level.PHONE, "eds": Level.SIGNATURE}


class Step(models.TextChoices):
    WRITE_APPEAL = "write_appeal", _("write an appeal")
    SIGN_APPEAL = "sign_appeal", _("sign an appeal")
    VOTE = "vote", _("vote in a poll")
    OFFICIAL_ANSWER = "official_answer", _("answer an appeal for a body")


# user -> Level. Set once by the accounts app; until it is, nobody has any level.
_level_of: Callable | None = None


def register_level_lookup(lookup: Callable) -> None:
    global _level_of
    _level_of = lookup


def level_of(user) -> Level:
    if not getattr(user, "is_authenticated", False) or _level_of is None:
        return Level.NONE
    return Level(_level_of(user))


def required_level(step: str) -> Level:
    return LEVEL_NAMES[settings.ASHYQ_REQUIRED_LEVELS[step]]


def meets(user, step: str) -> bool:
    needed = required_level(step)
    if not getattr(user, "is_authenticated", False) or _level_of is None:
        return Level.NONE >= needed
    # Only whether the person reaches `needed` is asked: the lookup may stop there (an account's email already
    # gives the email level, so the common step of writing an appeal reads no verification).
    return Level(_level_of(user, at_least=needed)) >= needed


def requirements() -> list[dict]:
    """Every step with the level it needs, for the pages that tell people before they start."""
    return [{"step": step, "level": required_level(step.value)} for step in Step]


def missing_message(step: str) -> str:
    return gettext("To %(step)s you need this level of verification: %(level)s. Your account page says how to reach it.") % {
        "step": Step(step).label,
        "level": required_level(step).label,
    }


def require(user, step: str) -> None:
    """For services: refuse (403, with the level needed) a person whose verification is below what `step` needs.
    Pages check first and show how to reach the level instead of a form that cannot be sent."""
    if not meets(user, step):
        raise PermissionDenied(missing_message(step))


# (user, core.eds.Signer) -> None. Set by the accounts app: it checks that the certificate's IIN is the person's (one
# person, one account) and records the signature level; raises ValidationError otherwise.
_confirm_signer: Callable | None = None


def register_signer_confirmation(confirm: Callable) -> None:
    global _confirm_signer
    _confirm_signer = confirm


def confirm_signer(user, signer) -> None:
    """For services, inside their transaction: the person who sent a signed text is the one its certificate names."""
    if _confirm_signer is None:
        raise PermissionDenied(gettext("Digital signatures cannot be accepted: accounts are not set up."))
    _confirm_signer(user, signer)


# --- Signing an appeal by a one-time SMS code ---------------------------------------------------------------------
# The code goes to the phone the account is verified with (accounts keeps only its keyed hash, so the person types the
# number again and it must hash the same), names the fingerprint of the exact text, and is django-otp's like the
# verification codes: expiry, single use, backoff, the wait before another code and the sending limits. Set by the
# accounts app; dialogue calls these.


class SmsNotSent(ValidationError):
    """The SMS gateway failed (down, slow, refused): not the person's mistake; pages answer 503."""


class TooManyCodes(ValidationError):
    """A sending limit of SMS codes is reached (per phone, address or account); pages answer 429."""


_sms_signing: dict[str, Callable] = {}


def register_sms_signing(*, send: Callable, confirm: Callable) -> None:
    """send(request, phone, text_sha256) -> {"phone": the number masked}; confirm(user, phone, code, text_sha256) ->
    the phone's keyed hash. Both raise ValidationError (SmsNotSent, TooManyCodes) saying why."""
    _sms_signing.update(send=send, confirm=confirm)


def send_signing_code(request, phone: str, text_sha256: str) -> dict:
    if "send" not in _sms_signing:
        raise PermissionDenied(gettext("Signing by SMS code cannot be offered: accounts are not set up."))
    return _sms_signing["send"](request, phone, text_sha256)


def confirm_signing_code(user, phone: str, code: str, text_sha256: str) -> str:
    if "confirm" not in _sms_signing:
        raise PermissionDenied(gettext("Signing by SMS code cannot be offered: accounts are not set up."))
    return _sms_signing["confirm"](user, phone, code, text_sha256)
