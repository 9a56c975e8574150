"""Credentials: API keys, administrators, login, refresh-token rotation and bearer verification.

Error contract: LOGIN_FAILED for every wrong name or password (one generic answer, PW-3);
LOGIN_THROTTLED / RATE_LIMITED with Retry-After; REFRESH_TOKEN_INVALID for any refresh problem, and
a reused refresh token revokes its whole family (TOK-3); TOKEN_INVALID / TOKEN_EXPIRED /
TOKEN_KIND_WRONG for bearer problems. Failures that must be remembered are raised with persist=True.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import security
from hawiya.auth.repository import (
    AdminUserRepository,
    ApiKeyLookup,
    ApiKeyRepository,
    LoginThrottleRepository,
    RefreshTokenRepository,
    TokenFamilyRepository,
)
from hawiya.auth.runtime import AuthRuntime
from hawiya.auth.schemas import LoginOutput
from hawiya.context import AdminContext, RequestContext, UserContext
from hawiya.db.session import checkpoint
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.kit.crypto import seal
from hawiya.models import AdminUser, ApiKey, LoginThrottle, RefreshToken, Tenant, TokenFamily
from hawiya.ratelimit import service as ratelimit
from hawiya.users import service as users_service

ADMIN = "admin"
USER = "user"

_POLICY_CODES = {
    "too_short": ErrorCode.PASSWORD_TOO_SHORT,
    "too_long": ErrorCode.PASSWORD_TOO_LONG,
    "too_common": ErrorCode.PASSWORD_TOO_COMMON,
    "contains_context": ErrorCode.PASSWORD_CONTAINS_CONTEXT,
}


def _actor(ctx: RequestContext, kind: str = "api_key", actor_id: str | None = None) -> audit.Actor:
    return audit.actor_for(ctx, kind, actor_id or (str(ctx.api_key_id) if ctx.api_key_id else None))


# ------------------------------------------------------------------------------------------------
# API keys


async def resolve_api_key(session: AsyncSession, key: str) -> tuple[ApiKey, Tenant]:
    if not key.startswith(security.API_KEY_PREFIX) or len(key) > 128:
        raise ApiError(ErrorCode.API_KEY_INVALID)
    found = await ApiKeyLookup(session).get_active_with_tenant(security.api_key_hash(key), utcnow())
    if found is None:
        raise ApiError(ErrorCode.API_KEY_INVALID)
    return found


async def create_api_key(
    session: AsyncSession, tenant_id: uuid.UUID, *, name: str, actor: audit.Actor
) -> tuple[ApiKey, str]:
    plain = security.new_api_key()
    row = await ApiKeyRepository(session, tenant_id).add(
        ApiKey(
            name=name,
            prefix=security.api_key_display_prefix(plain),
            key_hash=security.api_key_hash(plain),
        )
    )
    await audit.record(
        session,
        audit.AuditAction.API_KEY_CREATED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"api_key:{row.id}",
        details={"name": name, "prefix": row.prefix},
    )
    return row, plain


async def list_api_keys(
    session: AsyncSession, tenant_id: uuid.UUID, *, skip: int = 0, limit: int = 1000
) -> tuple[list[ApiKey], int]:
    return await ApiKeyRepository(session, tenant_id).list_page(
        skip=skip, limit=limit, order_by=[ApiKey.created_at, ApiKey.id]
    )


async def _get_key(session: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID | None) -> ApiKey:
    row = await ApiKeyRepository(session, tenant_id).get(key_id) if key_id else None
    if row is None:
        raise ApiError(ErrorCode.API_KEY_NOT_FOUND)
    return row


async def revoke_api_key(
    session: AsyncSession, tenant_id: uuid.UUID, key_id: uuid.UUID | None, *, actor: audit.Actor
) -> ApiKey:
    """Takes effect on the next request: keys are looked up in the database every time (TEN-6)."""
    row = await _get_key(session, tenant_id, key_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await session.flush()
        await audit.record(
            session,
            audit.AuditAction.API_KEY_REVOKED,
            tenant_id=tenant_id,
            actor=actor,
            target=f"api_key:{row.id}",
            details={"prefix": row.prefix},
        )
    return row


async def rotate_api_key(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    key_id: uuid.UUID | None,
    *,
    grace_seconds: int,
    actor: audit.Actor,
) -> tuple[ApiKey, str]:
    """A new key with the same name; the old one stops at once, or after the grace period."""
    old = await _get_key(session, tenant_id, key_id)
    if old.revoked_at is not None:
        raise ApiError(ErrorCode.API_KEY_NOT_FOUND)
    if grace_seconds > 0:
        old.expires_at = utcnow() + timedelta(seconds=grace_seconds)
    else:
        old.revoked_at = utcnow()
    new, plain = await create_api_key(session, tenant_id, name=old.name, actor=actor)
    await audit.record(
        session,
        audit.AuditAction.API_KEY_ROTATED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"api_key:{old.id}",
        details={"newKey": str(new.id), "graceSeconds": grace_seconds},
    )
    return new, plain


# ------------------------------------------------------------------------------------------------
# Administrators


def normalize_login(value: str) -> str:
    return value.strip().lower()


def check_password(
    password: str, *context: str, min_chars: int = security.MIN_PASSWORD_CHARS
) -> None:
    try:
        security.check_password_policy(password, context, min_chars=min_chars)
    except security.PasswordRejected as exc:
        raise ApiError(_POLICY_CODES[exc.reason]) from None


async def hash_password(runtime: AuthRuntime, password: str) -> str:
    """Argon2id within the hashing slots; HASHING_BUSY (503) when they stay full."""
    return await _hash(runtime, password)


async def _hash(runtime: AuthRuntime, password: str) -> str:
    try:
        return await runtime.hasher.hash(password)
    except security.HashingBusy:
        raise ApiError(ErrorCode.HASHING_BUSY, headers={"Retry-After": "2"}) from None


async def create_admin(
    session: AsyncSession,
    runtime: AuthRuntime,
    tenant: Tenant,
    *,
    email: str,
    password: str,
    user_name: str | None = None,
    actor: audit.Actor,
) -> AdminUser:
    user_name = user_name or email
    check_password(password, tenant.tenancy_name, email.split("@", 1)[0], user_name)
    repo = AdminUserRepository(session, tenant.id)
    for candidate in {normalize_login(email), normalize_login(user_name)}:
        if await repo.get_by_login(candidate) is not None:
            raise ApiError(ErrorCode.ADMIN_EMAIL_TAKEN)
    admin = await repo.add(
        AdminUser(
            email=email.strip(),
            email_normalized=normalize_login(email),
            user_name=user_name.strip(),
            user_name_normalized=normalize_login(user_name),
            password_hash=await _hash(runtime, password),
            password_changed_at=utcnow(),
        )
    )
    await audit.record(
        session,
        audit.AuditAction.ADMIN_CREATED,
        tenant_id=tenant.id,
        actor=actor,
        target=f"admin:{admin.id}",
        details={"email": admin.email},
    )
    return admin


async def find_admin(session: AsyncSession, tenant_id: uuid.UUID, login: str) -> AdminUser:
    admin = await AdminUserRepository(session, tenant_id).get_by_login(normalize_login(login))
    if admin is None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no administrator {login!r}")
    return admin


async def set_password(
    session: AsyncSession,
    runtime: AuthRuntime,
    tenant: Tenant,
    admin: AdminUser,
    password: str,
    *,
    actor: audit.Actor,
) -> None:
    """New hash, every live token family revoked (TOK-4), and the login throttle cleared."""
    check_password(password, tenant.tenancy_name, admin.email.split("@", 1)[0], admin.user_name)
    admin.password_hash = await _hash(runtime, password)
    admin.password_changed_at = utcnow()
    await end_sessions(
        session, tenant.id, ADMIN, str(admin.id), admin.user_name_normalized, "password_changed"
    )
    await audit.record(
        session,
        audit.AuditAction.PASSWORD_CHANGED,
        tenant_id=tenant.id,
        actor=actor,
        target=f"admin:{admin.id}",
    )


def user_account(phone: str) -> str:
    """The login throttle's account name for an end user (administrators use their login)."""
    return f"user|{phone}"


