"""The client's address, for per-address limits and abuse reports.

Behind reverse proxies the connection comes from the nearest proxy, and the client's address is in
X-Forwarded-For, where each proxy appends the address it received the request from. Only the proxies that
the operator lists in ASHYQ_TRUSTED_PROXIES (addresses or networks) are believed: reading the header from the
right, every hop that is a trusted proxy is skipped, and the first address that is not one is the client. An
address a client wrote into the header itself sits to the left of what our proxies appended, so it is never
reached unless the client *is* one of our proxies; with no trusted proxies the header is ignored altogether.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _address(text: str):
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.9:51000
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def trusted_networks() -> tuple:
    return _networks(tuple(settings.ASHYQ_TRUSTED_PROXIES))


def is_trusted_proxy(address) -> bool:
    return address is not None and any(address in network for network in trusted_networks())


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the nearest address in X-Forwarded-For that
    is not one of them."""
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    if peer is None:
        return request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(peer):
        return str(peer)
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:  # not an address: written by whoever our last proxy received it from, so that one
            break
        client = address
        if not is_trusted_proxy(address):
            break
    return str(client)
