"""Webhook subscriptions and the emitter.

emit() is how the domain announces an event: in the caller's transaction it writes one delivery
per active subscription of the tenant that listens to the event, and enqueues the job that sends
it (transactional outbox, WH-5): a rolled-back change leaves no delivery, a committed one always
has its deliveries. The worker sends them (webhooks/delivery.py).

Secrets are generated here, shown once (at creation and on rotation) and kept encrypted under
the tenant's data key. Subscriptions and deliveries of other tenants, and removed subscriptions,
answer exactly like missing ones (TEN-1).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.datakeys.service import DataKeyring
from hawiya.errors import ApiError, ErrorCode
from hawiya.jobs.queue import enqueue
from hawiya.kit.clock import utcnow
from hawiya.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from hawiya.models.webhook import FAILED, PENDING, SENDING, SUCCEEDED
from hawiya.webhooks import events as catalogue
from hawiya.webhooks.repository import (
    AttemptRepository,
    DeliveryRepository,
    SubscriptionRepository,
)
from hawiya.webhooks.signing import new_secret
from hawiya.webhooks.ssrf import UrlGuard, UrlRefused

DELIVER_JOB = "webhooks.deliver"
DELIVER_JOB_ATTEMPTS = 5  # the job itself (database trouble); HTTP retries are scheduled apart
DELIVERY_STATES = (PENDING, SENDING, SUCCEEDED, FAILED)


def secret_context(subscription_id: uuid.UUID) -> str:
    return f"webhook-secret:{subscription_id}"


async def enqueue_delivery(
    session: AsyncSession, delivery: WebhookDelivery, delay_seconds: float = 0
) -> None:
    await enqueue(
        session,
        DELIVER_JOB,
        payload={"tenantId": str(delivery.tenant_id), "deliveryId": str(delivery.id)},
        tenant_id=delivery.tenant_id,
        delay_seconds=max(0.0, delay_seconds),
        max_attempts=DELIVER_JOB_ATTEMPTS,
    )


async def emit(
    session: AsyncSession, tenant_id: uuid.UUID, event: str, payload: dict[str, Any]
) -> None:
    """Announce `event` with `payload` (the delivery's Data) to the tenant's subscribers.

    Writes the deliveries and their jobs in the caller's transaction; sends nothing itself.
    Raises ValueError for an unknown event and events.PayloadRefused for a payload that breaks
    WH-3 (over 20 KB, an image, a full national ID): those are bugs in the caller.
    """
    if event not in catalogue.EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    catalogue.check_payload(payload)
    subscriptions = await SubscriptionRepository(session, tenant_id).active_for(event)
    if not subscriptions:
        return
    event_id, now = uuid.uuid4(), utcnow()
    repo = DeliveryRepository(session, tenant_id)
    for subscription in subscriptions:
        delivery = await repo.add(
            WebhookDelivery(
                subscription_id=subscription.id,
                event_id=event_id,
                event=event,
                data=dict(payload),
                status=PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
        await enqueue_delivery(session, delivery)


# ------------------------------------------------------------------------------------------------
# Subscriptions


def _refused(exc: UrlRefused) -> ApiError:
    return ApiError(
        ErrorCode.WEBHOOK_URL_REFUSED,
        descriptions=[{"field": "url", "code": exc.reason, "message": exc.message}],
    )


def check_events(names: list[str]) -> list[str]:
    unknown = [name for name in names if name not in catalogue.EVENTS]
    if unknown or not names:
        raise ApiError(
            ErrorCode.WEBHOOK_EVENT_UNKNOWN,
            descriptions=[
                {
                    "field": "events",
                    "code": "unknown_event",
                    "message": f"unknown: {', '.join(unknown) or '(none given)'}; known: "
                    + ", ".join(catalogue.EVENTS),
                }
            ],
        )
    return list(dict.fromkeys(names))  # in order, once each


async def get(
    session: AsyncSession, tenant_id: uuid.UUID, subscription_id: uuid.UUID | None
) -> WebhookSubscription:
    row = await SubscriptionRepository(session, tenant_id).live(subscription_id)
    if row is None:
        raise ApiError(ErrorCode.WEBHOOK_NOT_FOUND)
    return row


async def create(
    session: AsyncSession,
    keyring: DataKeyring,
    guard: UrlGuard,
    tenant_id: uuid.UUID,
    *,
    url: str,
    events: list[str],
    description: str | None,
    max_subscriptions: int,
    created_by: str,
    actor: audit.Actor,
) -> tuple[WebhookSubscription, str]:
    """A new active subscription and its secret in clear (shown this once). The URL passes the
    SSRF guard first (WH-1): 6152 when it does not, 6153 for an unknown event, 6156 over the
    tenant's limit."""
    names = check_events(events)
    try:
        await guard.check(url)
    except UrlRefused as exc:
        raise _refused(exc) from None
    repo = SubscriptionRepository(session, tenant_id)
    if await repo.count_live() >= max_subscriptions:
        raise ApiError(ErrorCode.WEBHOOK_LIMIT_REACHED)
    subscription_id, secret = uuid.uuid4(), new_secret()
    sealed = await keyring.encrypt(
        session, tenant_id, secret.encode(), context=secret_context(subscription_id)
    )
    row = await repo.add(
        WebhookSubscription(
            id=subscription_id,
            url=url,
            events=names,
            description=description,
            is_active=True,
            secret_enc=sealed,
            consecutive_failures=0,
            created_by=created_by,
        )
    )
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_CREATED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"webhook:{row.id}",
        details={"url": url, "events": names},
    )
    return row, secret


