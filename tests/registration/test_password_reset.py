"""Forgotten passwords (spec §2.3): send a code, validate it for a reset code, reset. Sessions end,
the reset code is single use, bound to its user and tenant, short-lived, and no answer says
whether an account exists (OTP-7)."""

from __future__ import annotations

import asyncio
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from hawiya.errors import ErrorCode
from hawiya.identity.synthetic.dataset import make_sample
from hawiya.kit.clock import Clock, utcnow
from tests.http.routes import (
    USER_PASSWORD,
    Caller,
    confirm_email,
    ensure_user,
    new_caller,
    outbox_code,
    random_email,
    random_phone,
    register_user,
    reset_code,
    verify_user,
)
from tests.http.support import assert_error, assert_success, scanned

E = ErrorCode
DI = "/api/DigitalIdentity"
NEW_PASSWORD = "amber-falcon-meadow-17"


def delivered(app: FastAPI, to: str) -> list[dict[str, Any]]:
    outbox = Path(app.state.settings.data_dir) / "outbox"
    found = []
    for name in ("sms.jsonl", "email.jsonl"):
        path = outbox / name
        if path.exists():
            found += [e for e in map(json.loads, path.read_text().splitlines()) if e["to"] == to]
    return found


async def post(
    caller: Caller, path: str, headers: dict[str, str] | None = None, **body: Any
) -> httpx.Response:
    return await caller.http.post(f"{DI}/{path}", json=body, headers=headers or caller.key())


async def user_login(c: Caller, phone: str, password: str) -> Any:
    response = await post(c, "Login", phoneNumber=phone, password=password, imei="356938035643809")
    return response.json()


async def events(c: Caller) -> list[str]:
    response = await c.http.get("/api/hawiya/AuditEvents?MaxResultCount=100", headers=c.admin())
    return [e["action"] for e in assert_success(response)]


