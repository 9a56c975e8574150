"""Registration by phone (and email) one-time codes: spec §2.2, flow §3.2.

Error contract: PHONE_INVALID / PHONE_COUNTRY_NOT_ALLOWED for numbers; OTP_* from the OTP engine;
PHONE_ALREADY_REGISTERED / EMAIL_ALREADY_REGISTERED for duplicates (also under concurrency);
PHONE_NOT_CONFIRMED / EMAIL_NOT_CONFIRMED when the tenant requires a confirmation that was not
made; SMS_/EMAIL_DELIVERY_FAILED when a code could not be delivered. Codes are echoed in the
response only for sandbox tenants.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import security
from hawiya.auth import service as auth_service
from hawiya.auth.runtime import AuthRuntime
from hawiya.auth.schemas import LoginOutput
from hawiya.context import RequestContext
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import checkpoint
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.kit.ids import parse_uuid
from hawiya.kit.phones import PhoneRejected, national_number, normalize_phone
from hawiya.messaging.service import Messenger
from hawiya.models import EndUser, OtpChallenge
from hawiya.otp import service as otp_service
from hawiya.otp.messages import email_text, sms_text
from hawiya.otp.policy import OtpPurpose, policy_for
from hawiya.registration import oauth_service
from hawiya.registration.schemas import (
    CheckExistenceInput,
    RegisterInput,
    RegistrationResult,
    StepVerifyEmailInput,
    StepVerifyPhoneInput,
    UserOutput,
)
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import TenantSettings, effective
from hawiya.users import service as users_service
from hawiya.users.repository import EndUserRepository

ResultT = TypeVar("ResultT", bound=RegistrationResult)


@dataclass(frozen=True, slots=True)
class Deps:
    runtime: AuthRuntime
    messenger: Messenger
    language: str
    keyring: DataKeyring | None = None  # the tenant data keys (national ID lookup hashes)


@dataclass(frozen=True, slots=True)
class LoadedTenant:
    settings: TenantSettings
    raw: dict[str, Any]


async def load_tenant(session: AsyncSession, ctx: RequestContext) -> LoadedTenant:
    row = await tenant_service.get_tenant(session, ctx.tenancy_name)
    raw = dict(row.settings or {})
    return LoadedTenant(effective(raw), raw)


def phone_of(raw: str, tenant: LoadedTenant) -> str:
    try:
        return normalize_phone(raw, tenant.settings.allowedPhoneRegions)
    except PhoneRejected as exc:
        code = (
            ErrorCode.PHONE_COUNTRY_NOT_ALLOWED
            if exc.reason == "country_not_allowed"
            else ErrorCode.PHONE_INVALID
        )
        raise ApiError(code) from None


async def account_by_name(
    session: AsyncSession, ctx: RequestContext, tenant: LoadedTenant, email_or_phone: str
) -> tuple[EndUser | None, str]:
    """The active account named by an email or a phone number, and the normalised name."""
    users = EndUserRepository(session, ctx.tenant_id)
    if "@" in email_or_phone:
        email = users_service.normalize_email(email_or_phone)
        user = await users.get_by_email(email)
        given = email
    else:
        given = phone_of(email_or_phone, tenant)
        user = await users.get_by_phone(given)
    return (user if user is not None and user.is_active else None), given


def anonymous(ctx: RequestContext) -> audit.Actor:
    return audit.actor_for(ctx, "anonymous")


def user_actor(ctx: RequestContext, user_id: int) -> audit.Actor:
    return audit.actor_for(ctx, "user", str(user_id))


def base_result(tenant: LoadedTenant) -> RegistrationResult:
    return RegistrationResult(
        is_email_confirmation_required=tenant.settings.isEmailConfirmationRequired,
        is_phone_number_confirmation_required=tenant.settings.isPhoneNumberConfirmationRequired,
    )


def user_output(user: EndUser) -> UserOutput:
    full = " ".join(p for p in (user.name, user.surname) if p) or None
    return UserOutput(
        id=user.id,
        name=user.name,
        surname=user.surname,
        full_name=full,
        user_name=user.phone_number,
        email_address=user.email,
        phone_number=user.phone_number,
        address=user.address,
    )


def signed_in(result: ResultT, user: EndUser, tokens: LoginOutput) -> ResultT:
    """The result of a successful Register or Login: the user's session and who the user is."""
    output = user_output(user)
    return result.model_copy(
        update={
            "is_phone_number_confirmed": user.phone_confirmed_at is not None,
            "is_email_confirmed": user.email_confirmed_at is not None,
            "is_digital_identity_verified": user.is_digital_identity_verified,
            "access_token": tokens.access_token,
            "encrypted_access_token": tokens.encrypted_access_token,
            "expire_in_seconds": tokens.expire_in_seconds,
            "refresh_token": tokens.refresh_token,
            "refresh_token_expire_in_seconds": tokens.refresh_token_expire_in_seconds,
            "user_name": output.user_name,
            "user_full_name": output.full_name,
            "user": output,
        }
    )


