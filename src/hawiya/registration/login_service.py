"""End-user login (spec §2.3 [OLD] POST /api/DigitalIdentity/Login).

Phone and password (when the account has one) are checked like an administrator's login: one
generic LOGIN_FAILED, a per-account throttle and a per-address limit (PW-3). A device seen before
gets tokens at once. Any other device first gets an SMS code (purpose login_device) and an answer
with phoneNumberOtpRequestId and no token; the second call, with the code, registers the device,
moves the last active device location to this login, and returns the tokens. An account without
a password always needs the code.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import service as auth_service
from hawiya.context import RequestContext
from hawiya.otp.policy import OtpPurpose
from hawiya.registration.schemas import UserLoginInput, UserLoginResult
from hawiya.registration.service import (
    Deps,
    anonymous,
    base_result,
    check_code,
    load_tenant,
    phone_of,
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
    if needs_code:
        if body.phone_number_otp_request_id is None and body.phone_number_otp is None:
            await audit.record(
                session,
                audit.AuditAction.NEW_DEVICE_CODE_SENT,
                tenant_id=ctx.tenant_id,
                actor=anonymous(ctx),
                target=f"user:{user.id}",
            )
            provider = body.sms_providers if body.sms_providers is not None else body.sms_provider
            issued = await send_sms_code(
                session, deps, ctx, tenant,
                purpose=OtpPurpose.LOGIN_DEVICE, phone=phone, provider_code=provider,
            )  # fmt: skip
            return result.model_copy(
                update={
                    "phone_number_otp_request_id": str(issued.challenge_id),
                    "phone_otp_expire_in_seconds": issued.expires_in_seconds,
                    "phone_number_otp": issued.code if ctx.is_sandbox else None,
                    "is_phone_number_confirmed": user.phone_confirmed_at is not None,
                }
            )
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.LOGIN_DEVICE, channel="sms", identifier=phone,
            request_id=body.phone_number_otp_request_id, code=body.phone_number_otp,
        )  # fmt: skip
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
