"""Account changes: sign-up with email confirmation, the sign-in lockout, anonymisation, and verification of identity."""

import datetime as dt
import logging
import math

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ashyq.core import identity, pagecache

from . import permissions
from .models import ANONYMISED_USERNAME_PREFIX, ApiToken, Role, User

logger = logging.getLogger("ashyq.accounts")

CONFIRM_SALT = "ashyq.accounts.confirm-email"
CONFIRM_MAX_AGE = 3 * 24 * 3600


def sign_up(form) -> User | None:
    """Create an inactive applicant account and email the confirmation link.

    If the email already belongs to an account, nothing is created and the page says exactly what it says for a
    new address (so sign-up cannot be used to learn who has an account); the address's owner is emailed instead:
    a fresh confirmation link if that account was never confirmed, otherwise a note that someone tried to sign
    up with their address and how to sign in. Returns the new user, or None.
    """
    email = form.cleaned_data["email"]
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        make_password(form.cleaned_data["password1"])  # the time a new account's hashing takes: no timing tell either
        if not existing.is_active and existing.last_login is None and existing.anonymised_at is None:
            transaction.on_commit(lambda: _send_confirmation(existing))
        elif existing.is_active:
            transaction.on_commit(lambda: _send_already_registered(existing))
        return None
    try:
        with transaction.atomic():
            user = form.save(commit=False)
            user.role = Role.APPLICANT
            user.is_active = False
            user.save()
            transaction.on_commit(lambda: _send_confirmation(user))
    except IntegrityError:
        # The same address signed up a moment ago by a concurrent request: the same answer as above.
        if not User.objects.filter(email__iexact=email).exists():
            raise
        return None
    return user


