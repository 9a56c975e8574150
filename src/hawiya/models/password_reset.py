"""Password reset codes: what ForgetPassword/Validate*Otp and SendPasswordResetCode hand out and
ForgetPassword/Reset spends (spec §2.3). 256 random bits, kept only as a keyed hash, single use,
short-lived, and bound to one user of one tenant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class PasswordResetCode(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "password_reset_code"

    user_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("end_user.id", ondelete="CASCADE"),
        index=True,
    )
    code_hmac: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    client_ip: Mapped[str | None] = mapped_column(String(64), default=None)
