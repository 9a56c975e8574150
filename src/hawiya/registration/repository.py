"""Queries for OAuth verifications and password reset codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement

from hawiya.db.repository import TenantRepository
from hawiya.models import OAuthVerification, PasswordResetCode


class OAuthVerificationRepository(TenantRepository[OAuthVerification]):
    model = OAuthVerification

    async def get_for_update(self, verification_id: uuid.UUID) -> OAuthVerification | None:
        query = self.select().where(OAuthVerification.id == verification_id).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()


class PasswordResetCodeRepository(TenantRepository[PasswordResetCode]):
    model = PasswordResetCode

    def _live(self, user_id: int, now: datetime) -> tuple[ColumnElement[bool], ...]:
        return (
            PasswordResetCode.user_id == user_id,
            PasswordResetCode.used_at.is_(None),
            PasswordResetCode.expires_at > now,
        )

    async def find_live(
        self, user_id: int, code_hmac: str, now: datetime
    ) -> PasswordResetCode | None:
        return await self.first(PasswordResetCode.code_hmac == code_hmac, *self._live(user_id, now))

    async def spend(self, user_id: int, code_hmac: str, now: datetime) -> bool:
        """Mark the code used; True for exactly one caller even when several race."""
        result = await self.session.execute(
            self.update()
            .where(PasswordResetCode.code_hmac == code_hmac, *self._live(user_id, now))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def spend_all(self, user_id: int, now: datetime) -> None:
        await self.session.execute(
            self.update()
            .where(*self._live(user_id, now))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