def resend_confirmation(email: str) -> None:
    """Send a fresh confirmation link if an unconfirmed account has this email. Says nothing either way,
    so the form cannot be used to learn which addresses have accounts."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=False, last_login__isnull=True).first()
    if user is not None:
        _send_confirmation(user)


def _send_confirmation(user):
    """Email the confirmation link. A mail server that is down must not turn sign-up into an error page:
    the account waits, and the person can ask for the link again."""
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=CONFIRM_SALT)
    _email_owner(
        user,
        gettext_lazy("Confirm your email for Ashyq"),
        "accounts/email/confirm.txt",
        {"url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("accounts:confirm", args=[token])},
        "Could not email the confirmation link to user %s",
    )


def _send_already_registered(user):
    """Tell an account's owner that someone tried to sign up with their address; never fails the sign-up page."""
    _email_owner(
        user,
        gettext_lazy("Someone tried to sign up to Ashyq with your email"),
        "accounts/email/already_registered.txt",
        {"url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("accounts:login")},
        "Could not email user %s about a sign-up with their address",
    )


def _email_owner(user, subject, template: str, context: dict, failure: str) -> None:
    """Email an account's owner in their language. A mail server that is down is logged, never an error page."""
    try:
        with translation.override(user.language):
            body = render_to_string(template, {"user": user, **context})
            send_mail(str(subject), body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        logger.exception(failure, user.pk)


def confirm_email(token: str) -> User | None:
    """Activate the account the token was issued for; None if the token is bad or expired."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=payload.get("u"), email=payload.get("e")).first()
    if user is None:
        return None
    if not user.is_active:
        with transaction.atomic():
            user.is_active = True
            user.save(update_fields=["is_active"])
            record_email_verification(user)
    return user


# --- Sign-in lockout ----------------------------------------------------------------------------------
# Counted per username *and* client address: after ASHYQ_LOGIN_MAX_FAILURES failed sign-ins for one username from
# one address within ASHYQ_LOGIN_LOCKOUT_MINUTES, that pair is refused (even with the right password) for
# ASHYQ_LOGIN_LOCKOUT_MINUTES, and each further lockout of the same pair within a day doubles the pause (backoff),
# up to ASHYQ_LOGIN_LOCKOUT_MAX_MINUTES. A client that has not failed is never refused, so no one can lock another
# person out of their account by typing wrong passwords for it: the owner signing in from their own address
# with the right password always gets in. The owner is emailed when their account is locked from an address (at
# most once per address and lockout). Per-address limits over all usernames are django-ratelimit's, on the
# login views. Kept in the cache (shared in production, docs/operations.md), timed by ashyq.core.clock, and
# counted whether or not the account exists, so the refusal says nothing about which accounts exist.

DAY_SECONDS = 24 * 3600


def _pair_key(username: str, address: str) -> str:
    import hashlib

    pair = f"{(username or '').strip().casefold()}\n{address or ''}"
    return "ashyq:login-lockout:" + hashlib.sha256(pair.encode()).hexdigest()


def _window_seconds() -> int:
    return settings.ASHYQ_LOGIN_LOCKOUT_MINUTES * 60


def _state(username: str, address: str) -> dict:
    from django.core.cache import cache

    return cache.get(_pair_key(username, address)) or {"failures": [], "locked_until": 0.0, "lockouts": 0, "last_lockout": 0.0}


def _now() -> float:
    from ashyq.core import clock

    return clock.now().timestamp()


def login_locked_for(username: str, address: str) -> int:
    """Seconds this username stays refused from this address (0: not locked)."""
    remaining = _state(username, address)["locked_until"] - _now()
    return math.ceil(remaining) if remaining > 0 else 0


def login_locked(username: str, address: str) -> bool:
    return login_locked_for(username, address) > 0


def record_login_failure(username: str, address: str) -> None:
    """Count a failed sign-in of `username` from `address`; the failure that reaches the limit starts a lockout."""
    from django.core.cache import cache

    now = _now()
    state = _state(username, address)
    if state["locked_until"] > now:
        return  # already locked (such attempts are refused before the password is checked): no longer pause
    state["failures"] = [t for t in state["failures"] if now - t < _window_seconds()] + [now]
    if len(state["failures"]) >= settings.ASHYQ_LOGIN_MAX_FAILURES:
        state["lockouts"] = state["lockouts"] + 1 if now - state["last_lockout"] < DAY_SECONDS else 1
        pause = min(_window_seconds() * 2 ** (state["lockouts"] - 1), settings.ASHYQ_LOGIN_LOCKOUT_MAX_MINUTES * 60)
        state.update(failures=[], locked_until=now + pause, last_lockout=now)
        _tell_owner_of_lockout(username, address, pause)
    cache.set(_pair_key(username, address), state, timeout=DAY_SECONDS + _window_seconds())


def reset_login_failures(username: str, address: str) -> None:
    """After a successful sign-in from this address: its failures are forgotten, its backoff too."""
    from django.core.cache import cache

    cache.delete(_pair_key(username, address))


def _tell_owner_of_lockout(username: str, address: str, pause: int) -> None:
    user = (
        User.objects.filter(username__iexact=(username or "").strip(), is_active=True)
        .exclude(email=None)
        .exclude(email="")
        .first()
    )
    if user is None:
        return
    _email_owner(
        user,
        gettext_lazy("Failed sign-ins to your Ashyq account"),
        "accounts/email/login_locked.txt",
        {
            "address": address or "?",
            "failures": settings.ASHYQ_LOGIN_MAX_FAILURES,
            "minutes": max(1, round(pause / 60)),
            "url": settings.ASHYQ_SITE_URL.rstrip("/") + reverse("accounts:login"),
        },
        "Could not email user %s about a sign-in lockout",
    )


def lockout_message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return ngettext(
        "Too many failed sign-in attempts for this username from your connection. For the account's security, "
        "signing in with it from here is paused for %(minutes)d minute; please try again later.",
        "Too many failed sign-in attempts for this username from your connection. For the account's security, "
        "signing in with it from here is paused for %(minutes)d minutes; please try again later.",
        minutes,
    ) % {"minutes": minutes}


# --- Anonymisation ------------------------------------------------------------------------------------
# The appeal record (appeals, their hash-chained events, answers, attachments) is a state record with its own
# statutory retention: it stays whole. What goes is the link from it to a person: the account's names, email,
# username and password. The pseudonym stays, so what the public sees does not change (docs/operations.md).


def anonymised_username(user) -> str:
    # Sign-up refuses names with this prefix (forms.SignUpForm), so no one can hold it before anonymisation.
    return f"{ANONYMISED_USERNAME_PREFIX}{user.pk}"


def anonymise(user: User, *, why: str) -> User:
    """Remove the person from the account, in the caller's transaction, with the user row locked by the caller.

    - names blank, email none (notifications skip an account without one), username neutral, password unusable;
    - inactive, API tokens revoked: nothing can sign in or call the API as this account again. Other sessions
      fail at their next request (Django checks the session against the password hash, and the account is
      inactive); their rows hold only the account's number and go when they expire (retention.py);
    - admin log lines about the account no longer name it;
    - the signer's details of the person's signatures are deleted (dialogue.services.erase_signer_details); the
      signatures themselves stay, with their events;
    - the appeals are untouched: their events and hash chains, and `show_name`. A public appeal published
      under the person's name keeps show_name on: with the name gone it shows neither name nor pseudonym
      (dialogue/public_views.public_applicant), because showing the pseudonym there would tie the person's
      other appeals to the name that page carried before.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    from ashyq.core import clock

    now = clock.now()
    user.username = anonymised_username(user)
    user.first_name = user.last_name = ""
    user.email = None
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.anonymised_at = now
    user.save(
        update_fields=[
            "username",
            "first_name",
            "last_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "anonymised_at",
        ]
    )
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    # The hashes of the person's phone and IIN go too: nothing links the account to them any more, and the same
    # person may verify a new account.
    from .models import PhoneDevice, Verification

    Verification.objects.filter(user=user).update(identity_hash="", revoked_at=now)
    PhoneDevice.objects.filter(user=user).delete()
    # The signatures the person made keep their statutory facts (signed by the applicant, how, when the certificate
    # was valid, the text's fingerprint; the events and their hash chains untouched); the name, certificate serial,
    # CMS (with the IIN inside) and phone hash held beside them go.
    from ashyq.dialogue.services import erase_signer_details

    erase_signer_details(user)
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=str(user)
    )
    # The person's named public appeals no longer show the name: the cached public pages are rendered afresh.
    pagecache.bump(pagecache.RECORD)
    logger.info("Account %s anonymised (%s)", user.pk, why)
    return user


def require_can_anonymise(actor) -> None:
    """Only applicants anonymise themselves. Staff accounts act for a body: an administrator deactivates them, and
    their names stay on the steps they took, which the record needs."""
    if not (actor.is_authenticated and actor.is_active and actor.role == Role.APPLICANT and actor.anonymised_at is None):
        raise PermissionDenied(
            _("Only applicants can anonymise their own account. Staff accounts are closed by an administrator.")
        )


def anonymise_own_account(actor, *, password: str, confirmed: bool) -> User:
    """An applicant removes their identity from their account. Refused while an appeal of theirs is open:
    the body must still be able to answer it and the answer must reach them; they can withdraw it first."""
    from .selectors import open_appeals as open_appeals_of

    require_can_anonymise(actor)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.pk)
        errors = {}
        if not user.check_password(password or ""):
            errors["password"] = [_("This is not your password.")]
        if not confirmed:
            errors["confirm"] = [_("Tick the box to confirm that you want to anonymise your account.")]
        open_appeals = list(open_appeals_of(user).values_list("number", flat=True))
        if open_appeals:
            errors["__all__"] = [
                ngettext(
                    "Your appeal %(numbers)s is still open. The body must be able to answer it and the answer must reach "
                    "you, so your account can be anonymised only once it is answered or you have withdrawn it.",
                    "Your appeals %(numbers)s are still open. The body must be able to answer them and the answer must "
                    "reach you, so your account can be anonymised only once they are answered or you have withdrawn them.",
                    len(open_appeals),
                )
                % {"numbers": ", ".join(n or "" for n in open_appeals)}
            ]
        if errors:
            raise ValidationError(errors)
        return anonymise(user, why="at the applicant's request")


