"""Per-account login failure state (PW-3), keyed by the normalised login name whether or not such an
account exists, so the throttle itself is not an account-existence oracle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped


class LoginThrottle(IdMixin, TenantScoped, Base):
    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("tenant_id", "account_key"),)

    account_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalised login name
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    total_failures: Mapped[int] = mapped_column(default=0)
    lock_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    disabled: Mapped[bool] = mapped_column(default=False)
