"""An official publishes in a real browser on a phone-sized screen: creates a dataset (first sending the form empty),
adds a file that does not validate, reads the report, uploads the corrected file. Every page on the way, and the
Silk Road comparison, is checked with axe-core (WCAG 2.1 A and AA) in kk, ru and en, and none is wider than the
screen. The pages carry no script: the forms are plain HTML forms (tests/test_accessibility.py's machinery)."""

import re

import pytest

from ashyq.accounts.models import Role
from ashyq.opendata.models import Dataset
from ashyq.opendata.showcase import load_showcase

from .test_accessibility import LANGUAGES, Auditor, _submit_and_wait, axe_source, browser, pytestmark  # noqa: F401 (fixtures, marks)

PHONE = (390, 844)
BAD = "country,turnover\n" + "".join(f"C{i},{i}\n" for i in range(30)) + "Oops,twelve\n"
GOOD = "country,turnover\n" + "".join(f"C{i},{i}\n" for i in range(31))


def _fits_the_screen(driver, label):
    width, screen = driver.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{label}: the page is {width}px wide on a {screen}px screen"


def _no_script(driver, label):
    # None but the site's own deferred enhancements (core/static/ashyq/site.js): the page works without them.
    others = driver.execute_script(
        "return [...document.scripts].filter(s => !/\\/static\\/ashyq\\/site\\.js$/.test(s.src)).length"
    )
    assert others == 0, f"{label} carries a script"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_official_publishes_on_a_phone_and_every_page_is_accessible(
    language, browser, live_server, axe_source, make_user, bodies, tmp_path
):  # noqa: F811
    load_showcase()
    official = make_user(Role.OFFICIAL, bodies["ministry-of-trade-and-integration"], username=f"mti-{language}")
    auditor = Auditor(browser, live_server.url, axe_source, language)
    driver = browser
    driver.set_window_size(*PHONE)
    try:
        auditor.become(official)

        def audit(label, path, prepare=None):
            auditor.audit(label, path, prepare=prepare)
            _fits_the_screen(driver, label)
            _no_script(driver, label)

        audit("my body's datasets", "/data/publish/")
        audit("new dataset", "/data/publish/new/")
        audit(
            "new dataset with errors",
            "/data/publish/new/",
            prepare=lambda d: _submit_and_wait(d, "main form.form button[type=submit]"),
        )
        # The error summary's link leads to the field.
        link = driver.find_element("css selector", "#error-summary a")
        assert link.get_attribute("href").endswith("#id_title_kk")

        driver.find_element("id", "id_title_ru").send_keys(f"Экспорт по партнёрам, {language}")
        driver.find_element("id", "id_title_en").send_keys(f"Exports by partner, {language}")
        driver.find_element("id", "id_description_en").send_keys(
            "Exports of Kazakhstan by partner country, from customs declarations."
        )
        driver.find_element("id", "id_spatial").send_keys("Kazakhstan")
        driver.find_element("id", "id_tags").send_keys("trade, exports")
        _submit_and_wait(driver, "main form.form button[type=submit]")
        # The dataset is public for good: the next page reads back its address before it is saved.
        assert f"exports-by-partner-{language}" in driver.find_element("id", "entered").text
        assert not Dataset.objects.filter(slug=f"exports-by-partner-{language}").exists()
        _submit_and_wait(driver, "#confirm-yes")
        slug = f"exports-by-partner-{language}"
        assert driver.current_url.endswith(f"/data/publish/{slug}/resources/new/")
        assert Dataset.objects.get(slug=slug).tags == ["trade", "exports"]
        audit("new resource", f"/data/publish/{slug}/resources/new/")

        bad = tmp_path / f"bad-{language}.csv"
        bad.write_text(BAD)
        driver.find_element("id", "id_name").send_keys("By partner")
        driver.find_element("id", "id_file").send_keys(str(bad))
        _submit_and_wait(driver, "main form.form button[type=submit]")
        assert re.search(r"/resources/[0-9a-f-]+/v1/report/$", driver.current_url), driver.current_url
        report = driver.current_url.removeprefix(live_server.url)
        audit("validation report", report)
        assert "B (2): turnover" in driver.find_element("css selector", "main table").text

        good = tmp_path / f"good-{language}.csv"
        good.write_text(GOOD)
        driver.find_element("id", "id_file").send_keys(str(good))
        _submit_and_wait(driver, "main form.form button[type=submit]")
        assert driver.current_url.endswith("/data/publish/")
        resource = Dataset.objects.get(slug=slug).resources.get()
        assert resource.current_version.number == 2 and not resource.flagged
        audit("my body's datasets after the upload", "/data/publish/")
        audit("upload page", f"/data/publish/{slug}/resources/{resource.pk}/upload/")
        audit("edit the dataset", f"/data/publish/{slug}/edit/")

        auditor.become(None)
        audit("country comparison", "/data/silk-road/compare/")
        audit("country comparison with an error", "/data/silk-road/compare/?country=china&country=atlantis")
        audit("country page", "/data/silk-road/china/")
        audit("Silk Road explorer", "/data/silk-road/")
        audit("the published dataset", f"/data/datasets/{slug}/")
        audit("its preview", f"/data/datasets/{slug}/resources/{resource.pk}/")
    finally:
        driver.set_window_size(1280, 900)
    assert not auditor.findings, "\n".join(auditor.findings)