async def end_sessions(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    kind: str,
    subject_id: str,
    account: str,
    reason: str,
) -> None:
    """After a new password: every live token family revoked (TOK-4) and the login throttle of
    the account cleared (a disabled account comes back with its new password)."""
    await TokenFamilyRepository(session, tenant_id).revoke_subject(
        kind, subject_id, utcnow(), reason
    )
    throttle = await LoginThrottleRepository(session, tenant_id).get_for_update(
        _account_key(account)
    )
    if throttle is not None:
        _reset_throttle(throttle)
    await session.flush()


# ------------------------------------------------------------------------------------------------
# Tokens


def _encrypt_token(runtime: AuthRuntime, token: str) -> str:
    """The ABP-style encryptedAccessToken: the access token sealed with a server key, for places
    where a token must travel in a URL. Only this server can open it."""
    return (
        base64.urlsafe_b64encode(seal(runtime.token_key, token.encode(), b"eat"))
        .decode()
        .rstrip("=")
    )


async def _issue(
    session: AsyncSession,
    runtime: AuthRuntime,
    tenant_id: uuid.UUID,
    family: TokenFamily,
    now: datetime,
) -> LoginOutput:
    key = await runtime.keyring.signer()
    if key.private is None:  # signer() only returns the active key, which has its private half
        raise RuntimeError("active signing key has no private key")
    cfg = runtime.config
    stamp = int(now.timestamp())
    common: dict[str, Any] = {
        "iss": cfg.issuer,
        "aud": cfg.audience,
        "sub": family.subject_id,
        "tid": str(tenant_id),
        "sid": str(family.id),
        "kind": family.subject_kind,
        "iat": stamp,
        "nbf": stamp,
    }
    access = security.encode_token(
        {**common, "jti": str(uuid.uuid4()), "exp": stamp + cfg.access_token_seconds},
        kid=key.kid,
        key=key.private,
        typ=security.ACCESS_TYP,
    )
    refresh_row = RefreshToken(
        id=uuid.uuid4(), family_id=family.id, token_hash="", expires_at=family.expires_at
    )
    refresh = security.encode_token(
        {**common, "jti": str(refresh_row.id), "exp": int(family.expires_at.timestamp())},
        kid=key.kid,
        key=key.private,
        typ=security.REFRESH_TYP,
    )
    refresh_row.token_hash = hashlib.sha256(refresh.encode()).hexdigest()
    await RefreshTokenRepository(session, tenant_id).add(refresh_row)
    return LoginOutput(
        access_token=access,
        encrypted_access_token=_encrypt_token(runtime, access),
        expire_in_seconds=cfg.access_token_seconds,
        refresh_token=refresh,
        refresh_token_expire_in_seconds=max(0, int((family.expires_at - now).total_seconds())),
        user_id=family.subject_id,
    )


