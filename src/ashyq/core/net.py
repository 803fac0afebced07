from django.conf import settings


def client_ip(request) -> str:
    """The client's address for per-address limits, trusting X-Forwarded-For only as far as our own proxies."""
    proxies = settings.ASHYQ_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies > 0 and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return request.META.get("REMOTE_ADDR", "")
