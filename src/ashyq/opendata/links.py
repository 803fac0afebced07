"""Whether a link resource can be downloaded, asked the way a careful harvester asks.

A HEAD request first (some servers refuse HEAD: then a GET of the first kilobyte), short timeouts, at most a few
redirects, each hop checked anew. The server's name is resolved here and the connection goes to the address
that was checked, so a name cannot resolve to a public address for the check and to a private one for the
request (DNS rebinding). Private, loopback, link-local and other non-public addresses are refused unless a
network is listed in ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS: a publisher's link must never make Ashyq probe the
machines beside it (SSRF).

The result is a short code, stored on the resource and shown translated by `describe()`.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "Ashyq-link-check/1 (+open data catalogue)"
REDIRECTS = (301, 302, 303, 307, 308)
FIRST_BYTES = 1024


def timeout() -> float:
    return float(getattr(settings, "ASHYQ_OPENDATA_LINK_TIMEOUT", 5))


def max_redirects() -> int:
    return int(getattr(settings, "ASHYQ_OPENDATA_LINK_MAX_REDIRECTS", 5))


def allowed_networks() -> list:
    return [ipaddress.ip_network(n, strict=False) for n in getattr(settings, "ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS", [])]


@dataclass
class Result:
    reachable: bool
    status: str  # "http:200", "timeout", "private-address", ... (see describe)
    url: str = ""  # where the check ended (after redirects)


class Refused(Exception):
    """The link is not asked at all (an address or scheme Ashyq does not call); args[0] is the status code."""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed_networks()):
        return True
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> str:
    """The address to connect to; every address the name has must be public (or allowed), not just the first."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused("no-such-host") from None
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused("no-such-host")
    if not all(is_public(a) for a in addresses):
        raise Refused("private-address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        # The certificate is checked against the name in the link, the connection goes to the checked address.
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _ask(method: str, url: str) -> tuple[int, str | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not-http")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("not-http") from None
    address = _resolve(parts.hostname, port)
    connection_class = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
    connection = connection_class(parts.hostname, port, address, timeout())
    target = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        target += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if method == "GET":
        headers["Range"] = f"bytes=0-{FIRST_BYTES - 1}"
    try:
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        if method == "GET":
            response.read(FIRST_BYTES)  # never the whole file, whatever the server does with Range
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def check(url: str) -> Result:
    """Ask once, following at most max_redirects() redirects; never raises for anything the network does."""
    current = url
    for _hop in range(max_redirects() + 1):
        try:
            try:
                status, location = _ask("HEAD", current)
            except http.client.HTTPException:
                status, location = 0, None  # a server that drops HEAD may still serve GET
            if status == 0 or status >= 400:
                status, location = _ask("GET", current)
        except Refused as refused:
            return Result(False, refused.args[0], current)
        except TimeoutError:
            return Result(False, "timeout", current)
        except ssl.SSLError:
            return Result(False, "tls-error", current)
        except (OSError, http.client.HTTPException, UnicodeError):
            return Result(False, "connection-error", current)
        if status in REDIRECTS and location:
            current = urljoin(current, location.strip())
            continue
        return Result(200 <= status < 300, f"http:{status}", current)
    return Result(False, "too-many-redirects", current)


def check_many(urls, workers=4):
    """(url, Result) as each check ends; a few at a time, so one slow server does not hold up the rest."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(check, url): url for url in urls}
        for future in as_completed(futures):
            yield futures[future], future.result()


def describe(status: str) -> str:
    """A stored status in the reader's language."""
    if status.startswith("http:"):
        return _("the server answered HTTP %(code)s") % {"code": status[5:]}
    return {
        "timeout": _("the server did not answer in time"),
        "private-address": _("refused: the link points at a private or local network address"),
        "no-such-host": _("the server's name does not exist"),
        "tls-error": _("the server's HTTPS certificate or connection is not valid"),
        "connection-error": _("the connection failed"),
        "too-many-redirects": _("too many redirects"),
        "not-http": _("only http:// and https:// links can be checked"),
    }.get(status, status)
