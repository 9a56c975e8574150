"""Tenant API keys: only the SHA-256 of the key is stored (TEN-6); the key is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class ApiKey(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "api_key"

    name: Mapped[str] = mapped_column(String(128))
    # First characters of the key, safe to display so an operator can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(24))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set by rotation with a grace period: the old key keeps working until then.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
