"""End-user lookups for other domains (they never use the repository directly)."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, UserDevice
from hawiya.users.repository import EndUserRepository, UserDeviceRepository


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


async def get_by_phone(session: AsyncSession, tenant_id: uuid.UUID, phone: str) -> EndUser | None:
    return await EndUserRepository(session, tenant_id).get_by_phone(phone)


def device_hash(key: bytes, imei: str) -> str:
    """A keyed hash of the device id: enough to recognise a device, useless if the table leaks."""
    return hmac.new(key, imei.strip().encode(), hashlib.sha256).hexdigest()


async def is_known_device(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: int, device: str
) -> bool:
    return await UserDeviceRepository(session, tenant_id).find(user_id, device) is not None


async def remember_device(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user: EndUser,
    device: str,
    location: tuple[float, float] | None,
) -> None:
    """Record the device, and the login location as the last active device location (the
    e-contracting 80 km rule reads it)."""
    repo = UserDeviceRepository(session, tenant_id)
    now = utcnow()
    row = await repo.find(user.id, device)
    if row is None:
        await repo.add(UserDevice(user_id=user.id, device_hash=device, last_seen_at=now))
    else:
        row.last_seen_at = now
    if location is not None:
        user.last_latitude, user.last_longitude = location
        user.last_location_at = now
    await session.flush()


async def get_or_raise(session: AsyncSession, tenant_id: uuid.UUID, user_id: int) -> EndUser:
    """The active user; USER_NOT_FOUND for a missing, deactivated or other tenant's user."""
    user = await get_active(session, tenant_id, user_id)
    if user is None:
        raise ApiError(ErrorCode.USER_NOT_FOUND)
    return user


def cancel_verified_identity(user: EndUser) -> None:
    """Back to Registered (spec §3.2 stages); DIGITAL_IDENTITY_NOT_VERIFIED when there is no
    verified identity to cancel."""
    if not user.is_digital_identity_verified:
        raise ApiError(ErrorCode.DIGITAL_IDENTITY_NOT_VERIFIED)
    user.is_digital_identity_verified = False
    user.status = "Registered"