async def _verify(runtime: AuthRuntime, token: str, typ: str) -> dict[str, Any]:
    cfg = runtime.config
    now = utcnow()

    def decode() -> dict[str, Any]:
        return security.decode_token(
            token,
            keys=runtime.keyring.verification_keys(now),
            typ=typ,
            issuer=cfg.issuer,
            audience=cfg.audience,
            now=now,
            leeway=cfg.clock_skew_seconds,
        )

    try:
        return decode()
    except security.UnknownKey:
        if not await runtime.keyring.reload_for_unknown():
            raise
        return decode()


# ------------------------------------------------------------------------------------------------
# Login (PW-3)


def _seconds_until(moment: datetime, now: datetime) -> int:
    return int((moment - now).total_seconds()) + 1


def _account_key(normalized_login: str) -> str:
    return hashlib.sha256(normalized_login.encode()).hexdigest()


def _reset_throttle(throttle: LoginThrottle) -> None:
    throttle.consecutive_failures = 0
    throttle.total_failures = 0
    throttle.lock_count = 0
    throttle.next_attempt_at = None
    throttle.disabled = False


def _register_failure(throttle: LoginThrottle, runtime: AuthRuntime, now: datetime) -> None:
    cfg = runtime.config
    throttle.consecutive_failures += 1
    throttle.total_failures += 1
    if throttle.total_failures >= cfg.login_disable_after_failures:
        throttle.disabled = True  # until an operator sets a new password
    elif throttle.consecutive_failures >= cfg.login_lock_after_failures:
        seconds = min(cfg.login_lock_seconds * 2**throttle.lock_count, 86_400)
        throttle.lock_count += 1
        throttle.next_attempt_at = now + timedelta(seconds=seconds)
        # After a lock the delays resume, and the next lock comes sooner and lasts twice as long.
        throttle.consecutive_failures = cfg.login_delay_after_failures
    elif throttle.consecutive_failures >= cfg.login_delay_after_failures:
        delay = 2 ** (throttle.consecutive_failures - cfg.login_delay_after_failures)
        throttle.next_attempt_at = now + timedelta(seconds=delay)


