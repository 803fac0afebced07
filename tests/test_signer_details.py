"""A signature's personal facts (the name on the certificate, its serial, the CMS with the IIN inside, an SMS signer's
phone hash) live apart from the signature (SignerDetails). Anonymising the signer's account deletes them through the one
allowed path, while the signature, its SIGNED event, the hash chains and the signed Merkle checkpoints stay whole, and
the appeal page still says "signed by the applicant, the certificate was valid on <date>". Nothing public ever showed
them in the first place."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.timezone import localtime

from ashyq.accounts import services as account_services
from ashyq.accounts.models import User
from ashyq.dialogue import integrity, services, transparency
from ashyq.dialogue.models import AppealEvent, EventKind, Signature, SignerDetails
from ashyq.publicdata import export
from tests import eds_helpers as pki_helpers
from tests.conftest import PASSWORD
from tests.eds_helpers import pki, trusted  # noqa: F401 - the test PKI and its trusted root
from tests.public_record_helpers import publish

IIN = pki_helpers.iin_from(7)
OFFICIAL_IIN = pki_helpers.iin_from(800)
NAME = "SADYKOVA AIGERIM"


@pytest.fixture(autouse=True)
def _own_key(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.VAR_DIR.mkdir()
    settings.ASHYQ_CHECKPOINT_KEY = transparency.new_key_b64()


def signed(pki, person, text):
    return pki_helpers.sign(person, text, chain=[pki.intermediate])


@pytest.fixture
def signed_appeal(pki, people, submit):
    """A public appeal signed by the applicant, answered with a signature by the official, published."""
    text = "The bus stop on Abai street has no roof."
    appeal = submit(people["applicant"], text=text, is_public=True, signature=signed(pki, pki.person(IIN, cn=NAME), text))
    answer = "A roof will be built in May."
    services.answer_appeal(
        people["official"],
        appeal,
        text=answer,
        outcome="resolved",
        signature=signed(pki, pki.person(OFFICIAL_IIN, cn="OFFICIAL ONE"), answer),
    )
    return publish(appeal, "Bus stop", text)


def _page(client, appeal) -> str:
    return client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()


def _anonymise(user):
    with transaction.atomic():
        account_services.anonymise(User.objects.select_for_update().get(pk=user.pk), why="test")


def test_nothing_public_shows_the_signers_personal_facts(client, signed_appeal, people, tmp_path):
    signature = signed_appeal.signatures.get(signed="appeal")
    serial = signature.certificate_serial
    assert signature.signer_name == NAME and serial  # kept, for those on the case
    public_page = _page(client, signed_appeal)
    assert "Signed by the applicant with a digital signature" in public_page
    api = client.get(f"/api/v1/appeals/{signed_appeal.pk}").content.decode()
    export.write_export(tmp_path / "export")
    exported = "".join(p.read_text(errors="replace") for p in (tmp_path / "export").rglob("*") if p.is_file())
    for shown in (public_page, api, exported):
        for personal in (NAME, "OFFICIAL ONE", IIN, OFFICIAL_IIN, serial):
            assert personal not in shown
    # The applicant sees the certificate's details on their own appeal.
    applicant = Client()
    applicant.login(username="citizen", password=PASSWORD)
    assert NAME in _page(applicant, signed_appeal)


def test_anonymising_removes_the_signers_details_and_keeps_the_signature_and_the_record(signed_appeal, people):
    checkpoint_before = transparency.make_checkpoint()
    chain_before = list(AppealEvent.objects.filter(appeal=signed_appeal).order_by("seq").values_list("hash", flat=True))
    applicants_signature = signed_appeal.signatures.get(signed="appeal")
    facts = Signature.objects.filter(pk=applicants_signature.pk).values().get()

    _anonymise(people["applicant"])

    assert not SignerDetails.objects.filter(signature=applicants_signature).exists()
    # The official's signature on the answer is theirs, not the applicant's: it keeps its details.
    assert SignerDetails.objects.filter(signature__signed="answer").get().signer_name == "OFFICIAL ONE"
    # The statutory facts are exactly as they were, the events and their hashes too.
    assert Signature.objects.filter(pk=applicants_signature.pk).values().get() == facts
    assert facts["method"] == "eds" and facts["valid_until"] is not None and len(facts["text_sha256"]) == 64
    assert list(AppealEvent.objects.filter(appeal=signed_appeal).order_by("seq").values_list("hash", flat=True)) == chain_before
    assert integrity.broken_link(AppealEvent.objects.filter(appeal=signed_appeal).order_by("seq")) is None
    call_command("verify_event_chains", stdout=io.StringIO())  # raises CommandError on any broken chain
    transparency.make_checkpoint()
    assert transparency.verify_record() == []
    assert checkpoint_before.tree_size <= transparency.make_checkpoint().tree_size

    # Oversight, who sees people on every appeal, still reads that the applicant signed and when, and no name.
    monitor = Client()
    monitor.login(username="monitor", password=PASSWORD)
    page = _page(monitor, signed_appeal)
    valid_on = f"{localtime(facts['checked_at']):%d.%m.%Y}"  # the page shows Kazakhstan's date
    assert f"Signed by the applicant with a digital signature; the certificate was valid on {valid_on}." in page
    assert NAME not in page and "Certificate of" in page  # the official's certificate line only
    assert page.count("Certificate of") == 1


def test_the_signer_details_change_only_by_erasure(signed_appeal, people):
    details = SignerDetails.objects.get(signature__signed="appeal")
    details.signer_name = "SOMEONE ELSE"
    with pytest.raises(PermissionError):
        details.save()
    with pytest.raises(PermissionError):
        SignerDetails.objects.filter(pk=details.pk).update(signer_name="SOMEONE ELSE")
    with pytest.raises(PermissionError):
        Signature.objects.filter(appeal=signed_appeal).delete()
    assert services.erase_signer_details(people["other_applicant"]) == 0  # nobody else's details go
    assert SignerDetails.objects.count() == 2


def test_retention_anonymising_a_quiet_account_removes_its_signer_details(settings, signed_appeal, people, at):
    from ashyq.accounts import retention
    from ashyq.core import clock

    settings.ASHYQ_RETAIN_APPLICANT_DATA_YEARS = 1
    with at(clock.today() + dt.timedelta(days=3 * 365)):
        retention.purge()
    assert User.objects.get(pk=people["applicant"].pk).anonymised_at is not None
    assert not SignerDetails.objects.filter(signature__signer=people["applicant"]).exists()
    assert signed_appeal.events.filter(kind=EventKind.SIGNED).count() == 2
    assert signed_appeal.signatures.count() == 2
