"""Per-address limits and abuse reports must count the real client, and a client must not forge another address.

The client's address comes from X-Forwarded-For only as far as the proxies the operator listed in
ASHYQ_TRUSTED_PROXIES (core/net.py).
"""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from ashyq.core.net import client_ip
from ashyq.moderation import services
from ashyq.moderation.models import Target


def request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.ASHYQ_TRUSTED_PROXIES = []
    assert client_ip(request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_address_it_saw_is_used_not_a_forged_one(settings):
    settings.ASHYQ_TRUSTED_PROXIES = ["10.0.0.2"]
    # The client forged "1.2.3.4"; nginx appended the address it really saw.
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_given_as_networks_is_walked_to_the_first_outsider(settings):
    settings.ASHYQ_TRUSTED_PROXIES = ["10.0.0.0/8", "2001:db8::/32"]
    assert client_ip(request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.1.1.1, 2001:db8::5")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2", "198.51.100.7:51000")) == "198.51.100.7"
    assert client_ip(request("10.0.0.2", "[2001:db8:1::9]:443, 10.9.9.9")) == "2001:db8:1::9"


def test_a_request_from_an_untrusted_peer_cannot_choose_its_address(settings):
    settings.ASHYQ_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request("198.51.100.50", "1.2.3.4")) == "198.51.100.50"


def test_garbage_in_the_header_stops_at_the_proxy_that_received_it(settings):
    settings.ASHYQ_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_ip(request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(request("10.0.0.2", "")) == "10.0.0.2"


def test_a_misconfigured_proxy_list_stops_the_start(monkeypatch):
    import importlib

    import ashyq.settings as project_settings

    monkeypatch.setenv("ASHYQ_TRUSTED_PROXIES", "10.0.0.2,nginx")
    with pytest.raises(ImproperlyConfigured, match="nginx"):
        importlib.reload(project_settings)
    monkeypatch.delenv("ASHYQ_TRUSTED_PROXIES")
    importlib.reload(project_settings)


@pytest.fixture
def published(people, submit):
    appeal = submit(people["applicant"], subject="Ямы на дороге", text="Ямы на улице.", is_public=True)
    services.approve(people["moderator"], appeal, target=Target.APPEAL)
    appeal.refresh_from_db()
    return appeal


def test_behind_a_proxy_three_distinct_clients_reach_the_hide_threshold(client, settings, published):
    """All the reports arrive from nginx's address; the clients differ only in what nginx appended."""
    settings.ASHYQ_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.ASHYQ_REPORTS_TO_HIDE = 3
    for n, client_address in enumerate(["198.51.100.1", "198.51.100.2", "198.51.100.3"]):
        published.refresh_from_db()
        assert published.hidden_at is None, n
        response = client.post(
            f"/moderation/report/{published.pk}/",
            {"target": "appeal", "reason": "offensive"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
        )
        assert response.status_code == 302
    published.refresh_from_db()
    assert published.hidden_at is not None


def test_the_api_s_per_address_throttle_counts_the_real_client(client, settings, reference):
    settings.ASHYQ_TRUSTED_PROXIES = ["127.0.0.1"]
    from ashyq.api import PublicRateThrottle

    throttle = PublicRateThrottle("60/m")
    forged = request("127.0.0.1", "1.2.3.4, 198.51.100.7")
    assert throttle.get_ident(forged) == "198.51.100.7"
