"""PW-2 for end-user passwords at Register (8 characters, because a new device also needs a code;
otherwise the administrators' rules) and PW-1 for the stored hash."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.users.repository import EndUserRepository
from tests.http.routes import new_caller, outbox_code, random_phone
from tests.http.support import scanned

RANDOM_129 = "Zq8" + "x7Lp" * 31 + "Kw"


async def _register(app: FastAPI, password: str) -> tuple[dict[str, object], str, str]:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        phone = random_phone()
        sent = await http.post(
            "/api/DigitalIdentity/Register/StepVerifyPhone",
            json={"phoneNumber": phone},
            headers=c.key(),
        )
        body = {
            "phoneNumber": phone,
            "password": password.format(tenant=c.tenant.name, phone="0" + phone[3:]),
            "phoneNumberOtpRequestId": sent.json()["data"]["phoneNumberOtpRequestId"],
            "phoneNumberOtp": outbox_code(app, phone),
        }
        response = await http.post("/api/DigitalIdentity/Register", json=body, headers=c.key())
        return response.json(), c.tenant.id, phone


@pytest.mark.parametrize(
    ("password", "code"),
    [
        pytest.param("Qx7!mKp", 1120, id="seven-characters"),
        pytest.param(RANDOM_129, 1121, id="too-long"),
        pytest.param("password1", 1122, id="too-common"),
        pytest.param("{tenant}-rules-77", 1123, id="tenant-name"),
        pytest.param("my{phone}x", 1123, id="own-phone-number"),
    ],
)
async def test_register_refuses_weak_passwords_and_creates_nothing(
    app: FastAPI, password: str, code: int
) -> None:
    payload, tenant_id, phone = await _register(app, password)
    assert payload["error_code"] == code, payload
    async with session_scope(app.state.db.reader) as session:
        assert await EndUserRepository(session, uuid.UUID(tenant_id)).get_by_phone(phone) is None


@pytest.mark.parametrize(
    "password", ["Qx7!mKp2", "كلمة-سر-طويلة-جدا-للمستخدم", "river stone amber lamp " * 5]
)
async def test_register_accepts_policy_compliant_passwords(app: FastAPI, password: str) -> None:
    payload, tenant_id, phone = await _register(app, password[:128])
    assert payload["error_code"] is None, payload
    async with session_scope(app.state.db.reader) as session:
        user = await EndUserRepository(session, uuid.UUID(tenant_id)).get_by_phone(phone)
    assert user is not None and user.password_hash is not None
    assert user.password_hash.startswith("$argon2id$v=19$")  # PW-1: never the password itself
    assert password[:128] not in user.password_hash
