"""Sign-in lockout per username and client address with backoff, and per-address rate limits on the sign-in pages.

The test client signs in from 127.0.0.1 unless a test says otherwise; the owner's "own" address is another."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD

DAY = dt.date(2026, 11, 2)
LOCKED = "Too many failed sign-in attempts"


def _login(client, username, password, url=None):
    return client.post(url or reverse("accounts:login"), {"username": username, "password": password})


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _fail(client, username, times, url=None):
    for _ in range(times):
        response = _login(client, username, "wrong-password", url)
        assert response.status_code == 200 and not _signed_in(client)


@pytest.fixture
def citizen(people):
    return people["applicant"]


def test_five_failures_lock_the_pair_even_for_the_right_password(client, citizen, at, settings):
    assert settings.ASHYQ_LOGIN_MAX_FAILURES == 5
    with at(DAY, 10):
        _fail(client, "citizen", 4)
        assert LOCKED not in _login(client, "citizen", "wrong-password").content.decode()  # the fifth: still the usual message
        response = _login(client, "citizen", PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "15 minutes" in response.content.decode()
    assert not _signed_in(client)


def test_the_lock_ends_when_the_window_has_passed(client, citizen, at):
    with at(DAY, 10):
        _fail(client, "citizen", 5)
    with clock_at(at, DAY, 10, 14):
        assert LOCKED in _login(client, "citizen", PASSWORD).content.decode()
    with clock_at(at, DAY, 10, 16):
        response = _login(client, "citizen", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def clock_at(at, day, hour, minute):
    from django.utils import timezone

    from ashyq.core import clock

    return clock.frozen_at(timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))))


def test_refused_attempts_during_the_lock_do_not_prolong_it(client, citizen, at):
    with at(DAY, 10):
        _fail(client, "citizen", 5)
    with clock_at(at, DAY, 10, 10):
        for _ in range(3):
            assert LOCKED in _login(client, "citizen", "wrong-password").content.decode()
    with clock_at(at, DAY, 10, 16):
        assert _login(client, "citizen", PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(client, citizen, at):
    for minute in (0, 5, 10, 15, 20, 25):  # never 5 within 15 minutes... but 4 within any 15: 0,5,10 then 15 drops 0
        with clock_at(at, DAY, 10, minute):
            _login(client, "citizen", "wrong-password")
    with clock_at(at, DAY, 10, 26):
        assert _login(client, "citizen", PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_count(client, citizen, at):
    with at(DAY, 10):
        _fail(client, "citizen", 4)
        assert _login(client, "citizen", PASSWORD).status_code == 302
        client.post(reverse("accounts:logout"))
        _fail(client, "citizen", 4)  # four new failures: not five in a row any more
        assert _login(client, "citizen", PASSWORD).status_code == 302


OWN = "198.51.100.20"


def test_the_owner_signs_in_from_an_address_that_has_not_failed(client, citizen, at, mailoutbox):
    """Anyone can type wrong passwords for any username: that must not keep the owner out of their account."""
    with at(DAY, 10):
        _fail(client, "citizen", 5)  # an attacker, from 127.0.0.1
        assert LOCKED in _login(client, "citizen", PASSWORD).content.decode()
        response = client.post(reverse("accounts:login"), {"username": "citizen", "password": PASSWORD}, REMOTE_ADDR=OWN)
    assert response.status_code == 302 and _signed_in(client)


def test_the_administrator_cannot_be_locked_out_by_strangers(client, people, at):
    with at(DAY, 10):
        for n in range(3):  # three attackers' addresses, each locked in turn
            for _ in range(5):
                client.post(reverse("admin:login"), {"username": "administrator", "password": "x"}, REMOTE_ADDR=f"203.0.113.{n}")
        response = client.post(reverse("admin:login"), {"username": "administrator", "password": PASSWORD}, REMOTE_ADDR=OWN)
    assert response.status_code == 302 and _signed_in(client)


def test_the_owner_is_emailed_once_per_lockout_with_the_address(client, citizen, at, mailoutbox):
    with at(DAY, 10):
        _fail(client, "citizen", 5)
        _login(client, "citizen", "wrong-password")  # refused while locked: no second email
    assert [m.to for m in mailoutbox] == [[citizen.email]]
    assert "127.0.0.1" in mailoutbox[0].body and "15 minutes" in mailoutbox[0].body
    assert PASSWORD not in mailoutbox[0].body


def test_each_lockout_of_the_same_pair_within_a_day_doubles_the_pause(client, citizen, at):
    with clock_at(at, DAY, 10, 0):
        _fail(client, "citizen", 5)  # locked for 15 minutes
    with clock_at(at, DAY, 10, 16):
        _fail(client, "citizen", 5)  # again: 30 minutes
    with clock_at(at, DAY, 10, 44):  # 15 minutes would have ended at 10:31
        response = _login(client, "citizen", PASSWORD)
        assert LOCKED in response.content.decode() and "2 minutes" in response.content.decode()
    with clock_at(at, DAY, 10, 47):
        assert _login(client, "citizen", PASSWORD).status_code == 302


def test_the_lock_is_per_username_and_case_insensitive(client, people, at):
    with at(DAY, 10):
        _fail(client, "CITIZEN", 5)
        assert LOCKED in _login(client, "citizen", PASSWORD).content.decode()
        assert _login(client, "neighbour", PASSWORD).status_code == 302  # another account is not affected


def test_the_lock_message_does_not_reveal_whether_the_account_exists(client, citizen, at):
    with at(DAY, 10):
        _fail(client, "citizen", 5)
        _fail(client, "nobody-has-this-name", 5)
        existing = _login(client, "citizen", "wrong-password")
        missing = _login(client, "nobody-has-this-name", "wrong-password")
    assert existing.status_code == missing.status_code == 200

    def message(response):
        return [str(e) for e in response.context["form"].non_field_errors()]

    assert message(existing) == message(missing)
    assert LOCKED in message(existing)[0]


def test_the_admin_sign_in_honours_the_lock(client, people, at):
    admin_login = reverse("admin:login")
    with at(DAY, 10):
        _fail(client, "administrator", 5, admin_login)
        response = _login(client, "administrator", PASSWORD, admin_login)
    assert response.status_code == 200 and LOCKED in response.content.decode()
    assert not _signed_in(client)


def test_failures_at_the_admin_count_for_the_site_too(client, people, at):
    with at(DAY, 10):
        _fail(client, "citizen", 3, reverse("admin:login"))
        _fail(client, "citizen", 2)
        assert LOCKED in _login(client, "citizen", PASSWORD).content.decode()


def test_the_limit_is_a_setting(client, citizen, at, settings):
    settings.ASHYQ_LOGIN_MAX_FAILURES = 2
    with at(DAY, 10):
        _fail(client, "citizen", 2)
        assert LOCKED in _login(client, "citizen", PASSWORD).content.decode()


def test_per_address_rate_limit_is_a_clear_429(client, people):
    """30 sign-in attempts per address in 15 minutes, whatever the usernames (django-ratelimit on LoginView)."""
    for i in range(30):
        response = _login(client, f"guess-{i}", "wrong-password")
        assert response.status_code == 200
    response = _login(client, "citizen", PASSWORD)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert not _signed_in(client)
    # Another address is not affected.
    assert (
        client.post(reverse("accounts:login"), {"username": "citizen", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3").status_code
        == 302
    )


def test_sign_up_is_rate_limited_per_address(client, db):
    for i in range(10):
        client.post(reverse("accounts:signup"), {"username": f"u{i}"})
    response = client.post(reverse("accounts:signup"), {"username": "u-last"})
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
