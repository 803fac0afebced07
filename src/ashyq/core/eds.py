"""Digital signatures (EDS): checking a CMS (CAdES-BES) signature that NCALayer made over a text.

A person's browser asks NCALayer, the National Certification Authority's program on their computer, to sign the exact
text they send (an appeal, an official's answer); the page posts the base64 CMS with the text. `verify` checks, and
refuses with a reason a person can act on:

- the CMS is a SignedData with one signer, over this very text (attached or detached);
- the signer's RSA signature over the signed attributes, whose message digest is the text's (SHA-256/384/512);
- the certificate chain up to one of the trusted roots (settings.ASHYQ_EDS_TRUSTED_ROOTS), each certificate valid now
  (the moment of signing: the signing-time attribute may differ from the server's clock by ASHYQ_EDS_MAX_SKEW_HOURS),
  the signer's certificate for digital signatures;
- revocation, for every certificate that names a CRL or an OCSP responder: fetched through the configured fetcher
  (settings.ASHYQ_EDS_FETCHER; tests inject their own, the network is never reached); when a named source cannot be
  read the signature is refused, never accepted unchecked;
- the IIN in the subject's SERIALNUMBER ("IIN" and 12 digits), as Kazakhstan's certificates carry it.

Path building and the validity, revocation and key-usage rules are pyhanko-certvalidator's (RFC 5280); the CMS is read
with asn1crypto and the signature checked with cryptography. GOST 34.310 certificates (the other kind the NCA issues)
are refused with a clear message: no maintained Python library verifies them (docs/operations.md).

Core holds no models: who the IIN belongs to is the accounts app's business (core.identity.confirm_signer).
"""

import asyncio
import base64
import binascii
import dataclasses
import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

logger = logging.getLogger("ashyq.eds")

MAX_SIGNATURE_CHARS = 200_000  # a CMS with its chain is a few kilobytes; anything far larger is not one
IIN_SERIAL = re.compile(r"^IIN(\d{12})$")
DIGESTS = {"sha256": "SHA256", "sha384": "SHA384", "sha512": "SHA512"}
GOST_OID_PREFIXES = ("1.2.398.3.10", "1.2.643")  # Kazakhstan's and Russia's GOST algorithms


class SignatureRefused(ValidationError):
    """The signature is not accepted; the message says why, in the page's language."""

    def __init__(self, message):
        super().__init__(message, code="signature")


@dataclasses.dataclass(frozen=True)
class Signer:
    """Who signed, as their certificate says, and what of it the record keeps."""

    iin: str
    name: str
    organisation: str
    certificate_serial: str
    issuer: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    checked_at: dt.datetime
    certificate_sha256: str
    signature_sha256: str
    cms: bytes

    def record(self) -> dict:
        """The facts an event of the record carries: no IIN and no name (they stay with the signature itself)."""
        return {
            "certificate_sha256": self.certificate_sha256,
            "signature_sha256": self.signature_sha256,
            "valid_on": self.checked_at.date().isoformat(),
            "valid_until": self.valid_until.date().isoformat(),
        }


def normalise_text(text: str) -> str:
    """The text as it is signed and stored: line ends as \\n (browsers send \\r\\n), no surrounding blanks. The page's
    script signs the same (eds.js)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def text_sha256(text: str) -> str:
    """The fingerprint of a text as it is signed (normalise_text, UTF-8): every signature of the record keeps it, an SMS
    signature's code is sent for it, and a text changed after signing no longer matches it."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def enabled() -> bool:
    """Signing is offered only where trusted roots are configured: without them no signature could be accepted."""
    return bool(settings.ASHYQ_EDS_TRUSTED_ROOTS)


