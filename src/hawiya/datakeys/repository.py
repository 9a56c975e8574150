"""Queries for tenant data keys."""

from __future__ import annotations

import uuid

from hawiya.db.repository import TenantRepository
from hawiya.models import TenantDataKey


class DataKeyRepository(TenantRepository[TenantDataKey]):
    model = TenantDataKey

    async def active(self) -> TenantDataKey | None:
        query = (
            self.select()
            .where(TenantDataKey.retired_at.is_(None))
            .order_by(TenantDataKey.created_at.desc(), TenantDataKey.id)
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def by_id(self, key_id: uuid.UUID) -> TenantDataKey | None:
        return await self.get(key_id)
