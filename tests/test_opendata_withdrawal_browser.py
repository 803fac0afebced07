"""A publisher withdraws a dataset that holds a person's data, in a real browser, in each language: from the dataset's
page to the form (sent first without a reason), the confirmation page (going back once keeps what was typed), and
"Yes"; then an anonymous visitor finds the tombstone and a 410 where the file was. Every page on the way is checked
with axe-core (WCAG 2.1 A and AA), as in tests/test_accessibility.py."""

import pytest
from django.urls import reverse

from ashyq.accounts.models import Role
from ashyq.opendata import services
from ashyq.opendata.models import Dataset, Withdrawal

from .test_accessibility import LANGUAGES, Auditor, _submit_and_wait, axe_source, browser, pytestmark  # noqa: F401 (fixtures, marks)

DATA = b"name,iin,fine\nAsel Nurlanovna,900101300017,12000\nBerik Sadykov,850505300021,8000\n"
NOTE = "Names and IINs of fined people, qz7-secret"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_publisher_withdraws_a_dataset_through_the_confirmation(language, browser, live_server, axe_source, make_user, bodies):  # noqa: F811
    official = make_user(Role.OFFICIAL, bodies["ministry-of-finance"], username=f"mof-{language}")
    slug = f"fines-{language}"
    dataset = services.create_dataset(official, official.body, slug, title_ru="Штрафы", title_en="Fines")
    resource, version = services.add_file_resource(official, dataset, "fines", "CSV", DATA, "fines.csv")
    download = reverse("opendata:download", args=[slug, resource.pk, version.number])
    auditor = Auditor(browser, live_server.url, axe_source, language)
    driver = browser

    auditor.become(official)
    auditor.audit("the dataset page with the publisher's links", f"/data/datasets/{slug}/")
    _submit_and_wait(driver, "#withdraw-dataset")
    form_page = driver.current_url.removeprefix(live_server.url)
    assert form_page == reverse("opendata:withdraw-dataset", args=[slug])
    auditor.audit("the withdrawal form", form_page)
    # Sent without a reason: the error is summarised and leads to the first choice; the text typed stays.
    driver.find_element("id", "id_note").send_keys(NOTE)
    _submit_and_wait(driver, "#withdraw-form button[type=submit]")
    link = driver.find_element("css selector", "#error-summary a")
    assert link.get_attribute("href").endswith("#id_reason_0")
    assert driver.find_element("id", "id_note").get_attribute("value") == NOTE
    auditor.audit(
        "the withdrawal form with an error",
        form_page,
        prepare=lambda d: _submit_and_wait(d, "#withdraw-form button[type=submit]"),
    )

    def to_the_confirmation(d):
        note = d.find_element("id", "id_note")
        note.clear()
        note.send_keys(NOTE)
        d.find_element("css selector", "input[name=reason][value=personal-data]").click()
        _submit_and_wait(d, "#withdraw-form button[type=submit]")

    to_the_confirmation(driver)
    # The confirmation: nothing is withdrawn yet; "No, go back" returns to the form as typed.
    assert driver.find_element("id", "confirm-yes") and not Withdrawal.objects.exists()
    _submit_and_wait(driver, "#confirm-back")
    assert driver.find_element("id", "id_note").get_attribute("value") == NOTE
    assert driver.find_element("css selector", "input[name=reason][value=personal-data]").is_selected()
    auditor.audit("the confirmation", form_page, prepare=to_the_confirmation)
    assert not Withdrawal.objects.exists()
    _submit_and_wait(driver, "#confirm-yes")

    dataset = Dataset.objects.get(slug=slug)
    assert dataset.withdrawal is not None and dataset.withdrawal.reason == "personal-data"
    assert driver.current_url.endswith(f"/data/datasets/{slug}/")
    assert NOTE in driver.find_element("id", "history").find_element("xpath", "..").text  # staff read the note

    auditor.become(None)
    auditor.audit("the tombstone", f"/data/datasets/{slug}/")
    assert driver.find_element("id", "withdrawn-notice").text
    assert NOTE not in driver.page_source and "qz7" not in driver.page_source
    auditor.audit("the download that was withdrawn", download)
    assert driver.find_element("id", "withdrawn-notice").text
    assert "Asel" not in driver.page_source
    assert not auditor.findings, "\n".join(auditor.findings)
