"""Issuing and checking one-time codes.

Contract (OTP-1 ... OTP-8):
- issue() refuses with OTP_IDENTIFIER_LOCKED, OTP_RESEND_TOO_SOON or OTP_SEND_LIMIT (429 with
  Retry-After) and otherwise stores a challenge holding only the code's HMAC.
- verify() answers every wrong, expired, spent, killed, foreign or unknown challenge with the one
  OTP_INVALID, counts the failure against the identifier (10 in a row lock it, a resend never resets
  that), and lets exactly one of several concurrent correct attempts through (row locks).
- With redeem=True a code already verified may be presented once more, within the redeem window,
  to finish the step it guards; that use is final.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.kit.redact import mask_identifier
from hawiya.models import OtpChallenge, OtpIdentifierState
from hawiya.otp.codes import code_hmac, codes_match, new_code
from hawiya.otp.policy import OtpPolicy, OtpPurpose
from hawiya.otp.repository import OtpChallengeRepository, OtpStateRepository
from hawiya.ratelimit import service as ratelimit

# The state row that serialises sends to one identifier across purposes.
ANY_PURPOSE = "*"
# Compared against when there is no challenge, so a miss costs what a hit costs (OTP-7).
_NO_CHALLENGE = "0" * 64


@dataclass(frozen=True, slots=True)
class IssuedOtp:
    challenge_id: uuid.UUID
    code: str  # to be sent, and echoed only to sandbox tenants; never stored or logged
    expires_in_seconds: int


def _seconds(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds()) + 1)


def _locked(state: OtpIdentifierState, now: datetime) -> None:
    if state.locked_until is not None and state.locked_until > now:
        raise ApiError(
            ErrorCode.OTP_IDENTIFIER_LOCKED,
            headers={"Retry-After": str(_seconds(state.locked_until - now))},
        )


async def issue(
    session: AsyncSession,
    *,
    key: bytes,
    tenant_id: uuid.UUID,
    purpose: OtpPurpose,
    channel: str,
    identifier: str,
    policy: OtpPolicy,
    client_ip: str | None,
    binding: str = "",
) -> IssuedOtp:
    now = utcnow()
    states = OtpStateRepository(session, tenant_id)
    # The send limits count every purpose together, so concurrent sends to one identifier must
    # queue on one lock whatever their purpose (taken first, always, so no lock cycle can form).
    await states.lock_or_create(ANY_PURPOSE, identifier)
    state = await states.lock_or_create(purpose, identifier)
    _locked(state, now)
    if state.last_sent_at is not None:
        ready = state.last_sent_at + timedelta(seconds=policy.resend_cooldown_seconds)
        if ready > now:
            raise ApiError(
                ErrorCode.OTP_RESEND_TOO_SOON, headers={"Retry-After": str(_seconds(ready - now))}
            )
    challenges = OtpChallengeRepository(session, tenant_id)
    # Per identifier, over every purpose, in exact sliding windows (OTP-5: SMS pumping).
    for window, limit in ((3600, policy.sends_per_hour), (86_400, policy.sends_per_day)):
        count, oldest = await challenges.sends_since(identifier, now - timedelta(seconds=window))
        if count >= limit and oldest is not None:
            retry = _seconds(oldest + timedelta(seconds=window) - now)
            raise ApiError(ErrorCode.OTP_SEND_LIMIT, headers={"Retry-After": str(retry)})
    if client_ip:
        await ratelimit.hit(
            session,
            f"otp:addr:{tenant_id}:{client_ip}",
            limit=policy.sends_per_address_per_hour,
            window_seconds=3600,
            code=ErrorCode.OTP_SEND_LIMIT,
        )
    await ratelimit.hit(
        session,
        f"otp:tenant:{tenant_id}",
        limit=policy.sends_per_tenant_per_day,
        window_seconds=86_400,
        code=ErrorCode.OTP_SEND_LIMIT,
    )
    code = new_code()
    challenge_id = uuid.uuid4()
    await challenges.add(
        OtpChallenge(
            id=challenge_id,
            purpose=str(purpose),
            channel=channel,
            identifier=identifier,
            code_hmac=code_hmac(key, tenant_id, challenge_id, code),
            binding=binding,
            expires_at=now + timedelta(seconds=policy.ttl_seconds),
            client_ip=client_ip,
        )
    )
    state.last_sent_at = now
    return IssuedOtp(challenge_id, code, policy.ttl_seconds)


async def pending(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    challenge_id: uuid.UUID | None,
    purpose: OtpPurpose,
    binding: str,
) -> OtpChallenge | None:
    """A challenge of this purpose and binding, read without a lock, for validate calls that
    name only the challenge (ValidateUpdateEmailRequestOtp): its identifier is what verify() then
    checks. Nothing here says whether the code is right."""
    if challenge_id is None:
        return None
    challenge = await OtpChallengeRepository(session, tenant_id).get(challenge_id)
    if challenge is None or challenge.purpose != purpose or challenge.binding != binding:
        return None
    return challenge


def _acceptable(
    challenge: OtpChallenge | None,
    *,
    identifier: str,
    binding: str,
    redeem: bool,
    policy: OtpPolicy,
    now: datetime,
) -> bool:
    if challenge is None or challenge.dead or challenge.identifier != identifier:
        return False
    if challenge.binding != binding:
        return False
    if challenge.verified_at is None:
        return challenge.expires_at > now
    if not redeem or challenge.redeemed_at is not None:
        return False  # spent (OTP-3)
    return challenge.verified_at + timedelta(seconds=policy.redeem_window_seconds) > now


async def verify(
    session: AsyncSession,
    *,
    key: bytes,
    tenant_id: uuid.UUID,
    purpose: OtpPurpose,
    identifier: str,
    challenge_id: uuid.UUID | None,
    code: str | None,
    policy: OtpPolicy,
    binding: str = "",
    redeem: bool = False,
    actor: audit.Actor | None = None,
) -> OtpChallenge:
    now = utcnow()
    state = await OtpStateRepository(session, tenant_id).lock_or_create(purpose, identifier)
    _locked(state, now)
    challenge = (
        await OtpChallengeRepository(session, tenant_id).get_for_update(challenge_id, purpose)
        if challenge_id is not None
        else None
    )
    presented = code_hmac(key, tenant_id, challenge_id or uuid.UUID(int=0), (code or "").strip())
    matches = codes_match(challenge.code_hmac if challenge else _NO_CHALLENGE, presented)
    usable = _acceptable(
        challenge, identifier=identifier, binding=binding, redeem=redeem, policy=policy, now=now
    )
    if challenge is None or not (matches and usable):
        await _fail(session, tenant_id, state, challenge, identifier, policy, now, actor)
        raise ApiError(ErrorCode.OTP_INVALID, persist=True)
    state.consecutive_failures = 0
    state.lock_count = 0
    if challenge.verified_at is None:
        challenge.verified_at = now
    if redeem:
        challenge.redeemed_at = now
    await session.flush()
    return challenge


async def _fail(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    state: OtpIdentifierState,
    challenge: OtpChallenge | None,
    identifier: str,
    policy: OtpPolicy,
    now: datetime,
    actor: audit.Actor | None,
) -> None:
    if (
        challenge is not None
        and challenge.identifier == identifier
        and challenge.verified_at is None
    ):
        challenge.attempts += 1
        if challenge.attempts >= policy.max_attempts:
            challenge.dead = True
    state.consecutive_failures += 1
    if state.consecutive_failures >= policy.lock_after_failures:
        seconds = min(policy.lock_seconds * 2**state.lock_count, policy.max_lock_seconds)
        state.lock_count += 1
        state.locked_until = now + timedelta(seconds=seconds)
        state.consecutive_failures = 0
        await audit.record(
            session,
            audit.AuditAction.OTP_LOCKED,
            tenant_id=tenant_id,
            actor=actor or audit.SYSTEM,
            target=f"otp:{state.purpose}",
            details={"identifier": mask_identifier(identifier), "lockSeconds": seconds},
        )
    await session.flush()
