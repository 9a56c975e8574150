"""End-user queries, always within one tenant."""

from __future__ import annotations

from hawiya.db.repository import TenantRepository
from hawiya.models import EndUser


class EndUserRepository(TenantRepository[EndUser]):
    model = EndUser

    async def get_by_phone(self, phone: str) -> EndUser | None:
        return await self.first(EndUser.phone_number == phone)

    async def get_by_email(self, normalized_email: str) -> EndUser | None:
        return await self.first(EndUser.email_normalized == normalized_email)
