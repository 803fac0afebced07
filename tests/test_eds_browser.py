"""In a real browser (headless Chromium): a citizen signs an appeal with a test certificate through NCALayer's
WebSocket protocol, an official answers with a signature, and a person without NCALayer is told so and still sends.

NCALayer is stood in for by a local WebSocket server on a free port that speaks its commonUtils protocol (a greeting
with its version, then createCAdESFromBase64) and signs with the test PKI's keys (tests/eds_helpers.py); the site's
ASHYQ_NCALAYER_URL points at it. The signing pages pass axe-core in Kazakh, Russian and English."""

import base64
import json
import socket
import threading

import pytest
from django.test import Client
from django.utils.timezone import localtime

from ashyq.dialogue.models import Appeal, Signature
from tests import eds_helpers as pki_helpers
from tests.eds_helpers import pki, trusted  # noqa: F401 - the test PKI and its trusted root, for every test here

from .chromium import headless_chromium, needs_chromium
from .test_accessibility import LANGUAGES, Auditor, _submit_and_wait

pytestmark = [pytest.mark.browser, needs_chromium, pytest.mark.django_db(transaction=True)]

CITIZEN_IIN = pki_helpers.iin_from(1)
OFFICIAL_IIN = pki_helpers.iin_from(700)


class NCALayerStub:
    """A WebSocket server that answers as NCALayer does, signing with whichever certificate `holder` names."""

    def __init__(self, pki):
        from websockets.sync.server import serve

        self.pki, self.holder, self.requests = pki, None, []
        self.server = serve(self.handle, "127.0.0.1", 0)
        self.url = f"ws://127.0.0.1:{self.server.socket.getsockname()[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def handle(self, connection):
        connection.send(json.dumps({"result": {"version": "1.4"}}))  # NCALayer greets first
        for message in connection:
            request = json.loads(message)
            self.requests.append(request)
            if request.get("module") != "kz.gov.pki.knca.commonUtils" or request.get("method") != "createCAdESFromBase64":
                connection.send(json.dumps({"code": "500", "message": "unknown.method"}))
                continue
            _storage, key_type, data, attached = request["args"]
            text = base64.b64decode(data).decode("utf-8")
            cms = pki_helpers.sign(self.holder, text, chain=[self.pki.intermediate], detached=not attached)
            connection.send(json.dumps({"code": "200", "message": "", "responseObject": cms}))

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def ncalayer(pki, settings):
    stub = NCALayerStub(pki)
    settings.ASHYQ_NCALAYER_URL = stub.url
    yield stub
    stub.stop()


def _signed_in(driver, live_server, user):
    session = Client()
    session.force_login(user)
    driver.delete_all_cookies()
    driver.get(live_server.url + "/static/ashyq/site.css")
    driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
    driver.add_cookie({"name": "django_language", "value": "en", "path": "/"})


def _wait(driver, seconds=20):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def _ready(driver):
    _wait(driver).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _write_appeal(driver, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "id_body")).select_by_value("anti-corruption-agency")
    Select(driver.find_element(By.ID, "id_type")).select_by_value("report")
    driver.find_element(By.ID, "id_subject").send_keys("Road repairs")
    driver.find_element(By.ID, "id_text").send_keys(text)
    Select(driver.find_element(By.ID, "id_region")).select_by_value("KZ-75")


def _sign(driver, form_css):
    from selenium.webdriver.common.by import By

    form = driver.find_element(By.CSS_SELECTOR, form_css)
    form.find_element(By.CSS_SELECTOR, "[data-eds-sign]").click()
    status = form.find_element(By.CSS_SELECTOR, "[data-eds-status]")
    _wait(driver).until(lambda d: status.text and "asking" not in status.text)
    return status.text