async def _refuse_if_throttled(
    session: AsyncSession, ctx: RequestContext, throttle: LoginThrottle, normalized: str
) -> None:
    now = utcnow()
    wait_until = throttle.next_attempt_at
    if not throttle.disabled and (wait_until is None or wait_until <= now):
        return
    retry = 86_400 if throttle.disabled or wait_until is None else _seconds_until(wait_until, now)
    await audit.record(
        session,
        audit.AuditAction.LOGIN_THROTTLED,
        tenant_id=ctx.tenant_id,
        actor=_actor(ctx, "anonymous"),
        details={"login": normalized},
    )
    raise ApiError(ErrorCode.LOGIN_THROTTLED, persist=True, headers={"Retry-After": str(retry)})


async def check_password_login(
    session: AsyncSession,
    runtime: AuthRuntime,
    ctx: RequestContext,
    *,
    account: str,
    load: Callable[[], Awaitable[Any]],
    password: str | None,
    rate_bucket: str,
    kind: str,
) -> Any:
    """The guarded password check of every login (PW-3), in three phases so no lock is held
    while hashing: (1) count the attempt and refuse early (address rate limit, account throttle),
    read the stored hash, checkpoint; (2) verify with no transaction open; (3) lock the throttle
    row again and re-check it (attempts that raced past phase 1 are refused here, whatever the
    password), then record the outcome. `load` returns the subject (an object with id,
    password_hash and is_active) or None; it is called again after hashing. A subject without a
    password passes only when none is sent (the caller then demands a one-time code).
    Raises RATE_LIMITED, LOGIN_THROTTLED, HASHING_BUSY or LOGIN_FAILED (one answer for every
    wrong name or password); returns the subject, re-loaded, with an upgraded hash if needed."""
    await ratelimit.hit(session, rate_bucket, limit=runtime.config.login_per_address_per_minute)
    account_key = _account_key(account)
    throttles = LoginThrottleRepository(session, ctx.tenant_id)
    await _refuse_if_throttled(session, ctx, await throttles.lock_or_create(account_key), account)
    subject = await load()
    stored_hash = subject.password_hash if subject is not None else None
    await checkpoint(session)

    try:
        if password is None:
            valid = subject is not None and stored_hash is None
        else:
            valid = await runtime.hasher.verify(stored_hash, password)
    except security.HashingBusy:
        raise ApiError(ErrorCode.HASHING_BUSY, headers={"Retry-After": "2"}) from None

    throttle = await throttles.lock_or_create(account_key)
    await _refuse_if_throttled(session, ctx, throttle, account)
    subject = await load()
    if (
        subject is None
        or not valid
        or not subject.is_active
        or subject.password_hash != stored_hash
    ):
        _register_failure(throttle, runtime, utcnow())
        await session.flush()
        await audit.record(
            session,
            audit.AuditAction.LOGIN_FAILED,
            tenant_id=ctx.tenant_id,
            actor=_actor(ctx, "anonymous"),
            details={"login": account, "consecutiveFailures": throttle.consecutive_failures},
        )
        raise ApiError(ErrorCode.LOGIN_FAILED, persist=True)

    _reset_throttle(throttle)
    if password is not None and runtime.hasher.needs_rehash(subject.password_hash):
        subject.password_hash = await _hash(runtime, password)  # PW-1: parameters were raised
        await audit.record(
            session,
            audit.AuditAction.PASSWORD_REHASHED,
            tenant_id=ctx.tenant_id,
            actor=_actor(ctx, kind, str(subject.id)),
            target=f"{kind}:{subject.id}",
        )
    return subject


