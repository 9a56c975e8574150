"""A signed-in user's own account (spec §2.3 [OLD], ApiKey + user token): confirming an email
(VerifyEmail), changing it (UpdateEmailRequest, ValidateUpdateEmailRequestOtp), changing the phone
number, and cancelling a verified digital identity (also by an administrator).

Every code here is bound to the user who asked for it (OTP-8): another user's token cannot spend
it. Phone change names are not in the spec; Hawiya uses UpdatePhoneNumberRequest and
ValidateUpdatePhoneNumberRequestOtp, after the email pair (docs/registration.md). When the
identity is already verified, the new number is accepted only after a liveness re-validation
that happened after the code was sent.

Error contract: EMAIL_/PHONE_ALREADY_REGISTERED when another account holds the address or number,
EMAIL_/PHONE_UNCHANGED when it is already the account's own, OTP_* from the engine,
LIVENESS_REVALIDATION_REQUIRED, DIGITAL_IDENTITY_NOT_VERIFIED, USER_NOT_FOUND (admin variant).
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import AdminContext, RequestContext, UserContext
from hawiya.errors import ApiError, ErrorCode
from hawiya.identity import revalidation
from hawiya.kit.clock import utcnow
from hawiya.kit.ids import parse_uuid
from hawiya.kit.redact import mask_identifier
from hawiya.models import EndUser
from hawiya.otp import service as otp_service
from hawiya.otp.codes import binding_hash
from hawiya.otp.policy import OtpPurpose
from hawiya.registration.account_schemas import (
    EmailOtpSent,
    IdentityCancelled,
    PhoneOtpSent,
    UpdateEmailInput,
    UpdatePhoneInput,
    ValidateUpdateEmailInput,
    ValidateUpdatePhoneInput,
    VerifyEmailInput,
    VerifyEmailOutput,
)
from hawiya.registration.schemas import UserOutput
from hawiya.registration.service import (
    Deps,
    check_code,
    code_sent,
    load_tenant,
    phone_of,
    send_email_code,
    send_sms_code,
    user_actor,
    user_output,
)
from hawiya.users import service as users_service
from hawiya.users.repository import EndUserRepository


def _bound_to(user: EndUser) -> str:
    return binding_hash("user", str(user.id))


async def _me(session: AsyncSession, me: UserContext) -> EndUser:
    return await users_service.get_or_raise(session, me.tenant_id, me.user_id)


async def _email_free_for(session: AsyncSession, user: EndUser, email: str) -> None:
    holder = await EndUserRepository(session, user.tenant_id).get_by_email(email)
    if holder is not None and holder.id != user.id:
        raise ApiError(ErrorCode.EMAIL_ALREADY_REGISTERED)


async def _save(session: AsyncSession, code: ErrorCode) -> None:
    """Flush a change of email or phone; a concurrent taker of the same one is refused."""
    try:
        await session.flush()
    except IntegrityError:
        raise ApiError(code) from None


async def _set_email(
    session: AsyncSession, ctx: RequestContext, user: EndUser, raw: str, action: audit.AuditAction
) -> None:
    previous_confirmed = user.email_confirmed_at is not None
    user.email = raw.strip()
    user.email_normalized = users_service.normalize_email(raw)
    user.email_confirmed_at = utcnow()
    await _save(session, ErrorCode.EMAIL_ALREADY_REGISTERED)
    await audit.record(
        session,
        action,
        tenant_id=ctx.tenant_id,
        actor=user_actor(ctx, user.id),
        target=f"user:{user.id}",
        details={"hadConfirmedEmail": previous_confirmed},
    )


async def verify_email(
    session: AsyncSession, deps: Deps, me: UserContext, body: VerifyEmailInput
) -> VerifyEmailOutput:
    """Call once with the email to get a code, again with the code to confirm it; the address
    becomes the account's confirmed email."""
    ctx = me.request
    tenant = await load_tenant(session, ctx)
    user = await _me(session, me)
    email = users_service.normalize_email(str(body.email))
    transaction_id = body.transaction_id or str(uuid.uuid4())  # echoed, generated when absent
    if user.email_normalized == email and user.email_confirmed_at is not None:
        return VerifyEmailOutput(is_email_confirmed=True, transaction_id=transaction_id)
    await _email_free_for(session, user, email)
    if body.email_otp_request_id is None and body.email_otp is None:
        issued = await send_email_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.VERIFY_EMAIL, email=email, binding=_bound_to(user),
        )  # fmt: skip
        return VerifyEmailOutput(
            **code_sent(issued, ctx, "email"),
            is_email_confirmed=False,
            transaction_id=transaction_id,
        )
    await check_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.VERIFY_EMAIL, channel="email", identifier=email,
        request_id=body.email_otp_request_id, code=body.email_otp, binding=_bound_to(user),
    )  # fmt: skip
    await _set_email(session, ctx, user, str(body.email), audit.AuditAction.EMAIL_CONFIRMED)
    return VerifyEmailOutput(
        email_otp_request_id=body.email_otp_request_id,
        is_email_confirmed=True,
        transaction_id=transaction_id,
    )


