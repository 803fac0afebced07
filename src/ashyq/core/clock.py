"""The one place Ashyq asks what time it is.

Services read the time here, never from datetime directly, so that the demo loader can replay
history at past dates and tests can stand on a chosen day, both without patching the library.
"""

import contextlib
import contextvars
import datetime as dt

from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("ashyq_frozen_now", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


def today() -> dt.date:
    """Today's date in Kazakhstan (settings.TIME_ZONE), which is what statutory days count in."""
    return timezone.localdate(now())


@contextlib.contextmanager
def frozen_at(moment: dt.datetime):
    """Make now() return `moment` inside the block (an aware datetime)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    token = _frozen.set(moment)
    try:
        yield moment
    finally:
        _frozen.reset(token)
