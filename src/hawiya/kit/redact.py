"""Redaction of secrets before anything is logged or audited (LOG-1)."""

from __future__ import annotations

import re
from typing import Any

_SECRET_KEYS = re.compile(
    r"(pass(word)?|secret|token|otp|apikey|api_key|authorization|refresh|image|face_\d|code)$",
    re.IGNORECASE,
)
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_API_KEY = re.compile(r"hwk_[A-Za-z0-9_-]{8,}")
_NATIONAL_ID = re.compile(r"\b[23]\d{9}(\d{4})\b")

REDACTED = "[redacted]"


def redact_text(text: str) -> str:
    text = _JWT.sub(REDACTED, text)
    text = _API_KEY.sub(REDACTED, text)
    return _NATIONAL_ID.sub(lambda m: "**********" + m.group(1), text)


def redact(value: Any, key: str = "") -> Any:
    """Return a copy with secret-looking keys masked and secret-looking strings scrubbed."""
    if key and _SECRET_KEYS.search(key):
        return REDACTED
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def mask_identifier(identifier: str) -> str:
    """A phone or email shortened so it can be recognised in an audit trail, not reused."""
    if "@" in identifier:
        name, _, domain = identifier.partition("@")
        return f"{name[:2]}***@{domain}"
    return f"{identifier[:4]}******{identifier[-3:]}"
