"""Queries for API keys, administrators, token families, refresh tokens, throttles and signing
keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select

from hawiya.db.insert import insert_ignore
from hawiya.db.repository import Repository, TenantRepository
from hawiya.models import (
    AdminUser,
    ApiKey,
    LoginThrottle,
    RefreshToken,
    SigningKey,
    Tenant,
    TokenFamily,
)


class ApiKeyLookup(Repository[ApiKey]):
    """The one query that runs before the tenant is known: the key itself names the tenant."""

    model = ApiKey

    async def get_active_with_tenant(
        self, key_hash: str, now: datetime
    ) -> tuple[ApiKey, Tenant] | None:
        query = (
            select(ApiKey, Tenant)
            .join(Tenant, Tenant.id == ApiKey.tenant_id)
            .where(
                ApiKey.key_hash == key_hash,
                ApiKey.revoked_at.is_(None),
                or_(ApiKey.expires_at.is_(None), ApiKey.expires_at > now),
                Tenant.is_active.is_(True),
            )
        )
        row = (await self.session.execute(query)).one_or_none()
        return (row[0], row[1]) if row else None


class ApiKeyRepository(TenantRepository[ApiKey]):
    model = ApiKey


class AdminUserRepository(TenantRepository[AdminUser]):
    model = AdminUser

    async def get_with_live_family(
        self, admin_id: uuid.UUID, family_id: uuid.UUID
    ) -> AdminUser | None:
        """The active administrator, only while the token family is not revoked: one query on the
        hot path of every admin request."""
        live_family = (
            TokenFamilyRepository(self.session, self.tenant_id)
            .select()
            .where(
                TokenFamily.id == family_id,
                TokenFamily.subject_id == str(admin_id),
                TokenFamily.revoked_at.is_(None),
            )
            .exists()
        )
        return await self.first(
            AdminUser.id == admin_id, AdminUser.is_active.is_(True), live_family
        )

    async def get_by_login(self, normalized: str) -> AdminUser | None:
        return await self.first(
            or_(
                AdminUser.email_normalized == normalized,
                AdminUser.user_name_normalized == normalized,
            )
        )


class TokenFamilyRepository(TenantRepository[TokenFamily]):
    model = TokenFamily

    async def revoke(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            self.update()
            .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        )

    async def is_live(self, family_id: uuid.UUID, kind: str, subject_id: str) -> bool:
        row = await self.first(
            TokenFamily.id == family_id,
            TokenFamily.subject_kind == kind,
            TokenFamily.subject_id == subject_id,
            TokenFamily.revoked_at.is_(None),
        )
        return row is not None

    async def revoke_subject(self, kind: str, subject_id: str, now: datetime, reason: str) -> None:
        await self.session.execute(
            self.update()
            .where(
                TokenFamily.subject_kind == kind,
                TokenFamily.subject_id == subject_id,
                TokenFamily.revoked_at.is_(None),
            )
            .values(revoked_at=now, revoked_reason=reason)
        )


class RefreshTokenRepository(TenantRepository[RefreshToken]):
    model = RefreshToken

    async def spend(self, token_id: uuid.UUID, token_hash: str, now: datetime) -> bool:
        """Mark the token used; True for exactly one caller even when several race (TOK-3)."""
        result = await self.session.execute(
            self.update()
            .where(
                RefreshToken.id == token_id,
                RefreshToken.token_hash == token_hash,
                RefreshToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


class LoginThrottleRepository(TenantRepository[LoginThrottle]):
    model = LoginThrottle

    async def get_for_update(self, account_key: str) -> LoginThrottle | None:
        query = self.select().where(LoginThrottle.account_key == account_key).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()

    async def lock_or_create(self, account_key: str) -> LoginThrottle:
        """Concurrent first attempts for one login name would both insert the row; the later
        insert does nothing, and both then lock the one row."""
        row = await self.get_for_update(account_key)
        if row is not None:
            return row
        await self.session.execute(
            insert_ignore(
                self.session,
                LoginThrottle,
                {"id": uuid.uuid4(), "tenant_id": self.tenant_id, "account_key": account_key},
            )
        )
        query = self.select().where(LoginThrottle.account_key == account_key).with_for_update()
        return (await self.session.execute(query)).scalar_one()


class SigningKeyRepository(Repository[SigningKey]):
    model = SigningKey

    async def all(self) -> list[SigningKey]:
        return list((await self.session.execute(select(SigningKey))).scalars())

    async def active(self) -> SigningKey | None:
        query = (
            select(SigningKey)
            .where(SigningKey.retired_at.is_(None))
            .order_by(SigningKey.created_at.desc())
        )
        return (await self.session.execute(query.limit(1))).scalar_one_or_none()
