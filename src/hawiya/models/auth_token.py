"""Refresh-token families and the refresh tokens issued in them (TOK-1, TOK-3).

A family starts at login and has an absolute expiry; every refresh spends one token and issues the
next. Presenting a spent token revokes the family, and access tokens carry the family id so they
stop working with it.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin


class TokenFamily(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "token_family"

    subject_kind: Mapped[str] = mapped_column(String(16))  # "admin" (later also "user")
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(64), default=None)


class RefreshToken(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "refresh_token"

    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("token_family.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