def test_a_citizen_signs_an_appeal_and_an_official_signs_the_answer(live_server, people, ncalayer, pki):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    text = "The road on Abai street is broken.\nPlease repair it before winter."
    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.get(f"{live_server.url}/appeals/new/")
        _ready(driver)
        _write_appeal(driver, text)
        ncalayer.holder = pki.person(CITIZEN_IIN, cn="CITIZEN ONE")
        assert _sign(driver, "main form").startswith("Signed.")
        request = ncalayer.requests[-1]
        assert request["args"][:2] == ["PKCS12", "SIGNATURE"]
        assert base64.b64decode(request["args"][2]).decode() == text  # the exact text, as UTF-8
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "signed-appeal"))
        appeal = Appeal.objects.get(applicant=people["applicant"])
        signature = Signature.objects.get(appeal=appeal, signed="appeal")
        assert signature.signer_name == "CITIZEN ONE"
        assert (
            f"Signed by the applicant with a digital signature; the certificate was valid on {localtime(signature.checked_at):%d.%m.%Y}."
            in driver.find_element(By.ID, "signed-appeal").text
        )

        # The official answers and signs the answer's text with their own certificate.
        _signed_in(driver, live_server, people["official"])
        driver.get(f"{live_server.url}/appeals/{appeal.pk}/")
        _ready(driver)
        Select(driver.find_element(By.CSS_SELECTOR, "#form-answer select[name=answer-outcome]")).select_by_value("resolved")
        answer = "The road will be repaired in May."
        driver.find_element(By.CSS_SELECTOR, "#form-answer textarea[name=answer-text]").send_keys(answer)
        ncalayer.holder = pki.person(OFFICIAL_IIN, cn="OFFICIAL ONE")
        assert _sign(driver, "#form-answer").startswith("Signed.")
        driver.find_element(By.CSS_SELECTOR, "#form-answer button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.ID, "confirm-yes"))[0].click()  # the answer is final: confirmed
        _wait(driver).until(lambda d: d.find_elements(By.ID, "signed-answer"))
        assert "Signed by the official with a digital signature" in driver.find_element(By.ID, "signed-answer").text
        assert Signature.objects.get(appeal=appeal, signed="answer").signer == people["official"]
        assert [e.kind for e in appeal.events.all()] == ["registered", "signed", "answered", "signed"]


def test_changing_the_text_after_signing_removes_the_signature(live_server, people, ncalayer, pki):
    from selenium.webdriver.common.by import By

    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.get(f"{live_server.url}/appeals/new/")
        _ready(driver)
        _write_appeal(driver, "First version.")
        ncalayer.holder = pki.person(CITIZEN_IIN)
        assert _sign(driver, "main form").startswith("Signed.")
        driver.find_element(By.ID, "id_text").send_keys(" And more.")
        assert "has changed" in driver.find_element(By.CSS_SELECTOR, "[data-eds-status]").text
        assert driver.find_element(By.ID, "id_signature").get_attribute("value") == ""
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        _wait(driver).until(lambda d: Appeal.objects.exists())
        assert not Signature.objects.exists()  # sent unsigned, as the page said


def test_without_ncalayer_the_page_says_so_and_the_appeal_still_goes(live_server, people, settings):
    from selenium.webdriver.common.by import By

    with socket.socket() as closed:  # a free port where nothing listens, as on a computer without NCALayer
        closed.bind(("127.0.0.1", 0))
        settings.ASHYQ_NCALAYER_URL = f"ws://127.0.0.1:{closed.getsockname()[1]}/"
    with headless_chromium(language="en") as driver:
        _signed_in(driver, live_server, people["applicant"])
        driver.get(f"{live_server.url}/appeals/new/")
        _ready(driver)
        _write_appeal(driver, "An unsigned appeal.")
        assert "NCALayer did not answer" in _sign(driver, "main form")
        assert "pki.gov.kz" in driver.find_element(By.CSS_SELECTOR, "main form .eds").text
        assert driver.find_element(By.CSS_SELECTOR, "main form .eds a[href*='verification/phone']")
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
        _wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "h1") and Appeal.objects.exists())
        assert not Signature.objects.exists()


@pytest.fixture(scope="module")
def browser():
    with headless_chromium(script_timeout=60) as driver:
        yield driver


@pytest.fixture(scope="module")
def axe_source():
    from .test_accessibility import AXE

    return AXE.read_text(encoding="utf-8")


@pytest.mark.parametrize("language", LANGUAGES)
def test_signing_pages_have_no_serious_accessibility_violations(language, browser, live_server, axe_source, people, submit, pki):
    from ashyq.dialogue import services

    text = "A signed appeal."
    appeal = submit(
        people["applicant"], text=text, signature=pki_helpers.sign(pki.person(CITIZEN_IIN), text, chain=[pki.intermediate])
    )
    services.answer_appeal(
        people["official"],
        appeal,
        text="A signed answer.",
        outcome="resolved",
        signature=pki_helpers.sign(pki.person(OFFICIAL_IIN), "A signed answer.", chain=[pki.intermediate]),
    )
    open_appeal = submit(people["applicant"], text="Not answered yet.")
    auditor = Auditor(browser, live_server.url, axe_source, language)
    auditor.become(people["applicant"])
    auditor.audit("verify by EDS", "/accounts/verification/eds/")

    def empty_post(driver):
        # Waits for the new page, not the old one that is still "complete" right after the click.
        _submit_and_wait(driver, "main form button[type=submit]")

    auditor.audit("verify by EDS with errors", "/accounts/verification/eds/", prepare=empty_post)
    auditor.audit("write an appeal, with signing", "/appeals/new/")
    auditor.audit("a signed and answered appeal", f"/appeals/{appeal.pk}/")
    auditor.become(people["official"])
    auditor.audit("answer form with signing", f"/appeals/{open_appeal.pk}/")
    auditor.audit("a signed answer seen by the official", f"/appeals/{appeal.pk}/")
    assert not auditor.findings, (
        f"{len(auditor.findings)} serious or critical accessibility violation(s) in {language}:\n\n" + "\n".join(auditor.findings)
    )
