"""OTP policy: the checklist defaults, and tenant overrides clamped to safe bounds (OTP-2, OTP-4,
OTP-5). A tenant may tighten anything, and loosen only within the bounds below."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class OtpPurpose(StrEnum):
    REGISTER_PHONE = "register_phone"
    REGISTER_EMAIL = "register_email"
    LOGIN_DEVICE = "login_device"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret
    EMAIL_CHANGE = "email_change"
    PHONE_CHANGE = "phone_change"
    VERIFY_EMAIL = "verify_email"
    CONTRACT_SIGN = "contract_sign"


@dataclass(frozen=True, slots=True)
class OtpPolicy:
    ttl_seconds: int
    max_attempts: int = 5  # wrong codes that kill one challenge
    lock_after_failures: int = 10  # consecutive failures per identifier that lock it
    lock_seconds: int = 900  # first lock; each later lock doubles
    max_lock_seconds: int = 86_400
    resend_cooldown_seconds: int = 60
    sends_per_hour: int = 5  # per identifier, every purpose together
    sends_per_day: int = 10
    sends_per_address_per_hour: int = 30
    sends_per_tenant_per_day: int = 50_000
    # How long a verified code may still be presented once to finish its step (Register).
    redeem_window_seconds: int = 1800


SMS_TTL = 300
EMAIL_TTL = 600
# Never above 10 minutes for SMS (NIST 63B-4, ASVS 6.5.5) and 24 hours for email confirmation.
MAX_TTL = {"sms": 600, "email": 86_400}

# setting name -> (field, lowest allowed, highest allowed)
_BOUNDS: dict[str, tuple[str, int, int]] = {
    "otpSmsTtlSeconds": ("ttl_seconds", 60, MAX_TTL["sms"]),
    "otpEmailTtlSeconds": ("ttl_seconds", 60, MAX_TTL["email"]),
    "otpMaxAttempts": ("max_attempts", 1, 10),
    "otpLockAfterFailures": ("lock_after_failures", 3, 100),
    "otpLockSeconds": ("lock_seconds", 60, 86_400),
    "otpResendCooldownSeconds": ("resend_cooldown_seconds", 30, 3600),
    "otpSendsPerHour": ("sends_per_hour", 1, 10),
    "otpSendsPerDay": ("sends_per_day", 1, 50),
    "otpSendsPerAddressPerHour": ("sends_per_address_per_hour", 1, 1000),
    "otpSendsPerTenantPerDay": ("sends_per_tenant_per_day", 1, 10_000_000),
}


def policy_for(channel: str, overrides: Mapping[str, Any] | None = None) -> OtpPolicy:
    """The policy for a channel ("sms" or "email") with the tenant's overrides, each clamped."""
    policy = OtpPolicy(ttl_seconds=SMS_TTL if channel == "sms" else EMAIL_TTL)
    for name, value in (overrides or {}).items():
        bound = _BOUNDS.get(name)
        if bound is None or value is None:
            continue
        if name == "otpSmsTtlSeconds" and channel != "sms":
            continue
        if name == "otpEmailTtlSeconds" and channel != "email":
            continue
        field, low, high = bound
        policy = replace(policy, **{field: max(low, min(high, int(value)))})
    return policy


def override_bounds() -> dict[str, tuple[int, int]]:
    """The settable names and their ranges (for tenant settings validation and the docs)."""
    return {name: (low, high) for name, (_, low, high) in _BOUNDS.items()}
