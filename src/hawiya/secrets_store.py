"""The installation's master secret: from HAWIYA_SECRET_KEY, or generated once into the data dir.

Every derived key (JWT key encryption, encrypted tokens, later OTP HMACs and data keys) comes from
it
through HKDF, so one value has to be protected and backed up.
"""

from __future__ import annotations

import base64
import binascii
import math
import os
import secrets
from collections import Counter
from pathlib import Path

from hawiya.config import Settings

MIN_SECRET_BYTES = 32
_KNOWN_WEAK = {"changeme", "change-me", "secret", "password", "hawiya", "vlens", "default", "test"}


class WeakSecretError(ValueError):
    """The configured secret is a placeholder, too short or of too little entropy (PW-5, TOK-6)."""


def _decode(value: str) -> bytes:
    text = value.strip()
    if len(text) % 2 == 0:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return text.encode()


def _entropy_bits_per_byte(data: bytes) -> float:
    counts = Counter(data)
    return -sum(c / len(data) * math.log2(c / len(data)) for c in counts.values())


def parse_secret(value: str) -> bytes:
    """Decode a configured secret and refuse weak ones."""
    if value.strip().lower() in _KNOWN_WEAK:
        raise WeakSecretError("HAWIYA_SECRET_KEY is a known placeholder value")
    key = _decode(value)
    if len(key) < MIN_SECRET_BYTES:
        raise WeakSecretError(
            f"HAWIYA_SECRET_KEY must carry at least {MIN_SECRET_BYTES} bytes "
            "(64 hex characters or 43 base64 characters); generate one with "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    # 32 random bytes have ~4.8 bits/byte of empirical entropy; repeated or dictionary text far
    # less.
    if _entropy_bits_per_byte(key) < 3.5:
        raise WeakSecretError("HAWIYA_SECRET_KEY has too little entropy; use random bytes")
    return key


def load_master_secret(settings: Settings) -> bytes:
    if settings.secret_key is not None:
        return parse_secret(settings.secret_key.get_secret_value())
    path = Path(settings.data_dir) / "secret.key"
    if path.exists():
        return parse_secret(path.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return parse_secret(path.read_text())
