"""Signing with a key on a PKCS#11 token: a SoftHSM token made for the test, an ECDSA key
generated inside it (not extractable), its certificate from a test CA stored beside it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pkcs11 import Attribute, CertificateType, KeyType, ObjectClass
from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

from hawiya.contracting.documents.hsm import open_pkcs11_signer
from hawiya.contracting.documents.pdf import html_to_pdf
from hawiya.contracting.documents.render import render_contract
from hawiya.contracting.documents.signing import SigningKeyError, customer_evidence, sign_pdf
from hawiya.contracting.documents.verify import verify_pdf

MODULE = next(
    (
        path
        for path in (
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        )
        if Path(path).exists()
    ),
    "/usr/lib/softhsm/libsofthsm2.so",  # installed by scripts/install-system.sh (softhsm2)
)
TOKEN = "hawiya-test"
PIN = "246810"
SO_AND_USER_PIN = ("--so-pin", "135790", "--pin", PIN)


@dataclass(frozen=True)
class Token:
    root: x509.Certificate
    key_label: str


def _name(cn: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Acme Finance"),
        ]
    )


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Token]:
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n"
    )
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    try:
        subprocess.run(
            ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, *SO_AND_USER_PIN],
            check=True,
            capture_output=True,
        )
        lib = pkcs11.lib(MODULE)
        with lib.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
            params = session.create_domain_parameters(
                KeyType.EC,
                {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
                local=True,
            )
            public, private = params.generate_keypair(store=True, label="provider", id=b"\x01")
            assert private[Attribute.EXTRACTABLE] is False  # the key cannot leave the token
            public_key = serialization.load_der_public_key(encode_ec_public_key(public))
            root_key = ec.generate_private_key(ec.SECP256R1())
            now = datetime.now(UTC) - timedelta(minutes=5)
            root = (
                x509.CertificateBuilder()
                .subject_name(_name("Test token CA"))
                .issuer_name(_name("Test token CA"))
                .public_key(root_key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now)
                .not_valid_after(now + timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .sign(root_key, hashes.SHA256())
            )
            leaf = (
                x509.CertificateBuilder()
                .subject_name(_name("Acme Finance token signer"))
                .issuer_name(root.subject)
                .public_key(public_key)  # type: ignore[arg-type]
                .serial_number(x509.random_serial_number())
                .not_valid_before(now)
                .not_valid_after(now + timedelta(days=30))
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
                .sign(root_key, hashes.SHA256())
            )
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: "provider",
                    Attribute.ID: b"\x01",
                    Attribute.VALUE: leaf.public_bytes(serialization.Encoding.DER),
                    Attribute.SUBJECT: leaf.subject.public_bytes(),
                    Attribute.ISSUER: leaf.issuer.public_bytes(),
                }
            )
        yield Token(root=root, key_label="provider")
    finally:
        if previous is None:
            os.environ.pop("SOFTHSM2_CONF", None)
        else:
            os.environ["SOFTHSM2_CONF"] = previous


def test_a_key_on_a_pkcs11_token_signs_a_valid_pades_signature(token: Token) -> None:
    doc = render_contract("<p>عقد</p>", language="ar", title="عقد", fields=[])
    pdf = html_to_pdf(doc.html)
    with open_pkcs11_signer(
        MODULE, token_label=TOKEN, pin=PIN, key_label=token.key_label, raw_mechanism=True
    ) as signer:
        assert signer.certificate.subject.rfc4514_string() == (
            "O=Acme Finance,CN=Acme Finance token signer"
        )
        signed = sign_pdf(
            pdf,
            signer,
            field_name="ProviderSignature",
            reason="Countersigned with the token",
            location="Cairo",
            evidence=customer_evidence(
                otp_challenge_id="otp-1",
                contract_sha256=doc.sha256,
                geo_location="30.0444,31.2357",
                device_time="2026-11-22T09:30:00Z",
                client_address="203.0.113.7",
            ),
        )
    report = verify_pdf(signed, [token.root])
    assert report.ok, report
    (sig,) = report.signatures
    assert sig.signer_common_name == "Acme Finance token signer"
    assert sig.evidence is not None and sig.evidence["otpChallengeId"] == "otp-1"
    assert not verify_pdf(signed[:-40] + bytes(40), [token.root]).ok


def test_wrong_pin_or_key_label_is_a_signing_key_error(token: Token) -> None:
    with pytest.raises(SigningKeyError, match="cannot open"):
        open_pkcs11_signer(MODULE, token_label=TOKEN, pin="000000", key_label=token.key_label)
    with pytest.raises(SigningKeyError, match="no key or certificate labelled 'nope'"):
        open_pkcs11_signer(MODULE, token_label=TOKEN, pin=PIN, key_label="nope")
    with pytest.raises(SigningKeyError, match="cannot open"):
        open_pkcs11_signer(MODULE, token_label="no-such-token", pin=PIN, key_label="x")
