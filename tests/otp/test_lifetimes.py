"""OTP-2: codes live 5 minutes by SMS and 10 by email, to the second; tenant overrides can never
push them past 10 minutes (SMS) or 24 hours (email); every override is clamped to its bounds."""

from __future__ import annotations

import pytest

from hawiya.errors import ErrorCode
from hawiya.kit.clock import Clock
from hawiya.otp.policy import MAX_TTL, OtpPolicy, OtpPurpose, override_bounds, policy_for
from tests.otp.helpers import (
    OtpHarness,
    freeze_base,
    move,
    new_email,
    new_phone,
    refused,
)


def test_checklist_defaults() -> None:
    sms, email = policy_for("sms"), policy_for("email")
    assert (sms.ttl_seconds, email.ttl_seconds) == (300, 600)
    for policy in (sms, email):
        assert policy.max_attempts == 5
        assert policy.lock_after_failures == 10
        assert policy.lock_seconds == 900
        assert policy.max_lock_seconds == 86_400
        assert policy.resend_cooldown_seconds == 60
        assert (policy.sends_per_hour, policy.sends_per_day) == (5, 10)
    assert MAX_TTL == {"sms": 600, "email": 86_400}


@pytest.mark.parametrize(
    ("channel", "purpose", "ttl"),
    [
        ("sms", OtpPurpose.REGISTER_PHONE, 300),
        ("sms", OtpPurpose.CONTRACT_SIGN, 300),
        ("email", OtpPurpose.REGISTER_EMAIL, 600),
        ("email", OtpPurpose.VERIFY_EMAIL, 600),
    ],
)
async def test_code_verifies_until_ttl_and_not_after(
    otp: OtpHarness, frozen_clock: Clock, channel: str, purpose: OtpPurpose, ttl: int
) -> None:
    otp.channel, otp.policy = channel, policy_for(channel)
    assert otp.policy.ttl_seconds == ttl
    new_identifier = new_phone if channel == "sms" else new_email
    base = freeze_base()

    alive, late = new_identifier(), new_identifier()
    first = await otp.issue(alive, purpose=purpose)
    second = await otp.issue(late, purpose=purpose)
    assert first.expires_in_seconds == second.expires_in_seconds == ttl
    assert (await otp.challenge(first.challenge_id)).expires_at == move(base, ttl)

    move(base, ttl - 1)
    verified = await otp.verify(alive, first.challenge_id, first.code, purpose=purpose)
    assert verified.verified_at is not None

    move(base, ttl + 1)
    await refused(
        otp.verify(late, second.challenge_id, second.code, purpose=purpose), ErrorCode.OTP_INVALID
    )
    row = await otp.challenge(second.challenge_id)
    assert row.verified_at is None


async def test_loosened_sms_ttl_is_clamped_to_ten_minutes(
    otp: OtpHarness, frozen_clock: Clock
) -> None:
    otp.policy = policy_for("sms", {"otpSmsTtlSeconds": 3600})
    assert otp.policy.ttl_seconds == 600
    base = freeze_base()
    alive, late = new_phone(), new_phone()
    first, second = await otp.issue(alive), await otp.issue(late)
    assert first.expires_in_seconds == 600
    move(base, 599)
    await otp.verify(alive, first.challenge_id, first.code)
    move(base, 601)
    await refused(otp.verify(late, second.challenge_id, second.code), ErrorCode.OTP_INVALID)


@pytest.mark.parametrize(
    ("channel", "overrides", "field", "expected"),
    [
        ("sms", {"otpSmsTtlSeconds": 3600}, "ttl_seconds", 600),
        ("sms", {"otpSmsTtlSeconds": 10**9}, "ttl_seconds", 600),
        ("sms", {"otpSmsTtlSeconds": 1}, "ttl_seconds", 60),
        ("sms", {"otpSmsTtlSeconds": 120}, "ttl_seconds", 120),
        ("sms", {"otpEmailTtlSeconds": 86_400}, "ttl_seconds", 300),  # not an SMS setting
        ("email", {"otpEmailTtlSeconds": 10**9}, "ttl_seconds", 86_400),
        ("email", {"otpEmailTtlSeconds": -5}, "ttl_seconds", 60),
        ("email", {"otpSmsTtlSeconds": 60}, "ttl_seconds", 600),  # not an email setting
        ("sms", {"otpMaxAttempts": 1000}, "max_attempts", 10),
        ("sms", {"otpMaxAttempts": 0}, "max_attempts", 1),
        ("sms", {"otpMaxAttempts": 3}, "max_attempts", 3),
        ("sms", {"otpLockAfterFailures": 10**6}, "lock_after_failures", 100),
        ("sms", {"otpLockAfterFailures": 1}, "lock_after_failures", 3),
        ("sms", {"otpLockSeconds": 1}, "lock_seconds", 60),
        ("sms", {"otpLockSeconds": 10**9}, "lock_seconds", 86_400),
        ("sms", {"otpResendCooldownSeconds": 0}, "resend_cooldown_seconds", 30),
        ("sms", {"otpSendsPerHour": 500}, "sends_per_hour", 10),
        ("sms", {"otpSendsPerHour": 0}, "sends_per_hour", 1),
        ("sms", {"otpSendsPerDay": 10**6}, "sends_per_day", 50),
        ("sms", {"otpSendsPerAddressPerHour": 0}, "sends_per_address_per_hour", 1),
        ("sms", {"otpSendsPerTenantPerDay": 0}, "sends_per_tenant_per_day", 1),
        ("sms", {"unknownSetting": 1, "otpMaxAttempts": None}, "max_attempts", 5),
    ],
)
def test_overrides_are_clamped(
    channel: str, overrides: dict[str, object], field: str, expected: int
) -> None:
    assert getattr(policy_for(channel, overrides), field) == expected


def test_no_override_escapes_the_hard_limits() -> None:
    """Whatever a tenant sets, the SMS TTL stays <= 10 min, email <= 24 h, attempts <= 10, the
    lock threshold <= 100 (NIST's cap)."""
    extreme_high = dict.fromkeys(override_bounds(), 10**12)
    extreme_low = dict.fromkeys(override_bounds(), -(10**12))
    for overrides in (extreme_high, extreme_low):
        sms, email = policy_for("sms", overrides), policy_for("email", overrides)
        assert 60 <= sms.ttl_seconds <= 600
        assert 60 <= email.ttl_seconds <= 86_400
        for policy in (sms, email):
            assert isinstance(policy, OtpPolicy)
            assert 1 <= policy.max_attempts <= 10
            assert 3 <= policy.lock_after_failures <= 100
            assert 60 <= policy.lock_seconds <= policy.max_lock_seconds
            assert policy.resend_cooldown_seconds >= 30
            assert 1 <= policy.sends_per_hour <= 10
            assert 1 <= policy.sends_per_day <= 50
