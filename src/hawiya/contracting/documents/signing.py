"""PAdES signatures on contract PDFs with pyHanko: B-B, or B-T when an RFC 3161 timestamper is
given; the signing evidence as a signed attribute of each signature (covered by the signature
value itself, and untouched by later signatures); keys from PKCS#12; and the demo chain that
sandbox tenants sign with (its names say NOT FOR PRODUCTION)."""

from __future__ import annotations

import asyncio
import copy
import io
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, Protocol

from asn1crypto import core  # type: ignore[import-untyped]
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.timestamps import HTTPTimeStamper, TimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOT_FOR_PRODUCTION = "NOT FOR PRODUCTION"
# The signed attribute that carries a signature's evidence: an OID under 2.25 (a UUID as an OID,
# ITU-T X.667), which needs no registration; its value is a UTF8String of canonical JSON.
EVIDENCE_ATTRIBUTE_OID = "2.25.167777625029679257952252783917724973308"
# RFC 9336 id-kp-documentSigning, and Microsoft's document-signing purpose that Acrobat honours.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
MS_DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.4.1.311.10.3.12")


class SigningKeyError(ValueError):
    """Key material that cannot be used: wrong password, no key, no certificate, unusable key."""


class DocumentSigner(Protocol):
    """Where a signing key lives: `Pkcs12Signer` holds it in memory, `hsm.Pkcs11Signer` leaves it
    on a PKCS#11 token. Anything giving a certificate and a pyHanko signer will do."""

    @property
    def certificate(self) -> x509.Certificate: ...

    def pyhanko_signer(self) -> signers.Signer: ...


@dataclass(frozen=True, slots=True)
class Pkcs12Signer:
    """A certificate, its private key and the chain that came with them, loaded from PKCS#12."""

    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    _signer: signers.SimpleSigner

    def pyhanko_signer(self) -> signers.Signer:
        return self._signer

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()


def load_pkcs12(data: bytes, password: bytes | None) -> Pkcs12Signer:
    """A signer from PKCS#12 bytes (`.p12`/`.pfx`). Raises SigningKeyError if the password is wrong
    or the archive has no key or no certificate."""
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningKeyError("cannot open the PKCS#12 archive (wrong password?)") from exc
    if key is None or cert is None:
        raise SigningKeyError("the PKCS#12 archive must hold a private key and its certificate")
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise SigningKeyError("only RSA and ECDSA signing keys are supported")
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise SigningKeyError("the private key does not belong to the certificate")
    chain = tuple(extra)
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    store = SimpleCertificateStore()  # type: ignore[no-untyped-call]
    store.register_multiple([_to_asn1(c) for c in chain])
    simple = signers.SimpleSigner(
        signing_cert=_to_asn1(cert),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=store,
    )
    return Pkcs12Signer(certificate=cert, chain=chain, _signer=simple)


def load_pkcs12_file(path: Path | str, password: bytes | None) -> Pkcs12Signer:
    return load_pkcs12(Path(path).read_bytes(), password)


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def http_timestamper(url: str, *, timeout: float = 10) -> TimeStamper:
    """An RFC 3161 client for the tenant's configured timestamp authority (PAdES B-T)."""
    return HTTPTimeStamper(url, timeout=timeout)