# --- Verification of identity -------------------------------------------------------------------------
# Levels and what each step needs: core/identity.py. Here the proofs: an email confirmed at sign-up, a phone
# confirmed by an SMS code (django-otp's PhoneDevice: expiry, single use, backoff, wait before another code), and an
# identity document seen in person by an official. Only keyed hashes of phone numbers and IINs are stored.


def _verification_expiry(now, days: int):
    return now + dt.timedelta(days=days) if days else None


def record_email_verification(user: User) -> None:
    from ashyq.core import clock

    from .models import METHOD_LEVELS, Verification, VerificationMethod

    Verification.objects.create(
        user=user, method=VerificationMethod.EMAIL, level=METHOD_LEVELS[VerificationMethod.EMAIL], granted_at=clock.now()
    )


def _require_active(actor) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.anonymised_at is None):
        raise PermissionDenied(_("Sign in to verify your account."))


def _identity_taken(identity: str, user) -> bool:
    from .models import Verification

    return Verification.objects.filter(identity_hash=identity, revoked_at__isnull=True).exclude(user=user).exists()


SmsNotSent = identity.SmsNotSent  # the gateway failed: not the person's mistake; the page answers 503

VERIFY_PHONE = ""  # PhoneDevice.purpose of a code that confirms the phone


def _signing_purpose(text_sha256: str) -> str:
    return f"sign:{text_sha256}"


