"""Webhook secrets and signatures: Standard Webhooks (WH-2) and the ASP.NET Boilerplate header the
spec infers (§5). Pure functions; the bytes signed are the bytes sent.

* `webhook-signature: v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")>`,
  the key being the base64-decoded part of the `whsec_` secret; during a rotation one `v1,`
  signature per live secret, separated by spaces.
* `abp-webhook-signature: sha256=<HMAC-SHA256(secret, body)>` exactly as ABP's WebhookManager
  writes it: the key is the secret string's UTF-8 bytes, the digest .NET's
  BitConverter.ToString form (upper-case hex pairs joined by "-"), so receivers written for ABP
  compare it as they are.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

SECRET_PREFIX = "whsec_"  # noqa: S105 - the Standard Webhooks prefix
SECRET_BYTES = 32


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("not a whsec_ secret")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError("not a whsec_ secret") from None


def message_id(delivery_hex: str) -> str:
    return f"msg_{delivery_hex}"


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def abp_signature(secret: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + "-".join(f"{byte:02X}" for byte in digest)


def headers(
    secrets: list[str], msg_id: str, timestamp: int, body: bytes, attempt: int
) -> dict[str, str]:
    """The signature headers of one attempt; secrets[0] is the current secret, any others are
    still valid during a rotation."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(
            standard_signature(secret, msg_id, timestamp, body) for secret in secrets
        ),
        "abp-webhook-signature": abp_signature(secrets[0], body),
        "webhook-attempt": str(attempt),
    }
