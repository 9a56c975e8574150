"""Registration through Google or Microsoft ID tokens (spec §2.2, flow §3.3; checklist OIDC-1).

StepVerifyOAuthToken checks the token against the tenant's OAuth client and keeps a one-shot
verification (30 minutes) whose id Register accepts instead of an email code. VerifyOAuthToken does
the same and, when a registered user has that email unconfirmed, confirms it. An email is used
only when the provider says it is verified.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import RequestContext
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.kit.ids import parse_uuid
from hawiya.models import OAuthVerification
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.oidc import IdTokenVerifier
from hawiya.registration.repository import OAuthVerificationRepository
from hawiya.registration.schemas import OAuthTokenInput, OAuthVerificationOutput
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import oauth_client
from hawiya.users import service as users_service
from hawiya.users.repository import EndUserRepository

VERIFICATION_SECONDS = 1800


async def verify_token(
    session: AsyncSession, verifier: IdTokenVerifier, ctx: RequestContext, body: OAuthTokenInput
) -> OAuthVerification:
    tenant = await tenant_service.get_tenant(session, ctx.tenancy_name)
    client = oauth_client(tenant.settings or {}, body.provider)
    if client is None:
        raise ApiError(ErrorCode.OAUTH_NOT_CONFIGURED)
    try:
        verified = await verifier.verify(body.id_token, client)
    except ProviderRejected as exc:
        raise ApiError(
            ErrorCode.OAUTH_TOKEN_INVALID,
            descriptions=[{"field": "IdToken", "code": exc.reason, "message": exc.reason}],
        ) from None
    except ProviderUnavailable:
        raise ApiError(ErrorCode.OAUTH_PROVIDER_UNAVAILABLE, headers={"Retry-After": "5"}) from None
    if not verified.email or not verified.email_verified:
        raise ApiError(ErrorCode.OAUTH_EMAIL_NOT_VERIFIED)
    now = utcnow()
    return await OAuthVerificationRepository(session, ctx.tenant_id).add(
        OAuthVerification(
            provider=verified.provider,
            issuer=verified.issuer,
            subject=verified.subject,
            email=users_service.normalize_email(verified.email),
            expires_at=now + timedelta(seconds=VERIFICATION_SECONDS),
        )
    )


def output(verification: OAuthVerification) -> OAuthVerificationOutput:
    return OAuthVerificationOutput(
        o_auth_token_verification_request_id=str(verification.id),
        is_verified=True,
        validation_result="Token verified successfully",
        email=verification.email,
    )


async def confirm_existing_email(
    session: AsyncSession, ctx: RequestContext, verification: OAuthVerification
) -> None:
    """VerifyOAuthToken: a registered user with this email, not yet confirmed, is confirmed."""
    user = await EndUserRepository(session, ctx.tenant_id).get_by_email(verification.email)
    if user is None or user.email_confirmed_at is not None:
        return
    user.email_confirmed_at = utcnow()
    user.oauth_issuer, user.oauth_subject = verification.issuer, verification.subject
    verification.consumed_at = utcnow()
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.OAUTH_EMAIL_CONFIRMED,
        tenant_id=ctx.tenant_id,
        actor=audit.Actor(kind="anonymous", client_ip=ctx.client_ip, request_id=ctx.request_id),
        target=f"user:{user.id}",
        details={"provider": verification.provider},
    )


async def consume(
    session: AsyncSession, tenant_id: uuid.UUID, raw_id: str, email: str | None
) -> OAuthVerification:
    """The verification for Register: unknown, expired, used or another email all answer
    OAUTH_VERIFICATION_INVALID."""
    verification_id = parse_uuid(raw_id)
    row = (
        await OAuthVerificationRepository(session, tenant_id).get_for_update(verification_id)
        if verification_id
        else None
    )
    if (
        row is None
        or row.consumed_at is not None
        or row.expires_at <= utcnow()
        or (email is not None and email != row.email)
    ):
        raise ApiError(ErrorCode.OAUTH_VERIFICATION_INVALID)
    row.consumed_at = utcnow()
    return row