async def login(
    session: AsyncSession,
    runtime: AuthRuntime,
    ctx: RequestContext,
    *,
    tenancy_name: str,
    login_name: str,
    password: str,
) -> LoginOutput:
    if tenancy_name.strip().lower() != ctx.tenancy_name.lower():
        raise ApiError(ErrorCode.TENANCY_NAME_MISMATCH)
    normalized = normalize_login(login_name)
    admins = AdminUserRepository(session, ctx.tenant_id)
    admin = await check_password_login(
        session,
        runtime,
        ctx,
        account=normalized,
        load=lambda: admins.get_by_login(normalized),
        password=password,
        rate_bucket=f"login:addr:{ctx.tenant_id}:{ctx.client_ip}",
        kind=ADMIN,
    )
    now = utcnow()
    tokens = await start_session(session, runtime, ctx.tenant_id, ADMIN, str(admin.id), now=now)
    await audit.record(
        session,
        audit.AuditAction.LOGIN_SUCCEEDED,
        tenant_id=ctx.tenant_id,
        actor=_actor(ctx, ADMIN, str(admin.id)),
        target=f"admin:{admin.id}",
    )
    return tokens


async def start_session(
    session: AsyncSession,
    runtime: AuthRuntime,
    tenant_id: uuid.UUID,
    kind: str,
    subject_id: str,
    *,
    now: datetime | None = None,
) -> LoginOutput:
    """A new token family (absolute refresh lifetime from now) and its first token pair; used by
    admin login and by end-user registration and login."""
    now = now or utcnow()
    family = await TokenFamilyRepository(session, tenant_id).add(
        TokenFamily(
            subject_kind=kind,
            subject_id=subject_id,
            expires_at=now + timedelta(seconds=runtime.config.refresh_token_seconds),
        )
    )
    return await _issue(session, runtime, tenant_id, family, now)


# ------------------------------------------------------------------------------------------------
# Refresh (TOK-1, TOK-3)


async def refresh(
    session: AsyncSession, runtime: AuthRuntime, ctx: RequestContext, token: str | None
) -> LoginOutput:
    await ratelimit.hit(
        session,
        f"refresh:addr:{ctx.tenant_id}:{ctx.client_ip}",
        limit=runtime.config.refresh_per_address_per_minute,
    )
    # persist=True keeps the rate-limit count above: failed attempts count towards the limit, as
    # failed logins do (RES-5). Nothing else has been written when these are raised.
    invalid = ApiError(ErrorCode.REFRESH_TOKEN_INVALID, persist=True)
    if not token:
        raise invalid
    try:
        claims = await _verify(runtime, token, security.REFRESH_TYP)
    except security.TokenError:
        raise invalid from None
    if claims["tid"] != str(ctx.tenant_id):
        raise invalid
    try:
        token_id, family_id = uuid.UUID(str(claims["jti"])), uuid.UUID(str(claims["sid"]))
    except ValueError:
        raise invalid from None
    now = utcnow()
    families = TokenFamilyRepository(session, ctx.tenant_id)
    family = await families.get(family_id)
    # Absolute lifetime: rotation never extends it (TOK-1).
    if family is None or family.revoked_at is not None or family.expires_at <= now:
        raise invalid
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    if not await RefreshTokenRepository(session, ctx.tenant_id).spend(token_id, token_hash, now):
        # Spent before: someone holds a copy. Revoke the family, and keep that revocation.
        await families.revoke(family.id, now, "refresh_token_reuse")
        await audit.record(
            session,
            audit.AuditAction.REFRESH_REUSE_DETECTED,
            tenant_id=ctx.tenant_id,
            actor=_actor(ctx, family.subject_kind, family.subject_id),
            target=f"token_family:{family.id}",
        )
        raise ApiError(ErrorCode.REFRESH_TOKEN_INVALID, persist=True)
    if not await _subject_active(session, ctx.tenant_id, family):
        raise ApiError(ErrorCode.REFRESH_TOKEN_INVALID)  # rolls the spend back
    await audit.record(
        session,
        audit.AuditAction.TOKEN_REFRESHED,
        tenant_id=ctx.tenant_id,
        actor=_actor(ctx, family.subject_kind, family.subject_id),
        target=f"token_family:{family.id}",
    )
    return await _issue(session, runtime, ctx.tenant_id, family, now)


