"""Tenant administrators (service accounts) that log in at /api/credentials/Login."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class AdminUser(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "admin_user"
    __table_args__ = (
        UniqueConstraint("tenant_id", "email_normalized"),
        UniqueConstraint("tenant_id", "user_name_normalized"),
    )

    email: Mapped[str] = mapped_column(String(256))
    email_normalized: Mapped[str] = mapped_column(String(256))
    user_name: Mapped[str] = mapped_column(String(256))
    user_name_normalized: Mapped[str] = mapped_column(String(256))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)
