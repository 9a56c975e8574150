"""A signed-in user's own account (spec §2.3): VerifyEmail, email change, phone change (with the
liveness hold for verified identities) and cancelling a verified identity, by the user and by an
administrator. Codes are bound to the user who asked (OTP-8); foreign ids look missing (TEN-1)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.errors import ErrorCode
from hawiya.kit.clock import Clock, utcnow
from hawiya.models import EndUser
from hawiya.users.repository import EndUserRepository
from tests.http.routes import (
    USER_PASSWORD,
    Caller,
    confirm_email,
    ensure_user,
    holder_frames,
    mark_verified,
    new_caller,
    outbox_code,
    random_email,
    random_phone,
    register_user,
    revalidate,
    verify_user,
)
from tests.http.support import assert_error, assert_success, scanned

E = ErrorCode
DI = "/api/DigitalIdentity"


async def post(caller: Caller, path: str, headers: dict[str, str], **body: Any) -> httpx.Response:
    return await caller.http.post(f"{DI}/{path}", json=body, headers=headers)


async def stored(app: FastAPI, c: Caller, user_id: int | None = None) -> EndUser:
    async with session_scope(app.state.db.reader) as session:
        user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get(user_id or c.user_id)
    assert user is not None
    return user


async def exists(c: Caller, **body: str) -> bool:
    response = await post(c, "CheckExistenceOfEmailOrPhone", c.key(), **body)
    return bool(assert_success(response)["exists"])


async def actions(c: Caller) -> list[tuple[str, str, str | None]]:
    response = await c.http.get("/api/hawiya/AuditEvents?MaxResultCount=100", headers=c.admin())
    return [(e["action"], e["actorKind"], e["target"]) for e in assert_success(response)]


async def test_verify_email_sends_then_confirms(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        email = random_email()
        sent = assert_success(await post(c, "VerifyEmail", c.user(), email=email))
        assert sent["isEmailConfirmed"] is False and sent["emailOtpExpireInSeconds"] == 600
        assert uuid.UUID(sent["transactionId"])  # generated when the client sends none
        wrong = await post(
            c, "VerifyEmail", c.user(),
            email=email, emailOtpRequestId=sent["emailOtpRequestId"], emailOtp="000000",
        )  # fmt: skip
        assert_error(wrong, E.OTP_INVALID)
        code = outbox_code(app, email)
        done = await post(
            c, "VerifyEmail", c.user(),
            email=email, emailOtpRequestId=sent["emailOtpRequestId"], emailOtp=code,
            transactionId="6c3f0f9e-3f51-4c1a-9a43-6f0b8c2f1d10",
        )  # fmt: skip
        data = assert_success(done)
        assert data["isEmailConfirmed"] is True
        assert data["transactionId"] == "6c3f0f9e-3f51-4c1a-9a43-6f0b8c2f1d10"
        user = await stored(app, c)
        assert user.email_normalized == email and user.email_confirmed_at is not None
        # Confirmed already: no new code is sent.
        again = assert_success(await post(c, "VerifyEmail", c.user(), email=email.upper()))
        assert again["isEmailConfirmed"] is True and again["emailOtpRequestId"] is None
        assert ("account.email_confirmed", "user", f"user:{c.user_id}") in await actions(c)


async def test_codes_are_bound_to_the_user_who_asked(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        other = await register_user(app, http, c.tenant)
        other_headers = c.tenant.headers(other["accessToken"])
        email = random_email()
        sent = assert_success(await post(c, "UpdateEmailRequest", c.user(), email=email))
        code = outbox_code(app, email)
        body = {"emailOtpRequestId": sent["emailOtpRequestId"], "emailOtp": code}
        stolen = await post(c, "ValidateUpdateEmailRequestOtp", other_headers, **body)
        missing = await post(
            c, "ValidateUpdateEmailRequestOtp", other_headers,
            emailOtpRequestId=str(uuid.uuid4()), emailOtp=code,
        )  # fmt: skip
        assert_error(stolen, E.OTP_INVALID)
        assert stolen.content == missing.content  # another user's challenge looks missing
        assert (await stored(app, c, other["user"]["id"])).email is None
        # Still good for the user who asked.
        changed = assert_success(await post(c, "ValidateUpdateEmailRequestOtp", c.user(), **body))
        assert changed["emailAddress"] == email and changed["id"] == c.user_id


async def test_email_change_end_to_end(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        old = await confirm_email(c)
        assert_error(await post(c, "UpdateEmailRequest", c.user(), email=old), E.EMAIL_UNCHANGED)
        taken = await register_user(app, http, c.tenant, email=random_email())
        assert_error(
            await post(c, "UpdateEmailRequest", c.user(), email=taken["user"]["emailAddress"]),
            E.EMAIL_ALREADY_REGISTERED,
        )
        new = random_email()
        sent = assert_success(await post(c, "UpdateEmailRequest", c.user(), email=new))
        body = {"emailOtpRequestId": sent["emailOtpRequestId"], "emailOtp": outbox_code(app, new)}
        assert_success(await post(c, "ValidateUpdateEmailRequestOtp", c.user(), **body))
        assert await exists(c, email=new) and not await exists(c, email=old)
        reused = await post(c, "ValidateUpdateEmailRequestOtp", c.user(), **body)
        assert_error(reused, E.OTP_INVALID)  # single use
        assert ("account.email_changed", "user", f"user:{c.user_id}") in await actions(c)


async def test_an_email_taken_while_the_code_was_out_is_refused(
    app: FastAPI, frozen_clock: Clock
) -> None:
    async with scanned(app) as http:
        a = await ensure_user(await new_caller(app, http))
        b_data = await register_user(app, http, a.tenant)
        b_headers = a.tenant.headers(b_data["accessToken"])
        email = random_email()
        sent_a = assert_success(await post(a, "UpdateEmailRequest", a.user(), email=email))
        code_a = outbox_code(app, email)
        frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # past the resend cooldown
        sent_b = assert_success(await post(a, "UpdateEmailRequest", b_headers, email=email))
        code_b = outbox_code(app, email)
        assert_success(
            await post(
                a, "ValidateUpdateEmailRequestOtp", b_headers,
                emailOtpRequestId=sent_b["emailOtpRequestId"], emailOtp=code_b,
            )
        )  # fmt: skip
        late = await post(
            a, "ValidateUpdateEmailRequestOtp", a.user(),
            emailOtpRequestId=sent_a["emailOtpRequestId"], emailOtp=code_a,
        )  # fmt: skip
        assert_error(late, E.EMAIL_ALREADY_REGISTERED)
        assert (await stored(app, a)).email is None


async def test_phone_change_end_to_end(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        old = c.user_phone
        assert_error(
            await post(c, "UpdatePhoneNumberRequest", c.user(), phoneNumber=old),
            E.PHONE_UNCHANGED,
        )
        taken = await register_user(app, http, c.tenant)
        assert_error(
            await post(
                c, "UpdatePhoneNumberRequest", c.user(), phoneNumber=taken["user"]["phoneNumber"]
            ),
            E.PHONE_ALREADY_REGISTERED,
        )
        assert_error(
            await post(c, "UpdatePhoneNumberRequest", c.user(), phoneNumber="+2012"),
            E.PHONE_INVALID,
        )
        new = random_phone()
        sent = assert_success(
            await post(c, "UpdatePhoneNumberRequest", c.user(), phoneNumber=new.replace("+20", "0"))
        )
        assert sent["isLivenessRevalidationRequired"] is False
        changed = await post(
            c, "ValidateUpdatePhoneNumberRequestOtp", c.user(),
            phoneNumberOtpRequestId=sent["phoneNumberOtpRequestId"],
            phoneNumberOtp=outbox_code(app, new),
        )  # fmt: skip
        assert assert_success(changed)["phoneNumber"] == new
        assert await exists(c, phoneNumber=new) and not await exists(c, phoneNumber=old)
        # The user logs in with the new number (the password is accepted; the device is new).
        login = await post(
            c, "Login", c.key(), phoneNumber=new, password=USER_PASSWORD, imei="35693803564380"
        )
        assert assert_success(login)["phoneNumberOtpRequestId"]
        assert ("account.phone_changed", "user", f"user:{c.user_id}") in await actions(c)


async def test_verified_identity_waits_for_liveness(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        verification = await verify_user(c)  # the real flow: card front, back, liveness
        assert verification["isDigitalIdentityVerified"] is True
        new = random_phone()
        sent = assert_success(await post(c, "UpdatePhoneNumberRequest", c.user(), phoneNumber=new))
        assert sent["isLivenessRevalidationRequired"] is True
        body = {
            "phoneNumberOtpRequestId": sent["phoneNumberOtpRequestId"],
            "phoneNumberOtp": outbox_code(app, new),
        }
        held = await post(c, "ValidateUpdatePhoneNumberRequestOtp", c.user(), **body)
        assert_error(held, E.LIVENESS_REVALIDATION_REQUIRED)
        assert (await stored(app, c)).phone_number == c.user_phone
        # A liveness re-validation (no card: the faces against the verified card's photo), and
        # the same code, left unspent, completes the change.
        revalidated = await revalidate(c, holder_frames())
        assert revalidated["services"]["Validations"]["validation_errors"] == []
        assert assert_success(
            await post(c, "ValidateUpdatePhoneNumberRequestOtp", c.user(), **body)
        )["phoneNumber"] == new  # fmt: skip


async def test_cancel_verified_identity(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        refused = await post(c, "CancelVerifiedDigitalIdentity", c.user())
        assert_error(refused, E.DIGITAL_IDENTITY_NOT_VERIFIED)
        await mark_verified(app, c)
        done = await c.http.post(
            f"{DI}/CancelVerifiedDigitalIdentity", headers=c.user(TenancyName=c.tenant.name)
        )
        assert assert_success(done) == {"userId": c.user_id, "isDigitalIdentityVerified": False}
        user = await stored(app, c)
        assert not user.is_digital_identity_verified and user.status == "Registered"
        assert ("identity.verification_cancelled", "user", f"user:{c.user_id}") in await actions(c)


async def test_admin_cancels_and_foreign_users_look_missing(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        await mark_verified(app, a)
        await mark_verified(app, b)
        answers = set()
        for user_id in (a.user_id, 9_000_000_000):
            response = await post(
                b, "CancelVerifiedDigitalIdentityForAdmin", b.admin(), userId=user_id
            )
            assert_error(response, E.USER_NOT_FOUND)
            answers.add((response.status_code, response.content))
        assert len(answers) == 1
        assert (await stored(app, a)).is_digital_identity_verified  # untouched
        # A user token is no admin token (403), and B's admin cancels B's own user.
        as_user = await post(b, "CancelVerifiedDigitalIdentityForAdmin", b.user(), userId=1)
        assert_error(as_user, E.TOKEN_KIND_WRONG)
        done = await post(b, "CancelVerifiedDigitalIdentityForAdmin", b.admin(), userId=b.user_id)
        assert assert_success(done)["isDigitalIdentityVerified"] is False
        assert ("identity.verification_cancelled", "admin", f"user:{b.user_id}") in await actions(b)


async def test_a_deactivated_users_token_stops_working(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        async with session_scope(app.state.db.writer) as session:
            user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get(c.user_id)
            assert user is not None
            user.is_active = False
        response = await post(c, "UpdateEmailRequest", c.user(), email=random_email())
        assert_error(response, E.TOKEN_INVALID)
