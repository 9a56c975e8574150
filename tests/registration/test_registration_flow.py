"""Flow §3.2 over HTTP: phone code, optional email code, Register; and its unhappy paths."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.kit.clock import Clock, utcnow
from hawiya.tenants import service as tenant_service
from tests.fixtures.factories import TenantFixture, create_tenant
from tests.http.routes import outbox_code, random_phone

BASE = "/api/DigitalIdentity"


async def post(http: httpx.AsyncClient, tenant: TenantFixture, path: str, **body: Any) -> Any:
    response = await http.post(f"{BASE}/{path}", json=body, headers=tenant.headers())
    return response.json()


async def send_phone_code(http: httpx.AsyncClient, tenant: TenantFixture, phone: str) -> str:
    sent = await post(http, tenant, "Register/StepVerifyPhone", phoneNumber=phone, smsProviders=0)
    assert sent["error_code"] is None, sent
    return str(sent["data"]["phoneNumberOtpRequestId"])


async def set_settings(app: FastAPI, tenant: TenantFixture, **changes: Any) -> None:
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        await tenant_service.update_settings(session, row, changes)


async def test_phone_registration_end_to_end(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    phone = random_phone()
    exists = await post(client, tenant, "CheckExistenceOfEmailOrPhone", phoneNumber=phone)
    assert exists["data"] == {"exists": False}

    request_id = await send_phone_code(client, tenant, phone)
    code = outbox_code(app, phone)
    checked = await post(
        client, tenant, "Register/StepVerifyPhone",
        phoneNumber=phone, phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
    )  # fmt: skip
    assert checked["error_code"] is None
    assert checked["data"]["isPhoneNumberConfirmed"] is True
    assert checked["data"]["phoneNumberOtp"] is None  # never echoed outside sandbox tenants

    registered = await post(
        client, tenant, "Register", phoneNumber=phone, password="nile-sunset-lantern",
        phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
        geoLocation={"latitude": "30.0444", "longitude": 31.2357},
    )  # fmt: skip
    assert registered["error_code"] is None, registered
    data = registered["data"]
    assert data["expireInSeconds"] == 86_400
    assert data["isDigitalIdentityVerified"] is False
    assert isinstance(data["user"]["id"], int)
    assert data["user"]["phoneNumber"] == phone
    assert data["accessToken"].count(".") == 2

    again = await post(client, tenant, "CheckExistenceOfEmailOrPhone", phoneNumber=phone)
    assert again["data"] == {"exists": True}
    # The same code cannot register a second time, and the phone is taken anyway.
    duplicate = await post(
        client, tenant, "Register", phoneNumber=phone,
        phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
    )  # fmt: skip
    assert duplicate["error_code"] == 1212

    # A user token refreshes at both paths, and is refused on admin endpoints (403).
    refreshed = await post(client, tenant, "RefreshToken", refreshToken=data["refreshToken"])
    assert refreshed["error_code"] is None
    admin_only = await client.get(
        "/api/hawiya/Session/Current", headers=tenant.headers(data["accessToken"])
    )
    assert admin_only.status_code == 403
    assert admin_only.json()["error_code"] == 1108


async def test_sandbox_tenants_get_the_code_back(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app, sandbox=True)
    phone = random_phone()
    sent = await post(client, tenant, "Register/StepVerifyPhone", phoneNumber=phone)
    assert sent["data"]["phoneNumberOtp"] == outbox_code(app, phone)
    assert sent["data"]["phoneOtpExpireInSeconds"] == 300


async def test_wrong_reused_and_expired_codes_give_one_answer(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    phone = random_phone()
    request_id = await send_phone_code(client, tenant, phone)
    code = outbox_code(app, phone)
    wrong = "000000" if code != "000000" else "111111"
    answers = []
    for otp, rid in ((wrong, request_id), (code, str(uuid.uuid4()))):
        answers.append(
            await post(
                client,
                tenant,
                "Register/StepVerifyPhone",
                phoneNumber=phone,
                phoneNumberOtpRequestId=rid,
                phoneNumberOtp=otp,
            )
        )
    ok = await post(
        client, tenant, "Register/StepVerifyPhone",
        phoneNumber=phone, phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
    )  # fmt: skip
    assert ok["error_code"] is None
    answers.append(
        await post(
            client,
            tenant,
            "Register/StepVerifyPhone",
            phoneNumber=phone,
            phoneNumberOtpRequestId=request_id,
            phoneNumberOtp=code,
        )
    )
    other = random_phone()
    late_id = await send_phone_code(client, tenant, other)
    late_code = outbox_code(app, other)
    frozen_clock.freeze(utcnow() + timedelta(seconds=301))
    answers.append(
        await post(
            client,
            tenant,
            "Register/StepVerifyPhone",
            phoneNumber=other,
            phoneNumberOtpRequestId=late_id,
            phoneNumberOtp=late_code,
        )
    )
    assert all(a == answers[0] for a in answers), answers
    assert answers[0]["error_code"] == 1201


async def test_register_requires_the_phone_code(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    missing = await post(client, tenant, "Register", phoneNumber=random_phone())
    assert missing["error_code"] == 1214
    await set_settings(app, tenant, isPhoneNumberConfirmationRequired=False)
    allowed = await post(client, tenant, "Register", phoneNumber=random_phone())
    assert allowed["error_code"] is None
    assert allowed["data"]["isPhoneNumberConfirmed"] is False


@pytest.mark.parametrize(
    ("phone", "code"),
    [("12345", 1210), ("+20223456789", 1210), ("+14155550123", 1211), ("+201012345678x", 1210)],
)
async def test_phone_numbers_are_validated(
    app: FastAPI, client: httpx.AsyncClient, tenant_a: TenantFixture, phone: str, code: int
) -> None:
    answer = await post(client, tenant_a, "Register/StepVerifyPhone", phoneNumber=phone)
    assert answer["error_code"] == code
    assert answer["data"] is None


async def test_other_countries_when_the_tenant_allows_them(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    await set_settings(app, tenant, allowedPhoneRegions=["EG", "SA"])
    answer = await post(client, tenant, "Register/StepVerifyPhone", phoneNumber="+966501234567")
    assert answer["error_code"] is None


async def test_email_confirmation_when_the_tenant_requires_it(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    await set_settings(app, tenant, isEmailConfirmationRequired=True)
    phone, email = random_phone(), f"user.{uuid.uuid4().hex[:8]}@example.com"
    phone_id = await send_phone_code(client, tenant, phone)
    phone_code = outbox_code(app, phone)
    without_email = await post(
        client, tenant, "Register", phoneNumber=phone, email=email,
        phoneNumberOtpRequestId=phone_id, phoneNumberOtp=phone_code,
    )  # fmt: skip
    assert without_email["error_code"] == 1215  # and the phone code was not spent by that
    sent = await post(client, tenant, "Register/StepVerifyEmail", email=email)
    assert sent["data"]["isEmailConfirmationRequired"] is True
    email_id, email_code = sent["data"]["emailOtpRequestId"], outbox_code(app, email)
    registered = await post(
        client, tenant, "Register", phoneNumber=phone, email=email,
        phoneNumberOtpRequestId=phone_id, phoneNumberOtp=phone_code,
        emailOtpRequestId=email_id, emailOtp=email_code,
    )  # fmt: skip
    assert registered["error_code"] is None, registered
    assert registered["data"]["isEmailConfirmed"] is True
    assert registered["data"]["user"]["emailAddress"] == email
    taken = await post(client, tenant, "CheckExistenceOfEmailOrPhone", email=email.upper())
    assert taken["data"] == {"exists": True}


async def test_concurrent_registrations_of_one_phone(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    await set_settings(app, tenant, isPhoneNumberConfirmationRequired=False)
    phone = random_phone()
    answers = await asyncio.gather(
        *(post(client, tenant, "Register", phoneNumber=phone) for _ in range(6))
    )
    codes = sorted(str(a["error_code"]) for a in answers)
    assert codes == ["1212"] * 5 + ["None"], answers


async def test_unconfigured_gateway_and_failed_delivery(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    phone = random_phone()
    unknown = await post(
        client, tenant, "Register/StepVerifyPhone", phoneNumber=phone, smsProviders=1
    )
    assert unknown["error_code"] == 1207
    infobip = {"kind": "infobip", "base_url": "http://127.0.0.1:9", "api_key": "k"}
    await set_settings(app, tenant, smsGateways={"infobip": infobip})
    response = await client.post(
        f"{BASE}/Register/StepVerifyPhone",
        json={"phoneNumber": phone, "smsProviders": 1},
        headers=tenant.headers(),
    )
    assert response.status_code == 502
    assert response.json()["error_code"] == 1205  # reported, not swallowed


async def test_a_code_from_another_tenant_is_refused(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    a, b = await create_tenant(app), await create_tenant(app)
    phone = random_phone()
    request_id = await send_phone_code(client, a, phone)
    code = outbox_code(app, phone)
    foreign = await post(
        client, b, "Register/StepVerifyPhone",
        phoneNumber=phone, phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
    )  # fmt: skip
    unknown = await post(
        client, b, "Register/StepVerifyPhone",
        phoneNumber=phone, phoneNumberOtpRequestId=str(uuid.uuid4()), phoneNumberOtp=code,
    )  # fmt: skip
    assert foreign == unknown
    assert foreign["error_code"] == 1201
    still_ok = await post(
        client, a, "Register/StepVerifyPhone",
        phoneNumber=phone, phoneNumberOtpRequestId=request_id, phoneNumberOtp=code,
    )  # fmt: skip
    assert still_ok["error_code"] is None
