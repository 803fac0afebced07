"""A test PKI built with `cryptography`: a root, an intermediate, people's RSA signing certificates with the IIN in the
subject's SERIALNUMBER as Kazakhstan's certificates carry it, a CRL, and CMS signatures as NCALayer makes them."""

import base64
import dataclasses
import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

CRL_URL = "http://crl.test.invalid/intermediate.crl"


def valid_iin(first11: str) -> str:
    """An IIN with a control digit that holds (accounts.identifiers.validate_iin), from 11 digits; None if none."""
    digits = [int(d) for d in first11]
    control = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if control == 10:
        control = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
    return None if control == 10 else first11 + str(control)


def iin_from(seed: int) -> str:
    n = seed
    while True:
        iin = valid_iin(f"9001{n:07d}")
        if iin:
            return iin
        n += 1


_KEYS: list = []


def _key():
    # RSA key generation is the slow part: a few keys serve every person's certificate of a test run.
    if len(_KEYS) < 4:
        _KEYS.append(rsa.generate_private_key(public_exponent=65537, key_size=2048))
        return _KEYS[-1]
    _KEYS.append(_KEYS.pop(0))
    return _KEYS[-1]


def _name(cn: str, serial: str | None = None, org: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ")]
    if serial:
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    if org:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(parts)


@dataclasses.dataclass
class Issued:
    key: object
    certificate: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def _now():
    return dt.datetime.now(dt.UTC)


def make_ca(cn="Test Root CA", *, issuer: Issued | None = None, crl_url: str | None = None) -> Issued:
    # Never a pooled key: a second test PKI (a forged chain with the same names) must not share its authorities' keys.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn))
        .issuer_name(issuer.certificate.subject if issuer else _name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    if crl_url:
        builder = builder.add_extension(_crl_points(crl_url), critical=False)
    return Issued(key, builder.sign((issuer or Issued(key, None)).key, hashes.SHA256()))


def _crl_points(url):
    return x509.CRLDistributionPoints([x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)])


def make_person(
    issuer: Issued,
    iin: str,
    *,
    cn="TESTOV TEST",
    org=None,
    not_before=None,
    not_after=None,
    crl_url: str | None = CRL_URL,
    ocsp_url: str | None = None,
    key_usage_signing=True,
) -> Issued:
    key = _key()
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(cn, f"IIN{iin}" if iin else None, org))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - dt.timedelta(days=30))
        .not_valid_after(not_after or now + dt.timedelta(days=335))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(key_usage_signing, key_usage_signing, not key_usage_signing, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    if crl_url:
        builder = builder.add_extension(_crl_points(crl_url), critical=False)
    if ocsp_url:
        builder = builder.add_extension(
            x509.AuthorityInformationAccess(
                [x509.AccessDescription(x509.oid.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))]
            ),
            critical=False,
        )
    return Issued(key, builder.sign(issuer.key, hashes.SHA256()))


def make_ocsp_response(issuer: Issued, person: Issued, *, revoked=False) -> bytes:
    """The issuer's own OCSP answer about `person`'s certificate: good, or revoked half an hour ago."""
    from cryptography.x509 import ocsp

    now = _now()
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert=person.certificate,
        issuer=issuer.certificate,
        algorithm=hashes.SHA1(),
        cert_status=ocsp.OCSPCertStatus.REVOKED if revoked else ocsp.OCSPCertStatus.GOOD,
        this_update=now - dt.timedelta(minutes=5),
        next_update=now + dt.timedelta(hours=1),
        revocation_time=now - dt.timedelta(minutes=30) if revoked else None,
        revocation_reason=x509.ReasonFlags.key_compromise if revoked else None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def make_crl(issuer: Issued, revoked: list[Issued] = ()) -> bytes:
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(now - dt.timedelta(hours=1))
        .next_update(now + dt.timedelta(days=1))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False)
    )
    for person in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(person.certificate.serial_number)
            .revocation_date(now - dt.timedelta(minutes=30))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def sign(person: Issued, text: str, *, chain=(), detached=True) -> str:
    """A base64 CMS over the UTF-8 text, with signed attributes (content type, signing time, message digest), the
    signer's certificate and the chain, as NCALayer's createCAdESFromBase64 returns it."""
    builder = (
        pkcs7.PKCS7SignatureBuilder().set_data(text.encode("utf-8")).add_signer(person.certificate, person.key, hashes.SHA256())
    )
    for certificate in chain:
        builder = builder.add_certificate(certificate.certificate)
    options = [pkcs7.PKCS7Options.Binary] + ([pkcs7.PKCS7Options.DetachedSignature] if detached else [])
    der = builder.sign(serialization.Encoding.DER, options)
    return base64.b64encode(der).decode()


@dataclasses.dataclass
class Pki:
    root: Issued
    intermediate: Issued
    crl: bytes

    def person(self, iin: str, **kwargs) -> Issued:
        return make_person(self.intermediate, iin, **kwargs)


def make_pki() -> Pki:
    root = make_ca("Test Root CA")
    intermediate = make_ca("Test Issuing CA", issuer=root)
    return Pki(root, intermediate, make_crl(intermediate))


# The fetcher tests inject (settings.ASHYQ_EDS_FETCHER): serves CRLs from this table; any other address is an error,
# as an unreachable server would be. The network is never reached.
SERVED: dict[str, bytes] = {}
ASKED: list[str] = []


def fetch(url: str, *, data=None, content_type=None) -> bytes:
    ASKED.append(url)
    if data is not None:  # an OCSP request: it must be one, as a responder would insist
        from cryptography.x509 import ocsp

        assert content_type == "application/ocsp-request"
        ocsp.load_der_ocsp_request(data)
    if url not in SERVED:
        raise OSError(f"unreachable in tests: {url}")
    return SERVED[url]


@pytest.fixture(scope="module")
def pki():
    return make_pki()


@pytest.fixture(autouse=True)
def trusted(settings, pki, tmp_path):
    """The test PKI's root is the one trusted root; its CRL is served by the injected fetcher."""
    (tmp_path / "root.pem").write_bytes(pki.root.pem)
    settings.ASHYQ_EDS_TRUSTED_ROOTS = [str(tmp_path)]
    settings.ASHYQ_EDS_FETCHER = "tests.eds_helpers.fetch"
    SERVED.clear()
    SERVED[CRL_URL] = pki.crl
    ASKED.clear()
    yield
    SERVED.clear()