def evidence_bytes(evidence: Mapping[str, object]) -> bytes:
    """The evidence as stored in the PDF: canonical JSON (sorted keys, no spaces, UTF-8)."""
    text = json.dumps(evidence, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8")


def customer_evidence(
    *,
    otp_challenge_id: str,
    contract_sha256: str,
    geo_location: str,
    device_time: str,
    client_address: str,
    liveness_transaction_id: str | None = None,
    user_agent: str | None = None,
    signer_id: str | None = None,
) -> dict[str, object]:
    """The evidence of a customer signature (checklist LOG-2), as `sign_pdf` signs it in."""
    evidence: dict[str, object] = {
        "kind": "customer-signature",
        "otpChallengeId": otp_challenge_id,
        "contractSha256": contract_sha256,
        "geoLocation": geo_location,
        "userDeviceUtcTime": device_time,
        "clientAddress": client_address,
        "livenessTransactionId": liveness_transaction_id,
    }
    if user_agent is not None:
        evidence["userAgent"] = user_agent
    if signer_id is not None:
        evidence["signerId"] = signer_id
    return evidence


class _EvidenceAttribute(attributes.CMSAttributeProvider):
    attribute_type = EVIDENCE_ATTRIBUTE_OID

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def build_attr_value(self, dry_run: bool = False) -> core.UTF8String:
        return core.UTF8String(self.data.decode("utf-8"))


class _PadesAttributes(attributes.SignedAttributeProviderSpec):
    """What pyHanko's CAdES spec gives a PAdES signature (signing-certificate-v2; no signing-time,
    which PAdES forbids), plus the evidence attribute."""

    def __init__(self, signing_cert: asn1_x509.Certificate, evidence: bytes | None) -> None:
        self.signing_cert = signing_cert
        self.evidence = evidence

    def signed_attr_providers(
        self, data_digest: bytes, digest_algorithm: str
    ) -> Iterator[attributes.CMSAttributeProvider]:
        yield attributes.SigningCertificateV2Provider(signing_cert=self.signing_cert)
        if self.evidence is not None:
            yield _EvidenceAttribute(self.evidence)


async def async_sign_pdf(
    pdf_bytes: bytes,
    signer: DocumentSigner,
    *,
    field_name: str,
    reason: str,
    location: str,
    evidence: Mapping[str, object],
    timestamper: TimeStamper | None = None,
    contact_info: str | None = None,
) -> bytes:
    """Add one PAdES signature in a new incremental update, so earlier signatures stay valid.

    The profile is B-B, or B-T when `timestamper` is given (the signature then carries an RFC 3161
    timestamp token). A non-empty `evidence` becomes a signed attribute of the signature's CMS
    object (`EVIDENCE_ATTRIBUTE_OID`, canonical JSON): the signer's own signature value covers
    it. `reason`, `location` and `contact_info` go in the signature dictionary, inside the signed
    byte range, where PDF readers show them."""
    impl = copy.copy(signer.pyhanko_signer())
    cert = impl.signing_cert
    if cert is None:
        raise SigningKeyError("the signer has no certificate")
    impl.signed_attr_prov_spec = _PadesAttributes(
        cert, evidence_bytes(evidence) if evidence else None
    )
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location,
        contact_info=contact_info,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    pdf_signer = signers.PdfSigner(meta, signer=impl, timestamper=timestamper)
    out = await pdf_signer.async_sign_pdf(writer)
    return bytes(out.getbuffer())


def sign_pdf(
    pdf_bytes: bytes,
    signer: DocumentSigner,
    *,
    field_name: str,
    reason: str,
    location: str,
    evidence: Mapping[str, object],
    timestamper: TimeStamper | None = None,
    contact_info: str | None = None,
) -> bytes:
    """`async_sign_pdf` for code outside an event loop (a worker thread, the CLI, a job)."""
    return asyncio.run(
        async_sign_pdf(
            pdf_bytes,
            signer,
            field_name=field_name,
            reason=reason,
            location=location,
            evidence=evidence,
            timestamper=timestamper,
            contact_info=contact_info,
        )
    )


class DemoChain(NamedTuple):
    """A self-made root (PEM) and a signing certificate with its key (PKCS#12, with the password
    given), both named NOT FOR PRODUCTION. For demo and sandbox tenants only."""

    root_pem: bytes
    pkcs12: bytes


def make_demo_chain(
    tenant_name: str,
    *,
    password: bytes,
    purpose: str = "document signing",
    now: datetime | None = None,
    valid_days: int = 3 * 365,
) -> DemoChain:
    """A root CA and one leaf for `tenant_name`, ECDSA P-256, with "NOT FOR PRODUCTION" as the
    organisational unit of both. `purpose` names the leaf (e.g. "platform customer signatures"
    for the key that applies customer signatures, the default for the provider's own)."""
    start = (now or datetime.now(UTC)).replace(microsecond=0) - timedelta(minutes=5)
    root_key = ec.generate_private_key(ec.SECP256R1())
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    org = tenant_name[:64]
    # Each root gets a name of its own: two roots with one name (a tenant's platform and provider
    # chains) would send path building to the wrong issuer.
    root_name = _name(f"Hawiya demo root CA {secrets.token_hex(6)}", org)
    leaf_name = _name(f"{tenant_name} {purpose}"[:64], org)
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days + 365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), False)
        .sign(root_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(leaf_name)
        .issuer_name(root_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [
                    DOCUMENT_SIGNING_EKU,
                    MS_DOCUMENT_SIGNING_EKU,
                    ExtendedKeyUsageOID.EMAIL_PROTECTION,
                ]
            ),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False
        )
        .sign(root_key, hashes.SHA256())
    )
    p12 = pkcs12.serialize_key_and_certificates(
        name=f"{tenant_name} {purpose}".encode(),
        key=leaf_key,
        cert=leaf,
        cas=[root],
        encryption_algorithm=serialization.BestAvailableEncryption(password),
    )
    return DemoChain(root_pem=root.public_bytes(serialization.Encoding.PEM), pkcs12=p12)


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"{NOT_FOR_PRODUCTION} - demo"),
        ]
    )


def load_certificates(pem_or_der: bytes) -> list[x509.Certificate]:
    """Trust roots as stored: one or more PEM certificates, or a single DER one."""
    if b"-----BEGIN" in pem_or_der:
        return x509.load_pem_x509_certificates(pem_or_der)
    return [x509.load_der_x509_certificate(pem_or_der)]
