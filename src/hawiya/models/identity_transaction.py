"""A digital-identity transaction: the unit that ties an ID front, an ID back, a liveness check
and their images together (spec §2.4, §2.5, §3.4).

`transaction_id` is the client's (any UUID, matched in any case: the SDKs send either) or one the
server makes. It is unique per tenant only, so one tenant's id never collides with, or reveals,
another's; the row's own `id` is the server's. Extracted data is personal, so it is kept only
encrypted under the tenant's data key (PRV-3); the national ID number is findable by its keyed
hash. Work on one transaction is serialised by a short lease (the SDKs post front and back
concurrently), so no database transaction stays open while images are read.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin
from hawiya.db.types import JsonDict
from hawiya.kit.clock import utcnow


class IdentityTransaction(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "identity_transaction"
    __table_args__ = (
        UniqueConstraint("tenant_id", "transaction_id"),
        Index("ix_identity_transaction_id_number", "tenant_id", "id_number_hash"),
        Index("ix_identity_transaction_review", "tenant_id", "review_state"),
    )

    transaction_id: Mapped[uuid.UUID]
    user_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("end_user.id", ondelete="SET NULL"),
        index=True,
        default=None,
    )
    client_transaction_id: Mapped[str | None] = mapped_column(String(128), default=None)
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    # none | passed | failed, per step
    front_state: Mapped[str] = mapped_column(String(16), default="none")
    back_state: Mapped[str] = mapped_column(String(16), default="none")
    liveness_state: Mapped[str] = mapped_column(String(16), default="none")
    # Encrypted JSON of the fields read from each side (context "tx:<id>:front" / ":back").
    front_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    back_data: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    # Validation errors per step: codes and field names only (values stay encrypted above).
    errors: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
    # Non-personal measurements (scores, thresholds, model versions) per step (BIO-1).
    results: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
    # Stored image names -> blob keys.
    images: Mapped[dict[str, Any]] = mapped_column(JsonDict, default=dict)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    is_completed: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Manual review (docs/identity.md): none | pending | approved | rejected. A step that fails,
    # an AML hit or an authority check that could not run sets "pending"; an officer decides.
    review_state: Mapped[str] = mapped_column(String(16), default="none", server_default="none")
    review_reason: Mapped[str | None] = mapped_column(String(1000), default=None)
    # The officer: "admin:<id>" for a tenant administrator, "cli:<login>" for an operator.
    reviewed_by: Mapped[str | None] = mapped_column(String(128), default=None)
    reviewed_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    lease_holder: Mapped[uuid.UUID | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
