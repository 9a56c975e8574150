"""OTP-7: no oracle. Wrong, expired, spent, killed, unknown, foreign-identifier and other-purpose
challenges all raise the very same error, and every path compares with hmac.compare_digest."""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import Clock, clock
from hawiya.otp import codes, service
from hawiya.otp.policy import OtpPurpose
from tests.otp.helpers import (
    PURPOSE,
    OtpHarness,
    expected_hmac,
    freeze_base,
    new_phone,
    other_code,
    refused,
)

NO_CHALLENGE = "0" * 64


@dataclass(frozen=True)
class Attempt:
    """The final verify call of a scenario, and what it presents."""

    identifier: str
    challenge_id: uuid.UUID | None
    code: str
    purpose: OtpPurpose = PURPOSE

    def run(self, otp: OtpHarness) -> Awaitable[object]:
        return otp.verify(self.identifier, self.challenge_id, self.code, purpose=self.purpose)


async def wrong(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone)
    return Attempt(phone, issued.challenge_id, other_code(issued.code))


async def expired(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone)
    clock.freeze(clock.now() + timedelta(seconds=otp.policy.ttl_seconds + 1))
    return Attempt(phone, issued.challenge_id, issued.code)


async def spent(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code)
    return Attempt(phone, issued.challenge_id, issued.code)


async def redeemed(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone)
    await otp.verify(phone, issued.challenge_id, issued.code, redeem=True)
    return Attempt(phone, issued.challenge_id, issued.code)


async def killed(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone)
    for _ in range(otp.policy.max_attempts):
        await refused(
            otp.verify(phone, issued.challenge_id, other_code(issued.code)), ErrorCode.OTP_INVALID
        )
    return Attempt(phone, issued.challenge_id, issued.code)


async def unknown(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    await otp.issue(phone)
    return Attempt(phone, uuid.uuid4(), "123456")


async def missing_id(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    await otp.issue(phone)
    return Attempt(phone, None, "123456")


async def other_identifier(otp: OtpHarness) -> Attempt:
    owner, intruder = new_phone(), new_phone()
    issued = await otp.issue(owner)
    return Attempt(intruder, issued.challenge_id, issued.code)


async def other_purpose(otp: OtpHarness) -> Attempt:
    phone = new_phone()
    issued = await otp.issue(phone, purpose=OtpPurpose.REGISTER_PHONE)
    return Attempt(phone, issued.challenge_id, issued.code, purpose=OtpPurpose.PASSWORD_RESET)


SCENARIOS: dict[str, Callable[[OtpHarness], Awaitable[Attempt]]] = {
    "wrong": wrong,
    "expired": expired,
    "spent": spent,
    "redeemed": redeemed,
    "killed": killed,
    "unknown": unknown,
    "missing_id": missing_id,
    "other_identifier": other_identifier,
    "other_purpose": other_purpose,
}


def signature(error: ApiError) -> tuple[object, ...]:
    return (
        type(error),
        error.code,
        str(error),
        error.message,
        error.descriptions,
        error.persist,
        dict(error.headers),
        error.args,
    )


class Spies:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.compare_digest: list[tuple[str, str]] = []
        self.codes_match = 0
        real_compare, real_match = hmac.compare_digest, codes.codes_match

        def compare_spy(a: str, b: str) -> bool:
            self.compare_digest.append((a, b))
            return real_compare(a, b)

        def match_spy(expected: str, presented: str) -> bool:
            self.codes_match += 1
            return real_match(expected, presented)

        monkeypatch.setattr(hmac, "compare_digest", compare_spy)
        monkeypatch.setattr(codes, "codes_match", match_spy)
        monkeypatch.setattr(service, "codes_match", match_spy)

    def reset(self) -> None:
        self.compare_digest.clear()
        self.codes_match = 0


async def test_every_failure_is_the_same_error(
    otp: OtpHarness, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    spies = Spies(monkeypatch)
    errors: dict[str, ApiError] = {}
    for name, scenario in SCENARIOS.items():
        freeze_base()
        attempt = await scenario(otp)
        spies.reset()
        errors[name] = await refused(attempt.run(otp), ErrorCode.OTP_INVALID)

        # The presented code went through codes_match, i.e. hmac.compare_digest, on this path
        # too (against a dummy HMAC when there is no challenge).
        assert spies.codes_match == 1, name
        presented = expected_hmac(
            otp.key, otp.tenant_id, attempt.challenge_id or uuid.UUID(int=0), attempt.code
        )
        compared = [a for a, b in spies.compare_digest if b == presented]
        assert len(compared) == 1, (name, spies.compare_digest)
        if name in ("unknown", "missing_id", "other_purpose"):
            assert compared == [NO_CHALLENGE], name

    reference = signature(errors["wrong"])
    assert reference[5] is True  # persisted: the failure is counted
    different = {name: signature(e) for name, e in errors.items() if signature(e) != reference}
    assert different == {}


async def test_a_success_goes_through_compare_digest_too(
    otp: OtpHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    spies = Spies(monkeypatch)
    phone = new_phone()
    issued = await otp.issue(phone)
    spies.reset()
    await otp.verify(phone, issued.challenge_id, issued.code)
    assert spies.codes_match == 1
    stored = expected_hmac(otp.key, otp.tenant_id, issued.challenge_id, issued.code)
    assert (stored, stored) in spies.compare_digest
