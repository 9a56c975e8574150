"""A signing key on a PKCS#11 token (a network HSM, SoftHSM, the USB tokens Egyptian CAs issue):
pyHanko's PKCS11Signer behind the DocumentSigner Protocol, so sign_pdf takes it like a PKCS#12
key. The private key never leaves the token; the certificate is read from it."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from cryptography import x509
from pkcs11 import PKCS11Error, Session  # type: ignore[import-untyped]
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign import signers
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

from hawiya.contracting.documents.signing import SigningKeyError


@dataclass(slots=True)
class Pkcs11Signer:
    """An open session on a token and the key in it. One session is not safe to share between
    threads signing at once: open one per worker thread, and close it (or use `with`)."""

    certificate: x509.Certificate
    _signer: PKCS11Signer
    _session: Session

    def pyhanko_signer(self) -> signers.Signer:
        return self._signer

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> Pkcs11Signer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def open_pkcs11_signer(
    module_path: str,
    *,
    token_label: str,
    pin: str,
    key_label: str,
    cert_label: str | None = None,
    raw_mechanism: bool = False,
) -> Pkcs11Signer:
    """Log in to the token labelled `token_label` through the PKCS#11 module at `module_path`
    (e.g. /usr/lib/softhsm/libsofthsm2.so) and find the private key `key_label` and its
    certificate (`cert_label`, by default the same label). `raw_mechanism` hashes on this side and
    asks the token for the bare signature (CKM_ECDSA, CKM_RSA_PKCS), for tokens without the
    combined hash-and-sign mechanisms (SoftHSM has no CKM_ECDSA_SHA256). Raises SigningKeyError
    when the token, the PIN, the key or the certificate is wrong or missing."""
    try:
        session = open_pkcs11_session(
            module_path, token_criteria=TokenCriteria(label=token_label), user_pin=pin
        )
    except (PKCS11Error, OSError) as exc:
        raise SigningKeyError(f"cannot open the PKCS#11 token: {type(exc).__name__}") from exc
    signer = PKCS11Signer(
        session,
        cert_label=cert_label or key_label,
        key_label=key_label,
        use_raw_mechanism=raw_mechanism,
    )
    try:
        cert = signer.signing_cert
    except Exception as exc:  # pyHanko raises PKCS11Error or its own errors for a missing object
        session.close()
        raise SigningKeyError(
            f"no key or certificate labelled {key_label!r} on the token: {exc}"
        ) from exc
    certificate = x509.load_der_x509_certificate(cert.dump())
    return Pkcs11Signer(certificate=certificate, _signer=signer, _session=session)
