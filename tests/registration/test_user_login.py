"""End-user login (spec §2.3): known devices, the SMS code for a new device, one generic failure,
the per-account throttle, and the last active device location."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.kit.clock import Clock, utcnow
from hawiya.models import EndUser
from hawiya.users.repository import EndUserRepository
from tests.fixtures.factories import TenantFixture, create_tenant
from tests.http.routes import outbox_code, random_phone

LOGIN = "/api/DigitalIdentity/Login"
PASSWORD = "nile-sunset-lantern"
IMEI = "356938035643809"


async def registered_user(
    app: FastAPI, http: httpx.AsyncClient, tenant: TenantFixture, *, password: str | None = PASSWORD
) -> str:
    phone = random_phone()
    sent = await http.post(
        "/api/DigitalIdentity/Register/StepVerifyPhone",
        json={"phoneNumber": phone},
        headers=tenant.headers(),
    )
    body: dict[str, Any] = {
        "phoneNumber": phone,
        "phoneNumberOtpRequestId": sent.json()["data"]["phoneNumberOtpRequestId"],
        "phoneNumberOtp": outbox_code(app, phone),
    }
    if password:
        body["password"] = password
    done = await http.post("/api/DigitalIdentity/Register", json=body, headers=tenant.headers())
    assert done.json()["error_code"] is None, done.json()
    return phone


async def login(
    http: httpx.AsyncClient, tenant: TenantFixture, phone: str, **extra: Any
) -> httpx.Response:
    body = {"phoneNumber": phone, "password": PASSWORD, "imei": IMEI, "imsi": None, **extra}
    return await http.post(LOGIN, json=body, headers=tenant.headers())


async def stored_user(app: FastAPI, tenant: TenantFixture, phone: str) -> EndUser:
    import uuid

    async with session_scope(app.state.db.reader) as session:
        user = await EndUserRepository(session, uuid.UUID(tenant.id)).get_by_phone(phone)
    assert user is not None
    return user


async def test_new_device_needs_the_sms_code_then_is_known(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    phone = await registered_user(app, client, tenant)
    where = {"latitude": "30.0444", "longitude": 31.2357}
    first = await login(client, tenant, phone, geoLocation=where, smsProviders=0)
    data = first.json()["data"]
    assert first.status_code == 200
    assert data["accessToken"] is None
    assert data["phoneNumberOtpRequestId"]
    assert (await stored_user(app, tenant, phone)).last_location_at is None  # not proved yet

    second = await login(
        client,
        tenant,
        phone,
        geoLocation=where,
        phoneNumberOtpRequestId=data["phoneNumberOtpRequestId"],
        phoneNumberOtp=outbox_code(app, phone),
    )
    done = second.json()["data"]
    assert done["accessToken"].count(".") == 2
    assert done["expireInSeconds"] == 86_400
    assert done["user"]["phoneNumber"] == phone
    user = await stored_user(app, tenant, phone)
    assert (user.last_latitude, user.last_longitude) == (30.0444, 31.2357)

    known = await login(client, tenant, phone)
    assert known.json()["data"]["accessToken"]
    frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # past the resend cooldown
    other_device = await login(client, tenant, phone, imei="490154203237518")
    assert other_device.json()["data"]["accessToken"] is None


async def test_wrong_password_and_unknown_phone_answer_alike(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    phone = await registered_user(app, client, tenant)
    wrong = await login(client, tenant, phone, password="not-the-password")
    unknown = await login(client, tenant, random_phone())
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["error_code"] == 1110


async def test_wrong_device_code_is_refused(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    phone = await registered_user(app, client, tenant)
    first = (await login(client, tenant, phone)).json()["data"]
    code = outbox_code(app, phone)
    wrong = await login(
        client,
        tenant,
        phone,
        phoneNumberOtpRequestId=first["phoneNumberOtpRequestId"],
        phoneNumberOtp="000000" if code != "000000" else "111111",
    )
    assert wrong.json()["error_code"] == 1201
    assert wrong.json()["data"] is None


async def test_account_without_password_always_needs_the_code(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    phone = await registered_user(app, client, tenant, password=None)
    with_password = await login(client, tenant, phone)
    assert with_password.json()["error_code"] == 1110  # there is no password to match
    first = (await login(client, tenant, phone, password=None)).json()["data"]
    assert first["accessToken"] is None
    second = await login(
        client,
        tenant,
        phone,
        password=None,
        phoneNumberOtpRequestId=first["phoneNumberOtpRequestId"],
        phoneNumberOtp=outbox_code(app, phone),
    )
    assert second.json()["data"]["accessToken"]


async def test_failures_lock_the_account_at_ten(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    phone = await registered_user(app, client, tenant)
    start = utcnow()
    answers = []
    for attempt in range(10):
        frozen_clock.freeze(start + timedelta(seconds=60 * attempt))  # past every delay
        answers.append(
            (await login(client, tenant, phone, password="wrong-password-x")).status_code
        )
    assert answers == [401] * 10
    locked = await login(client, tenant, phone)
    assert locked.status_code == 429
    assert locked.json()["error_code"] == 1111
    frozen_clock.freeze(start + timedelta(seconds=60 * 9 + 901))
    assert (await login(client, tenant, phone)).status_code == 200
