"""A verified Google or Microsoft ID token, kept briefly so Register (or VerifyOAuthToken) can use
it once: its id is the spec's oAuthTokenVerificationRequestId."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class OAuthVerification(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "oauth_verification"

    provider: Mapped[str] = mapped_column(String(16))
    issuer: Mapped[str] = mapped_column(String(256))
    subject: Mapped[str] = mapped_column(String(256))
    email: Mapped[str] = mapped_column(String(256))
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None] = mapped_column(default=None)
