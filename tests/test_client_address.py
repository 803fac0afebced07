"""Per-address limits must count the real client, and a client must not forge another address."""
from django.test import RequestFactory

from ashyq.core.net import client_ip


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.ASHYQ_NUM_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_is_used_not_a_forged_one(settings):
    settings.ASHYQ_NUM_PROXIES = 1
    # The client forged "1.2.3.4"; nginx appended the address it really saw.
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"