def check_user_password(password: str, ctx: RequestContext, phone: str, email: str | None) -> None:
    """PW-2 for an end user: 8 characters, the blocklist, and no tenant name, phone number (in
    any local form) or email name in it."""
    auth_service.check_password(
        password,
        ctx.tenancy_name,
        national_number(phone),
        (email or "").split("@", 1)[0],
        min_chars=security.MIN_END_USER_PASSWORD_CHARS,
    )


async def check_existence(
    session: AsyncSession, ctx: RequestContext, body: CheckExistenceInput
) -> bool:
    if not body.phone_number and not body.email:
        raise ApiError(ErrorCode.EMAIL_OR_PHONE_REQUIRED)
    tenant = await load_tenant(session, ctx)
    phone = phone_of(body.phone_number, tenant) if body.phone_number else None
    return await users_service.phone_or_email_exists(
        session, ctx.tenant_id, phone=phone, email=str(body.email) if body.email else None
    )


async def check_code(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    tenant: LoadedTenant,
    *,
    purpose: OtpPurpose,
    channel: str,
    identifier: str,
    request_id: str | None,
    code: str | None,
    redeem: bool = False,
    binding: str = "",
) -> OtpChallenge:
    """One check of a code sent to this identifier for this purpose (OTP_* errors otherwise)."""
    return await otp_service.verify(
        session,
        key=deps.runtime.otp_key,
        tenant_id=ctx.tenant_id,
        purpose=purpose,
        identifier=identifier,
        challenge_id=parse_uuid(request_id or ""),
        code=code,
        policy=policy_for(channel, tenant.raw),
        redeem=redeem,
        binding=binding,
        actor=anonymous(ctx),
    )


async def send_sms_code(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    tenant: LoadedTenant,
    *,
    purpose: OtpPurpose,
    phone: str,
    provider_code: int | None,
    binding: str = "",
    deliver: bool = True,
) -> otp_service.IssuedOtp:
    """Issue a code and text it. The gateway is resolved first (no code for a gateway the tenant
    lacks); the challenge is committed before the gateway is called, which may take seconds.
    deliver=False issues a code nobody receives: the answer for an account that does not exist
    must look, and rate-limit, exactly like the answer for one that does (OTP-7)."""
    gateway = deps.messenger.sms_gateway(
        default_gateway=tenant.settings.defaultSmsGateway,
        gateways=tenant.settings.smsGateways,
        provider_code=provider_code,
    )
    issued = await otp_service.issue(
        session,
        key=deps.runtime.otp_key,
        tenant_id=ctx.tenant_id,
        purpose=purpose,
        channel="sms",
        identifier=phone,
        policy=policy_for("sms", tenant.raw),
        client_ip=ctx.client_ip,
        binding=binding,
    )
    await checkpoint(session)
    if deliver:
        text = sms_text(deps.language, ctx.tenancy_name, issued.code, issued.expires_in_seconds)
        await deps.messenger.send_sms(gateway, to=phone, text=text)
    return issued