def trusted_roots():
    """The configured roots: PEM or DER files, or folders of them (.pem, .crt, .cer)."""
    from asn1crypto import pem, x509

    roots = []
    for entry in settings.ASHYQ_EDS_TRUSTED_ROOTS:
        path = Path(entry)
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".pem", ".crt", ".cer")) if path.is_dir() else [path]
        for file in files:
            data = file.read_bytes()
            if pem.detect(data):
                roots += [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
            else:
                roots.append(x509.Certificate.load(data))
    return roots


def fetch_over_http(url: str, *, data: bytes | None = None, content_type: str | None = None) -> bytes:
    """Read a CRL (GET) or ask an OCSP responder (POST), within ASHYQ_EDS_FETCH_TIMEOUT_SECONDS."""
    import urllib.request

    if not url.startswith(("http://", "https://")):
        raise OSError(f"not an HTTP address: {url}")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type} if content_type else {})
    with urllib.request.urlopen(request, timeout=settings.ASHYQ_EDS_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) only, checked above
        return response.read(10 * 1024 * 1024)


def verify(signature: str, text: str, *, now: dt.datetime | None = None) -> Signer:
    """The signer of `signature` (base64 CMS) over `text`, or SignatureRefused saying why."""
    from ashyq.core import clock

    now = now or clock.now()
    if not enabled():
        raise SignatureRefused(_("Signing with a digital signature is not set up on this site."))
    der = _decode(signature)
    signed_data, signer_info = _signed_data(der)
    content = normalise_text(text).encode("utf-8")
    certificates = [c.chosen for c in signed_data["certificates"] or [] if c.name == "certificate"]
    certificate = _signer_certificate(signer_info, certificates)
    _check_signature(signed_data, signer_info, certificate, content, now)
    _check_chain(certificate, [c for c in certificates if c is not certificate], now)
    return _signer(certificate, der, now)


def _decode(signature: str) -> bytes:
    compact = "".join((signature or "").split())
    if not compact:
        raise SignatureRefused(_("No signature was sent."))
    if len(compact) > MAX_SIGNATURE_CHARS:
        raise SignatureRefused(_("This is not a signature: it is far too long."))
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRefused(_("This is not a signature: it should be the CMS that NCALayer returns, in base64.")) from None


