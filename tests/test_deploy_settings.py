"""Production settings: `check --deploy` is clean, cookies are Secure and HttpOnly, HSTS and CSP are sent,
and the demo (users with a published password) cannot be loaded.

Settings are read once per process, so production is started in a subprocess with the operator's environment.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

# Each test starts a production process (make test-fast leaves them out).
pytestmark = pytest.mark.server

PROJECT = Path(__file__).resolve().parent.parent
HOST = "ashyq.example.kz"


def production_env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASHYQ_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        {
            "ASHYQ_ENVIRONMENT": "production",
            "ASHYQ_SECRET_KEY": secrets.token_urlsafe(64),
            "ASHYQ_ALLOWED_HOSTS": HOST,
            "ASHYQ_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
            "PYTHONPATH": f"{PROJECT / 'src'}{os.pathsep}{PROJECT}",
            "DJANGO_SETTINGS_MODULE": "ashyq.settings",
        }
    )
    env.update(extra)
    return env


def run(args, env, **kwargs):
    return subprocess.run([sys.executable, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120, **kwargs)


def test_check_deploy_reports_nothing_in_production(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_production_refuses_to_start_with_debug_on(tmp_path):
    """Debug pages would show settings and request data to anyone: production does not start with them."""
    result = run(["manage.py", "check", "--deploy"], production_env(tmp_path, ASHYQ_DEBUG="1"))
    assert result.returncode != 0 and "ASHYQ_DEBUG must be off in production" in result.stderr


def test_production_needs_a_secret_key(tmp_path):
    env = production_env(tmp_path)
    del env["ASHYQ_SECRET_KEY"]
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0 and "ASHYQ_SECRET_KEY" in result.stderr


def test_the_demo_is_refused_in_production(tmp_path):
    result = run(["manage.py", "load_demo"], production_env(tmp_path))
    assert result.returncode != 0
    assert "never loaded in production" in result.stderr
    assert not (tmp_path / "prod.sqlite3").exists() or "demo-citizen" not in (tmp_path / "prod.sqlite3").read_bytes().decode(
        "latin-1"
    )


def test_the_demo_loader_itself_refuses_in_production(settings, db):
    from ashyq.demo.loader import load_demo

    settings.PRODUCTION = True
    with pytest.raises(ImproperlyConfigured):
        load_demo()
    from ashyq.accounts.models import User

    assert not User.objects.exists()


PROBE = r"""
import json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
call_command("migrate", verbosity=0)
call_command("collectstatic", interactive=False, verbosity=0)
from ashyq.accounts.models import User
User.objects.create_user("probe", "probe@example.kz", "a-long-probe-password-42")

out = {name: getattr(settings, name) for name in (
    "DEBUG", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY")}
client = Client(HTTP_HOST="__HOST__")
plain = client.get("/accounts/login/")
out["plain_status"], out["plain_location"] = plain.status_code, plain.get("Location")
page = client.get("/accounts/login/", secure=True)
out["page_status"] = page.status_code
out["headers"] = {k: v for k, v in page.headers.items()}
login = client.post("/accounts/login/", {"username": "probe", "password": "a-long-probe-password-42"}, secure=True)
out["login_status"] = login.status_code
out["cookies"] = {
    name: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]), "samesite": morsel["samesite"]}
    for name, morsel in {**page.cookies, **login.cookies}.items()
}
out["bad_host"] = Client(HTTP_HOST="evil.example").get("/", secure=True).status_code
print("PROBE" + json.dumps(out, default=str))
""".replace("__HOST__", HOST)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("production")
    result = run(["-c", PROBE], production_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    line = [x for x in result.stdout.splitlines() if x.startswith("PROBE")][-1]
    return json.loads(line[len("PROBE") :])


def test_production_settings(production):
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] and production["SESSION_COOKIE_HTTPONLY"]
    assert production["CSRF_COOKIE_SECURE"] and production["CSRF_COOKIE_HTTPONLY"]
    assert production["SECURE_SSL_REDIRECT"]
    assert production["SECURE_HSTS_SECONDS"] >= 31536000 and production["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"]
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_plain_http_is_redirected_to_https(production):
    assert production["plain_status"] == 301
    assert production["plain_location"].startswith(f"https://{HOST}/")


def test_pages_send_the_security_headers(production):
    assert production["page_status"] == 200
    headers = {k.lower(): v for k, v in production["headers"].items()}
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp and "unsafe-inline" not in csp
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"


def test_session_and_csrf_cookies_are_secure_and_httponly(production):
    assert production["login_status"] == 302
    cookies = production["cookies"]
    assert {"sessionid", "csrftoken"} <= set(cookies)
    for name in ("sessionid", "csrftoken"):
        assert cookies[name]["secure"] and cookies[name]["httponly"], (name, cookies[name])
        assert cookies[name]["samesite"] in ("Lax", "Strict"), (name, cookies[name])


def test_unknown_hosts_are_refused(production):
    assert production["bad_host"] == 400


def test_the_csp_header_is_on_every_page_in_development_too(client, reference):
    for url in ("/", "/accounts/login/", "/accounts/signup/", "/bodies/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"], url
