"""Tenant lookups. Tenants are the root of isolation, so this repository is not tenant-scoped."""

from __future__ import annotations

from sqlalchemy import select

from hawiya.db.repository import Repository
from hawiya.models import Tenant


class TenantRepository(Repository[Tenant]):
    model = Tenant

    async def get_by_name(self, name: str) -> Tenant | None:
        return await self.first(Tenant.tenancy_name_normalized == normalize_tenancy_name(name))

    async def all(self) -> list[Tenant]:
        return list(
            (await self.session.execute(select(Tenant).order_by(Tenant.created_at))).scalars()
        )


def normalize_tenancy_name(name: str) -> str:
    return name.strip().lower()
