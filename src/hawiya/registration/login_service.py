"""End-user login (spec §2.3 [OLD] POST /api/DigitalIdentity/Login).

Phone and password (when the account has one) are checked like an administrator's login: one
generic LOGIN_FAILED, a per-account throttle and a per-address limit (PW-3). A device seen before
gets tokens at once. Any other device first gets a code (purpose login_device) and an answer with
its request id and no token; the second call, with the code, registers the device, moves the last
active device location to this login, and returns the tokens. An account without a password
always needs the code. The code goes by SMS (a correct one also confirms the number), or by email
to a confirmed address when the tenant sets loginCodeChannel=email (checklist OTP-9).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import service as auth_service
from hawiya.context import RequestContext
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser
from hawiya.otp.policy import OtpPurpose
from hawiya.registration.schemas import UserLoginInput, UserLoginResult
from hawiya.registration.service import (
    Deps,
    LoadedTenant,
    anonymous,
    base_result,
    check_code,
    code_sent,
    load_tenant,
    phone_of,
    send_email_code,
    send_sms_code,
    signed_in,
    user_actor,
)
from hawiya.users import service as users_service


async def login(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: UserLoginInput
) -> UserLoginResult:
    tenant = await load_tenant(session, ctx)
    phone = phone_of(body.phone_number, tenant)
    user = await auth_service.check_password_login(
        session,
        deps.runtime,
        ctx,
        account=auth_service.user_account(phone),
        load=lambda: users_service.get_by_phone(session, ctx.tenant_id, phone),
        password=body.password,
        rate_bucket=f"userlogin:addr:{ctx.tenant_id}:{ctx.client_ip}",
        kind=auth_service.USER,
    )
    device = users_service.device_hash(deps.runtime.otp_key, body.imei)
    known = await users_service.is_known_device(session, ctx.tenant_id, user.id, device)
    needs_code = not known or user.password_hash is None
    result = UserLoginResult(**base_result(tenant).model_dump())
    # OTP-9: the tenant may send new-device codes by email instead of SMS (to a confirmed address).
    email = user.email_normalized if user.email_confirmed_at is not None else None
    by_email = tenant.settings.loginCodeChannel == "email" and email is not None
    if needs_code:
        # An emailed code may come back in the phone fields too: apps written for SMS codes
        # only know those, and the code is bound to its channel's identifier either way.
        request_id, code = body.phone_number_otp_request_id, body.phone_number_otp
        if by_email:
            request_id, code = body.email_otp_request_id or request_id, body.email_otp or code
        if request_id is None and code is None:
            await audit.record(
                session,
                audit.AuditAction.NEW_DEVICE_CODE_SENT,
                tenant_id=ctx.tenant_id,
                actor=anonymous(ctx),
                target=f"user:{user.id}",
                details={"channel": "email" if by_email else "sms"},
            )
            return await _send_device_code(session, deps, ctx, tenant, body, user, email, result)
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.LOGIN_DEVICE, channel="email" if by_email else "sms",
            identifier=email if by_email and email else phone, request_id=request_id, code=code,
        )  # fmt: skip
        if not by_email and user.phone_confirmed_at is None:
            user.phone_confirmed_at = utcnow()  # the code just proved the number
    location = (
        (body.geo_location.latitude, body.geo_location.longitude) if body.geo_location else None
    )
    # Only a login that proved the device (a known one, or a new one with its code) moves the
    # last active device location.
    await users_service.remember_device(session, ctx.tenant_id, user, device, location)
    tokens = await auth_service.start_session(
        session, deps.runtime, ctx.tenant_id, auth_service.USER, str(user.id)
    )
    await audit.record(
        session,
        audit.AuditAction.USER_LOGGED_IN,
        tenant_id=ctx.tenant_id,
        actor=user_actor(ctx, user.id),
        target=f"user:{user.id}",
        details={"newDevice": not known},
    )
    return signed_in(result, user, tokens)


async def _send_device_code(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    tenant: LoadedTenant,
    body: UserLoginInput,
    user: EndUser,
    email: str | None,
    result: UserLoginResult,
) -> UserLoginResult:
    """The first answer to a login from a new device: a code, and no token."""
    confirmed = {"is_phone_number_confirmed": user.phone_confirmed_at is not None}
    if tenant.settings.loginCodeChannel == "email" and email is not None:
        issued = await send_email_code(
            session, deps, ctx, tenant, purpose=OtpPurpose.LOGIN_DEVICE, email=email
        )
        return result.model_copy(update={**confirmed, **code_sent(issued, ctx, "email")})
    provider = body.sms_providers if body.sms_providers is not None else body.sms_provider
    issued = await send_sms_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.LOGIN_DEVICE, phone=user.phone_number, provider_code=provider,
    )  # fmt: skip
    return result.model_copy(update={**confirmed, **code_sent(issued, ctx, "sms")})
