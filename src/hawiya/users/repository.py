"""End-user and device queries, always within one tenant."""

from __future__ import annotations

from hawiya.db.repository import TenantRepository
from hawiya.models import EndUser, UserDevice


class EndUserRepository(TenantRepository[EndUser]):
    model = EndUser

    async def get_by_phone(self, phone: str) -> EndUser | None:
        return await self.first(EndUser.phone_number == phone)

    async def get_by_email(self, normalized_email: str) -> EndUser | None:
        return await self.first(EndUser.email_normalized == normalized_email)


class UserDeviceRepository(TenantRepository[UserDevice]):
    model = UserDevice

    async def find(self, user_id: int, device_hash: str) -> UserDevice | None:
        return await self.first(
            UserDevice.user_id == user_id, UserDevice.device_hash == device_hash
        )
