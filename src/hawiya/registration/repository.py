"""Queries for OAuth verifications."""

from __future__ import annotations

import uuid

from hawiya.db.repository import TenantRepository
from hawiya.models import OAuthVerification


class OAuthVerificationRepository(TenantRepository[OAuthVerification]):
    model = OAuthVerification

    async def get_for_update(self, verification_id: uuid.UUID) -> OAuthVerification | None:
        query = self.select().where(OAuthVerification.id == verification_id).with_for_update()
        return (await self.session.execute(query)).scalar_one_or_none()
