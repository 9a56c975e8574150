"""Devices an end user has logged in from; a login from any other device needs an SMS code
(spec §2.3 Login). The device id (IMEI) is kept only as a keyed hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class UserDevice(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "user_device"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "device_hash"),)

    user_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("end_user.id", ondelete="CASCADE"),
        index=True,
    )
    device_hash: Mapped[str] = mapped_column(String(64))
    last_seen_at: Mapped[datetime]