async def list_subscriptions(
    session: AsyncSession, tenant_id: uuid.UUID, *, skip: int, limit: int
) -> tuple[list[WebhookSubscription], int]:
    return await SubscriptionRepository(session, tenant_id).list_live(skip=skip, limit=limit)


async def remove(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    *,
    actor: audit.Actor,
) -> WebhookSubscription:
    """Stop deliveries and forget the secrets; the delivery log stays for the audit."""
    row = await get(session, tenant_id, subscription_id)
    now = utcnow()
    row.deleted_at, row.is_active = now, False
    row.disabled_at, row.disabled_reason = now, "removed"
    row.secret_enc, row.previous_secret_enc, row.previous_secret_expires_at = b"", None, None
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_DELETED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"webhook:{row.id}",
        details={"url": row.url},
    )
    return row


async def set_active(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    active: bool,
    *,
    by: str,
    actor: audit.Actor,
) -> WebhookSubscription:
    row = await get(session, tenant_id, subscription_id)
    if row.is_active == active:
        return row
    row.is_active = active
    if active:
        row.disabled_at = row.disabled_reason = None
        row.failing_since, row.consecutive_failures = None, 0
    else:
        row.disabled_at, row.disabled_reason = utcnow(), f"disabled by {by}"[:200]
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_ENABLED if active else audit.AuditAction.WEBHOOK_DISABLED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"webhook:{row.id}",
        details={"by": by},
    )
    return row


async def rotate_secret(
    session: AsyncSession,
    keyring: DataKeyring,
    tenant_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    *,
    grace_seconds: int,
    actor: audit.Actor,
) -> tuple[WebhookSubscription, str]:
    """A new secret (returned in clear, shown this once). For grace_seconds the old one keeps
    signing too: every delivery carries one signature per live secret (WH-2: 24 h)."""
    row = await get(session, tenant_id, subscription_id)
    secret = new_secret()
    if grace_seconds > 0 and row.secret_enc:
        row.previous_secret_enc = row.secret_enc
        row.previous_secret_expires_at = utcnow() + timedelta(seconds=grace_seconds)
    else:
        row.previous_secret_enc = row.previous_secret_expires_at = None
    row.secret_enc = await keyring.encrypt(
        session, tenant_id, secret.encode(), context=secret_context(row.id)
    )
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_SECRET_ROTATED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"webhook:{row.id}",
        details={"graceSeconds": grace_seconds},
    )
    return row, secret


