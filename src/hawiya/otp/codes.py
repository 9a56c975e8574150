"""Pure code handling: generation from a CSPRNG, keyed hashing, constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

CODE_DIGITS = 6


def new_code() -> str:
    """Six digits from the operating system's CSPRNG, leading zeros kept (OTP-1)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_hmac(key: bytes, tenant_id: uuid.UUID, challenge_id: uuid.UUID, code: str) -> str:
    """Binds the code to its tenant and challenge: the same code elsewhere hashes differently."""
    message = f"{tenant_id}|{challenge_id}|{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def codes_match(expected_hmac: str, presented_hmac: str) -> bool:
    return hmac.compare_digest(expected_hmac, presented_hmac)


def binding_hash(*parts: str) -> str:
    """What a code is bound to beyond tenant and purpose (OTP-8), e.g. a contract id and the hash
    of its content."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest() if parts else ""