async def _subject_active(session: AsyncSession, tenant_id: uuid.UUID, family: TokenFamily) -> bool:
    if family.subject_kind == ADMIN:
        admin = await AdminUserRepository(session, tenant_id).get(uuid.UUID(family.subject_id))
        return admin is not None and admin.is_active
    if family.subject_kind == USER and family.subject_id.isdigit():
        return (
            await users_service.get_active(session, tenant_id, int(family.subject_id)) is not None
        )
    return False


# ------------------------------------------------------------------------------------------------
# Bearer verification


async def _access_claims(
    session: AsyncSession, runtime: AuthRuntime, ctx: RequestContext, token: str, kind: str
) -> tuple[str, uuid.UUID]:
    """The subject and token family of a valid access token of this tenant and kind."""
    try:
        claims = await _verify(runtime, token, security.ACCESS_TYP)
    except security.TokenExpired:
        raise ApiError(ErrorCode.TOKEN_EXPIRED) from None
    except security.TokenError:
        raise ApiError(ErrorCode.TOKEN_INVALID) from None
    if claims["tid"] != str(ctx.tenant_id):
        # TEN-2: a valid token of another tenant is as good as no token; the attempt is recorded.
        await audit.record(
            session,
            audit.AuditAction.FOREIGN_TENANT_TOKEN,
            tenant_id=ctx.tenant_id,
            actor=_actor(ctx, "anonymous"),
            details={"tokenTenant": str(claims["tid"])},
        )
        raise ApiError(ErrorCode.TOKEN_INVALID, persist=True)
    if claims["kind"] != kind:
        raise ApiError(ErrorCode.TOKEN_KIND_WRONG)  # an admin token on a user route, or back
    try:
        return str(claims["sub"]), uuid.UUID(str(claims["sid"]))
    except ValueError:
        raise ApiError(ErrorCode.TOKEN_INVALID) from None


async def authenticate_admin(
    session: AsyncSession, runtime: AuthRuntime, ctx: RequestContext, token: str
) -> AdminContext:
    subject, family_id = await _access_claims(session, runtime, ctx, token, ADMIN)
    try:
        admin_id = uuid.UUID(subject)
    except ValueError:
        raise ApiError(ErrorCode.TOKEN_INVALID) from None
    admin = await AdminUserRepository(session, ctx.tenant_id).get_with_live_family(
        admin_id, family_id
    )
    if admin is None:  # unknown or disabled administrator, or a revoked family (TOK-3, TOK-4)
        raise ApiError(ErrorCode.TOKEN_INVALID)
    return AdminContext(
        request=ctx,
        admin_id=admin.id,
        family_id=family_id,
        email=admin.email,
        user_name=admin.user_name,
    )


async def authenticate_user(
    session: AsyncSession, runtime: AuthRuntime, ctx: RequestContext, token: str
) -> UserContext:
    subject, family_id = await _access_claims(session, runtime, ctx, token, USER)
    live = await TokenFamilyRepository(session, ctx.tenant_id).is_live(family_id, USER, subject)
    user = (
        await users_service.get_active(session, ctx.tenant_id, int(subject))
        if live and subject.isdigit()
        else None
    )
    if user is None:  # unknown or deactivated user, or a revoked family (password reset)
        raise ApiError(ErrorCode.TOKEN_INVALID)
    return UserContext(request=ctx, user_id=user.id, family_id=family_id)


async def get_admin(session: AsyncSession, admin: AdminContext) -> AdminUser:
    row = await AdminUserRepository(session, admin.tenant_id).get(admin.admin_id)
    if row is None:
        raise ApiError(ErrorCode.TOKEN_INVALID)
    return row


async def change_own_password(
    session: AsyncSession,
    runtime: AuthRuntime,
    admin: AdminContext,
    tenant: Tenant,
    *,
    current: str,
    new: str,
) -> None:
    row = await get_admin(session, admin)
    if not await runtime.hasher.verify(row.password_hash, current):
        raise ApiError(ErrorCode.LOGIN_FAILED)
    await set_password(
        session,
        runtime,
        tenant,
        row,
        new,
        actor=_actor(admin.request, ADMIN, str(admin.admin_id)),
    )
