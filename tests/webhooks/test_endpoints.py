"""The admin endpoints (/api/hawiya/Webhooks): the secret shown once, validation, removal,
enable/disable, rotation, the delivery log and replays over HTTP, and TEN-1 with the tenant's real
subscriptions and deliveries: another tenant's ids answer exactly like missing ones."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from hawiya.audit import service as audit
from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.models import WebhookDelivery
from hawiya.webhooks import delivery as engine
from hawiya.webhooks import service as webhook_service
from tests.http.routes import Caller, new_caller
from tests.http.support import assert_error, assert_success, random_id, scanned
from tests.webhooks.receiver import Reply, receiving
from tests.webhooks.support import (
    EVENT,
    emit,
    runtime_for,
    subscription,
    verify_abp,
    verify_standard,
)

E = ErrorCode
WH = "/api/hawiya/Webhooks"
URL = "https://93.184.215.14/hawiya"


async def _create(http: httpx.AsyncClient, c: Caller, url: str = URL, **extra: Any) -> Any:
    body = {"url": url, "events": [EVENT], **extra}
    return assert_success(await http.post(WH, json=body, headers=c.admin()))


async def test_the_secret_is_shown_once(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        created = await _create(http, c, description="CRM")
        secret = created.pop("signingKey")
        assert secret.startswith("whsec_")
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
        assert created["url"] == URL and created["events"] == [EVENT]
        assert created["isActive"] is True and created["description"] == "CRM"
        assert created["rotationEndTime"] is None
        got = assert_success(await http.get(f"{WH}/{created['id']}", headers=c.admin()))
        listed = await http.get(WH, headers=c.admin())
        assert assert_success(listed) == [got] and listed.json()["totalCount"] == 1
        assert got == created
        for response in (listed,):
            assert secret not in response.text
        row = await subscription(app, uuid.UUID(created["id"]))
        assert secret.encode() not in row.secret_enc  # kept encrypted under the tenant's key
        rotated = assert_success(
            await http.post(
                f"{WH}/{created['id']}/RotateSecret", json={"graceSeconds": 600}, headers=c.admin()
            )
        )
        assert rotated["signingKey"].startswith("whsec_") and rotated["signingKey"] != secret
        assert rotated["rotationEndTime"] is not None
        events = assert_success(await http.get("/api/hawiya/AuditEvents", headers=c.admin()))
        actions = [e["action"] for e in events]
        assert "webhook.subscription_created" in actions and "webhook.secret_rotated" in actions
        assert secret not in json.dumps(events) and rotated["signingKey"] not in json.dumps(events)


async def test_validation(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        unknown = await http.post(
            WH, json={"url": URL, "events": [EVENT, "App.Unknown"]}, headers=c.admin()
        )
        body = assert_error(unknown, E.WEBHOOK_EVENT_UNKNOWN)
        assert "App.Unknown" in body["error_descriptions"][0]["message"]
        assert EVENT in body["error_descriptions"][0]["message"]
        empty = await http.post(WH, json={"url": URL, "events": []}, headers=c.admin())
        assert_error(empty, E.VALIDATION_FAILED)
        refused = await http.post(
            WH, json={"url": "https://127.1/hook", "events": [EVENT]}, headers=c.admin()
        )
        assert assert_error(refused, E.WEBHOOK_URL_REFUSED)["error_descriptions"][0] == {
            "field": "url",
            "code": "host",
            "message": "the host is a non-canonical IP address",
        }
        twice = await _create(http, c, events=[EVENT, EVENT])
        assert twice["events"] == [EVENT]
        too_long = await http.post(
            f"{WH}/{twice['id']}/RotateSecret",
            json={"graceSeconds": 8 * 86_400},
            headers=c.admin(),
        )
        assert_error(too_long, E.VALIDATION_FAILED)


async def test_a_tenant_has_at_most_its_limit(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)

    async def create(n: int) -> None:
        async with session_scope(app.state.db.writer) as session:
            await webhook_service.create(
                session,
                app.state.data_keys,
                engine.guard_for(app.state.settings.webhooks),
                uuid.UUID(c.tenant.id),
                url=f"{URL}/{n}",
                events=[EVENT],
                description=None,
                max_subscriptions=2,
                created_by="test",
                actor=audit.SYSTEM,
            )

    await create(1)
    await create(2)
    with pytest.raises(ApiError) as refused:
        await create(3)
    assert refused.value.code == E.WEBHOOK_LIMIT_REACHED


async def test_remove_disable_and_enable(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        kept, gone = await _create(http, c), await _create(http, c, url=URL + "/gone")
        removed = await http.post(f"{WH}/{gone['id']}/Delete", headers=c.admin())
        assert assert_success(removed) is True
        for path in (f"{WH}/{gone['id']}", f"{WH}/{gone['id']}/Deliveries"):
            assert_error(await http.get(path, headers=c.admin()), E.WEBHOOK_NOT_FOUND)
        assert_error(
            await http.post(f"{WH}/{gone['id']}/Delete", headers=c.admin()), E.WEBHOOK_NOT_FOUND
        )
        assert [w["id"] for w in assert_success(await http.get(WH, headers=c.admin()))] == [
            kept["id"]
        ]
        off = assert_success(await http.post(f"{WH}/{kept['id']}/Disable", headers=c.admin()))
        assert off["isActive"] is False and off["disabledReason"].startswith("disabled by admin:")
        await emit(app, c.tenant.id)
        deliveries = await http.get(f"{WH}/{kept['id']}/Deliveries", headers=c.admin())
        assert assert_success(deliveries) == []
        on = assert_success(await http.post(f"{WH}/{kept['id']}/Enable", headers=c.admin()))
        assert on["isActive"] is True and on["disabledReason"] is None
        await emit(app, c.tenant.id)
        deliveries = await http.get(f"{WH}/{kept['id']}/Deliveries", headers=c.admin())
        assert len(assert_success(deliveries)) == 1


async def test_delivery_log_and_replay_over_http(private_app: FastAPI) -> None:
    app = private_app
    with receiving([Reply(500)], default=Reply(200)) as receiver:
        async with scanned(app) as http:
            c = await new_caller(app, http)
            created = await _create(http, c, url=receiver.url())
            secret = created["signingKey"]
            await emit(app, c.tenant.id)
            (pending,) = assert_success(
                await http.get(f"{WH}/{created['id']}/Deliveries", headers=c.admin())
            )
            assert pending["status"] == "pending" and pending["attemptLog"] == []
            assert pending["webhookMessage"] == "msg_" + uuid.UUID(pending["id"]).hex
            runtime, tenant_id = runtime_for(app), uuid.UUID(c.tenant.id)
            delivery_id = uuid.UUID(pending["id"])
            await engine.deliver_now(app.state.db.writer, runtime, tenant_id, delivery_id)
            (failed,) = assert_success(
                await http.get(f"{WH}/{created['id']}/Deliveries", headers=c.admin())
            )
            assert failed["status"] == "pending" and failed["lastStatusCode"] == 500
            (attempt,) = failed["attemptLog"]
            assert attempt["attempt"] == 1 and attempt["statusCode"] == 500
            assert attempt["nextAttemptTime"] == failed["nextAttemptTime"]
            # Replay now instead of waiting for the schedule.
            replay = await http.post(
                f"{WH}/Deliveries/{pending['id']}/Redeliver", headers=c.admin()
            )
            assert assert_success(replay)["status"] == "pending"
            await engine.deliver_now(app.state.db.writer, runtime, tenant_id, delivery_id)
            done = await http.get(
                f"{WH}/{created['id']}/Deliveries?status=succeeded", headers=c.admin()
            )
            (row,) = assert_success(done)
            assert row["attempts"] == 2 and row["deliveryTime"] is not None
            assert [a["statusCode"] for a in row["attemptLog"]] == [500, 200]
            bad = await http.get(f"{WH}/{created['id']}/Deliveries?status=lost", headers=c.admin())
            assert_error(bad, E.VALIDATION_FAILED)
            # In flight: a replay is refused until the attempt ends.
            async with session_scope(app.state.db.writer) as session:
                await session.execute(
                    update(WebhookDelivery)
                    .where(WebhookDelivery.id == delivery_id)
                    .values(status="sending")
                )
            busy = await http.post(f"{WH}/Deliveries/{pending['id']}/Redeliver", headers=c.admin())
            assert_error(busy, E.WEBHOOK_DELIVERY_IN_PROGRESS)
        second = receiver.requests[-1]
    assert json.loads(second.body)["Attempt"] == 2
    verify_abp(secret, second.headers, second.body)
    verify_standard(secret, second.headers, second.body, int(second.headers["webhook-timestamp"]))


async def test_another_tenants_ids_answer_like_missing_ones(app: FastAPI) -> None:
    """TEN-1 with A's real subscription and delivery, every webhook route, B's credentials."""
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        mine = await _create(http, a)
        await emit(app, a.tenant.id)
        (delivery,) = assert_success(
            await http.get(f"{WH}/{mine['id']}/Deliveries", headers=a.admin())
        )
        before = await subscription(app, uuid.UUID(mine["id"]))
        calls: list[tuple[str, str, dict[str, Any] | None, str, ErrorCode]] = [
            ("GET", f"{WH}/{{}}", None, mine["id"], E.WEBHOOK_NOT_FOUND),
            ("POST", f"{WH}/{{}}/Delete", None, mine["id"], E.WEBHOOK_NOT_FOUND),
            ("POST", f"{WH}/{{}}/Enable", None, mine["id"], E.WEBHOOK_NOT_FOUND),
            ("POST", f"{WH}/{{}}/Disable", None, mine["id"], E.WEBHOOK_NOT_FOUND),
            ("POST", f"{WH}/{{}}/RotateSecret", {}, mine["id"], E.WEBHOOK_NOT_FOUND),
            ("GET", f"{WH}/{{}}/Deliveries", None, mine["id"], E.WEBHOOK_NOT_FOUND),
            (
                "POST",
                f"{WH}/Deliveries/{{}}/Redeliver",
                None,
                delivery["id"],
                E.WEBHOOK_DELIVERY_NOT_FOUND,
            ),
        ]
        for method, template, body, owned, code in calls:
            baseline = await http.request(
                method, template.format(random_id()), json=body, headers=b.admin()
            )
            assert_error(baseline, code)
            for identifier in (owned, owned.upper(), random_id(), "not-a-uuid", "12345"):
                response = await http.request(
                    method, template.format(identifier), json=body, headers=b.admin()
                )
                assert response.status_code == baseline.status_code, (template, identifier)
                assert response.content == baseline.content, (template, identifier)
                assert a.tenant.id not in response.text and owned not in response.text
        listed = await http.get(f"{WH}?MaxResultCount=100", headers=b.admin())
        assert assert_success(listed) == []
        # A's subscription and delivery are as they were.
        after = await subscription(app, uuid.UUID(mine["id"]))
        assert (after.is_active, after.deleted_at, after.secret_enc) == (
            True,
            None,
            before.secret_enc,
        )
        (still,) = assert_success(
            await http.get(f"{WH}/{mine['id']}/Deliveries", headers=a.admin())
        )
        assert still == delivery