def _send_code(actor, phone: str, *, purpose: str, message) -> dict:
    """Send a one-time code by SMS to `phone` (normalised), for `purpose`; `message(code, minutes)` is the SMS's text.
    Refused while the wait after the previous code runs. A gateway that fails rolls everything back and says so: no
    code is left waiting. Returns {"phone": E.164, "next_at": when another code may be asked for}."""
    from django.utils import timezone

    from . import sms
    from .identifiers import identity_hash
    from .models import PhoneDevice

    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).get()
        device, _created = PhoneDevice.objects.get_or_create(user=actor, defaults={"name": "SMS", "phone_hash": ""})
        allowed, why = device.generate_is_allowed()
        if not allowed:
            wait = max(1, math.ceil((why["next_generation_at"] - timezone.now()).total_seconds()))
            raise ValidationError(
                {
                    "phone": [
                        ngettext(
                            "A code was sent a moment ago. You can ask for another one in %(n)d second.",
                            "A code was sent a moment ago. You can ask for another one in %(n)d seconds.",
                            wait,
                        )
                        % {"n": wait}
                    ]
                }
            )
        device.phone_hash = identity_hash("phone", phone)
        device.purpose = purpose
        device.failed_tries = 0
        device.throttle_reset(commit=False)
        device.generate_token(length=6, valid_secs=settings.ASHYQ_SMS_CODE_SECONDS, commit=False)
        device.cooldown_set(commit=False)
        device.save()
        try:
            sms.gateway().send(phone, message(device.token, max(1, settings.ASHYQ_SMS_CODE_SECONDS // 60)))
        except sms.SmsGatewayError as exc:
            logger.warning("SMS code to %s for user %s not sent: %s", sms.masked(phone), actor.pk, exc)
            raise SmsNotSent(
                {
                    "phone": [
                        _(
                            "We could not send the SMS just now: the SMS service is not answering. Nothing was sent; please try "
                            "again in a few minutes."
                        )
                    ]
                }
            ) from None
    return {"phone": phone, "next_at": device.last_generated_timestamp + dt.timedelta(seconds=device.get_cooldown_duration())}


def _normalised_phone(phone_text: str) -> str:
    from .identifiers import normalise_phone

    try:
        return normalise_phone(phone_text)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


def send_phone_code(actor, phone_text: str) -> dict:
    """Send a one-time code by SMS to the number the person typed (normalised to +7 7xx...), to confirm the phone."""
    _require_active(actor)
    phone = _normalised_phone(phone_text)

    def message(code, minutes):
        return ngettext(
            "Ashyq code: %(code)s. Valid for %(n)d minute. Do not tell it to anyone.",
            "Ashyq code: %(code)s. Valid for %(n)d minutes. Do not tell it to anyone.",
            minutes,
        ) % {"code": code, "n": minutes}

    return _send_code(actor, phone, purpose=VERIFY_PHONE, message=message)


def _take_code(actor, identity_hash_: str, code: str, purpose: str):
    """Check a code against the one waiting for this phone and purpose. Right (in time, not used): the code is used up
    (django-otp clears it) and the device is returned, under its lock in the caller's transaction. Wrong: counted; each
    wrong code doubles the wait before the next try, and after ASHYQ_SMS_MAX_TRIES the code is void; the count is
    saved and (None, the reason) returned. Callers run this inside transaction.atomic() and raise the reason only
    after it commits, so that a refusal keeps its count and a used code stays used."""
    from django.utils import timezone

    from .models import PhoneDevice

    code = "".join((code or "").split())
    device = PhoneDevice.objects.select_for_update().filter(user=actor).first()
    if device is None or device.token is None or device.phone_hash != identity_hash_ or device.purpose != purpose:
        return None, _("There is no code waiting for this number: ask for a new one.")
    allowed, why = device.verify_is_allowed()
    if not allowed:
        wait = max(1, math.ceil((why["locked_until"] - timezone.now()).total_seconds()))
        return None, ngettext(
            "Too many wrong codes. Please wait %(n)d second before trying again.",
            "Too many wrong codes. Please wait %(n)d seconds before trying again.",
            wait,
        ) % {"n": wait}
    if device.verify_token(code):  # single use: django-otp clears the code as it accepts it
        device.throttle_reset()
        return device, None
    device.throttle_increment(commit=False)
    device.failed_tries += 1
    if device.failed_tries >= settings.ASHYQ_SMS_MAX_TRIES or device.valid_until <= timezone.now():
        device.token = None
        error = _("This code has expired or was entered wrong too many times. Ask for a new code.")
    else:
        error = _("This code is not right. Check the SMS and try again.")
    device.save()
    return None, error


def confirm_phone_code(actor, phone: str, code: str):
    """Check the code sent to `phone`. Right: the account gains the phone level, replacing its previous phone
    verification. A number that already confirms another account is refused only now, when the person has shown they
    hold the phone, so nobody learns from the form which numbers have accounts."""
    from ashyq.core import clock

    from .identifiers import identity_hash
    from .models import METHOD_LEVELS, Verification, VerificationMethod

    _require_active(actor)
    identity_ = identity_hash("phone", phone or "")
    with transaction.atomic():
        device, error = _take_code(actor, identity_, code, VERIFY_PHONE)
        if device is not None:
            if _identity_taken(identity_, actor):
                error = _(
                    "This phone number already confirms another Ashyq account. One person has one account: sign in "
                    "to that account, or, if the number is now yours and the account is not, ask an official to "
                    "verify you in person."
                )
            else:
                now = clock.now()
                Verification.objects.filter(user=actor, method=VerificationMethod.SMS, revoked_at__isnull=True).update(
                    revoked_at=now
                )
                return Verification.objects.create(
                    user=actor,
                    method=VerificationMethod.SMS,
                    level=METHOD_LEVELS[VerificationMethod.SMS],
                    granted_at=now,
                    expires_at=_verification_expiry(now, settings.ASHYQ_SMS_VERIFICATION_DAYS),
                    identity_hash=identity_,
                )
    # Raised after the commit, so the used or voided code and the count of wrong tries stay recorded.
    raise ValidationError({"code": [error]})


# --- Signing an appeal by SMS code (core.identity.register_sms_signing) ---------------------------------------------


def _verified_phone_hash(actor, phone: str) -> str:
    """The keyed hash of `phone` if it is the phone the account's current SMS verification was made with."""
    from .identifiers import identity_hash
    from .selectors import current_verifications

    hashed = identity_hash("phone", phone)
    verified = set(current_verifications(actor).filter(method="sms").values_list("identity_hash", flat=True))
    if not verified:
        raise ValidationError(
            {"phone": [_("Your account has no phone confirmed by SMS: confirm your phone first, then sign by SMS code.")]}
        )
    if hashed not in verified:
        raise ValidationError(
            {"phone": [_("This is not the phone your account is confirmed with. Type that number, or confirm this one first.")]}
        )
    return hashed


def send_signing_code(request, phone_text: str, text_sha256: str) -> dict:
    """Send the code that signs the text with this fingerprint to the account's confirmed phone, within the same
    sending limits as every SMS code (sms_limits). Returns {"phone": the number masked}."""
    from . import sms, sms_limits

    actor = request.user
    _require_active(actor)
    phone = _normalised_phone(phone_text)
    _verified_phone_hash(actor, phone)
    wait = sms_limits.wait_seconds(request, phone)
    if wait:
        raise identity.TooManyCodes({"phone": [sms_limits.message(wait)]})

    def message(code, minutes):
        return ngettext(
            "Ashyq code %(code)s signs your appeal (text %(text)s). Valid for %(n)d minute. Do not tell it to anyone.",
            "Ashyq code %(code)s signs your appeal (text %(text)s). Valid for %(n)d minutes. Do not tell it to anyone.",
            minutes,
        ) % {"code": code, "text": text_sha256[:8], "n": minutes}

    _send_code(actor, phone, purpose=_signing_purpose(text_sha256), message=message)
    return {"phone": sms.masked(phone)}


def confirm_signing_code(actor, phone_text: str, code: str, text_sha256: str) -> str:
    """Use up the code sent to sign the text with this fingerprint: the phone's keyed hash (for the signature's
    record), or ValidationError saying why (no code for this text, wrong, expired, used, too many tries)."""
    _require_active(actor)
    phone = _normalised_phone(phone_text)
    hashed = _verified_phone_hash(actor, phone)
    with transaction.atomic():
        device, error = _take_code(actor, hashed, code, _signing_purpose(text_sha256))
        if device is not None:
            return hashed
    raise ValidationError({"sign_code": [error]})


def grant_in_person(official, user: User, *, iin: str, document_seen: bool):
    """An official records that they saw this person's identity document: the signature level. Only the staff of a
    body (or an administrator) may, for an active applicant's account; the IIN is kept as its keyed hash only."""
    from ashyq.core import clock

    from .identifiers import identity_hash, validate_iin
    from .models import METHOD_LEVELS, Verification, VerificationMethod

    if not permissions.verifies_in_person(official):
        raise PermissionDenied(_("Only the staff of a state body verify people in person."))
    errors = {}
    try:
        iin = validate_iin(iin)
    except ValidationError as exc:
        errors["iin"] = exc.messages
    if not document_seen:
        errors["document_seen"] = [_("Confirm that you have seen the person's identity document.")]
    if user is None or not user.is_active or user.role != Role.APPLICANT or user.pk == official.pk:
        errors["person"] = [_("Choose the active applicant account of the person in front of you.")]
    if errors:
        raise ValidationError(errors)
    identity = identity_hash("iin", iin)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).get()
        if _identity_taken(identity, user):
            raise ValidationError({"iin": [_("This IIN already verifies another account. One person has one account.")]})
        now = clock.now()
        Verification.objects.filter(user=user, method=VerificationMethod.IN_PERSON, revoked_at__isnull=True).update(
            revoked_at=now
        )
        return Verification.objects.create(
            user=user,
            method=VerificationMethod.IN_PERSON,
            level=METHOD_LEVELS[VerificationMethod.IN_PERSON],
            granted_at=now,
            expires_at=_verification_expiry(now, settings.ASHYQ_IN_PERSON_VERIFICATION_DAYS),
            identity_hash=identity,
            granted_by=official,
        )


# --- Digital signature (EDS) -------------------------------------------------------------------------------------
# A signature checked by core/eds.py names its signer's IIN. The person who sent it must be that person: if the
# account is already verified by an IIN (in person, or an earlier signature) it must be the same IIN, and an IIN that
# verifies another account is refused (one person, one account). A first signature verifies the account at the
# signature level until the certificate ends (at most ASHYQ_EDS_VERIFICATION_DAYS).

IIN_METHODS = ("eds", "in_person")


def confirm_signer(actor, signer):
    """Check that `signer` (core.eds.Signer) is the account's person and record the EDS verification, in the caller's
    transaction (a signed appeal or answer: nothing is saved if this refuses). Returns the verification that holds."""
    from ashyq.core import clock

    from .identifiers import identity_hash, validate_iin
    from .models import METHOD_LEVELS, Verification, VerificationMethod

    _require_active(actor)
    try:
        iin = validate_iin(signer.iin)
    except ValidationError:
        raise ValidationError({"signature": [_("The IIN in this certificate is not a valid IIN.")]}) from None
    identity = identity_hash("iin", iin)
    now = clock.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).get()
        own = list(
            Verification.objects.filter(user=actor, revoked_at__isnull=True, method__in=IIN_METHODS).exclude(identity_hash="")
        )
        if any(v.identity_hash != identity and v.is_current(now) for v in own):
            raise ValidationError(
                {
                    "signature": [
                        _(
                            "This certificate is another person's: its IIN is not the one your account is verified with. "
                            "Sign with your own certificate."
                        )
                    ]
                }
            )
        if _identity_taken(identity, actor):
            raise ValidationError(
                {"signature": [_("This IIN already verifies another account. One person has one account: sign in to that one.")]}
            )
        expires = min(signer.valid_until, _verification_expiry(now, settings.ASHYQ_EDS_VERIFICATION_DAYS) or signer.valid_until)
        same = [v for v in own if v.identity_hash == identity]
        holding = [v for v in same if v.is_current(now) and (v.method != VerificationMethod.EDS or v.expires_at >= expires)]
        if holding:
            return holding[0]  # already verified with this IIN for at least as long
        # Replaced (an EDS one that ends sooner) or lapsed: the hash may be held by one current row only.
        Verification.objects.filter(pk__in=[v.pk for v in same]).update(revoked_at=now)
        return Verification.objects.create(
            user=actor,
            method=VerificationMethod.EDS,
            level=METHOD_LEVELS[VerificationMethod.EDS],
            granted_at=now,
            expires_at=expires,
            identity_hash=identity,
        )


EDS_CHALLENGE_SALT = "ashyq.accounts.eds-challenge"


def eds_challenge_text(actor, nonce: str) -> str:
    """The text a person signs to verify their account by EDS: names the site, the account and a one-time nonce, so a
    signature made for anything else (or for another account) cannot be replayed here."""
    return _("I confirm that the Ashyq account %(username)s is mine. Code: %(nonce)s") % {
        "username": actor.username,
        "nonce": nonce,
    }


def verify_by_signature(actor, *, signature: str, challenge: str):
    """Verify the account by signing its challenge text (eds_challenge_text, kept server-side in the session between
    the page and the post) with EDS: the signature level, in one transaction."""
    from ashyq.core import eds

    _require_active(actor)
    if not challenge:
        raise ValidationError({"signature": [_("The page has expired: open it again and sign the new text.")]})
    try:
        signer = eds.verify(signature, challenge)
    except eds.SignatureRefused as exc:
        raise ValidationError({"signature": exc.messages}) from None
    return confirm_signer(actor, signer)
