"""Helpers for the webhook tests, and an independent implementation of the receiver's checks
(Standard Webhooks and ABP), written from the specifications, not from hawiya.webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from hawiya.audit import service as audit
from hawiya.config import WebhookSettings
from hawiya.db.session import session_scope
from hawiya.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from hawiya.webhooks import service as webhook_service
from hawiya.webhooks.delivery import DeliveryRuntime
from hawiya.webhooks.ssrf import Resolver, UrlGuard, system_resolver

EVENT = "App.BusinessRequestStatusChange"


def runtime_for(
    app: FastAPI, *, resolver: Resolver = system_resolver, **config: Any
) -> DeliveryRuntime:
    """A delivery runtime for tests: private receivers allowed, short timeouts, no jitter."""
    config.setdefault("allow_private_networks", True)
    config.setdefault("timeout_seconds", 2.0)
    config.setdefault("connect_timeout_seconds", 1.0)
    return DeliveryRuntime.build(
        WebhookSettings(**config), app.state.data_keys, resolver=resolver, spread=lambda: 1.0
    )


async def subscribe(
    app: FastAPI,
    tenant_id: uuid.UUID | str,
    url: str,
    events: list[str] | None = None,
    *,
    resolver: Resolver = system_resolver,
) -> tuple[uuid.UUID, str]:
    """A subscription made through the service with private receivers allowed; (id, secret)."""
    async with session_scope(app.state.db.writer) as session:
        row, secret = await webhook_service.create(
            session,
            app.state.data_keys,
            UrlGuard(allow_private=True, resolver=resolver),
            uuid.UUID(str(tenant_id)),
            url=url,
            events=events or [EVENT],
            description=None,
            max_subscriptions=20,
            created_by="test",
            actor=audit.SYSTEM,
        )
    return row.id, secret


async def emit(
    app: FastAPI, tenant_id: uuid.UUID | str, data: dict[str, Any] | None = None
) -> None:
    async with session_scope(app.state.db.writer) as session:
        await webhook_service.emit(
            session,
            uuid.UUID(str(tenant_id)),
            EVENT,
            data or {"Id": str(uuid.uuid4()), "NewStatus": "PendingApproval"},
        )


async def deliveries_of(app: FastAPI, subscription_id: uuid.UUID) -> list[WebhookDelivery]:
    async with session_scope(app.state.db.reader) as session:
        rows = await session.execute(
            select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription_id)
            .order_by(WebhookDelivery.created_at, WebhookDelivery.id)
        )
        return list(rows.scalars())


async def delivery(app: FastAPI, delivery_id: uuid.UUID) -> WebhookDelivery:
    async with session_scope(app.state.db.reader) as session:
        row = await session.get(WebhookDelivery, delivery_id)
        assert row is not None
        return row


async def subscription(app: FastAPI, subscription_id: uuid.UUID) -> WebhookSubscription:
    async with session_scope(app.state.db.reader) as session:
        row = await session.get(WebhookSubscription, subscription_id)
        assert row is not None
        return row


async def attempts(app: FastAPI, delivery_id: uuid.UUID) -> list[WebhookAttempt]:
    async with session_scope(app.state.db.reader) as session:
        rows = await session.execute(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id == delivery_id)
            .order_by(WebhookAttempt.attempt, WebhookAttempt.started_at)
        )
        return list(rows.scalars())


# ------------------------------------------------------------------------------------------------
# The receiver's side, from the specifications


class Unverified(AssertionError):
    pass


def verify_standard(
    secret: str, headers: dict[str, str], body: bytes, now: int, tolerance: int = 300
) -> None:
    """Standard Webhooks, "Verifying webhooks": HMAC-SHA256 over "id.timestamp.body" with the
    base64-decoded part of the whsec_ secret, compared with each "v1," signature."""
    msg_id, stamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(now - int(stamp)) > tolerance:
        raise Unverified("timestamp outside the tolerance")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = msg_id.encode() + b"." + stamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(expected, value.encode()):
            return
    raise Unverified("no matching v1 signature")


def verify_abp(secret: str, headers: dict[str, str], body: bytes) -> None:
    """ASP.NET Boilerplate's receiver sample: HMACSHA256(UTF8(secret)) over the body,
    BitConverter.ToString of the hash, compared with what follows "sha256="."""
    method, _, received = headers["abp-webhook-signature"].partition("=")
    computed = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest().hex("-").upper()
    if method != "sha256" or computed != received:
        raise Unverified("abp-webhook-signature does not match")
