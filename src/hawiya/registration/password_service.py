"""Forgotten passwords (spec §2.3 [OLD]): ForgetPassword/*, ForgetPasswordByPhone/* and
SendPasswordResetCode.

Flow: a send call issues a code (purpose password_reset) to the account's confirmed email or to
its phone; a validate call checks it and hands out a reset code (256 random bits, kept only as a
keyed hash, single use, 30 minutes); ForgetPassword/Reset spends the reset code, sets the new
password, ends every session of the user and clears the login throttle.

No answer tells whether an account exists (OTP-7): for an unknown account, or one without a
confirmed email (by SMS: a confirmed phone, OTP-9), the send call still issues a challenge (so
cooldowns and quotas behave the same) and answers alike, but nothing is delivered, so its code can
never be presented.

Error contract: PHONE_INVALID / PHONE_COUNTRY_NOT_ALLOWED, OTP_* from the engine,
PASSWORD_RESET_CODE_INVALID for any reset-code problem, PASSWORD_* for the new password,
RATE_LIMITED for too many reset attempts from one address or reset emails to one address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import service as auth_service
from hawiya.context import RequestContext
from hawiya.db.session import checkpoint
from hawiya.errors import ApiError, ErrorCode
from hawiya.identity import revalidation
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, PasswordResetCode
from hawiya.otp.policy import OtpPurpose
from hawiya.ratelimit import service as ratelimit
from hawiya.registration.account_schemas import (
    EmailOtpSent,
    ForgetPasswordByPhoneSendInput,
    ForgetPasswordByPhoneValidateInput,
    ForgetPasswordSendEmailInput,
    ForgetPasswordValidateEmailInput,
    ForgetPasswordValidatePhoneInput,
    PhoneOtpSent,
    ResetCodeOutput,
    ResetLinkRequested,
    ResetPasswordInput,
    ResetPasswordOutput,
    SendPasswordResetCodeInput,
)
from hawiya.registration.messages import reset_email
from hawiya.registration.repository import PasswordResetCodeRepository
from hawiya.registration.service import (
    Deps,
    account_by_name,
    anonymous,
    check_code,
    check_user_password,
    code_sent,
    load_tenant,
    send_email_code,
    send_sms_code,
)
from hawiya.users import service as users_service

RESET_CODE_SECONDS = 1800
RESETS_PER_ADDRESS_PER_MINUTE = 20
RESET_EMAILS_PER_EMAIL_PER_HOUR = 3
RESET_EMAILS_PER_ADDRESS_PER_HOUR = 30


def _code_hmac(key: bytes, tenant_id: uuid.UUID, code: str) -> str:
    return hmac.new(key, f"reset|{tenant_id}|{code}".encode(), hashlib.sha256).hexdigest()


def _confirmed_email(user: EndUser | None) -> str | None:
    # Only a confirmed address may receive a reset code: an unconfirmed one may belong to anyone.
    if user is None or user.email_confirmed_at is None:
        return None
    return user.email_normalized


async def _requested(session: AsyncSession, ctx: RequestContext, user: EndUser, via: str) -> None:
    await audit.record(
        session,
        audit.AuditAction.PASSWORD_RESET_REQUESTED,
        tenant_id=ctx.tenant_id,
        actor=anonymous(ctx),
        target=f"user:{user.id}",
        details={"via": via},
    )


async def _holder(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    user: EndUser | None,
    id_number: str | None,
) -> EndUser | None:
    """The account, unless the request names a national ID that is not its verified one: then
    it is answered exactly like an unknown account (nothing is delivered, no code validates)."""
    if user is None or deps.keyring is None:
        return user
    same = await revalidation.number_matches(
        session, deps.keyring, ctx.tenant_id, user.id, id_number
    )
    return user if same else None


async def send_email_otp(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: ForgetPasswordSendEmailInput
) -> EmailOtpSent:
    tenant = await load_tenant(session, ctx)
    user, given = await account_by_name(session, ctx, tenant, body.email_or_phone_number)
    user = await _holder(session, deps, ctx, user, body.id_number)
    email = _confirmed_email(user)
    if user is not None and email is not None:
        await _requested(session, ctx, user, "email")
    issued = await send_email_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.PASSWORD_RESET, email=email or given, deliver=email is not None,
    )  # fmt: skip
    return EmailOtpSent(**code_sent(issued, ctx, "email", delivered=email is not None))


async def send_phone_otp(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: ForgetPasswordByPhoneSendInput
) -> PhoneOtpSent:
    tenant = await load_tenant(session, ctx)
    user, phone = await account_by_name(session, ctx, tenant, body.phone_number)
    user = await _holder(session, deps, ctx, user, body.id_number)
    # OTP-9: codes go by SMS only to a number the account has proved it holds.
    deliver = user is not None and user.phone_confirmed_at is not None
    if user is not None and deliver:
        await _requested(session, ctx, user, "sms")
    issued = await send_sms_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.PASSWORD_RESET, phone=phone, provider_code=body.sms_providers,
        deliver=deliver,
    )  # fmt: skip
    return PhoneOtpSent(**code_sent(issued, ctx, "sms", delivered=deliver))


async def _new_reset_code(
    session: AsyncSession, deps: Deps, ctx: RequestContext, user: EndUser
) -> ResetCodeOutput:
    code = secrets.token_urlsafe(32)
    await PasswordResetCodeRepository(session, ctx.tenant_id).add(
        PasswordResetCode(
            user_id=user.id,
            code_hmac=_code_hmac(deps.runtime.otp_key, ctx.tenant_id, code),
            expires_at=utcnow() + timedelta(seconds=RESET_CODE_SECONDS),
            client_ip=ctx.client_ip,
        )
    )
    return ResetCodeOutput(
        user_id=user.id, reset_code=code, reset_code_expire_in_seconds=RESET_CODE_SECONDS
    )


async def _validate(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    name: str,
    *,
    channel: str,
    request_id: str,
    code: str,
    id_number: str | None,
) -> ResetCodeOutput:
    tenant = await load_tenant(session, ctx)
    user, given = await account_by_name(session, ctx, tenant, name)
    user = await _holder(session, deps, ctx, user, id_number)
    if channel == "email":
        identifier = _confirmed_email(user) or given
    else:
        identifier = user.phone_number if user is not None else given
    await check_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.PASSWORD_RESET, channel=channel, identifier=identifier,
        request_id=request_id, code=code,
    )  # fmt: skip
    if user is None:  # a code nobody was sent cannot be known; kept for completeness
        raise ApiError(ErrorCode.OTP_INVALID)
    return await _new_reset_code(session, deps, ctx, user)


async def validate_email_otp(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: ForgetPasswordValidateEmailInput
) -> ResetCodeOutput:
    return await _validate(
        session, deps, ctx, body.email_or_phone_number,
        channel="email", request_id=body.email_otp_request_id, code=body.email_otp,
        id_number=body.id_number,
    )  # fmt: skip


async def validate_phone_otp(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    body: ForgetPasswordValidatePhoneInput | ForgetPasswordByPhoneValidateInput,
) -> ResetCodeOutput:
    name = (
        body.email_or_phone_number
        if isinstance(body, ForgetPasswordValidatePhoneInput)
        else body.phone_number
    )
    return await _validate(
        session, deps, ctx, name,
        channel="sms", request_id=body.phone_number_otp_request_id, code=body.phone_number_otp,
        id_number=body.id_number,
    )  # fmt: skip


async def send_reset_link(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: SendPasswordResetCodeInput
) -> ResetLinkRequested:
    """Email a reset link (or the code) when the address is a confirmed one of an account; the
    answer is the same either way."""
    tenant = await load_tenant(session, ctx)
    email = users_service.normalize_email(str(body.email))
    await ratelimit.hit(
        session,
        f"pwreset:email:{ctx.tenant_id}:{email}",
        limit=RESET_EMAILS_PER_EMAIL_PER_HOUR,
        window_seconds=3600,
    )
    await ratelimit.hit(
        session,
        f"pwreset:addr:{ctx.tenant_id}:{ctx.client_ip}",
        limit=RESET_EMAILS_PER_ADDRESS_PER_HOUR,
        window_seconds=3600,
    )
    answer = ResetLinkRequested(reset_code_expire_in_seconds=RESET_CODE_SECONDS)
    user, _ = await account_by_name(session, ctx, tenant, email)
    if user is None or _confirmed_email(user) is None:
        return answer
    sender = deps.messenger.email_sender(tenant.settings.emailSender)
    await _requested(session, ctx, user, "link")
    issued = await _new_reset_code(session, deps, ctx, user)
    await checkpoint(session)  # the code exists before the mail that carries it is sent
    text = reset_email(
        deps.language,
        ctx.tenancy_name,
        user_id=user.id,
        code=issued.reset_code,
        url_template=tenant.settings.passwordResetUrl,
        ttl_seconds=RESET_CODE_SECONDS,
    )
    await deps.messenger.send_email(sender, to=email, subject=text.subject, text=text.body)
    return answer


async def reset(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: ResetPasswordInput
) -> ResetPasswordOutput:
    await ratelimit.hit(
        session,
        f"pwreset:try:{ctx.tenant_id}:{ctx.client_ip}",
        limit=RESETS_PER_ADDRESS_PER_MINUTE,
    )
    # persist=True keeps the rate-limit count: failed attempts count (nothing else is written).
    invalid = ApiError(ErrorCode.PASSWORD_RESET_CODE_INVALID, persist=True)
    codes = PasswordResetCodeRepository(session, ctx.tenant_id)
    code_hmac = _code_hmac(deps.runtime.otp_key, ctx.tenant_id, body.reset_code.strip())
    user = await users_service.get_active(session, ctx.tenant_id, body.user_id)
    now = utcnow()
    if user is None or await codes.find_live(user.id, code_hmac, now) is None:
        raise invalid
    check_user_password(body.password, ctx, user.phone_number, user.email_normalized)
    await checkpoint(session)  # no lock is held while hashing
    password_hash = await auth_service.hash_password(deps.runtime, body.password)
    # Spent here, after hashing: of two concurrent resets with one code, exactly one wins.
    if not await codes.spend(user.id, code_hmac, utcnow()):
        raise invalid
    user = await users_service.get_active(session, ctx.tenant_id, body.user_id)
    if user is None:
        raise invalid
    user.password_hash = password_hash
    await codes.spend_all(user.id, utcnow())  # any other outstanding code of the user dies too
    await auth_service.end_sessions(
        session,
        ctx.tenant_id,
        auth_service.USER,
        str(user.id),
        auth_service.user_account(user.phone_number),
        "password_reset",
    )
    await audit.record(
        session,
        audit.AuditAction.PASSWORD_RESET,
        tenant_id=ctx.tenant_id,
        actor=anonymous(ctx),
        target=f"user:{user.id}",
    )
    return ResetPasswordOutput(can_login=True, user_name=user.phone_number)
