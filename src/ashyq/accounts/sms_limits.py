"""How often SMS codes may be sent: per phone number, per client address and per account (settings
ASHYQ_SMS_PER_PHONE, ASHYQ_SMS_PER_ADDRESS, ASHYQ_SMS_PER_USER, django-ratelimit rates such as "5/d"), counted in the
shared cache. Each SMS costs money and lands on someone's phone: the limits stop both a bill run up through the form
and a stranger's phone flooded with codes. The wait between two codes to one account is the device's cool-down
(services.send_phone_code); these are the daily ceilings above it."""

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from .identifiers import identity_hash


def wait_seconds(request, phone: str) -> int:
    """Count one code to `phone` asked for by this request's account and address; 0 if it may be sent, else the
    seconds until the limit it passed resets. All three counters always count."""
    phone_key = identity_hash("phone", phone)
    usages = [
        get_usage(
            request,
            group="sms-per-phone",
            key=lambda group, r: phone_key,
            rate=settings.ASHYQ_SMS_PER_PHONE,
            method=ALL,
            increment=True,
        ),
        get_usage(request, group="sms-per-address", key="ip", rate=settings.ASHYQ_SMS_PER_ADDRESS, method=ALL, increment=True),
        get_usage(
            request,
            group="sms-per-user",
            key=lambda group, r: f"user-{request.user.pk}",
            rate=settings.ASHYQ_SMS_PER_USER,
            method=ALL,
            increment=True,
        ),
    ]
    return max((max(1, int(u["time_left"])) for u in usages if u and u["should_limit"]), default=0)


def message(wait: int) -> str:
    hours = max(1, -(-wait // 3600))
    return _(
        "Too many codes were asked for this number, this account or this connection today. Please try again in "
        "%(hours)d h, or ask an official to verify you in person."
    ) % {"hours": hours}
