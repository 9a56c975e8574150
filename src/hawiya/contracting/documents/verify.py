"""Every signature of a contract PDF checked with pyHanko against the tenant's trust roots:
intact, cryptographically valid, trusted, what it covers (the last signature the whole file,
earlier ones their revision, later updates only permitted ones), who signed and when, its
timestamp, and the evidence it carries as a signed attribute. A plain report, no exceptions."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from asn1crypto import cms, core  # type: ignore[import-untyped]
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from hawiya.contracting.documents.signing import EVIDENCE_ATTRIBUTE_OID

# A later signature, its DSS data and document timestamps are what may follow a signed revision.
_PERMITTED_AFTER_SIGNING = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)


@dataclass(frozen=True, slots=True)
class SignatureReport:
    field_name: str
    signer_subject: str
    signer_common_name: str
    signing_time: datetime | None  # as the signer states it (/M in the signature dictionary)
    timestamp_time: datetime | None  # from the RFC 3161 token (PAdES B-T), if any
    timestamp_trusted: bool | None
    profile: str  # "PAdES-B-B" or "PAdES-B-T" (or the subfilter when it is not PAdES)
    intact: bool  # the digest of the signed bytes matches
    valid: bool  # the signature over it verifies with the certificate's key
    trusted: bool  # the certificate chains to one of the trust roots
    coverage: str  # entire_file, entire_revision, contiguous_block_from_start, unclear
    signed_revision: int
    modifications: str  # after the signed revision: none, lta_updates, form_filling, ...
    reason: str | None
    location: str | None
    evidence: dict[str, Any] | None  # the evidence signed attribute, as signed
    evidence_sha256: str | None  # of its canonical JSON bytes
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True)
class VerificationReport:
    signatures: tuple[SignatureReport, ...]
    error: str | None = None  # the file could not be read as a signed PDF at all

    @property
    def ok(self) -> bool:
        """True when the file has at least one signature and every one is in order."""
        return self.error is None and bool(self.signatures) and all(s.ok for s in self.signatures)


def verify_pdf(
    pdf_bytes: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    timestamp_trust_roots: Sequence[x509.Certificate] | None = None,
    moment: datetime | None = None,
) -> VerificationReport:
    """`async_verify_pdf` for code outside an event loop."""
    return asyncio.run(
        async_verify_pdf(
            pdf_bytes, trust_roots, timestamp_trust_roots=timestamp_trust_roots, moment=moment
        )
    )


async def async_verify_pdf(
    pdf_bytes: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    timestamp_trust_roots: Sequence[x509.Certificate] | None = None,
    moment: datetime | None = None,
) -> VerificationReport:
    """Validate every signature in signing order. Nothing is fetched: revocation is not checked
    (the demo chains publish none; a tenant CA's CRL/OCSP belongs with PAdES B-LT, not done)."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes))
        embedded = list(reader.embedded_regular_signatures)
        # pyHanko leaves out a signature whose /SubFilter it does not know (or cannot parse):
        # every filled signature field is counted, so none can drop out of the report unseen.
        recognised = {str(sig.field_name) for sig in reader.embedded_signatures}
        filled = [str(name) for name, *_ in enumerate_sig_fields(reader, filled_status=True)]
    except Exception as exc:  # any parse failure means "not a valid signed PDF"
        return VerificationReport(signatures=(), error=f"unreadable PDF: {exc}")
    unrecognised = [name for name in filled if name not in recognised]
    if not embedded and not unrecognised:
        return VerificationReport(signatures=(), error="the PDF has no signature")
    roots = [_to_asn1(c) for c in trust_roots]
    ts_roots = [_to_asn1(c) for c in (timestamp_trust_roots or trust_roots)]
    reports: list[SignatureReport] = []
    for index, sig in enumerate(embedded):
        is_last = index == len(embedded) - 1
        try:
            report = await _verify_one(sig, roots, ts_roots, moment, is_last=is_last)
        except Exception as exc:  # a broken signature is a finding, not a crash
            report = _broken(sig, f"cannot validate: {type(exc).__name__}: {exc}")
        reports.append(report)
    for name in unrecognised:
        reports.append(_unreadable(name, "not a signature this validator can read (SubFilter?)"))
    return VerificationReport(signatures=tuple(reports))


async def _verify_one(
    sig: EmbeddedPdfSignature,
    roots: list[asn1_x509.Certificate],
    ts_roots: list[asn1_x509.Certificate],
    moment: datetime | None,
    *,
    is_last: bool,
) -> SignatureReport:
    context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=moment)
    ts_context = ValidationContext(trust_roots=ts_roots, allow_fetching=False, moment=moment)
    status: PdfSignatureStatus = await async_validate_pdf_signature(
        sig, signer_validation_context=context, ts_validation_context=ts_context
    )
    problems: list[str] = []
    if not status.intact:
        problems.append("the signed bytes were changed")
    if not status.valid:
        problems.append("the signature does not verify")
    if not status.trusted:
        problems.append("the signer's certificate does not chain to a trusted root")
    coverage = status.coverage or SignatureCoverageLevel.UNCLEAR
    if is_last and coverage != SignatureCoverageLevel.ENTIRE_FILE:
        problems.append("the last signature does not cover the whole file")
    if coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append("the signature does not cover its whole revision")
    level = status.modification_level
    if level is None or level not in _PERMITTED_AFTER_SIGNING:
        problems.append(f"the file was modified after this signature ({_name(level)})")
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        problems.append("the signature timestamp is not valid or not trusted")

    # /Contents is reserved larger than the CMS object and zero-padded; the padding is covered by
    # no signature, so anything but zeros there is data smuggled into a signed file.
    content = sig.pkcs7_content
    if any(content[len(cms.ContentInfo.load(content).dump()) :]):
        problems.append("data after the signature in /Contents (the padding is not zero)")
    evidence, evidence_sha = _evidence(sig)
    cert = status.signing_cert
    subfilter = str(sig.sig_object.get("/SubFilter", ""))
    if subfilter == "/ETSI.CAdES.detached":
        profile = "PAdES-B-T" if ts is not None else "PAdES-B-B"
    else:
        profile = subfilter.lstrip("/")
    return SignatureReport(
        field_name=str(sig.field_name),
        signer_subject=cert.subject.human_friendly,
        signer_common_name=str(cert.subject.native.get("common_name", "")),
        signing_time=sig.self_reported_timestamp,
        timestamp_time=ts.timestamp if ts is not None else None,
        timestamp_trusted=ts.trusted if ts is not None else None,
        profile=profile,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted,
        coverage=coverage.name.lower(),
        signed_revision=int(sig.signed_revision),
        modifications=_name(level),
        reason=_text(sig.sig_object, "/Reason"),
        location=_text(sig.sig_object, "/Location"),
        evidence=evidence,
        evidence_sha256=evidence_sha,
        problems=tuple(problems),
    )


