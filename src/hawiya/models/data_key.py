"""Per-tenant data keys (checklist PRV-3, envelope encryption): each tenant's images and national
ID numbers are encrypted under its own AES-256 key, and that key is stored only wrapped (sealed)
under a key derived from the installation secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class TenantDataKey(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "tenant_data_key"

    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    # A retired key encrypts nothing new; it still decrypts what it encrypted.
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