async def send_email_code(
    session: AsyncSession,
    deps: Deps,
    ctx: RequestContext,
    tenant: LoadedTenant,
    *,
    purpose: OtpPurpose,
    email: str,
    binding: str = "",
    deliver: bool = True,
) -> otp_service.IssuedOtp:
    """As send_sms_code, by email."""
    sender = deps.messenger.email_sender(tenant.settings.emailSender)
    issued = await otp_service.issue(
        session,
        key=deps.runtime.otp_key,
        tenant_id=ctx.tenant_id,
        purpose=purpose,
        channel="email",
        identifier=email,
        policy=policy_for("email", tenant.raw),
        client_ip=ctx.client_ip,
        binding=binding,
    )
    await checkpoint(session)
    if deliver:
        text = email_text(deps.language, ctx.tenancy_name, issued.code, issued.expires_in_seconds)
        await deps.messenger.send_email(sender, to=email, subject=text.subject, text=text.body)
    return issued


def code_sent(
    issued: otp_service.IssuedOtp, ctx: RequestContext, channel: str, *, delivered: bool = True
) -> dict[str, Any]:
    """The answer fields for a code just sent: its request id and lifetime, and the code itself
    for sandbox tenants only (and only when it was really sent)."""
    code, ttl = (
        ("email_otp", "email_otp") if channel == "email" else ("phone_number_otp", "phone_otp")
    )
    return {
        f"{code}_request_id": str(issued.challenge_id),
        f"{ttl}_expire_in_seconds": issued.expires_in_seconds,
        code: issued.code if ctx.is_sandbox and delivered else None,
    }


async def step_verify_phone(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: StepVerifyPhoneInput
) -> RegistrationResult:
    """Send a code (phoneNumber only) or validate it (with phoneNumberOtpRequestId and the code).
    The answer does not say whether the number is registered (OTP-7)."""
    tenant = await load_tenant(session, ctx)
    phone = phone_of(body.phone_number, tenant)
    result = base_result(tenant)
    if body.phone_number_otp_request_id is not None or body.phone_number_otp is not None:
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.REGISTER_PHONE, channel="sms", identifier=phone,
            request_id=body.phone_number_otp_request_id, code=body.phone_number_otp,
        )  # fmt: skip
        return result.model_copy(
            update={
                "is_phone_number_confirmed": True,
                "phone_number_otp_request_id": body.phone_number_otp_request_id,
            }
        )
    issued = await send_sms_code(
        session, deps, ctx, tenant,
        purpose=OtpPurpose.REGISTER_PHONE, phone=phone, provider_code=body.sms_providers,
    )  # fmt: skip
    return result.model_copy(update=code_sent(issued, ctx, "sms"))


async def step_verify_email(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: StepVerifyEmailInput
) -> RegistrationResult:
    tenant = await load_tenant(session, ctx)
    email = users_service.normalize_email(str(body.email))
    result = base_result(tenant)
    if body.email_otp_request_id is not None or body.email_otp is not None:
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.REGISTER_EMAIL, channel="email", identifier=email,
            request_id=body.email_otp_request_id, code=body.email_otp,
        )  # fmt: skip
        return result.model_copy(
            update={"is_email_confirmed": True, "email_otp_request_id": body.email_otp_request_id}
        )
    issued = await send_email_code(
        session, deps, ctx, tenant, purpose=OtpPurpose.REGISTER_EMAIL, email=email
    )
    return result.model_copy(update=code_sent(issued, ctx, "email"))


