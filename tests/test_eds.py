"""Digital signatures (EDS): a CMS over the exact text, its certificate chain to the trusted roots, validity now,
revocation from the certificate's CRL, the IIN in the subject's SERIALNUMBER matched to the account (one person, one
account), and the signature kept beside the appeal's record in the same transaction. Every refusal says why and saves
nothing. The test PKI is built here (tests/eds_helpers.py); the network is never reached (an injected fetcher)."""

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.timezone import localtime

from ashyq.accounts import services as account_services
from ashyq.accounts.identifiers import identity_hash
from ashyq.accounts.models import Role, Verification
from ashyq.core import eds, identity
from ashyq.dialogue import services
from ashyq.dialogue.models import Answer, Appeal, AppealEvent, EventKind, Signature
from tests import eds_helpers as pki_helpers
from tests.conftest import PASSWORD
from tests.eds_helpers import pki, trusted  # noqa: F401 - the test PKI and its trusted root, for every test here

IIN = pki_helpers.iin_from(1)
OTHER_IIN = pki_helpers.iin_from(500)


def signed(pki, person, text, **kwargs):
    return pki_helpers.sign(person, text, chain=[pki.intermediate], **kwargs)


def refusal(call) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    return " ".join(caught.value.messages)


# --- The check itself (core/eds.py) -----------------------------------------------------------------------------


@pytest.mark.parametrize("detached", [True, False])
def test_a_signature_over_the_text_names_its_signer(pki, detached):
    person = pki.person(IIN, cn="ABAYEV ASKAR")
    text = "Жол жөндеу керек.\nДорогу нужно отремонтировать."
    # Browsers send line ends as \r\n and the form may keep blanks around the text: the same text all the same.
    signer = eds.verify(signed(pki, person, text, detached=detached), "  " + text.replace("\n", "\r\n") + "\n")
    assert signer.iin == IIN
    assert signer.name == "ABAYEV ASKAR"
    assert signer.valid_until.date() == person.certificate.not_valid_after_utc.date()
    assert pki_helpers.ASKED == [pki_helpers.CRL_URL]  # revocation was checked from the certificate's CRL


def test_a_signature_over_another_text_is_refused(pki):
    signature = signed(pki, pki.person(IIN), "The road needs repair.")
    assert "different text" in refusal(lambda: eds.verify(signature, "The road needs repair!"))
    attached = signed(pki, pki.person(IIN), "The road needs repair.", detached=False)
    assert "different text" in refusal(lambda: eds.verify(attached, "The road needs no repair."))


def test_an_expired_certificate_is_refused_with_its_date(pki):
    now = dt.datetime.now(dt.UTC)
    person = pki.person(IIN, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=2))
    message = refusal(lambda: eds.verify(signed(pki, person, "text"), "text"))
    assert "expired on " + (now - dt.timedelta(days=2)).strftime("%d.%m.%Y") in message


def test_a_revoked_certificate_is_refused(pki):
    person = pki.person(IIN)
    pki_helpers.SERVED[pki_helpers.CRL_URL] = pki_helpers.make_crl(pki.intermediate, [person])
    assert "revoked" in refusal(lambda: eds.verify(signed(pki, person, "text"), "text"))
    # The same list does not touch another person's certificate.
    assert eds.verify(signed(pki, pki.person(OTHER_IIN), "text"), "text").iin == OTHER_IIN


OCSP_URL = "http://ocsp.test.invalid/"


@pytest.mark.parametrize("revoked", [False, True])
def test_a_certificate_that_names_an_ocsp_responder_is_checked_with_it(pki, revoked):
    person = pki.person(IIN, crl_url=None, ocsp_url=OCSP_URL)
    pki_helpers.SERVED[OCSP_URL] = pki_helpers.make_ocsp_response(pki.intermediate, person, revoked=revoked)
    signature = signed(pki, person, "text")
    if revoked:
        assert "revoked" in refusal(lambda: eds.verify(signature, "text"))
    else:
        assert eds.verify(signature, "text").iin == IIN
    assert pki_helpers.ASKED == [OCSP_URL]


def test_an_ocsp_responder_that_does_not_answer_refuses_the_signature(pki):
    person = pki.person(IIN, crl_url=None, ocsp_url=OCSP_URL)
    assert "status service" in refusal(lambda: eds.verify(signed(pki, person, "text"), "text"))


def test_a_certificate_from_an_untrusted_authority_is_refused(pki):
    stranger = pki_helpers.make_pki()  # the same names, other keys: a forged chain
    signature = pki_helpers.sign(stranger.person(IIN), "text", chain=[stranger.intermediate])
    assert "not issued by a certification authority this site trusts" in refusal(lambda: eds.verify(signature, "text"))


