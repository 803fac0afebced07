"""Debian's headless Chromium for the browser tests: one launcher, the same flags everywhere.

In CI (CI set) a missing browser is a broken build, never a reason to skip.
"""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
IN_CI = bool(os.environ.get("CI"))

needs_chromium = pytest.mark.skipif(
    not IN_CI and not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver); "
    "apt-get install chromium chromium-driver. In CI (CI set) this test never skips.",
)


@contextlib.contextmanager
def headless_chromium(*, language: str | None = None, script_timeout: int | None = None, javascript: bool = True):
    """A fresh headless Chromium with its own profile, closed and removed afterwards (javascript=False: scripts off,
    as for a visitor who blocks them or whose connection never loaded them)."""
    assert CHROMIUM.exists() and CHROMEDRIVER.exists(), "chromium and chromedriver must be installed in CI"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ashyq-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(arg)
    prefs = {}
    if language:
        # The visitor's browser language: LocaleMiddleware reads Accept-Language.
        options.add_argument(f"--lang={language}")
        prefs["intl.accept_languages"] = language
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    if prefs:
        options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    if script_timeout:
        driver.set_script_timeout(script_timeout)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
