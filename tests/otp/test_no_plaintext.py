"""OTP-6: a code is never stored or logged. After a run of issues and verifies, no table row and no
log record holds an issued code; the stored value is HMAC-SHA256(key, tenant|challenge|code)."""

from __future__ import annotations

import json
import logging
import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import Clock
from hawiya.models import Base
from hawiya.otp.codes import binding_hash
from hawiya.otp.policy import OtpPurpose, policy_for
from hawiya.otp.service import IssuedOtp
from tests.otp.helpers import (
    OtpHarness,
    expected_hmac,
    freeze_base,
    move,
    new_address,
    new_email,
    new_phone,
    other_code,
    refused,
)


def standalone(code: str) -> re.Pattern[str]:
    """The code as a value of its own: not inside a longer run of letters or digits (hashes, ids)
    and not after a dot (the microseconds of a timestamp, the decimals of a number)."""
    return re.compile(rf"(?<![0-9A-Za-z.]){re.escape(code)}(?![0-9A-Za-z])")


def text_of(value: Any) -> str | None:
    """A column value as text, or None for types that cannot carry a code as text."""
    if value is None or isinstance(value, bool | datetime | date | uuid.UUID):
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def leaks(codes: Iterable[str], rows: Iterable[tuple[str, str, Any]]) -> list[tuple[str, str, str]]:
    """(table, column, code) for every value that equals a code or holds it as a standalone
    token."""
    patterns = {code: standalone(code) for code in codes}
    found = []
    for table, column, value in rows:
        text = text_of(value)
        if text is None:
            continue
        for code, pattern in patterns.items():
            if text == code or pattern.search(text):
                found.append((table, column, code))
    return found


async def dump(session: AsyncSession) -> list[tuple[str, str, Any]]:
    """Every value of every row of every table the database has."""
    connection = await session.connection()
    existing = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    values: list[tuple[str, str, Any]] = []
    for table in Base.metadata.sorted_tables:
        if table.name not in existing:  # a model whose migration is still being written
            continue
        for row in (await session.execute(select(table))).mappings():
            values += [(table.name, column, value) for column, value in row.items()]
    return values


def test_leak_scanner_is_not_vacuous() -> None:
    code = "542917"
    hits = leaks(
        [code],
        [
            ("otp_challenge", "code", code),
            ("otp_challenge", "code_int", 542917),
            ("job", "payload", {"sms": f"Your code is {code}."}),
            ("audit_event", "details", {"otp": code}),
            ("blob", "data", f"\x00{code}\x00".encode()),
        ],
    )
    assert len(hits) == 5
    near_misses = [
        ("t", "hash", f"ab{code}cd"),
        ("t", "phone", f"+2010{code}11"),
        ("t", "decimal", f"30.{code}"),
        ("t", "when", datetime(2026, 1, 1, 1, 1, 1, 542917)),
        ("t", "when_text", f"2026-01-01 01:01:01.{code}"),
        ("t", "id", uuid.uuid4()),
    ]
    assert leaks([code], near_misses) == []


async def run_flows(otp: OtpHarness) -> list[tuple[uuid.UUID, IssuedOtp]]:
    """Issues and verifies on every path: success, wrong, expired, killed, redeem, resend, lock,
    email, binding. Returns (tenant, issued) for every code issued."""
    issued: list[tuple[uuid.UUID, IssuedOtp]] = []
    base = freeze_base()

    async def send(identifier: str, **kwargs: Any) -> IssuedOtp:
        one = await otp.issue(identifier, **kwargs)
        issued.append((otp.tenant_id, one))
        return one

    phone = new_phone()
    first = await send(phone, client_ip=new_address())
    await refused(
        otp.verify(phone, first.challenge_id, other_code(first.code)), ErrorCode.OTP_INVALID
    )
    await otp.verify(phone, first.challenge_id, first.code)
    await otp.verify(phone, first.challenge_id, first.code, redeem=True)
    await refused(otp.verify(phone, first.challenge_id, first.code), ErrorCode.OTP_INVALID)

    move(base, 61)
    second = await send(phone)
    for _ in range(9):
        await refused(
            otp.verify(phone, second.challenge_id, other_code(second.code)), ErrorCode.OTP_INVALID
        )
    with pytest.raises(ApiError):  # the 10th failure: the identifier locks (audited)
        await otp.verify(phone, second.challenge_id, other_code(second.code))
    await refused(
        otp.verify(phone, second.challenge_id, second.code), ErrorCode.OTP_IDENTIFIER_LOCKED
    )

    expired_phone = new_phone()
    expired = await send(expired_phone)
    move(base, 61 + otp.policy.ttl_seconds + 1)
    await refused(
        otp.verify(expired_phone, expired.challenge_id, expired.code), ErrorCode.OTP_INVALID
    )

    email_policy = policy_for("email")
    email = new_email()
    otp.channel = "email"
    mail = await send(email, purpose=OtpPurpose.REGISTER_EMAIL, policy=email_policy)
    await otp.verify(
        email, mail.challenge_id, mail.code, purpose=OtpPurpose.REGISTER_EMAIL, policy=email_policy
    )
    otp.channel = "sms"

    binding = binding_hash("contract-A", "sha-1")
    signer = new_phone()
    sign = await send(signer, purpose=OtpPurpose.CONTRACT_SIGN, binding=binding)
    await refused(
        otp.verify(signer, sign.challenge_id, sign.code, purpose=OtpPurpose.CONTRACT_SIGN),
        ErrorCode.OTP_INVALID,
    )
    await otp.verify(
        signer, sign.challenge_id, sign.code, purpose=OtpPurpose.CONTRACT_SIGN, binding=binding
    )

    # codes that are never verified at all, one of them with leading zeros
    otp.policy = replace(otp.policy, sends_per_hour=10, sends_per_day=50)
    small = secrets.randbelow(9000) + 1000
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(secrets, "randbelow", lambda upper: small)
        assert (await send(new_phone())).code == f"00{small}"
    for _ in range(4):
        await send(new_phone())
    return issued


async def test_codes_are_neither_stored_nor_logged(
    otp: OtpHarness, frozen_clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for noisy in ("aiosqlite", "asyncio", "sqlalchemy.pool"):
        caplog.set_level(logging.WARNING, logger=noisy)
    # Every statement and its parameters: the code must not even reach the database driver.
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    issued = await run_flows(otp)
    codes = [one.code for _, one in issued]
    assert len(codes) == 10

    async with session_scope(otp.app.state.db.writer) as session:
        rows = await dump(session)
    tables = {table for table, _, _ in rows}
    assert {"otp_challenge", "otp_identifier_state", "audit_event"} <= tables
    assert leaks(codes, rows) == []

    # The stored value is exactly HMAC-SHA256(key, "tenant|challenge|code").
    for tenant_id, one in issued:
        row = await otp.challenge(one.challenge_id)
        assert row.tenant_id == tenant_id
        assert row.code_hmac == expected_hmac(otp.key, tenant_id, one.challenge_id, one.code)
        assert row.code_hmac != expected_hmac(otp.key, tenant_id, one.challenge_id, "000000")

    statements = [r for r in caplog.records if r.name.startswith("sqlalchemy.engine")]
    stored = expected_hmac(otp.key, otp.tenant_id, issued[0][1].challenge_id, issued[0][1].code)
    assert any(stored in repr(r.args) for r in statements), "SQL parameters were not captured"
    logged = [
        ("log", record.name, value)
        for record in caplog.records
        for value in (record.getMessage(), repr(record.args), repr(vars(record)))
    ]
    assert leaks(codes, logged) == []
