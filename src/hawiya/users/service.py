"""End-user lookups for other domains (they never use the repository directly)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.models import EndUser
from hawiya.users.repository import EndUserRepository


def normalize_email(email: str) -> str:
    return email.strip().lower()


async def get_active(session: AsyncSession, tenant_id: uuid.UUID, user_id: int) -> EndUser | None:
    user = await EndUserRepository(session, tenant_id).get(user_id)
    return user if user is not None and user.is_active else None


async def phone_or_email_exists(
    session: AsyncSession, tenant_id: uuid.UUID, *, phone: str | None, email: str | None
) -> bool:
    repo = EndUserRepository(session, tenant_id)
    if phone and await repo.get_by_phone(phone) is not None:
        return True
    return bool(email and await repo.get_by_email(normalize_email(email)) is not None)
