"""WH-2: Standard Webhooks signatures (the specification's own test vector, rotation with two
signatures, any one-byte change refused) and the ABP-style abp-webhook-signature header."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from hawiya.webhooks import signing
from tests.webhooks.support import Unverified, verify_abp, verify_standard

BODY = (
    b'{"Id":"2b020a26-ec12-4f59-8e6a-7d4bf941372b",'
    b'"WebhookEvent":"App.BusinessRequestStatusChange"}'
)


def test_the_specifications_test_vector() -> None:
    # Standard Webhooks / Svix documentation example.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = signing.standard_signature(
        secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_secrets_are_32_random_bytes_with_the_whsec_prefix() -> None:
    secrets = {signing.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    for secret in secrets:
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def _signed(secrets: list[str], body: bytes = BODY, at: int | None = None) -> dict[str, str]:
    return signing.headers(secrets, "msg_0123abcd", at or int(time.time()), body, attempt=1)


def test_headers_verify_with_an_independent_implementation() -> None:
    secret = signing.new_secret()
    headers = _signed([secret])
    assert set(headers) == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "abp-webhook-signature",
        "webhook-attempt",
    }
    verify_standard(secret, headers, BODY, int(time.time()))
    verify_abp(secret, headers, BODY)
    # ABP's form: upper-case hex pairs joined by "-", as BitConverter.ToString writes them.
    value = headers["abp-webhook-signature"].removeprefix("sha256=")
    assert len(value) == 32 * 3 - 1 and value == value.upper() and value.count("-") == 31


@pytest.mark.parametrize("position", [0, 1, 17, len(BODY) // 2, len(BODY) - 1])
def test_a_one_byte_change_in_the_body_fails(position: int) -> None:
    secret = signing.new_secret()
    headers = _signed([secret])
    changed = bytearray(BODY)
    changed[position] ^= 0x01
    with pytest.raises(Unverified):
        verify_standard(secret, headers, bytes(changed), int(time.time()))
    with pytest.raises(Unverified):
        verify_abp(secret, headers, bytes(changed))


def test_a_changed_timestamp_or_id_fails() -> None:
    secret = signing.new_secret()
    now = int(time.time())
    headers = _signed([secret], at=now)
    with pytest.raises(Unverified):
        verify_standard(secret, {**headers, "webhook-timestamp": str(now + 1)}, BODY, now)
    with pytest.raises(Unverified):
        verify_standard(secret, {**headers, "webhook-id": "msg_0123abce"}, BODY, now)
    with pytest.raises(Unverified):  # too old for the receiver's tolerance
        verify_standard(secret, headers, BODY, now + 301)


def test_during_a_rotation_both_secrets_verify() -> None:
    new, old = signing.new_secret(), signing.new_secret()
    headers = _signed([new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    verify_standard(new, headers, BODY, int(time.time()))
    verify_standard(old, headers, BODY, int(time.time()))
    verify_abp(new, headers, BODY)  # ABP has room for one: the current secret
    with pytest.raises(Unverified):
        verify_standard(signing.new_secret(), headers, BODY, int(time.time()))


def test_the_official_library_verifies_our_signatures() -> None:
    # WH-2's interop test; runs where the `standardwebhooks` package is installed.
    standardwebhooks: Any = pytest.importorskip("standardwebhooks")
    new, old = signing.new_secret(), signing.new_secret()
    body = json.dumps({"Id": "x", "Data": {"NewStatus": "Approved"}}).encode()
    headers = _signed([new, old], body)
    for secret in (new, old):
        assert standardwebhooks.Webhook(secret).verify(body, headers)["Data"] == {
            "NewStatus": "Approved"
        }
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(new).verify(body + b" ", headers)