async def request_email_change(
    session: AsyncSession, deps: Deps, me: UserContext, body: UpdateEmailInput
) -> EmailOtpSent:
    ctx = me.request
    tenant = await load_tenant(session, ctx)
    user = await _me(session, me)
    email = users_service.normalize_email(str(body.email))
    if user.email_normalized == email and user.email_confirmed_at is not None:
        raise ApiError(ErrorCode.EMAIL_UNCHANGED)
    await _email_free_for(session, user, email)
    issued = await send_email_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.EMAIL_CHANGE, email=email, binding=_bound_to(user),
    )  # fmt: skip
    return EmailOtpSent(**code_sent(issued, ctx, "email"))


async def _check_bound_code(
    session: AsyncSession,
    deps: Deps,
    me: UserContext,
    user: EndUser,
    *,
    purpose: OtpPurpose,
    channel: str,
    request_id: str,
    code: str,
) -> str:
    """Check a code the validate call names only by its challenge; returns the identifier (the
    new email or phone) it was sent to. An unknown challenge fails like a wrong code, counted
    against the user."""
    ctx = me.request
    tenant = await load_tenant(session, ctx)
    challenge = await otp_service.pending(
        session, ctx.tenant_id, parse_uuid(request_id), purpose, _bound_to(user)
    )
    identifier = challenge.identifier if challenge is not None else f"user:{user.id}"
    await check_code(
        session, deps, ctx, tenant,
        purpose=purpose, channel=channel, identifier=identifier,
        request_id=request_id, code=code, binding=_bound_to(user),
    )  # fmt: skip
    return identifier


async def confirm_email_change(
    session: AsyncSession, deps: Deps, me: UserContext, body: ValidateUpdateEmailInput
) -> UserOutput:
    user = await _me(session, me)
    email = await _check_bound_code(
        session, deps, me, user,
        purpose=OtpPurpose.EMAIL_CHANGE, channel="email",
        request_id=body.email_otp_request_id, code=body.email_otp,
    )  # fmt: skip
    await _email_free_for(session, user, email)
    await _set_email(session, me.request, user, email, audit.AuditAction.EMAIL_CHANGED)
    return user_output(user)


async def request_phone_change(
    session: AsyncSession, deps: Deps, me: UserContext, body: UpdatePhoneInput
) -> PhoneOtpSent:
    ctx = me.request
    tenant = await load_tenant(session, ctx)
    user = await _me(session, me)
    phone = phone_of(body.phone_number, tenant)
    if phone == user.phone_number:
        raise ApiError(ErrorCode.PHONE_UNCHANGED)
    if await users_service.get_by_phone(session, ctx.tenant_id, phone) is not None:
        raise ApiError(ErrorCode.PHONE_ALREADY_REGISTERED)
    issued = await send_sms_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.PHONE_CHANGE, phone=phone, provider_code=body.sms_providers,
        binding=_bound_to(user),
    )  # fmt: skip
    return PhoneOtpSent(
        **code_sent(issued, ctx, "sms"),
        is_liveness_revalidation_required=user.is_digital_identity_verified,
    )


async def confirm_phone_change(
    session: AsyncSession, deps: Deps, me: UserContext, body: ValidateUpdatePhoneInput
) -> UserOutput:
    ctx = me.request
    user = await _me(session, me)
    if user.is_digital_identity_verified:
        # The verified identity moves to a new number only after the person proves, by liveness,
        # to be the one the identity was verified for; the code is left unspent until then.
        challenge = await otp_service.pending(
            session,
            ctx.tenant_id,
            parse_uuid(body.phone_number_otp_request_id),
            OtpPurpose.PHONE_CHANGE,
            _bound_to(user),
        )
        if challenge is not None and not await revalidation.revalidated_since(
            session, ctx.tenant_id, user.id, challenge.created_at
        ):
            raise ApiError(ErrorCode.LIVENESS_REVALIDATION_REQUIRED)
    phone = await _check_bound_code(
        session, deps, me, user,
        purpose=OtpPurpose.PHONE_CHANGE, channel="sms",
        request_id=body.phone_number_otp_request_id, code=body.phone_number_otp,
    )  # fmt: skip
    previous = user.phone_number
    user.phone_number = phone
    user.phone_confirmed_at = utcnow()
    await _save(session, ErrorCode.PHONE_ALREADY_REGISTERED)
    await audit.record(
        session,
        audit.AuditAction.PHONE_CHANGED,
        tenant_id=ctx.tenant_id,
        actor=user_actor(ctx, user.id),
        target=f"user:{user.id}",
        details={"previous": mask_identifier(previous)},
    )
    return user_output(user)


async def _cancel(
    session: AsyncSession, ctx: RequestContext, user: EndUser, actor: audit.Actor
) -> IdentityCancelled:
    users_service.cancel_verified_identity(user)
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_CANCELLED,
        tenant_id=ctx.tenant_id,
        actor=actor,
        target=f"user:{user.id}",
    )
    return IdentityCancelled(user_id=user.id, is_digital_identity_verified=False)


async def cancel_identity(session: AsyncSession, me: UserContext) -> IdentityCancelled:
    user = await _me(session, me)
    return await _cancel(session, me.request, user, user_actor(me.request, user.id))


async def cancel_identity_for_admin(
    session: AsyncSession, admin: AdminContext, user_id: int
) -> IdentityCancelled:
    user = await users_service.get_or_raise(session, admin.tenant_id, user_id)
    actor = audit.actor_for(admin.request, "admin", str(admin.admin_id))
    return await _cancel(session, admin.request, user, actor)
