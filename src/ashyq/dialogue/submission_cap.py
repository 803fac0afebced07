"""One cap on new appeals for every channel: the pages' form, the JSON API and Open311.

Counted per applicant and per client address (behind the configured proxies, core/net.py), in the shared cache,
with the same counters whichever channel an appeal comes through, so changing channel gains nothing. The rates
are settings (ASHYQ_SUBMISSIONS_PER_USER, ASHYQ_SUBMISSIONS_PER_ADDRESS, e.g. "20/h"). Each channel asks
`wait_seconds()` just before it calls services.submit_appeal, and answers 429 in its own format when it says so.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

GROUP_PER_USER = "appeal-submissions-per-user"
GROUP_PER_ADDRESS = "appeal-submissions-per-address"


def wait_seconds(request, applicant) -> int:
    """Count one submission by `applicant` from this request's address; 0 if it may go on, else the seconds until
    the cap it passed resets. Both counters always count, so neither can be spent without the other."""
    usages = [
        get_usage(
            request,
            group=GROUP_PER_USER,
            key=lambda group, r: f"user-{applicant.pk}",
            rate=settings.ASHYQ_SUBMISSIONS_PER_USER,
            method=ALL,
            increment=True,
        ),
        get_usage(
            request, group=GROUP_PER_ADDRESS, key="ip", rate=settings.ASHYQ_SUBMISSIONS_PER_ADDRESS, method=ALL, increment=True
        ),
    ]
    waits = [max(1, int(u["time_left"])) for u in usages if u and u["should_limit"]]
    return max(waits, default=0)


def message(wait: int) -> str:
    minutes = max(1, -(-wait // 60))
    return _(
        "You have sent too many appeals in a short time (at most %(per_user)s per person and %(per_address)s per "
        "connection, through the site, the API and Open311 together). Please try again in %(minutes)d min."
    ) % {
        "per_user": settings.ASHYQ_SUBMISSIONS_PER_USER,
        "per_address": settings.ASHYQ_SUBMISSIONS_PER_ADDRESS,
        "minutes": minutes,
    }
