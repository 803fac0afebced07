"""check_links against a real HTTP server on 127.0.0.1: what a link answers is stored with the time of the check,
the quality checklist's "every resource can be downloaded" follows it, and private addresses are never asked."""

import datetime as dt
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from ashyq.accounts.models import Role
from ashyq.opendata import links, quality, services
from ashyq.opendata.models import Resource


class Handler(BaseHTTPRequestHandler):
    """/ok answers; /missing is 404; /no-head refuses HEAD and serves a range; /moved and /loop redirect;
    /to-private redirects to a private address; /slow answers after the checker has given up."""

    requests = []  # (method, path, Range header), for the assertions

    def log_message(self, *args):
        pass

    def _answer(self, method):
        type(self).requests.append((method, self.path, self.headers.get("Range")))
        if self.path == "/ok":
            self._send(200, body=b"a,b\n1,2\n" * 10)
        elif self.path == "/no-head":
            if method == "HEAD":
                self._send(405)
            else:
                self._send(206, body=b"a,b\n" * 300, extra={"Content-Range": "bytes 0-1023/100000"})
        elif self.path == "/moved":
            self._send(302, extra={"Location": "/ok"})
        elif self.path == "/loop":
            self._send(302, extra={"Location": "/loop"})
        elif self.path == "/to-private":
            self._send(301, extra={"Location": "http://10.1.2.3/data.csv"})
        elif self.path == "/slow":
            time.sleep(1.5)
            self._send(200)
        else:
            self._send(404)

    def _send(self, status, body=b"", extra=None):
        self.send_response(status)
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def do_HEAD(self):
        self._answer("HEAD")

    def do_GET(self):
        self._answer("GET")


@pytest.fixture
def server():
    Handler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def loopback_allowed(settings):
    settings.ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.ASHYQ_OPENDATA_LINK_TIMEOUT = 0.5


@pytest.fixture
def dataset(make_user, bodies):
    publisher = make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username="mti-links")
    dataset = services.save_dataset(
        publisher,
        publisher.body,
        "linked",
        title_en="Linked data",
        title_ru="Связанные данные",
        licence="CC-BY-4.0",
        spatial="Kazakhstan",
        temporal_start=dt.date(2019, 1, 1),
        frequency="irregular",
        source="The ministry's register",
        description_en="Figures kept on the ministry's own server and linked from the catalogue.",
    )
    dataset.publisher = publisher
    return dataset


def link(dataset, url, name=None):
    return services.add_resource(dataset.publisher, dataset, name or url.rsplit("/", 1)[-1], Resource.Format.CSV, url=url)


def test_check_links_stores_what_each_link_answered_and_when(server, loopback_allowed, dataset, capsys):
    resources = {name: link(dataset, f"{server}/{name}") for name in ("ok", "missing", "no-head", "moved", "loop", "slow")}
    before = dt.datetime.now(dt.UTC)
    call_command("check_links")
    out = capsys.readouterr().out
    got = {name: Resource.objects.get(pk=r.pk) for name, r in resources.items()}
    assert {name: (r.link_reachable, r.link_status) for name, r in got.items()} == {
        "ok": (True, "http:200"),
        "missing": (False, "http:404"),
        "no-head": (True, "http:206"),  # HEAD refused, a GET of the first bytes answered
        "moved": (True, "http:200"),
        "loop": (False, "too-many-redirects"),
        "slow": (False, "timeout"),
    }
    assert all(r.link_checked_at >= before for r in got.values())
    assert "checked 6 link(s) of 6 resource(s): 3 reachable, 3 not" in out
    assert "/missing -> http:404" in out
    # The fallback GET asks for a range only; /loop stopped at the cap (first request + 5 redirects, HEAD each).
    assert ("GET", "/no-head", "bytes=0-1023") in Handler.requests
    assert sum(1 for m, p, _ in Handler.requests if p == "/loop" and m == "HEAD") == links.max_redirects() + 1


def test_the_quality_checklist_follows_the_last_check(server, loopback_allowed, dataset):
    resource = link(dataset, f"{server}/ok")
    item = lambda: {i["code"]: i["passed"] for i in quality.checklist(dataset)}["reachable"]  # noqa: E731
    assert item() is False  # never checked: not yet known to be downloadable
    call_command("check_links", "--dataset", "linked")
    assert item() is True and quality.score(dataset) == 100
    Resource.objects.filter(pk=resource.pk).update(url=f"{server}/missing")
    call_command("check_links")
    assert item() is False and quality.score(dataset) < 100


def test_a_private_address_is_refused_without_a_request(server, settings, dataset):
    settings.ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS = []
    private = [
        link(dataset, f"{server}/ok", "loopback"),
        link(dataset, "http://10.20.30.40/data.csv", "private"),
        link(dataset, "http://169.254.169.254/latest/meta-data/", "link-local"),
        link(dataset, "http://[::1]:9/x", "ipv6 loopback"),
        link(dataset, "http://localhost:9/x", "localhost"),
    ]
    call_command("check_links")
    for resource in private:
        resource.refresh_from_db()
        assert (resource.link_reachable, resource.link_status) == (False, "private-address"), resource.name
        assert resource.link_checked_at is not None
    assert Handler.requests == []  # the server beside Ashyq was never asked


def test_a_redirect_to_a_private_address_is_refused(server, loopback_allowed, dataset):
    # Loopback is allowed (the test server), 10/8 is not: each hop is checked, not only the first.
    result = links.check(f"{server}/to-private")
    assert (result.reachable, result.status, result.url) == (False, "private-address", "http://10.1.2.3/data.csv")


@pytest.mark.parametrize(
    "url, status",
    [
        ("ftp://example.org/data.csv", "not-http"),
        ("file:///etc/passwd", "not-http"),
        ("http://no-such-host.invalid/data.csv", "no-such-host"),
        ("http://example.org:99999/x", "not-http"),
    ],
)
def test_links_that_cannot_be_asked_are_reported_not_raised(url, status):
    assert links.check(url).status == status


def test_public_addresses_are_told_from_the_others(settings):
    settings.ASHYQ_OPENDATA_LINKS_ALLOW_NETWORKS = []
    for address in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:10.0.0.1",
        "224.0.0.1",
    ):
        assert not links.is_public(address), address
    for address in ("8.8.8.8", "195.210.46.1", "2a00:1450:4001:80b::200e"):
        assert links.is_public(address), address


def test_an_unknown_dataset_is_a_clear_error(db):
    with pytest.raises(CommandError, match="no-such"):
        call_command("check_links", "--dataset", "no-such")


def test_a_link_changed_during_the_check_keeps_its_own_state(dataset):
    resource = link(dataset, "https://example.org/a.csv")
    Resource.objects.filter(pk=resource.pk).update(url="https://example.org/b.csv")
    assert services.record_link_check(resource.pk, "https://example.org/a.csv", True, "http:200", dt.datetime.now(dt.UTC)) is None
    resource.refresh_from_db()
    assert resource.link_reachable is None and resource.link_checked_at is None


def test_a_link_must_be_http_or_https(dataset):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        link(dataset, "ftp://example.org/data.csv")
    assert "url" in error.value.message_dict
    assert not dataset.resources.exists()
