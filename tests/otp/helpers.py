"""A thin harness around the OTP service: every call in its own transaction, as a request would.

issue() and verify() open their own session_scope, so a test wraps them in pytest.raises from the
outside and the scope commits or rolls back exactly as the request boundary would.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import clock
from hawiya.models import AuditEvent, OtpChallenge, OtpIdentifierState
from hawiya.otp import service
from hawiya.otp.policy import OtpPolicy, OtpPurpose, policy_for

PURPOSE = OtpPurpose.REGISTER_PHONE


def new_phone() -> str:
    return "+2010" + f"{secrets.randbelow(10**8):08d}"


def new_email() -> str:
    return f"user{secrets.token_hex(6)}@example.test"


def new_address() -> str:
    """A client address no other test uses, so its send bucket starts empty."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def other_code(code: str) -> str:
    """A code guaranteed to differ from the given one."""
    return f"{(int(code) + 1) % 10**6:06d}"


def expected_hmac(key: bytes, tenant_id: uuid.UUID, challenge_id: uuid.UUID, code: str) -> str:
    """HMAC-SHA256(key, tenant|challenge|code), computed independently of hawiya.otp.codes."""
    message = f"{tenant_id}|{challenge_id}|{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def freeze_base() -> datetime:
    """A frozen 'now' at the start of a fresh hour plus 10 s (fixed rate-limit windows stay put)."""
    now = datetime.now(UTC).replace(minute=0, second=10, microsecond=0)
    clock.freeze(now)
    return now


def move(base: datetime, seconds: float) -> datetime:
    moment = base + timedelta(seconds=seconds)
    clock.freeze(moment)
    return moment


def retry_after(error: ApiError) -> int:
    return int(error.headers["Retry-After"])


@dataclass
class OtpHarness:
    app: FastAPI
    tenant_id: uuid.UUID
    key: bytes
    policy: OtpPolicy = field(default_factory=lambda: policy_for("sms"))
    channel: str = "sms"

    async def issue(
        self,
        identifier: str,
        *,
        purpose: OtpPurpose = PURPOSE,
        policy: OtpPolicy | None = None,
        client_ip: str | None = None,
        binding: str = "",
        tenant_id: uuid.UUID | None = None,
    ) -> service.IssuedOtp:
        async with session_scope(self.app.state.db.writer) as session:
            return await service.issue(
                session,
                key=self.key,
                tenant_id=tenant_id or self.tenant_id,
                purpose=purpose,
                channel=self.channel,
                identifier=identifier,
                policy=policy or self.policy,
                client_ip=client_ip,
                binding=binding,
            )

    async def verify(
        self,
        identifier: str,
        challenge_id: uuid.UUID | None,
        code: str | None,
        *,
        purpose: OtpPurpose = PURPOSE,
        policy: OtpPolicy | None = None,
        binding: str = "",
        redeem: bool = False,
        tenant_id: uuid.UUID | None = None,
    ) -> OtpChallenge:
        async with session_scope(self.app.state.db.writer) as session:
            return await service.verify(
                session,
                key=self.key,
                tenant_id=tenant_id or self.tenant_id,
                purpose=purpose,
                identifier=identifier,
                challenge_id=challenge_id,
                code=code,
                policy=policy or self.policy,
                binding=binding,
                redeem=redeem,
            )

    async def challenge(self, challenge_id: uuid.UUID) -> OtpChallenge:
        async with session_scope(self.app.state.db.writer) as session:
            query = select(OtpChallenge).where(OtpChallenge.id == challenge_id)
            return (await session.execute(query)).scalar_one()

    async def state(
        self, identifier: str, purpose: OtpPurpose = PURPOSE
    ) -> OtpIdentifierState | None:
        async with session_scope(self.app.state.db.writer) as session:
            query = select(OtpIdentifierState).where(
                OtpIdentifierState.tenant_id == self.tenant_id,
                OtpIdentifierState.purpose == str(purpose),
                OtpIdentifierState.identifier == identifier,
            )
            return (await session.execute(query)).scalar_one_or_none()

    async def audit_events(self, action: str) -> list[AuditEvent]:
        async with session_scope(self.app.state.db.writer) as session:
            query = (
                select(AuditEvent)
                .where(AuditEvent.tenant_id == self.tenant_id, AuditEvent.action == action)
                .order_by(AuditEvent.seq)
            )
            return list((await session.execute(query)).scalars())


async def refused(call: Awaitable[object], code: ErrorCode) -> ApiError:
    """Await the call (which opens its own session scope) and return the ApiError it raised."""
    with pytest.raises(ApiError) as info:
        await call
    assert info.value.code == code, (info.value.code, info.value.headers)
    return info.value


async def outcome(call: Awaitable[object]) -> object:
    """The result, or the ApiError raised; for asyncio.gather over racing calls."""
    try:
        return await call
    except ApiError as exc:
        return exc
