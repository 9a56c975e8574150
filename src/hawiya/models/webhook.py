"""Outbound webhooks: a tenant's subscriptions (`webhook_subscription`), one delivery per event and
subscription (`webhook_delivery`, the transactional outbox, WH-5) and every HTTP attempt of a
delivery (`webhook_attempt`).

The signing secret is needed in clear to sign, so it cannot be hashed like an API key: it is kept
encrypted under the tenant's data key (PRV-3), bound to its subscription. During a rotation the
previous secret stays, encrypted the same way, until `previous_secret_expires_at` (WH-2).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hawiya.db.base import Base, IdMixin, TenantScoped, TimestampMixin
from hawiya.db.types import JsonDict

# Delivery states. A delivery is "pending" until its next attempt is due, "sending" while an
# attempt holds its lease, and ends "succeeded" or "failed" (replayable).
PENDING, SENDING, SUCCEEDED, FAILED = "pending", "sending", "succeeded", "failed"


class WebhookSubscription(IdMixin, TimestampMixin, TenantScoped, Base):
    __tablename__ = "webhook_subscription"

    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JsonDict)
    description: Mapped[str | None] = mapped_column(String(200), default=None)
    is_active: Mapped[bool] = mapped_column(default=True)
    # Why it was disabled ("410 Gone", "failing since ...", "disabled by ..."); None when active.
    disabled_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    disabled_at: Mapped[datetime | None] = mapped_column(default=None)
    # "whsec_..." encrypted under the tenant's data key (context "webhook-secret:<id>").
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary)
    previous_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Start of the current run of failed attempts (None after a success): the 5-day rule (WH-4).
    failing_since: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(128))
    # Removed subscriptions keep their delivery log; they answer like missing ones.
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookDelivery(IdMixin, TimestampMixin, TenantScoped, Base):
    """One event for one subscription. created_at is the event's CreationTimeUtc; the id gives
    the `webhook-id` header (msg_<hex>), the same on every attempt and replay."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_subscription", "subscription_id", "created_at"),)

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]  # the payload's Id, shared by every subscription of the event
    event: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JsonDict)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(IdMixin, TenantScoped, Base):
    __tablename__ = "webhook_attempt"

    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_delivery.id", ondelete="CASCADE"), index=True
    )
    attempt: Mapped[int]
    started_at: Mapped[datetime]
    duration_ms: Mapped[int]
    status_code: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