async def test_reset_by_phone_end_to_end(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        old_token, old_refresh = c.user_token, c.user_refresh
        code = await reset_code(c)
        assert code["userId"] == c.user_id and code["resetCodeExpireInSeconds"] == 1800
        done = await post(
            c, "ForgetPassword/Reset",
            userId=c.user_id, resetCode=code["resetCode"], password=NEW_PASSWORD,
            returnUrl=None, singleSignIn=False, c=None,
        )  # fmt: skip
        assert assert_success(done) == {"canLogin": True, "userName": c.user_phone}
        # The old password is gone, the new one works (a new device: it is asked for its code).
        assert (await user_login(c, c.user_phone, USER_PASSWORD))["error_code"] == E.LOGIN_FAILED
        fresh = await user_login(c, c.user_phone, NEW_PASSWORD)
        assert fresh["error_code"] is None and fresh["data"]["phoneNumberOtpRequestId"]
        # Every session of the user ended (TOK-4).
        me = await post(c, "UpdateEmailRequest", c.tenant.headers(old_token), email=random_email())
        assert_error(me, E.TOKEN_INVALID)
        refreshed = await post(c, "RefreshToken", refreshToken=old_refresh)
        assert_error(refreshed, E.REFRESH_TOKEN_INVALID)
        # Single use.
        again = await post(
            c, "ForgetPassword/Reset",
            userId=c.user_id, resetCode=code["resetCode"], password="another-pass-phrase-9",
        )  # fmt: skip
        assert_error(again, E.PASSWORD_RESET_CODE_INVALID)
        actions = await events(c)
        assert "account.password_reset_requested" in actions
        assert "account.password_reset" in actions


async def test_reset_by_email_and_validate_by_either_name(
    app: FastAPI, frozen_clock: Clock
) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        email = await confirm_email(c)
        for name in (email.upper(), c.user_phone):
            frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # past the resend cooldown
            sent = assert_success(
                await post(c, "ForgetPassword/SendEmailOtp", emailOrPhoneNumber=name)
            )
            assert sent["emailOtpExpireInSeconds"] == 600 and sent["emailOtp"] is None
            valid = await post(
                c, "ForgetPassword/ValidateEmailOtp",
                emailOrPhoneNumber=name, idNumber=None,
                emailOtpRequestId=sent["emailOtpRequestId"], emailOtp=outbox_code(app, email),
            )  # fmt: skip
            assert assert_success(valid)["userId"] == c.user_id
        # The phone variant of ForgetPassword takes a code from ForgetPasswordByPhone.
        sent = assert_success(
            await post(c, "ForgetPasswordByPhone/SendPhoneOtp", phoneNumber=c.user_phone)
        )
        valid = await post(
            c, "ForgetPassword/ValidatePhoneOtp",
            emailOrPhoneNumber=email,
            phoneNumberOtpRequestId=sent["phoneNumberOtpRequestId"],
            phoneNumberOtp=outbox_code(app, c.user_phone),
        )  # fmt: skip
        assert assert_success(valid)["userId"] == c.user_id


async def test_unknown_accounts_answer_alike_and_get_nothing(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        # An account whose email is not confirmed gets no reset code by email either.
        unconfirmed = random_email()
        await register_user(app, http, c.tenant, email=unconfirmed)
        stranger_phone, stranger_email = random_phone(), random_email()
        other_phone = random_phone()
        shapes = []
        for path, field, value in (
            ("ForgetPasswordByPhone/SendPhoneOtp", "phoneNumber", c.user_phone),
            ("ForgetPasswordByPhone/SendPhoneOtp", "phoneNumber", stranger_phone),
            ("ForgetPassword/SendEmailOtp", "emailOrPhoneNumber", stranger_email),
            ("ForgetPassword/SendEmailOtp", "emailOrPhoneNumber", other_phone),
            ("ForgetPassword/SendEmailOtp", "emailOrPhoneNumber", unconfirmed),
        ):
            data = assert_success(await post(c, path, **{field: value}))
            shapes.append((path, sorted(data), [type(v) for v in data.values()]))
        assert shapes[0][1:] == shapes[1][1:]
        assert shapes[2][1:] == shapes[3][1:] == shapes[4][1:]
        for nobody in (stranger_phone, stranger_email, other_phone):
            assert delivered(app, nobody) == []
        assert delivered(app, unconfirmed) == []
        # The same limits apply: a second send within the cooldown is refused for both.
        for value in (c.user_phone, stranger_phone):
            again = await post(c, "ForgetPasswordByPhone/SendPhoneOtp", phoneNumber=value)
            assert_error(again, E.OTP_RESEND_TOO_SOON)
        link = await post(c, "SendPasswordResetCode", email=stranger_email)
        assert assert_success(link) == {"resetCodeExpireInSeconds": 1800}
        assert delivered(app, stranger_email) == []


async def test_reset_codes_are_bound_to_user_and_tenant(app: FastAPI) -> None:
    async with scanned(app) as http:
        a = await ensure_user(await new_caller(app, http))
        b = await ensure_user(await new_caller(app, http))
        code = await reset_code(a)
        answers = []
        for caller, user_id, secret in (
            (b, a.user_id, code["resetCode"]),  # another tenant's key
            (a, b.user_id, code["resetCode"]),  # another user
            (a, a.user_id, code["resetCode"][:-2] + "xx"),  # a wrong code
            (a, 9_000_000_000, code["resetCode"]),  # no such user
        ):
            response = await post(
                caller, "ForgetPassword/Reset",
                userId=user_id, resetCode=secret, password=NEW_PASSWORD,
            )  # fmt: skip
            answers.append((response.status_code, response.content))
            assert_error(response, E.PASSWORD_RESET_CODE_INVALID)
        assert len(set(answers)) == 1
        # Still valid for its own user.
        ok = await post(
            a, "ForgetPassword/Reset",
            userId=a.user_id, resetCode=code["resetCode"], password=NEW_PASSWORD,
        )  # fmt: skip
        assert_success(ok)


async def test_reset_codes_expire(app: FastAPI, frozen_clock: Clock) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        code = await reset_code(c)
        frozen_clock.freeze(utcnow() + timedelta(seconds=1801))
        late = await post(
            c, "ForgetPassword/Reset",
            userId=c.user_id, resetCode=code["resetCode"], password=NEW_PASSWORD,
        )  # fmt: skip
        assert_error(late, E.PASSWORD_RESET_CODE_INVALID)


async def test_weak_password_keeps_the_code(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        code = await reset_code(c)
        for weak, error in (("short", E.PASSWORD_TOO_SHORT), ("password1", E.PASSWORD_TOO_COMMON)):
            response = await post(
                c, "ForgetPassword/Reset",
                userId=c.user_id, resetCode=code["resetCode"], password=weak,
            )  # fmt: skip
            assert_error(response, error)
        ok = await post(
            c, "ForgetPassword/Reset",
            userId=c.user_id, resetCode=code["resetCode"], password=NEW_PASSWORD,
        )  # fmt: skip
        assert_success(ok)


async def test_concurrent_resets_with_one_code_have_one_winner(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        code = await reset_code(c)
        passwords = [f"{NEW_PASSWORD}-{i}" for i in range(4)]
        secret = code["resetCode"]
        responses = await asyncio.gather(
            *(
                post(c, "ForgetPassword/Reset", userId=c.user_id, resetCode=secret, password=p)
                for p in passwords
            )
        )
        codes = sorted(str(r.json()["error_code"]) for r in responses)
        assert codes == ["1230", "1230", "1230", "None"], codes
        winner = passwords[[r.json()["error_code"] for r in responses].index(None)]
        assert (await user_login(c, c.user_phone, winner))["error_code"] is None


async def test_reset_link_by_email(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        email = await confirm_email(c)
        assert_success(await post(c, "SendPasswordResetCode", email=email))
        (mail,) = [m for m in delivered(app, email) if "Reset code:" in m["text"]]
        secret = mail["text"].split("Reset code: ", 1)[1].split()[0]
        assert f"User id: {c.user_id}" in mail["text"]
        ok = await post(
            c, "ForgetPassword/Reset", userId=c.user_id, resetCode=secret, password=NEW_PASSWORD
        )
        assert_success(ok)
        # With the tenant's link template, the mail carries the link; in Arabic on request.
        settings = {"passwordResetUrl": "myapp://reset?u={userId}&c={resetCode}"}
        from hawiya.db.session import session_scope
        from hawiya.tenants import service as tenant_service

        async with session_scope(app.state.db.writer) as session:
            row = await tenant_service.get_tenant(session, c.tenant.name)
            await tenant_service.update_settings(session, row, settings)
        arabic = c.key(**{"Accept-Language": "ar"})
        assert_success(await post(c, "SendPasswordResetCode", arabic, email=email))
        last = delivered(app, email)[-1]
        assert f"myapp://reset?u={c.user_id}&c=" in last["text"]
        assert "إعادة تعيين" in last["subject"]
        # Three mails to one address an hour, whether or not it has an account.
        assert_success(await post(c, "SendPasswordResetCode", email=email))
        assert_error(await post(c, "SendPasswordResetCode", email=email), E.RATE_LIMITED)


async def test_reset_url_setting_is_validated(app: FastAPI) -> None:
    from hawiya.tenants.settings import TenantSettings

    for bad in ("https://x.example/reset", "javascript:alert({resetCode})", "http://x/{resetCode}"):
        try:
            TenantSettings(passwordResetUrl=bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} was accepted")
    assert TenantSettings(passwordResetUrl="https://a.example/r?c={resetCode}").passwordResetUrl


async def test_reset_attempts_are_rate_limited(app: FastAPI) -> None:
    async with scanned(app, "10.9.8.7") as http:
        c = await new_caller(app, http)
        answers = [
            (await post(c, "ForgetPassword/Reset", userId=1, resetCode="x", password="y")).json()[
                "error_code"
            ]
            for _ in range(21)
        ]
        assert answers[:20] == [E.PASSWORD_RESET_CODE_INVALID] * 20
        assert answers[20] == E.RATE_LIMITED


async def test_a_verified_identity_checks_the_national_id(
    app: FastAPI, frozen_clock: Clock
) -> None:
    number = make_sample(7, today=date.today()).person.id_number  # the card of card_pictures()
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        before = len(delivered(app, c.user_phone))
        await verify_user(c)
        send = "ForgetPasswordByPhone/SendPhoneOtp"
        wrong = await post(c, send, phoneNumber=c.user_phone, idNumber="29001011234566")
        assert "phoneNumberOtpRequestId" in assert_success(wrong)
        assert len(delivered(app, c.user_phone)) == before  # answered like an unknown account
        frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # past the resend cooldown
        arabic = number.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
        right = assert_success(await post(c, send, phoneNumber=c.user_phone, idNumber=arabic))
        valid = await post(
            c, "ForgetPasswordByPhone/ValidatePhoneOtp",
            phoneNumber=c.user_phone, idNumber=number,
            phoneNumberOtpRequestId=right["phoneNumberOtpRequestId"],
            phoneNumberOtp=outbox_code(app, c.user_phone),
        )  # fmt: skip
        assert assert_success(valid)["userId"] == c.user_id
