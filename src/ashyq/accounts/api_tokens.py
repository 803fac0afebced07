"""How the API finds the user behind a bearer token (registered with core/api_auth.py in apps.py)."""

from django.utils import timezone

from .models import ApiToken


def user_for_token(token: str):
    """The active user a token not revoked belongs to, or None."""
    try:
        api_token = ApiToken.objects.select_related("user").get(digest=ApiToken.hash(token), revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        return None
    if not api_token.user.is_active:
        return None
    # One write per minute at most, so a busy client does not turn every read into a write.
    now = timezone.now()
    if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user