def test_a_signature_without_its_intermediate_has_no_path_to_the_root(pki):
    signature = pki_helpers.sign(pki.person(IIN), "text", chain=[])
    assert "trusts" in refusal(lambda: eds.verify(signature, "text"))


def test_an_unreadable_revocation_list_refuses_rather_than_skips_the_check(pki):
    pki_helpers.SERVED.clear()
    assert "revocation list" in refusal(lambda: eds.verify(signed(pki, pki.person(IIN), "text"), "text"))


def test_a_certificate_for_signing_in_only_is_not_for_signing(pki):
    person = pki.person(IIN, key_usage_signing=False)
    assert "not for signing" in refusal(lambda: eds.verify(signed(pki, person, "text"), "text"))


def test_a_certificate_without_an_iin_is_refused(pki):
    assert "IIN" in refusal(lambda: eds.verify(signed(pki, pki.person(""), "text"), "text"))


@pytest.mark.parametrize(
    ("sent", "reason"),
    [("", "No signature"), ("not base64 !!", "not a signature"), ("aGVsbG8=", "not a CMS"), ("A" * 200_004, "too long")],
)
def test_what_is_not_a_signature_is_refused(sent, reason):
    assert reason in refusal(lambda: eds.verify(sent, "text"))


def test_nothing_is_accepted_without_trusted_roots(settings, pki):
    settings.ASHYQ_EDS_TRUSTED_ROOTS = []
    assert not eds.enabled()
    assert "not set up" in refusal(lambda: eds.verify(signed(pki, pki.person(IIN), "text"), "text"))


# --- Signed appeals and answers (dialogue, accounts) ----------------------------------------------------------


def test_a_signed_appeal_keeps_its_signature_beside_the_record(pki, people, submit):
    applicant = people["applicant"]
    text = "Please repair the road on Abai street."
    appeal = submit(applicant, text=text, signature=signed(pki, pki.person(IIN, cn="CITIZEN ONE"), text))
    kinds = list(appeal.events.values_list("kind", flat=True))
    assert kinds == [EventKind.REGISTERED, EventKind.SIGNED]
    event = appeal.events.get(kind=EventKind.SIGNED)
    signature = Signature.objects.get(appeal=appeal)
    assert signature.event == event and signature.signed == "appeal" and signature.signer == applicant
    assert signature.signer_name == "CITIZEN ONE"
    assert event.data["signed"] == "appeal" and event.data["valid_on"] == signature.checked_at.date().isoformat()
    assert IIN not in str(event.data)  # the record's event carries fingerprints, never the IIN
    # The account is now verified by the signature: the signature level, and only the IIN's keyed hash is kept.
    verification = Verification.objects.get(user=applicant, method="eds")
    assert verification.identity_hash == identity_hash("iin", IIN)
    assert identity.level_of(applicant) == identity.Level.SIGNATURE
    assert verification.expires_at <= signature.valid_until


def test_a_refused_signature_registers_nothing(pki, people, submit):
    text = "Please repair the road."
    before = (Appeal.objects.count(), AppealEvent.objects.count(), Verification.objects.count())
    message = refusal(lambda: submit(people["applicant"], text=text, signature=signed(pki, pki.person(IIN), text + "!")))
    assert "different text" in message
    assert (Appeal.objects.count(), AppealEvent.objects.count(), Verification.objects.count()) == before


def test_another_persons_certificate_is_refused_and_nothing_is_saved(pki, people, submit):
    applicant = people["applicant"]
    account_services.grant_in_person(people["official"], applicant, iin=IIN, document_seen=True)
    text = "A signed appeal."
    before = (Appeal.objects.count(), Signature.objects.count())
    message = refusal(lambda: submit(applicant, text=text, signature=signed(pki, pki.person(OTHER_IIN), text)))
    assert "another person's" in message
    assert (Appeal.objects.count(), Signature.objects.count()) == before
    # With their own certificate it goes through, and the in-person verification stands as it was.
    appeal = submit(applicant, text=text, signature=signed(pki, pki.person(IIN), text))
    assert appeal.signatures.count() == 1
    assert list(Verification.objects.filter(user=applicant, revoked_at=None).values_list("method", flat=True)) == ["in_person"]


def test_one_iin_verifies_one_account(pki, people, submit):
    text = "A signed appeal."
    submit(people["applicant"], text=text, signature=signed(pki, pki.person(IIN), text))
    before = Appeal.objects.count()
    message = refusal(lambda: submit(people["other_applicant"], text=text, signature=signed(pki, pki.person(IIN), text)))
    assert "already verifies another account" in message
    assert Appeal.objects.count() == before
    assert not Verification.objects.filter(user=people["other_applicant"], method="eds").exists()


