"""Checklist OTP-9: codes go by SMS only to numbers the account has proved it holds, and a tenant
can move new-device login codes off SMS to the user's confirmed email."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import ValidationError

from hawiya.db.session import session_scope
from hawiya.errors import ErrorCode
from hawiya.kit.clock import Clock, utcnow
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import TenantSettings
from hawiya.users.repository import EndUserRepository
from tests.http.routes import (
    USER_PASSWORD,
    Caller,
    confirm_email,
    ensure_user,
    new_caller,
    outbox_code,
    random_phone,
)
from tests.http.support import assert_success, scanned
from tests.registration.test_password_reset import delivered

E = ErrorCode
DI = "/api/DigitalIdentity"
IMEI = "490154203237518"


async def set_tenant(app: FastAPI, c: Caller, **settings: Any) -> None:
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, c.tenant.name)
        await tenant_service.update_settings(session, row, settings)


async def login(c: Caller, phone: str, **extra: Any) -> Any:
    body = {"phoneNumber": phone, "password": USER_PASSWORD, "imei": IMEI, **extra}
    return await c.http.post(f"{DI}/Login", json=body, headers=c.key())


async def test_unproven_numbers_get_no_reset_sms_until_a_login_proves_them(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        await set_tenant(app, c, isPhoneNumberConfirmationRequired=False)
        phone = random_phone()
        registered = await http.post(
            f"{DI}/Register",
            json={"phoneNumber": phone, "password": USER_PASSWORD},
            headers=c.key(),
        )
        assert assert_success(registered)["isPhoneNumberConfirmed"] is False
        reset = await http.post(
            f"{DI}/ForgetPasswordByPhone/SendPhoneOtp", json={"phoneNumber": phone}, headers=c.key()
        )
        assert assert_success(reset)["phoneNumberOtpRequestId"]
        assert delivered(app, phone) == []  # the same answer, and no SMS to an unproven number

        first = assert_success(await login(c, phone))
        assert first["isPhoneNumberConfirmed"] is False
        second = await login(
            c,
            phone,
            phoneNumberOtpRequestId=first["phoneNumberOtpRequestId"],
            phoneNumberOtp=outbox_code(app, phone),
        )
        assert assert_success(second)["isPhoneNumberConfirmed"] is True
        async with session_scope(app.state.db.reader) as session:
            user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get_by_phone(phone)
        assert user is not None and user.phone_confirmed_at is not None


async def test_tenant_can_send_login_codes_by_email(app: FastAPI, frozen_clock: Clock) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        email = await confirm_email(c)
        await set_tenant(app, c, loginCodeChannel="email")
        sms_before = len(delivered(app, c.user_phone))
        first = assert_success(await login(c, c.user_phone))
        assert first["accessToken"] is None and first["phoneNumberOtpRequestId"] is None
        assert first["emailOtpRequestId"] and first["emailOtpExpireInSeconds"] == 600
        assert len(delivered(app, c.user_phone)) == sms_before  # nothing went by SMS
        code = outbox_code(app, email)
        done = await login(
            c, c.user_phone, emailOtpRequestId=first["emailOtpRequestId"], emailOtp=code
        )
        assert assert_success(done)["accessToken"]
        # Apps that know only the phone fields may carry the emailed code in them.
        frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # past the resend cooldown
        other_device = {"imei": "353918057712345"}
        again = assert_success(await login(c, c.user_phone, **other_device))
        in_phone_fields = await login(
            c,
            c.user_phone,
            phoneNumberOtpRequestId=again["emailOtpRequestId"],
            phoneNumberOtp=outbox_code(app, email),
            **other_device,
        )
        assert assert_success(in_phone_fields)["accessToken"]

        # A user without a confirmed email still gets the SMS.
        other = await new_caller(app, http)
        await set_tenant(app, other, loginCodeChannel="email")
        await ensure_user(other)
        by_sms = assert_success(await login(other, other.user_phone))
        assert by_sms["phoneNumberOtpRequestId"] and by_sms["emailOtpRequestId"] is None


def test_the_channel_setting_is_checked() -> None:
    assert TenantSettings(loginCodeChannel="email").loginCodeChannel == "email"
    with pytest.raises(ValidationError, match="loginCodeChannel"):
        TenantSettings(loginCodeChannel="fax")
