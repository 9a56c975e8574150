"""OTP-5: a 60 s resend cooldown, at most 5 sends per identifier per hour and 10 per 24 h (every
purpose together, exact sliding windows), and per-address and per-tenant quotas; every refusal is a
429-class error with a Retry-After that is right."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import datetime

import pytest
from fastapi import FastAPI

from hawiya.errors import ERRORS, ApiError, ErrorCode
from hawiya.kit.clock import Clock
from hawiya.otp.policy import OtpPurpose
from hawiya.otp.repository import OtpChallengeRepository
from hawiya.otp.service import IssuedOtp
from tests.fixtures.factories import create_tenant
from tests.otp.helpers import (
    OtpHarness,
    freeze_base,
    move,
    new_address,
    new_phone,
    outcome,
    refused,
    retry_after,
)


def test_refusals_are_429() -> None:
    for code in (ErrorCode.OTP_RESEND_TOO_SOON, ErrorCode.OTP_SEND_LIMIT):
        assert ERRORS[code].status == 429
    assert ERRORS[ErrorCode.OTP_IDENTIFIER_LOCKED].status == 429


async def test_resend_within_the_cooldown(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    await otp.issue(phone)
    move(base, 20)
    error = await refused(otp.issue(phone), ErrorCode.OTP_RESEND_TOO_SOON)
    assert retry_after(error) in (40, 41)
    move(base, 59)
    error = await refused(otp.issue(phone), ErrorCode.OTP_RESEND_TOO_SOON)
    assert retry_after(error) in (1, 2)
    move(base, 61)
    await otp.issue(phone)


async def test_refused_resend_does_not_restart_the_cooldown(
    otp: OtpHarness, frozen_clock: Clock
) -> None:
    base = freeze_base()
    phone = new_phone()
    await otp.issue(phone)
    move(base, 50)
    await refused(otp.issue(phone), ErrorCode.OTP_RESEND_TOO_SOON)
    move(base, 61)
    await otp.issue(phone)


async def test_sixth_send_in_an_hour(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    for n in range(5):
        move(base, 61 * n)
        await otp.issue(phone)
    move(base, 61 * 5)
    error = await refused(otp.issue(phone), ErrorCode.OTP_SEND_LIMIT)
    # the first send leaves the hour 3600 s after it was made
    assert retry_after(error) in (3600 - 305, 3600 - 305 + 1)
    move(base, 3600 - 1)
    await refused(otp.issue(phone), ErrorCode.OTP_SEND_LIMIT)
    move(base, 3600 + 1)
    await otp.issue(phone)
    await refused(otp.issue(phone), ErrorCode.OTP_RESEND_TOO_SOON)


async def test_sends_for_every_purpose_count_together(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    purposes = list(OtpPurpose)
    for n, purpose in enumerate(purposes[:5]):
        move(base, n)  # within each purpose's own cooldown the others still go through
        await otp.issue(phone, purpose=purpose)
    move(base, 10)
    error = await refused(otp.issue(phone, purpose=purposes[5]), ErrorCode.OTP_SEND_LIMIT)
    assert retry_after(error) in (3590, 3591)
    # another identifier is unaffected
    await otp.issue(new_phone(), purpose=purposes[5])


async def test_eleventh_send_in_a_day(otp: OtpHarness, frozen_clock: Clock) -> None:
    base = freeze_base()
    phone = new_phone()
    for n in range(10):  # every 800 s: never more than 5 in an hour
        move(base, 800 * n)
        await otp.issue(phone)
    move(base, 8000)
    error = await refused(otp.issue(phone), ErrorCode.OTP_SEND_LIMIT)
    assert retry_after(error) in (86_400 - 8000, 86_400 - 8000 + 1)
    move(base, 86_400 + 1)
    await otp.issue(phone)


async def test_per_address_quota(otp: OtpHarness, frozen_clock: Clock) -> None:
    freeze_base()
    otp.policy = replace(otp.policy, sends_per_address_per_hour=3)
    address = new_address()
    for _ in range(3):
        await otp.issue(new_phone(), client_ip=address)
    error = await refused(otp.issue(new_phone(), client_ip=address), ErrorCode.OTP_SEND_LIMIT)
    assert 0 < retry_after(error) <= 3600
    assert error.headers["RateLimit-Policy"] == "3;w=3600"
    # the quota is the address's, not everyone's
    await otp.issue(new_phone(), client_ip=new_address())


async def test_per_address_quota_is_per_tenant(
    otp: OtpHarness, app: FastAPI, frozen_clock: Clock
) -> None:
    # TEN-5: rate-limit buckets are prefixed by tenant, so one tenant's traffic from a shared
    # address (a carrier NAT, say) never spends another tenant's budget.
    freeze_base()
    otp.policy = replace(otp.policy, sends_per_address_per_hour=2)
    other = uuid.UUID((await create_tenant(app)).id)
    address = new_address()
    await otp.issue(new_phone(), client_ip=address)
    await otp.issue(new_phone(), client_ip=address)
    await refused(otp.issue(new_phone(), client_ip=address), ErrorCode.OTP_SEND_LIMIT)
    await otp.issue(new_phone(), client_ip=address, tenant_id=other)


async def test_per_tenant_quota(otp: OtpHarness, app: FastAPI, frozen_clock: Clock) -> None:
    freeze_base()
    otp.policy = replace(otp.policy, sends_per_tenant_per_day=3)
    for _ in range(3):
        await otp.issue(new_phone(), client_ip=new_address())
    error = await refused(otp.issue(new_phone(), client_ip=new_address()), ErrorCode.OTP_SEND_LIMIT)
    assert 0 < retry_after(error) <= 86_400
    assert error.headers["RateLimit-Policy"] == "3;w=86400"
    await refused(otp.issue(new_phone()), ErrorCode.OTP_SEND_LIMIT)
    # another tenant has its own quota
    other = uuid.UUID((await create_tenant(app)).id)
    await otp.issue(new_phone(), tenant_id=other)


async def test_racing_sends_for_one_identifier_cannot_exceed_the_hourly_limit(
    otp: OtpHarness, frozen_clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight simultaneous sends to one phone, one per purpose (each purpose has its own cooldown):
    the hourly limit of 5 holds under concurrency too. The count is widened into a race window
    (a short pause after counting) so the interleaving does not depend on luck."""
    freeze_base()
    real = OtpChallengeRepository.sends_since

    async def slow_count(
        self: OtpChallengeRepository, identifier: str, since: datetime
    ) -> tuple[int, datetime | None]:
        counted = await real(self, identifier, since)
        await asyncio.sleep(0.05)
        return counted

    monkeypatch.setattr(OtpChallengeRepository, "sends_since", slow_count)
    phone = new_phone()
    purposes = list(OtpPurpose)
    assert len(purposes) > otp.policy.sends_per_hour
    results = await asyncio.gather(
        *(outcome(otp.issue(phone, purpose=purpose)) for purpose in purposes)
    )
    sent = [r for r in results if isinstance(r, IssuedOtp)]
    refusals = [r for r in results if isinstance(r, ApiError)]
    assert len(sent) + len(refusals) == len(purposes), results
    assert {e.code for e in refusals} <= {ErrorCode.OTP_SEND_LIMIT}
    assert len(sent) == otp.policy.sends_per_hour, f"{len(sent)} codes sent to one phone at once"


async def test_racing_resends_of_one_purpose_send_one_code(otp: OtpHarness) -> None:
    phone = new_phone()
    results = await asyncio.gather(*(outcome(otp.issue(phone)) for _ in range(10)))
    sent = [r for r in results if isinstance(r, IssuedOtp)]
    assert len(sent) == 1
    assert {r.code for r in results if isinstance(r, ApiError)} == {ErrorCode.OTP_RESEND_TOO_SOON}