def test_an_official_signs_an_answer_in_its_transaction(pki, people, submit):
    appeal = submit(people["applicant"])
    official = people["official"]
    text = "The road will be repaired in May."
    wrong = signed(pki, pki.person(OTHER_IIN), "another answer")
    assert "different text" in refusal(
        lambda: services.answer_appeal(official, appeal, text=text, outcome="resolved", signature=wrong)
    )
    assert not Answer.objects.filter(appeal=appeal).exists()
    services.answer_appeal(official, appeal, text=text, outcome="resolved", signature=signed(pki, pki.person(OTHER_IIN), text))
    assert list(appeal.events.values_list("kind", flat=True))[-2:] == [EventKind.ANSWERED, EventKind.SIGNED]
    assert Signature.objects.get(appeal=appeal).signed == "answer"


def test_where_answers_need_eds_the_signature_itself_gives_the_level(settings, pki, people, submit):
    settings.ASHYQ_REQUIRED_LEVELS = {**settings.ASHYQ_REQUIRED_LEVELS, "official_answer": "eds"}
    appeal = submit(people["applicant"])
    with pytest.raises(PermissionDenied):
        services.answer_appeal(people["official"], appeal, text="Unsigned answer.", outcome="explained")
    text = "A signed answer."
    services.answer_appeal(
        people["official"], appeal, text=text, outcome="explained", signature=signed(pki, pki.person(OTHER_IIN), text)
    )
    assert Answer.objects.get(appeal=appeal).text == text


def test_signatures_are_append_only(pki, people, submit):
    text = "A signed appeal."
    appeal = submit(people["applicant"], text=text, signature=signed(pki, pki.person(IIN), text))
    signature = appeal.signatures.get()
    with pytest.raises(PermissionError):
        signature.save()
    with pytest.raises(PermissionError):
        Signature.objects.filter(pk=signature.pk).delete()


# --- Pages --------------------------------------------------------------------------------------------------------


def test_the_appeal_page_says_who_signed_and_when_the_certificate_was_valid(client, pki, people, submit):
    text = "A signed appeal."
    appeal = submit(people["applicant"], text=text, signature=signed(pki, pki.person(IIN, cn="CITIZEN ONE"), text))
    services.answer_appeal(
        people["official"], appeal, text="Answer.", outcome="resolved", signature=signed(pki, pki.person(OTHER_IIN), "Answer.")
    )
    client.login(username="citizen", password=PASSWORD)
    page = client.get(reverse("dialogue:detail", args=[appeal.pk])).content.decode()
    today = f"{localtime(appeal.signatures.first().checked_at):%d.%m.%Y}"  # the page shows Kazakhstan's date
    assert f"Signed by the applicant with a digital signature; the certificate was valid on {today}." in page
    assert f"Signed by the official with a digital signature; the certificate was valid on {today}." in page
    assert "CITIZEN ONE" in page  # the applicant sees the certificate's details
    assert IIN not in page


def test_the_appeal_form_posts_a_signature_and_a_refused_one_keeps_what_was_typed(client, pki, people, regions, bodies):
    client.login(username="citizen", password=PASSWORD)
    page = client.get(reverse("dialogue:new")).content.decode()
    assert 'name="signature"' in page and "pki.gov.kz" in page and reverse("accounts:verify-phone") in page
    text = "Please repair the road on Abai street."
    form = {
        "type": "application",
        "subject": "Road",
        "text": text,
        "region": "KZ-75",
        "body": "anti-corruption-agency",
    }
    response = client.post(reverse("dialogue:new"), {**form, "signature": signed(pki, pki.person(IIN), "other")})
    assert response.status_code == 400
    assert "different text" in response.content.decode() and text in response.content.decode()
    assert not Appeal.objects.exists()
    response = client.post(reverse("dialogue:new"), {**form, "signature": signed(pki, pki.person(IIN), text)})
    assert response.status_code == 302
    assert Appeal.objects.get().signatures.count() == 1


def test_without_trusted_roots_the_form_offers_no_signing_but_the_sms_level(client, settings, people):
    settings.ASHYQ_EDS_TRUSTED_ROOTS = []
    client.login(username="citizen", password=PASSWORD)
    page = client.get(reverse("dialogue:new")).content.decode()
    assert "not available on this site yet" in page and reverse("accounts:verify-phone") in page
    assert "eds.js" not in page


def test_the_csp_lets_the_page_reach_ncalayer_only(client, settings, people):
    settings.ASHYQ_NCALAYER_URL = "wss://127.0.0.1:13579/"
    response = client.get(reverse("home"))
    assert "connect-src 'self' wss://127.0.0.1:13579;" in response["Content-Security-Policy"] + ";"