def _broken(sig: EmbeddedPdfSignature, problem: str) -> SignatureReport:
    return _unreadable(str(sig.field_name), problem, int(sig.signed_revision))


def _unreadable(field_name: str, problem: str, revision: int = -1) -> SignatureReport:
    return SignatureReport(
        field_name=field_name,
        signer_subject="",
        signer_common_name="",
        signing_time=None,
        timestamp_time=None,
        timestamp_trusted=None,
        profile="",
        intact=False,
        valid=False,
        trusted=False,
        coverage="unclear",
        signed_revision=revision,
        modifications="unknown",
        reason=None,
        location=None,
        evidence=None,
        evidence_sha256=None,
        problems=(problem,),
    )


def _name(level: ModificationLevel | None) -> str:
    return "unknown" if level is None else level.name.lower()


def _text(obj: generic.DictionaryObject, key: str) -> str | None:
    value = obj.get(key)
    return None if value is None else str(value)


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _evidence(sig: EmbeddedPdfSignature) -> tuple[dict[str, Any] | None, str | None]:
    """The evidence signed attribute of this signature (parsed JSON) and its SHA-256. Its
    authenticity is the signature's: `valid` covers the signed attributes."""
    for attr in sig.signer_info["signed_attrs"]:
        if attr["type"].dotted != EVIDENCE_ATTRIBUTE_OID:
            continue
        values = list(attr["values"])
        if len(values) != 1:
            return {"unparsable": True}, None
        raw = core.UTF8String.load(values[0].dump()).native
        data = raw.encode("utf-8")
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            parsed = {"unparsable": True}
        return parsed, hashlib.sha256(data).hexdigest()
    return None, None
