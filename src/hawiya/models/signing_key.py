"""JWT signing keys (Ed25519). Private keys are stored sealed under the installation secret."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, TimestampMixin


class SigningKey(TimestampMixin, Base):
    __tablename__ = "signing_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    public_key_pem: Mapped[str] = mapped_column(Text)
    private_key_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # Retired keys only verify, until retired_at + the longest token lifetime (TOK-5).
    retired_at: Mapped[datetime | None] = mapped_column(default=None)
