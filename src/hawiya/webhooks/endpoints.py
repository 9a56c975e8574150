"""Webhook subscriptions for tenant administrators (the project's admin namespace; Vlens manages
them in its portal, spec §5). docs/webhooks.md."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

import hawiya.webhooks.tasks  # noqa: F401 - registers the delivery job wherever the API runs
from hawiya.audit import service as audit
from hawiya.auth.dependencies import AdminCtx, SessionDep
from hawiya.envelope import Envelope, Page, ok, page
from hawiya.kit.ids import parse_uuid
from hawiya.pagination import Paging
from hawiya.webhooks import service as webhook_service
from hawiya.webhooks.delivery import guard_for
from hawiya.webhooks.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookRotate,
)

router = APIRouter(tags=["webhooks"])


def _actor(admin: AdminCtx) -> audit.Actor:
    return audit.actor_for(admin.request, "admin", str(admin.admin_id))


@router.get("/api/hawiya/Webhooks")
async def list_webhooks(admin: AdminCtx, session: SessionDep, paging: Paging) -> Page[WebhookRead]:
    rows, total = await webhook_service.list_subscriptions(
        session, admin.tenant_id, skip=paging.skip, limit=paging.limit
    )
    return page([WebhookRead.of(row) for row in rows], total)


@router.post("/api/hawiya/Webhooks")
async def create_webhook(
    body: WebhookCreate, admin: AdminCtx, session: SessionDep, request: Request
) -> Envelope[WebhookCreated]:
    config = request.app.state.settings.webhooks
    row, secret = await webhook_service.create(
        session,
        request.app.state.data_keys,
        guard_for(config),
        admin.tenant_id,
        url=body.url,
        events=body.events,
        description=body.description,
        max_subscriptions=config.max_subscriptions,
        created_by=f"admin:{admin.admin_id}",
        actor=_actor(admin),
    )
    return ok(WebhookCreated(**WebhookRead.of(row).model_dump(), signing_key=secret))


@router.get("/api/hawiya/Webhooks/{webhookId}")
async def get_webhook(
    webhookId: str, admin: AdminCtx, session: SessionDep
) -> Envelope[WebhookRead]:
    row = await webhook_service.get(session, admin.tenant_id, parse_uuid(webhookId))
    return ok(WebhookRead.of(row))


# POST .../Delete rather than DELETE: the project's admin verbs are POSTs (Revoke, Rotate).
@router.post("/api/hawiya/Webhooks/{webhookId}/Delete")
async def delete_webhook(webhookId: str, admin: AdminCtx, session: SessionDep) -> Envelope[bool]:
    await webhook_service.remove(
        session, admin.tenant_id, parse_uuid(webhookId), actor=_actor(admin)
    )
    return ok(True)


@router.post("/api/hawiya/Webhooks/{webhookId}/Enable")
async def enable_webhook(
    webhookId: str, admin: AdminCtx, session: SessionDep
) -> Envelope[WebhookRead]:
    row = await webhook_service.set_active(
        session,
        admin.tenant_id,
        parse_uuid(webhookId),
        True,
        by=f"admin:{admin.admin_id}",
        actor=_actor(admin),
    )
    return ok(WebhookRead.of(row))


@router.post("/api/hawiya/Webhooks/{webhookId}/Disable")
async def disable_webhook(
    webhookId: str, admin: AdminCtx, session: SessionDep
) -> Envelope[WebhookRead]:
    row = await webhook_service.set_active(
        session,
        admin.tenant_id,
        parse_uuid(webhookId),
        False,
        by=f"admin:{admin.admin_id}",
        actor=_actor(admin),
    )
    return ok(WebhookRead.of(row))


@router.post("/api/hawiya/Webhooks/{webhookId}/RotateSecret")
async def rotate_webhook_secret(
    webhookId: str, body: WebhookRotate, admin: AdminCtx, session: SessionDep, request: Request
) -> Envelope[WebhookCreated]:
    row, secret = await webhook_service.rotate_secret(
        session,
        request.app.state.data_keys,
        admin.tenant_id,
        parse_uuid(webhookId),
        grace_seconds=body.grace_seconds,
        actor=_actor(admin),
    )
    return ok(WebhookCreated(**WebhookRead.of(row).model_dump(), signing_key=secret))


@router.get("/api/hawiya/Webhooks/{webhookId}/Deliveries")
async def list_webhook_deliveries(
    webhookId: str,
    admin: AdminCtx,
    session: SessionDep,
    paging: Paging,
    status: Annotated[str | None, Query(max_length=16)] = None,
) -> Page[DeliveryRead]:
    items, total = await webhook_service.list_deliveries(
        session,
        admin.tenant_id,
        parse_uuid(webhookId),
        status=status,
        skip=paging.skip,
        limit=paging.limit,
    )
    return page([DeliveryRead.of(d, attempts) for d, attempts in items], total)


@router.post("/api/hawiya/Webhooks/Deliveries/{deliveryId}/Redeliver")
async def redeliver_webhook(
    deliveryId: str, admin: AdminCtx, session: SessionDep
) -> Envelope[DeliveryRead]:
    delivery = await webhook_service.redeliver(
        session, admin.tenant_id, parse_uuid(deliveryId), actor=_actor(admin)
    )
    return ok(DeliveryRead.of(delivery, await webhook_service.attempts_of(session, delivery)))