async def register(
    session: AsyncSession, deps: Deps, ctx: RequestContext, body: RegisterInput
) -> RegistrationResult:
    """Create the user in state Registered and start a user session (spec §2.2 Register).

    The phone code proves possession (required unless the tenant switched phone confirmation
    off); an email is confirmed by its own code, and must be when the tenant requires it.
    """
    tenant = await load_tenant(session, ctx)
    phone = phone_of(body.phone_number, tenant)
    email = users_service.normalize_email(str(body.email)) if body.email else None
    password_hash = None
    if body.password:
        check_user_password(body.password, ctx, phone, email)
        await checkpoint(session)  # nothing written yet; no lock is held while hashing
        password_hash = await auth_service.hash_password(deps.runtime, body.password)
    users = EndUserRepository(session, ctx.tenant_id)
    if await users.get_by_phone(phone) is not None:
        raise ApiError(ErrorCode.PHONE_ALREADY_REGISTERED)
    if email and await users.get_by_email(email) is not None:
        raise ApiError(ErrorCode.EMAIL_ALREADY_REGISTERED)
    now = utcnow()
    phone_confirmed = None
    if body.phone_number_otp_request_id or body.phone_number_otp:
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.REGISTER_PHONE, channel="sms", identifier=phone,
            request_id=body.phone_number_otp_request_id, code=body.phone_number_otp, redeem=True,
        )  # fmt: skip
        phone_confirmed = now
    elif tenant.settings.isPhoneNumberConfirmationRequired:
        raise ApiError(ErrorCode.PHONE_NOT_CONFIRMED)
    email_confirmed = None
    oauth = None
    if body.o_auth_token_verification_request_id:
        # The provider verified the email: it replaces the email code (flow §3.3).
        oauth = await oauth_service.consume(
            session, ctx.tenant_id, body.o_auth_token_verification_request_id, email
        )
        email = oauth.email
        if await users.get_by_email(email) is not None:
            raise ApiError(ErrorCode.EMAIL_ALREADY_REGISTERED)
        email_confirmed = now
    elif email and (body.email_otp_request_id or body.email_otp):
        await check_code(
            session, deps, ctx, tenant,
            purpose=OtpPurpose.REGISTER_EMAIL, channel="email", identifier=email,
            request_id=body.email_otp_request_id, code=body.email_otp, redeem=True,
        )  # fmt: skip
        email_confirmed = now
    if tenant.settings.isEmailConfirmationRequired and email_confirmed is None:
        raise ApiError(ErrorCode.EMAIL_NOT_CONFIRMED)
    user = EndUser(
        phone_number=phone,
        phone_confirmed_at=phone_confirmed,
        email=str(body.email).strip() if body.email else email,
        email_normalized=email,
        email_confirmed_at=email_confirmed,
        password_hash=password_hash,
        name=body.name,
        surname=body.surname,
    )
    if oauth is not None:
        user.oauth_issuer, user.oauth_subject = oauth.issuer, oauth.subject
    if body.geo_location is not None:  # the first "last active device location" (spec §3.5)
        user.last_latitude = body.geo_location.latitude
        user.last_longitude = body.geo_location.longitude
        user.last_location_at = now
    try:
        await users.add(user)
    except IntegrityError as exc:
        # A concurrent registration of the same phone or email won the unique constraint.
        duplicate_email = "email" in str(exc.orig).lower()
        raise ApiError(
            ErrorCode.EMAIL_ALREADY_REGISTERED
            if duplicate_email
            else ErrorCode.PHONE_ALREADY_REGISTERED
        ) from None
    await audit.record(
        session,
        audit.AuditAction.USER_REGISTERED,
        tenant_id=ctx.tenant_id,
        actor=anonymous(ctx),
        target=f"user:{user.id}",
        details={"emailConfirmed": email_confirmed is not None},
    )
    tokens = await auth_service.start_session(
        session, deps.runtime, ctx.tenant_id, auth_service.USER, str(user.id), now=now
    )
    return signed_in(base_result(tenant), user, tokens)
