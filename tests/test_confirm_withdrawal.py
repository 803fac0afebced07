"""Withdrawing an appeal cannot be undone, so it takes two pages: the form (with the reason, which is required)
leads to a page that says what will happen; only its "Yes" withdraws. "No, go back" returns to the appeal with the
reason still typed. Checked with the test client and in headless Chromium."""

import pytest
from django.urls import reverse

from ashyq.dialogue.models import Appeal
from ashyq.dialogue.models import Status as AppealStatus

from .chromium import headless_chromium, needs_chromium


def _withdraw(client, appeal, **extra):
    return client.post(
        reverse("dialogue:action", args=[appeal.pk, "withdraw"]), {"reason": "Solved with the neighbours.", **extra}
    )


def test_the_form_leads_to_a_page_that_says_what_happens_and_changes_nothing(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    response = _withdraw(client, appeal)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Withdraw appeal No. {appeal.number}?" in page and "This cannot be undone" in page
    assert "Solved with the neighbours." in page and 'name="confirmed" value="yes"' in page
    appeal.refresh_from_db()
    assert appeal.status != AppealStatus.WITHDRAWN and appeal.events.count() == 1


def test_confirming_withdraws(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    response = _withdraw(client, appeal, confirmed="yes")
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.WITHDRAWN
    assert appeal.events.order_by("-seq").first().reason == "Solved with the neighbours."


def test_going_back_keeps_the_reason_and_changes_nothing(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    response = _withdraw(client, appeal, change="yes")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="form-withdraw"' in page and "Solved with the neighbours." in page
    assert Appeal.objects.get(pk=appeal.pk).status != AppealStatus.WITHDRAWN


def test_the_reason_is_required(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["applicant"])
    response = client.post(reverse("dialogue:action", args=[appeal.pk, "withdraw"]), {"reason": "", "confirmed": "yes"})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status != AppealStatus.WITHDRAWN


def test_someone_else_gets_no_confirmation_page(client, people, submit):
    appeal = submit(people["applicant"])
    client.force_login(people["official"])
    assert _withdraw(client, appeal).status_code == 403


@pytest.mark.browser
@needs_chromium
@pytest.mark.django_db(transaction=True)
def test_withdrawing_in_a_browser_asks_first(live_server, people, submit):
    from django.test import Client
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    appeal = submit(people["applicant"])
    session = Client()
    session.force_login(people["applicant"])
    with headless_chromium() as driver:
        driver.get(live_server.url + "/static/ashyq/site.css")
        driver.add_cookie({"name": "sessionid", "value": session.cookies["sessionid"].value, "path": "/"})
        driver.set_window_size(390, 844)
        driver.get(f"{live_server.url}/appeals/{appeal.pk}/")
        wait = WebDriverWait(driver, 20, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw textarea[name=reason]").send_keys("Solved with the neighbours.")
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw button[type=submit]").click()
        # Each click loads a new page: wait for what it shows rather than read the old one.
        wait.until(lambda d: "This cannot be undone" in d.find_element(By.TAG_NAME, "main").text)
        assert Appeal.objects.get(pk=appeal.pk).status != AppealStatus.WITHDRAWN
        # Back: the reason is still there; then forward and confirm.
        driver.find_element(By.CSS_SELECTOR, "button[name=change]").click()
        reason = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "#form-withdraw textarea[name=reason]"))
        assert reason.get_attribute("value") == "Solved with the neighbours."
        driver.find_element(By.CSS_SELECTOR, "#form-withdraw button[type=submit]").click()
        wait.until(lambda d: d.find_element(By.ID, "confirm-withdraw")).click()
        wait.until(lambda d: "The appeal is withdrawn." in d.find_element(By.TAG_NAME, "body").text)
        assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.WITHDRAWN
