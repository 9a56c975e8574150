"""PAdES signing and validation of contract PDFs: the customer signature (platform key, with its
evidence) then the provider countersignature, trust against the tenant's chains, tampering of any
byte, evidence covered by the signature, B-T with a local RFC 3161 server, and key material."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography import x509
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import TimestampRequestError

from hawiya.contracting.documents.examples import (
    LOAN_REQUEST,
    LOAN_TEMPLATE_AR,
    LOAN_TITLES,
    loan_fields,
)
from hawiya.contracting.documents.pdf import html_to_pdf
from hawiya.contracting.documents.render import render_contract
from hawiya.contracting.documents.signing import (
    EVIDENCE_ATTRIBUTE_OID,
    NOT_FOR_PRODUCTION,
    Pkcs12Signer,
    SigningKeyError,
    async_sign_pdf,
    customer_evidence,
    evidence_bytes,
    http_timestamper,
    load_certificates,
    load_pkcs12,
    load_pkcs12_file,
    make_demo_chain,
    sign_pdf,
)
from hawiya.contracting.documents.verify import VerificationReport, async_verify_pdf, verify_pdf
from tests.contracting.documents.tsa import LocalTsa

PASSWORD = b"correct horse battery staple"


@dataclass(frozen=True)
class Tenant:
    platform: Pkcs12Signer  # applies customer signatures
    provider: Pkcs12Signer  # the tenant's own countersignature
    roots: list[x509.Certificate]


def make_tenant(name: str) -> Tenant:
    platform = make_demo_chain(name, password=PASSWORD, purpose="platform customer signatures")
    provider = make_demo_chain(name, password=PASSWORD)
    return Tenant(
        platform=load_pkcs12(platform.pkcs12, PASSWORD),
        provider=load_pkcs12(provider.pkcs12, PASSWORD),
        roots=load_certificates(platform.root_pem) + load_certificates(provider.root_pem),
    )


@pytest.fixture(scope="module")
def tenant() -> Tenant:
    return make_tenant("Acme Finance")


@pytest.fixture(scope="module")
def contract() -> tuple[str, bytes]:
    doc = render_contract(
        LOAN_TEMPLATE_AR,
        language="ar",
        title=LOAN_TITLES["ar"],
        fields=loan_fields(),
        request=LOAN_REQUEST,
    )
    return doc.sha256, html_to_pdf(doc.html)


def evidence_for(contract_sha256: str) -> dict[str, object]:
    return customer_evidence(
        otp_challenge_id="otp-5f1c",
        contract_sha256=contract_sha256,
        geo_location="30.0444,31.2357",
        device_time="2026-11-22T09:30:00Z",
        client_address="203.0.113.7",
        liveness_transaction_id="tx-77",
        user_agent="VlensSDK/3.1 (iOS 18)",
    )


def customer_sign(pdf: bytes, tenant: Tenant, contract_sha256: str, **kw: object) -> bytes:
    return sign_pdf(
        pdf,
        tenant.platform,
        field_name="CustomerSignature",
        reason="Signed by the customer with a one-time code",
        location="30.0444,31.2357",
        evidence=evidence_for(contract_sha256),
        **kw,  # type: ignore[arg-type]
    )


def provider_sign(pdf: bytes, signer: Pkcs12Signer) -> bytes:
    return sign_pdf(
        pdf,
        signer,
        field_name="ProviderSignature",
        reason="Countersigned by the provider",
        location="Cairo",
        evidence={"kind": "provider-signature", "officer": "admin@acme.example"},
    )


@pytest.fixture(scope="module")
def signed(tenant: Tenant, contract: tuple[str, bytes]) -> tuple[bytes, bytes]:
    """(customer-signed, then countersigned)"""
    sha, pdf = contract
    once = customer_sign(pdf, tenant, sha)
    return once, provider_sign(once, tenant.provider)


def test_customer_then_provider_signatures_are_valid_and_trusted(
    tenant: Tenant, contract: tuple[str, bytes], signed: tuple[bytes, bytes]
) -> None:
    once, twice = signed
    assert twice.startswith(once)  # an incremental update: the first revision is untouched
    first = verify_pdf(once, tenant.roots)
    assert first.ok, first
    report = verify_pdf(twice, tenant.roots)
    assert report.ok, report
    customer, provider = report.signatures
    assert customer.field_name == "CustomerSignature"
    assert customer.signer_common_name == "Acme Finance platform customer signatures"
    assert (customer.intact, customer.valid, customer.trusted) == (True, True, True)
    assert customer.coverage == "entire_revision"  # the countersignature came after it
    assert customer.modifications == "form_filling"  # ... and added only a signature
    assert customer.signed_revision == 1
    assert customer.profile == "PAdES-B-B"
    assert customer.reason == "Signed by the customer with a one-time code"
    assert customer.location == "30.0444,31.2357"
    assert provider.field_name == "ProviderSignature"
    assert provider.signer_common_name == "Acme Finance document signing"
    assert NOT_FOR_PRODUCTION in provider.signer_subject
    assert provider.coverage == "entire_file" and provider.modifications == "none"
    assert provider.signed_revision == 2
    now = datetime.now(UTC)
    for sig in report.signatures:
        assert sig.signing_time is not None
        assert now - timedelta(minutes=5) < sig.signing_time <= now
        assert sig.timestamp_time is None


def test_cms_is_pades_baseline(signed: tuple[bytes, bytes]) -> None:
    """ETSI.CAdES.detached, a signing-certificate-v2 attribute and no signing-time attribute (the
    time is the dictionary's /M), as PAdES B-B asks."""
    reader = PdfFileReader(io.BytesIO(signed[1]))
    for sig in reader.embedded_regular_signatures:
        assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
        attrs = {a["type"].native for a in sig.signer_info["signed_attrs"]}
        assert "signing_certificate_v2" in attrs and "signing_time" not in attrs
        assert "/M" in sig.sig_object


def test_only_one_chain_trusted_means_the_other_signature_is_untrusted(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    provider_root_only = tenant.roots[1:]
    report = verify_pdf(signed[1], provider_root_only)
    customer, provider = report.signatures
    assert not report.ok
    assert customer.intact and customer.valid and not customer.trusted
    assert customer.problems == ("the signer's certificate does not chain to a trusted root",)
    assert provider.ok


def test_a_signature_by_another_chain_is_reported_untrusted(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    stranger = make_tenant("Acme Finance")  # same names, different keys
    forged = provider_sign(signed[0], stranger.provider)
    report = verify_pdf(forged, tenant.roots)
    customer, provider = report.signatures
    assert customer.ok
    assert provider.intact and provider.valid and not provider.trusted
    assert not report.ok
    assert verify_pdf(forged, stranger.roots[1:] + tenant.roots[:1]).ok


def _signed_ranges(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfFileReader(io.BytesIO(pdf))
    out = []
    for sig in reader.embedded_regular_signatures:
        a, b, c, d = (int(x) for x in sig.byte_range)
        out += [(a, a + b), (c, c + d)]
    return out


def _flip(pdf: bytes, position: int) -> bytes:
    data = bytearray(pdf)
    data[position] ^= 0x01
    return bytes(data)


def _detected(report: VerificationReport) -> bool:
    """The verdict is "not OK", and a reason names it: the file is unreadable, or a signature is
    broken or unreadable (not intact, not valid), or no longer covers what it must."""
    if report.error is not None:
        return True
    return not report.ok and any(s.problems for s in report.signatures)


def test_flipping_any_byte_in_a_signed_range_is_detected(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    pdf = signed[1]
    ranges = _signed_ranges(pdf)
    positions = set()
    for start, end in ranges:  # the ends of every range and points spread through it
        positions |= {start, end - 1, *range(start, end, max(1, (end - start) // 12))}
    positions |= {pdf.index(b"Signed by the customer"), pdf.index(b"/Reason"), len(pdf) - 2}
    positions |= {pdf.rindex(b"/ETSI.CAdES.detached") + 19}  # the SubFilter's last letter
    undetected = [
        p for p in sorted(positions) if not _detected(verify_pdf(_flip(pdf, p), tenant.roots))
    ]
    assert not undetected, undetected
    assert len(positions) > 40


def test_flipping_a_byte_of_a_signature_value_is_detected(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    pdf = signed[1]
    reader = PdfFileReader(io.BytesIO(pdf))
    for sig in reader.embedded_regular_signatures:
        _, gap_start, _, _ = (int(x) for x in sig.byte_range)
        der = len(cms.ContentInfo.load(sig.pkcs7_content).dump())
        for offset in (der // 2, der - 1):  # a hex digit inside the CMS object (after the "<")
            at = gap_start + 1 + 2 * offset
            tampered = bytearray(pdf)
            tampered[at] = ord("0") if tampered[at] != ord("0") else ord("1")
            report = verify_pdf(bytes(tampered), tenant.roots)
            assert not report.ok, (sig.field_name, offset)


def test_data_hidden_in_the_signature_padding_is_reported(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    """/Contents is zero-padded past the CMS object and no signature covers the padding."""
    pdf = signed[1]
    reader = PdfFileReader(io.BytesIO(pdf))
    sig = reader.embedded_regular_signatures[1]
    _, gap_start, gap_end, _ = (int(x) for x in sig.byte_range)
    der = len(cms.ContentInfo.load(sig.pkcs7_content).dump())
    at = gap_start + 1 + 2 * der + 10
    assert at < gap_end - 1 and pdf[at : at + 4] == b"0000"
    tampered = pdf[:at] + b"cafe" + pdf[at + 4 :]
    report = verify_pdf(tampered, tenant.roots)
    provider = report.signatures[1]
    assert provider.intact and provider.valid  # what pyHanko alone would accept
    assert provider.problems == ("data after the signature in /Contents (the padding is not zero)",)
    assert not report.ok


def _evidence_attribute(pdf: bytes, index: int) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf))
    signer_info = reader.embedded_regular_signatures[index].signer_info
    attrs = signer_info["signed_attrs"]
    (attr,) = [a for a in attrs if a["type"].dotted == EVIDENCE_ATTRIBUTE_OID]
    (value,) = list(attr["values"])
    return bytes(value.dump())


def test_evidence_is_a_signed_attribute_of_each_signature(
    tenant: Tenant, contract: tuple[str, bytes], signed: tuple[bytes, bytes]
) -> None:
    sha, _ = contract
    report = verify_pdf(signed[1], tenant.roots)
    customer, provider = report.signatures
    expected = evidence_bytes(evidence_for(sha))
    assert customer.evidence == evidence_for(sha)
    assert customer.evidence is not None and customer.evidence["contractSha256"] == sha
    assert customer.evidence_sha256 == hashlib.sha256(expected).hexdigest()
    assert provider.evidence == {"kind": "provider-signature", "officer": "admin@acme.example"}
    # In the CMS signed attributes (what the signature value is computed over), as a UTF8String
    # of the canonical JSON; the countersignature left the customer's untouched.
    raw = _evidence_attribute(signed[1], 0)
    assert raw == _evidence_attribute(signed[0], 0)
    assert raw[0] == 0x0C and raw.endswith(expected)


def test_changing_the_evidence_breaks_the_signature(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    """The evidence sits, hex-encoded, in the signature's /Contents; one changed character of the
    client address (a forged origin) and the customer's signature no longer verifies."""
    pdf = signed[1]
    needle = b'"clientAddress":"203.0.113.7"'.hex().encode()
    assert pdf.lower().count(needle) == 1
    at = pdf.lower().index(needle) + len(needle) - 4  # the hex pair of the final "7"
    assert pdf[at : at + 2] == b"37"
    forged = bytearray(pdf)
    forged[at : at + 2] = b"38"  # "7" -> "8"
    report = verify_pdf(bytes(forged), tenant.roots)
    customer, provider = report.signatures
    assert not customer.valid and not report.ok
    assert "the signature does not verify" in customer.problems
    # the customer's /Contents lies inside the countersignature's byte range
    assert not provider.intact


def test_signing_without_evidence_adds_no_attribute(
    tenant: Tenant, contract: tuple[str, bytes]
) -> None:
    once = sign_pdf(
        contract[1], tenant.provider, field_name="P", reason="r", location="l", evidence={}
    )
    (sig,) = verify_pdf(once, tenant.roots).signatures
    assert sig.ok and sig.evidence is None and sig.evidence_sha256 is None


def test_bytes_appended_after_the_last_signature_are_reported(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    report = verify_pdf(signed[1] + b"\n% appended\n", tenant.roots)
    assert not report.ok


def test_unsigned_or_garbage_input_gives_a_report_not_an_exception(
    tenant: Tenant, contract: tuple[str, bytes]
) -> None:
    assert verify_pdf(contract[1], tenant.roots).error == "the PDF has no signature"
    broken = verify_pdf(b"%PDF-1.7\nnot really\n", tenant.roots)
    assert broken.error is not None and broken.error.startswith("unreadable PDF")
    assert not broken.ok


@pytest.fixture(scope="module")
def tsa() -> Iterator[LocalTsa]:
    with LocalTsa() as server:
        yield server


def test_pades_b_t_with_a_local_rfc3161_server(
    tenant: Tenant, contract: tuple[str, bytes], tsa: LocalTsa
) -> None:
    sha, pdf = contract
    before = tsa.requests
    stamped = customer_sign(pdf, tenant, sha, timestamper=http_timestamper(tsa.url))
    assert tsa.requests > before
    report = verify_pdf(stamped, tenant.roots, timestamp_trust_roots=[tsa.root])
    assert report.ok, report
    (customer,) = report.signatures
    assert customer.profile == "PAdES-B-T"
    assert customer.timestamp_trusted is True
    assert customer.timestamp_time is not None
    assert abs(customer.timestamp_time - datetime.now(UTC)) < timedelta(minutes=5)
    reader = PdfFileReader(io.BytesIO(stamped))
    unsigned = reader.embedded_regular_signatures[0].signer_info["unsigned_attrs"]
    assert [a["type"].native for a in unsigned] == ["signature_time_stamp_token"]
    token = unsigned[0]["values"][0]
    assert isinstance(token, cms.ContentInfo)

    # A TSA outside the trust list makes the timestamp, and so the signature, not trusted.
    untrusted = verify_pdf(stamped, tenant.roots, timestamp_trust_roots=tenant.roots)
    assert not untrusted.ok
    assert "the signature timestamp is not valid or not trusted" in untrusted.signatures[0].problems


def test_an_unreachable_timestamp_server_fails_the_signing(
    tenant: Tenant, contract: tuple[str, bytes]
) -> None:
    sha, pdf = contract
    unreachable = http_timestamper("http://127.0.0.1:9/", timeout=2)
    with pytest.raises(TimestampRequestError):
        customer_sign(pdf, tenant, sha, timestamper=unreachable)


async def test_async_signing_and_validation_inside_an_event_loop(
    tenant: Tenant, contract: tuple[str, bytes]
) -> None:
    sha, pdf = contract
    once = await async_sign_pdf(
        pdf,
        tenant.platform,
        field_name="CustomerSignature",
        reason="r",
        location="l",
        evidence=evidence_for(sha),
    )
    report = await async_verify_pdf(once, tenant.roots)
    assert report.ok


def test_demo_chain_is_marked_not_for_production(tmp_path: Path) -> None:
    chain = make_demo_chain("Sandbox Co", password=PASSWORD)
    root = load_certificates(chain.root_pem)[0]
    signer = load_pkcs12(chain.pkcs12, PASSWORD)
    for cert in (root, signer.certificate):
        (ou,) = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        assert NOT_FOR_PRODUCTION in str(ou.value)
        (org,) = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        assert org.value == "Sandbox Co"
    assert signer.certificate.issuer == root.subject
    assert root.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = signer.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    assert signer.chain == (root,)
    # A file and its password load the same way (what `hawiya` would import for a tenant).
    path = tmp_path / "tenant.p12"
    path.write_bytes(chain.pkcs12)
    assert load_pkcs12_file(path, PASSWORD).certificate == signer.certificate
    # Two chains never share a root name (path building would pick the wrong issuer).
    assert make_demo_chain("Sandbox Co", password=PASSWORD).root_pem != chain.root_pem
    other_root = load_certificates(make_demo_chain("Sandbox Co", password=PASSWORD).root_pem)[0]
    assert other_root.subject != root.subject


def test_pkcs12_with_the_wrong_password_or_without_a_key_is_refused() -> None:
    chain = make_demo_chain("Sandbox Co", password=PASSWORD)
    with pytest.raises(SigningKeyError, match="wrong password"):
        load_pkcs12(chain.pkcs12, b"nope")
    with pytest.raises(SigningKeyError):
        load_pkcs12(b"not a pkcs12 archive", PASSWORD)
    from cryptography.hazmat.primitives.serialization import pkcs12

    certs_only = pkcs12.serialize_key_and_certificates(
        name=None,
        key=None,
        cert=None,
        cas=load_certificates(chain.root_pem),
        encryption_algorithm=__import__(
            "cryptography.hazmat.primitives.serialization", fromlist=["NoEncryption"]
        ).NoEncryption(),
    )
    with pytest.raises(SigningKeyError, match="private key and its certificate"):
        load_pkcs12(certs_only, None)


def test_a_signature_the_validator_cannot_read_still_counts(
    tenant: Tenant, signed: tuple[bytes, bytes]
) -> None:
    """pyHanko skips a signature with an unknown /SubFilter; the report must not lose it."""
    pdf = signed[1]
    report = verify_pdf(_flip(pdf, pdf.rindex(b"/ETSI.CAdES.detached") + 19), tenant.roots)
    assert [s.field_name for s in report.signatures] == ["CustomerSignature", "ProviderSignature"]
    provider = report.signatures[1]
    assert not provider.valid and provider.problems[0].startswith("not a signature")
    assert not report.ok
