"""End users of a tenant: registered by phone (E.164), optionally with an email and a password.

The id is a 64-bit integer because the wire contract says so (spec §1.6, `user.id`); it is only
ever looked up together with the tenant, so a guessed id from another tenant finds nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, TenantScoped, TimestampMixin

_BIGINT_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys


class EndUser(TimestampMixin, TenantScoped, Base):
    __tablename__ = "end_user"
    __table_args__ = (
        UniqueConstraint("tenant_id", "phone_number"),
        UniqueConstraint("tenant_id", "email_normalized"),
    )

    id: Mapped[int] = mapped_column(_BIGINT_ID, primary_key=True, autoincrement=True)
    phone_number: Mapped[str] = mapped_column(String(20))
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    email: Mapped[str | None] = mapped_column(String(256), default=None)
    email_normalized: Mapped[str | None] = mapped_column(String(256), default=None)
    email_confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    password_hash: Mapped[str | None] = mapped_column(String(256), default=None)
    name: Mapped[str | None] = mapped_column(String(256), default=None)
    surname: Mapped[str | None] = mapped_column(String(256), default=None)
    address: Mapped[str | None] = mapped_column(String(512), default=None)
    # Registered -> Validated -> Verified (spec §3.2 identity stages)
    status: Mapped[str] = mapped_column(String(16), default="Registered")
    is_digital_identity_verified: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    # The last active device location; the e-contracting 80 km rule reads it (spec §3.5).
    last_latitude: Mapped[float | None] = mapped_column(default=None)
    last_longitude: Mapped[float | None] = mapped_column(default=None)
    last_location_at: Mapped[datetime | None] = mapped_column(default=None)
    # (issuer, subject) of the OAuth identity that confirmed the email, when one did.
    oauth_issuer: Mapped[str | None] = mapped_column(String(256), default=None)
    oauth_subject: Mapped[str | None] = mapped_column(String(256), default=None)