def test_an_account_is_verified_by_signing_its_one_time_text(client, pki, people):
    client.login(username="citizen", password=PASSWORD)
    page = client.get(reverse("accounts:verify-eds")).content.decode()
    challenge = client.session["ashyq.verification.eds"]
    assert "citizen" in challenge and challenge in page
    # A signature of anything else (say, made for another site or account) is refused.
    response = client.post(reverse("accounts:verify-eds"), {"signature": signed(pki, pki.person(IIN), "citizen")})
    assert response.status_code == 400 and "different text" in response.content.decode()
    assert identity.level_of(people["applicant"]) == identity.Level.EMAIL
    response = client.post(reverse("accounts:verify-eds"), {"signature": signed(pki, pki.person(IIN), challenge)})
    assert response.status_code == 302
    assert identity.level_of(people["applicant"]) == identity.Level.SIGNATURE
    assert "ashyq.verification.eds" not in client.session  # used once


def test_posting_nothing_says_to_sign_first(client, people):
    client.login(username="citizen", password=PASSWORD)
    client.get(reverse("accounts:verify-eds"))
    response = client.post(reverse("accounts:verify-eds"), {"signature": ""})
    assert response.status_code == 400 and "Nothing was signed" in response.content.decode()


def test_an_official_may_sign_too(pki, make_user, bodies):
    official = make_user(Role.OFFICIAL, bodies["anti-corruption-agency"])
    verification = account_services.confirm_signer(official, eds.verify(signed(pki, pki.person(IIN), "x"), "x"))
    assert verification.method == "eds" and verification.user == official


def test_the_public_sees_that_a_text_was_signed_but_not_by_whom(pki, people, submit):
    from django.contrib.auth.models import AnonymousUser

    from ashyq.dialogue import presenters

    text = "A signed appeal."
    appeal = submit(people["applicant"], text=text, signature=signed(pki, pki.person(IIN, cn="CITIZEN ONE"), text))
    shown = presenters.signatures(appeal, AnonymousUser())["appeal"]
    assert shown["valid_on"] == appeal.signatures.get().checked_at
    assert shown["signer_name"] == shown["issuer"] == shown["serial"] == ""
    assert presenters.signatures(appeal, people["applicant"])["appeal"]["signer_name"] == "CITIZEN ONE"
    public_event = next(e for e in presenters.events_as_dicts(appeal, AnonymousUser()) if e["kind"] == "signed")
    assert set(public_event["data"]) == {"signed", "valid_on"}


# --- The revocation lists' cache ----------------------------------------------------------------------------------


def test_a_revocation_list_is_downloaded_once_until_its_next_update(pki):
    for iin in (IIN, OTHER_IIN):
        assert eds.verify(signed(pki, pki.person(iin), "text"), "text").iin == iin
    assert pki_helpers.ASKED == [pki_helpers.CRL_URL]  # two signatures, one download
    now = dt.datetime.now(dt.UTC)
    eds._crl(pki_helpers.CRL_URL, pki_helpers.fetch, now)
    assert len(pki_helpers.ASKED) == 1
    # Past the list's nextUpdate (a day after it was made) it is downloaded again.
    eds._crl(pki_helpers.CRL_URL, pki_helpers.fetch, now + dt.timedelta(days=2))
    assert len(pki_helpers.ASKED) == 2


def test_a_revocation_list_is_kept_no_longer_than_the_setting(settings, pki):
    settings.ASHYQ_EDS_CRL_CACHE_SECONDS = 0
    for _ in range(2):
        eds.verify(signed(pki, pki.person(IIN), "text"), "text")
    assert pki_helpers.ASKED == [pki_helpers.CRL_URL, pki_helpers.CRL_URL]


def test_an_unreadable_cached_list_is_fetched_again_and_a_broken_download_is_never_kept(pki):
    from django.core.cache import cache

    now = dt.datetime.now(dt.UTC)
    key = eds.CRL_CACHE_PREFIX + hashlib.sha256(pki_helpers.CRL_URL.encode()).hexdigest()
    cache.set(key, b"not a list")
    assert eds._crl(pki_helpers.CRL_URL, pki_helpers.fetch, now)["tbs_cert_list"]["next_update"].native > now
    assert pki_helpers.ASKED == [pki_helpers.CRL_URL] and cache.get(key) == pki.crl
    cache.delete(key)
    pki_helpers.SERVED[pki_helpers.CRL_URL] = b"garbage"
    assert "could not be read" in refusal(lambda: eds.verify(signed(pki, pki.person(IIN), "text"), "text"))
    assert cache.get(key) is None