def _signed_data(der: bytes):
    from asn1crypto import cms

    try:
        info = cms.ContentInfo.load(der)
        if info["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed_data = info["content"]
        signer_infos = list(signed_data["signer_infos"])
        signed_data["encap_content_info"].native  # noqa: B018 - parse it all now: a malformed part must fail here
    except Exception:
        raise SignatureRefused(_("This is not a CMS signature, or it is damaged.")) from None
    if len(signer_infos) != 1:
        raise SignatureRefused(_("The signature must have exactly one signer."))
    return signed_data, signer_infos[0]


def _signer_certificate(signer_info, certificates):
    sid = signer_info["sid"]
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            if certificate.issuer == sid.chosen["issuer"] and certificate.serial_number == sid.chosen["serial_number"].native:
                return certificate
        elif certificate.key_identifier == sid.chosen.native:
            return certificate
    raise SignatureRefused(_("The signer's certificate is not in the signature: sign again with NCALayer."))


def _check_signature(signed_data, signer_info, certificate, content: bytes, now):
    from cryptography import x509 as cx509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    algorithm = signer_info["signature_algorithm"]["algorithm"].dotted
    key_algorithm = certificate.public_key["algorithm"]["algorithm"].dotted
    if algorithm.startswith(GOST_OID_PREFIXES) or key_algorithm.startswith(GOST_OID_PREFIXES):
        raise SignatureRefused(
            _("Signatures with GOST certificates cannot be checked here yet. Please sign with your RSA certificate (RSA_…).")
        )
    digest_name = signer_info["digest_algorithm"]["algorithm"].native
    if digest_name not in DIGESTS:
        raise SignatureRefused(_("The signature uses a digest that is not accepted (SHA-256 or stronger is)."))
    digest = getattr(hashes, DIGESTS[digest_name])()

    attached = signed_data["encap_content_info"]["content"].native
    if attached is not None and attached != content:
        raise SignatureRefused(_("The signature is over a different text from the one sent. Sign the text again."))

    signed_attrs = signer_info["signed_attrs"]
    if signed_attrs.native:
        attributes = {a["type"].native: a["values"][0].native for a in signed_attrs}
        hasher = hashes.Hash(digest)
        hasher.update(content)
        if attributes.get("message_digest") != hasher.finalize():
            raise SignatureRefused(_("The signature is over a different text from the one sent. Sign the text again."))
        signing_time = attributes.get("signing_time")
        skew = dt.timedelta(hours=settings.ASHYQ_EDS_MAX_SKEW_HOURS)
        if signing_time is not None and abs(signing_time - now) > skew:
            raise SignatureRefused(
                _("The signature was made at %(time)s, not now: sign the text again (and check your computer's clock).")
                % {"time": signing_time.strftime("%d.%m.%Y %H:%M")}
            )
        signed_bytes = signed_attrs.untag().dump(force=True)  # the attributes are signed as a SET, not as [0]
    else:
        signed_bytes = content

    public_key = cx509.load_der_x509_certificate(certificate.dump()).public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureRefused(_("Only RSA certificates are accepted. Please sign with your RSA certificate (RSA_…)."))
    try:
        if signer_info["signature_algorithm"].signature_algo == "rsassa_pss":
            raise SignatureRefused(_("This kind of RSA signature (PSS) is not accepted; NCALayer's usual signature is."))
        public_key.verify(signer_info["signature"].native, signed_bytes, padding.PKCS1v15(), digest)
    except InvalidSignature:
        raise SignatureRefused(_("The signature does not match the text: sign the text again.")) from None


def _check_chain(certificate, intermediates, now):
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator import errors as pv

    crls, ocsps = _revocation_data([certificate, *intermediates], intermediates, now)
    context = ValidationContext(
        trust_roots=trusted_roots(),
        other_certs=intermediates,
        moment=now,
        allow_fetching=False,
        crls=crls,
        ocsps=ocsps,
        revocation_mode="hard-fail",  # where a certificate names a CRL or OCSP responder, its answer is required
    )
    validator = CertificateValidator(certificate, intermediates, validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except pv.RevokedError as exc:
        logger.info("EDS refused, revoked: %s", exc)
        raise SignatureRefused(
            _(
                "This certificate was revoked by its certification authority and can no longer sign. Get a new one from the National Certification Authority (pki.gov.kz)."
            )
        ) from None
    except pv.ExpiredError:
        raise SignatureRefused(
            _("This certificate expired on %(date)s. Get a new one from the National Certification Authority (pki.gov.kz).")
            % {"date": certificate["tbs_certificate"]["validity"]["not_after"].native.strftime("%d.%m.%Y")}
        ) from None
    except pv.NotYetValidError:
        raise SignatureRefused(_("This certificate is not valid yet.")) from None
    except pv.PathBuildingError:
        raise SignatureRefused(
            _(
                "This certificate was not issued by a certification authority this site trusts (the National Certification Authority)."
            )
        ) from None
    except pv.InvalidCertificateError as exc:
        logger.info("EDS refused, certificate not for signing: %s", exc)
        raise SignatureRefused(
            _(
                "This certificate is not for signing documents: choose your signing certificate (RSA_…), not the one for signing in (AUTH_…)."
            )
        ) from None
    except (pv.PathValidationError, pv.ValidationError) as exc:
        logger.info("EDS refused, chain: %s", exc)
        raise SignatureRefused(_("The certificate chain could not be confirmed. Please try again later.")) from None


def _revocation_data(certificates, intermediates, now):
    """The CRLs and OCSP answers for every certificate that names them, fetched through the configured fetcher. A
    source that cannot be read refuses the signature (the check would otherwise be skipped silently)."""
    from asn1crypto import ocsp

    fetch = import_string(settings.ASHYQ_EDS_FETCHER)
    issuers = [*intermediates, *trusted_roots()]
    crls, ocsps = [], []
    for certificate in certificates:
        for url in _crl_urls(certificate):
            try:
                crls.append(_crl(url, fetch, now))
            except Exception:
                raise SignatureRefused(
                    _("The certificate's revocation list (%(url)s) could not be read just now. Please try again later.")
                    % {"url": url}
                ) from None
        issuer = next((c for c in issuers if c.subject == certificate.issuer), None)
        for url in certificate.ocsp_urls if issuer is not None else []:
            try:
                answer = fetch(url, data=_ocsp_request(certificate, issuer), content_type="application/ocsp-request")
                ocsps.append(ocsp.OCSPResponse.load(answer))
            except Exception:
                raise SignatureRefused(
                    _("The certificate's status service (%(url)s) could not be asked just now. Please try again later.")
                    % {"url": url}
                ) from None
    return crls, ocsps


CRL_CACHE_PREFIX = "ashyq:eds-crl:"


def _crl(url: str, fetch, now: dt.datetime):
    """The revocation list at `url`, downloaded once per its period: kept in the shared cache until its nextUpdate
    (at most ASHYQ_EDS_CRL_CACHE_SECONDS), so a busy day's signatures do not each download the National Certification
    Authority's list of several megabytes. A list past its nextUpdate, or without one, is fetched again; a cached list
    that no longer parses is dropped and fetched. The fetcher's own timeout bounds every download."""
    from asn1crypto import crl
    from django.core.cache import cache

    key = CRL_CACHE_PREFIX + hashlib.sha256(url.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        try:
            listed = crl.CertificateList.load(cached)
            next_update = listed["tbs_cert_list"]["next_update"].native
            if next_update is not None and next_update > now:
                return listed
        except Exception:  # a value this code did not write, or a cut one: fetch it again
            logger.warning("EDS: the cached revocation list of %s is unreadable; fetching it again", url)
        cache.delete(key)
    der = _der(fetch(url))
    listed = crl.CertificateList.load(der)
    next_update = listed["tbs_cert_list"]["next_update"].native  # parses the list: a broken one raises here
    seconds = int((next_update - now).total_seconds()) if next_update is not None else 0
    seconds = min(seconds, settings.ASHYQ_EDS_CRL_CACHE_SECONDS)
    if seconds > 0:
        cache.set(key, der, timeout=seconds)
    return listed


def _crl_urls(certificate) -> list[str]:
    return [point.url for point in certificate.crl_distribution_points if point.url and point.url.startswith("http")]


def _der(data: bytes) -> bytes:
    from asn1crypto import pem

    return pem.unarmor(data)[2] if pem.detect(data) else data


def _ocsp_request(certificate, issuer) -> bytes:
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp as cocsp

    builder = cocsp.OCSPRequestBuilder().add_certificate(
        cx509.load_der_x509_certificate(certificate.dump()), cx509.load_der_x509_certificate(issuer.dump()), hashes.SHA1()
    )
    return builder.build().public_bytes(serialization.Encoding.DER)


def _signer(certificate, der: bytes, now) -> Signer:
    subject = certificate.subject.native
    match = IIN_SERIAL.match(str(subject.get("serial_number", "")))
    if not match:
        raise SignatureRefused(
            _("This certificate does not name an IIN: sign with the certificate issued to you as a person (or employee).")
        )
    name = " ".join(p for p in (subject.get("common_name"), subject.get("given_name")) if p)
    validity = certificate["tbs_certificate"]["validity"]
    return Signer(
        iin=match.group(1),
        name=name,
        organisation=str(subject.get("organization_name", "") or ""),
        certificate_serial=format(certificate.serial_number, "x"),
        issuer=str(certificate.issuer.native.get("common_name", "")),
        valid_from=validity["not_before"].native,
        valid_until=validity["not_after"].native,
        checked_at=now,
        certificate_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
        signature_sha256=hashlib.sha256(der).hexdigest(),
        cms=der,
    )
