"""The link to a conference's video on an outside service. Ashyq hosts no video: it checks the link is one a
reader can safely follow (https, a real host, no password in it) and, when the operator names the services
(settings.ASHYQ_CONFERENCE_VIDEO_HOSTS, e.g. "meet.jit.si,bbb.gov.kz"), that it points at one of them."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

MAX_LENGTH = 500


def allowed_hosts() -> list[str]:
    return [h.strip().lower() for h in getattr(settings, "ASHYQ_CONFERENCE_VIDEO_HOSTS", []) if h.strip()]


def check(url: str, field: str, *, required: bool = True) -> str:
    url = (url or "").strip()
    if not url:
        if required:
            raise ValidationError({field: _("Give the link to the video (Jitsi, BigBlueButton or another service).")})
        return ""
    if len(url) > MAX_LENGTH:
        raise ValidationError(
            {field: _("At most %(limit)d characters (you wrote %(n)d).") % {"limit": MAX_LENGTH, "n": len(url)}}
        )
    parts = urlsplit(url)
    if parts.scheme.lower() != "https":
        raise ValidationError({field: _("The video link must start with https:// so that viewers' connection is encrypted.")})
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError({field: _("This is not a valid web address.")}) from None
    if parts.username or parts.password:
        raise ValidationError({field: _("The link must not contain a user name or password.")})
    hosts = allowed_hosts()
    host = (parts.hostname or "").lower()
    if hosts and not any(host == h or host.endswith("." + h) for h in hosts):
        raise ValidationError(
            {field: _("Video may be linked only from these services: %(hosts)s.") % {"hosts": ", ".join(hosts)}}
        )
    return url
