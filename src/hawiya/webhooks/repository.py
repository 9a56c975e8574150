"""Queries for webhook subscriptions, deliveries and attempts; always within one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from hawiya.db.repository import TenantRepository
from hawiya.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class SubscriptionRepository(TenantRepository[WebhookSubscription]):
    model = WebhookSubscription

    async def live(self, subscription_id: uuid.UUID | None) -> WebhookSubscription | None:
        """A subscription that has not been removed (removed ones answer like missing ones)."""
        if subscription_id is None:
            return None
        return await self.first(
            WebhookSubscription.id == subscription_id, WebhookSubscription.deleted_at.is_(None)
        )

    async def list_live(self, *, skip: int, limit: int) -> tuple[list[WebhookSubscription], int]:
        return await self.list_page(
            WebhookSubscription.deleted_at.is_(None),
            skip=skip,
            limit=limit,
            order_by=[WebhookSubscription.created_at, WebhookSubscription.id],
        )

    async def count_live(self) -> int:
        rows = await self.session.execute(
            select(func.count()).select_from(
                self.select().where(WebhookSubscription.deleted_at.is_(None)).subquery()
            )
        )
        return int(rows.scalar_one())

    async def active_for(self, event: str) -> list[WebhookSubscription]:
        # A tenant has a handful of subscriptions: the event list is matched here, portably.
        rows = await self.session.execute(
            self.select()
            .where(
                WebhookSubscription.deleted_at.is_(None),
                WebhookSubscription.is_active.is_(True),
            )
            .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
        )
        return [row for row in rows.scalars() if event in (row.events or [])]


class DeliveryRepository(TenantRepository[WebhookDelivery]):
    model = WebhookDelivery

    async def list_for(
        self, subscription_id: uuid.UUID, *, status: str | None, skip: int, limit: int
    ) -> tuple[list[WebhookDelivery], int]:
        where: list[Any] = [WebhookDelivery.subscription_id == subscription_id]
        if status:
            where.append(WebhookDelivery.status == status)
        return await self.list_page(
            *where,
            skip=skip,
            limit=limit,
            order_by=[WebhookDelivery.created_at.desc(), WebhookDelivery.id],
        )

    async def claim(
        self, delivery_id: uuid.UUID, *, attempts: int, status: str, values: dict[str, Any]
    ) -> bool:
        """Compare-and-set: change the delivery only if it is still in the state that was read
        (status and attempt count), so two wake-ups of one delivery never both send."""
        result = await self.session.execute(
            self.update()
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == status,
                WebhookDelivery.attempts == attempts,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


class AttemptRepository(TenantRepository[WebhookAttempt]):
    model = WebhookAttempt

    async def for_deliveries(
        self, delivery_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[WebhookAttempt]]:
        found: dict[uuid.UUID, list[WebhookAttempt]] = {d: [] for d in delivery_ids}
        if not delivery_ids:
            return found
        rows = await self.session.execute(
            self.select()
            .where(WebhookAttempt.delivery_id.in_(list(delivery_ids)))
            .order_by(WebhookAttempt.attempt, WebhookAttempt.started_at)
        )
        for row in rows.scalars():
            found[row.delivery_id].append(row)
        return found


def due(delivery: WebhookDelivery, now: datetime, slack_seconds: float = 1.0) -> bool:
    at = delivery.next_attempt_at
    return at is None or (at - now).total_seconds() <= slack_seconds
