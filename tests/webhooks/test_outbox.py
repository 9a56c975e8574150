"""WH-5 and WH-3: emit() writes its deliveries and their jobs in the caller's transaction (a
rolled-back change leaves neither), fans out to the tenant's active subscribers only, and refuses
payloads that are too large or carry an image or a full national ID."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.audit import service as audit
from hawiya.db.session import session_scope
from hawiya.models import Job, Tenant, WebhookDelivery
from hawiya.webhooks import events
from hawiya.webhooks import service as webhook_service
from tests.fixtures.factories import create_tenant
from tests.webhooks.support import EVENT, deliveries_of, subscribe

URL = "https://93.184.215.14/hook"


class Boom(Exception):
    pass


async def _jobs_for(app: FastAPI, tenant_id: uuid.UUID) -> list[Job]:
    async with session_scope(app.state.db.reader) as session:
        rows = await session.execute(
            select(Job).where(Job.tenant_id == tenant_id, Job.name == "webhooks.deliver")
        )
        return list(rows.scalars())


async def test_a_rolled_back_change_leaves_no_delivery_and_no_job(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    tenant_id = uuid.UUID(tenant.id)
    subscription_id, _ = await subscribe(app, tenant.id, URL)
    data = {"Id": str(uuid.uuid4()), "NewStatus": "Approved"}
    with pytest.raises(Boom):
        async with session_scope(app.state.db.writer) as session:
            row = await session.get(Tenant, tenant_id)
            assert row is not None
            row.display_name = "changed, then rolled back"  # the state change
            await webhook_service.emit(session, tenant_id, EVENT, data)
            assert len((await session.execute(select(WebhookDelivery))).all()) >= 1
            raise Boom
    assert await deliveries_of(app, subscription_id) == []
    assert await _jobs_for(app, tenant_id) == []
    async with session_scope(app.state.db.reader) as session:
        row = await session.get(Tenant, tenant_id)
        assert row is not None and row.display_name != "changed, then rolled back"
    # Committed, the change has exactly its delivery and the job that sends it.
    async with session_scope(app.state.db.writer) as session:
        row = await session.get(Tenant, tenant_id)
        assert row is not None
        row.display_name = "changed"
        await webhook_service.emit(session, tenant_id, EVENT, data)
    (delivery,) = await deliveries_of(app, subscription_id)
    assert (delivery.status, delivery.attempts, delivery.data) == ("pending", 0, data)
    (job,) = await _jobs_for(app, tenant_id)
    assert job.status == "pending" and job.run_at <= datetime.now(UTC)
    assert job.payload == {"tenantId": tenant.id, "deliveryId": str(delivery.id)}


async def test_emit_fans_out_to_the_tenants_active_subscribers_only(app: FastAPI) -> None:
    tenant, other = await create_tenant(app), await create_tenant(app)
    tenant_id = uuid.UUID(tenant.id)
    first, _ = await subscribe(app, tenant.id, URL)
    second, _ = await subscribe(app, tenant.id, URL + "/second")
    disabled, _ = await subscribe(app, tenant.id, URL + "/disabled")
    removed, _ = await subscribe(app, tenant.id, URL + "/removed")
    foreign, _ = await subscribe(app, other.id, URL)
    async with session_scope(app.state.db.writer) as session:
        await webhook_service.set_active(
            session, tenant_id, disabled, False, by="test", actor=audit.SYSTEM
        )
        await webhook_service.remove(session, tenant_id, removed, actor=audit.SYSTEM)
        await webhook_service.emit(
            session, tenant_id, EVENT, {"Id": str(uuid.uuid4()), "NewStatus": "Rejected"}
        )
    got = {s: await deliveries_of(app, s) for s in (first, second, disabled, removed, foreign)}
    assert [len(v) for v in got.values()] == [1, 1, 0, 0, 0]
    assert got[first][0].event_id == got[second][0].event_id  # one event, two deliveries
    assert got[first][0].id != got[second][0].id
    assert len(await _jobs_for(app, tenant_id)) == 2


async def test_no_subscriber_no_delivery(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    async with session_scope(app.state.db.writer) as session:
        await webhook_service.emit(
            session, uuid.UUID(tenant.id), EVENT, {"Id": str(uuid.uuid4()), "NewStatus": "X"}
        )
    assert await _jobs_for(app, uuid.UUID(tenant.id)) == []


JPEG = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U"
REFUSED: list[dict[str, Any]] = [
    {"Id": "x", "Note": "word " * 4200},  # over 20 KB
    {"Id": "x", "Items": ["a few words, " * 40] * 50},
    {"Id": "x", "Picture": JPEG},
    {"Id": "x", "Front": JPEG},  # an image under an innocent name
    {"Id": "x", "Front": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB"},
    {"Id": "x", "Blob": "QUFB" * 200},  # a long base64 blob
    {"Id": "x", "SelfieImage": "x"},
    {"Id": "x", "Customer": {"NationalId": "x"}},
    {"Id": "x", "IdNumber": "x"},
    {"Id": "x", "Text": "owner 29901011234567 signed"},  # a full national ID in text
    {"Id": "x", "Owner": 29901011234567},
    {"Id": "x", "Deep": [{"a": [{"b": "30001011234567"}]}]},
    {"Id": "x", "Bad": float("nan")},
]


@pytest.mark.parametrize("data", REFUSED, ids=[str(i) for i in range(len(REFUSED))])
async def test_payload_discipline(app: FastAPI, data: dict[str, Any]) -> None:
    with pytest.raises(events.PayloadRefused):
        events.check_payload(data)
    tenant = await create_tenant(app)
    subscription_id, _ = await subscribe(app, tenant.id, URL)
    with pytest.raises(events.PayloadRefused):
        async with session_scope(app.state.db.writer) as session:
            await webhook_service.emit(session, uuid.UUID(tenant.id), EVENT, data)
    assert await deliveries_of(app, subscription_id) == []


def test_the_spec_payload_passes_and_is_thin() -> None:
    data = {"Id": str(uuid.uuid4()), "NewStatus": "ServiceProviderPartiallySigned"}
    events.check_payload(data)
    events.check_payload({"Id": "x", "IdNumberMasked": "2990101*****67", "Amount": 15000})
    body = events.body(uuid.uuid4(), EVENT, 10, data, datetime.now(UTC))
    assert len(body) < 400  # far under the 20 KB cap
    big = {"Id": "x", "Note": "word " * ((events.MAX_BODY_BYTES - 300) // 5)}
    events.check_payload(big)  # just under the cap, widest Attempt included


async def test_unknown_events_are_a_bug_in_the_caller(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    async with session_scope(app.state.db.writer) as session:
        with pytest.raises(ValueError, match="unknown webhook event"):
            await webhook_service.emit(session, uuid.UUID(tenant.id), "App.Nope", {"Id": "x"})