async def live_secrets(
    session: AsyncSession, keyring: DataKeyring, row: WebhookSubscription
) -> list[str]:
    """The secrets that sign a delivery now: the current one first, then the previous one
    while its rotation grace lasts."""
    context = secret_context(row.id)
    found = [(await keyring.decrypt(session, row.tenant_id, row.secret_enc, context=context))]
    expires = row.previous_secret_expires_at
    if row.previous_secret_enc and expires is not None and expires > utcnow():
        found.append(
            await keyring.decrypt(session, row.tenant_id, row.previous_secret_enc, context=context)
        )
    return [secret.decode() for secret in found]


# ------------------------------------------------------------------------------------------------
# Deliveries


async def list_deliveries(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    subscription_id: uuid.UUID | None,
    *,
    status: str | None,
    skip: int,
    limit: int,
) -> tuple[list[tuple[WebhookDelivery, list[WebhookAttempt]]], int]:
    """A subscription's deliveries, newest first, each with its attempts in order."""
    row = await get(session, tenant_id, subscription_id)
    if status is not None and status not in DELIVERY_STATES:
        raise ApiError(
            ErrorCode.VALIDATION_FAILED,
            descriptions=[
                {
                    "field": "status",
                    "code": "unknown_status",
                    "message": "one of " + ", ".join(DELIVERY_STATES),
                }
            ],
        )
    deliveries, total = await DeliveryRepository(session, tenant_id).list_for(
        row.id, status=status, skip=skip, limit=limit
    )
    attempts = await AttemptRepository(session, tenant_id).for_deliveries(
        [d.id for d in deliveries]
    )
    return [(d, attempts[d.id]) for d in deliveries], total


async def get_delivery(
    session: AsyncSession, tenant_id: uuid.UUID, delivery_id: uuid.UUID | None
) -> tuple[WebhookDelivery, WebhookSubscription]:
    delivery = (
        await DeliveryRepository(session, tenant_id).get(delivery_id) if delivery_id else None
    )
    subscription = (
        await SubscriptionRepository(session, tenant_id).live(delivery.subscription_id)
        if delivery is not None
        else None
    )
    if delivery is None or subscription is None:
        raise ApiError(ErrorCode.WEBHOOK_DELIVERY_NOT_FOUND)
    return delivery, subscription


async def attempts_of(session: AsyncSession, delivery: WebhookDelivery) -> list[WebhookAttempt]:
    found = await AttemptRepository(session, delivery.tenant_id).for_deliveries([delivery.id])
    return found[delivery.id]


async def redeliver(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    delivery_id: uuid.UUID | None,
    *,
    actor: audit.Actor,
) -> WebhookDelivery:
    """Send a delivery again, now, with the same webhook-id and the next Attempt number.
    6154 when its subscription is disabled, 6155 while an attempt is in flight."""
    delivery, subscription = await get_delivery(session, tenant_id, delivery_id)
    if not subscription.is_active:
        raise ApiError(ErrorCode.WEBHOOK_INACTIVE)
    if delivery.status == SENDING:
        raise ApiError(ErrorCode.WEBHOOK_DELIVERY_IN_PROGRESS)
    claimed = await DeliveryRepository(session, tenant_id).claim(
        delivery.id,
        attempts=delivery.attempts,
        status=delivery.status,
        values={"status": PENDING, "next_attempt_at": utcnow(), "lease_until": None},
    )
    if not claimed:  # an attempt started in between
        raise ApiError(ErrorCode.WEBHOOK_DELIVERY_IN_PROGRESS)
    await session.refresh(delivery)
    await enqueue_delivery(session, delivery)
    await audit.record(
        session,
        audit.AuditAction.WEBHOOK_REDELIVERED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"webhook_delivery:{delivery.id}",
        details={"webhook": str(subscription.id), "attempts": delivery.attempts},
    )
    return delivery
