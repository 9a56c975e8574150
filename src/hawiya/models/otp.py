"""One-time-code challenges and the per-identifier failure state (checklist OTP-1 ... OTP-9).

Codes are never stored: only HMAC-SHA256(server key, tenant|challenge|code) (OTP-6).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class OtpChallenge(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "otp_challenge"
    __table_args__ = (
        Index("ix_otp_challenge_identifier_created", "tenant_id", "identifier", "created_at"),
    )

    purpose: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(8))  # sms | email
    identifier: Mapped[str] = mapped_column(String(256))  # E.164 phone or normalised email
    code_hmac: Mapped[str] = mapped_column(String(64))
    # SHA-256 of what the code is bound to beyond tenant and purpose (e.g. a contract and the hash
    # of its content, OTP-8); empty when nothing more.
    binding: Mapped[str] = mapped_column(String(64), default="")
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    dead: Mapped[bool] = mapped_column(default=False)  # 5 wrong codes kill a challenge
    verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # A verified code may be presented once more to finish the step it guards (Register after
    # StepVerifyPhone); redeemed_at marks that second and last use.
    redeemed_at: Mapped[datetime | None] = mapped_column(default=None)
    client_ip: Mapped[str | None] = mapped_column(String(64), default=None)


class OtpIdentifierState(IdMixin, TenantScoped, Base):
    """Failures per identifier and purpose; a resend never resets them (OTP-4)."""

    __tablename__ = "otp_identifier_state"
    __table_args__ = (UniqueConstraint("tenant_id", "purpose", "identifier"),)

    purpose: Mapped[str] = mapped_column(String(32))
    identifier: Mapped[str] = mapped_column(String(256))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    lock_count: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
