"""Deliveries to a real receiver on 127.0.0.1 (ALLOW_PRIVATE_NETWORKS on): the spec's payload,
signatures checked by an independent implementation, retries on the WH-4 schedule with Attempt
counting up, 410 and the 5-day rule disabling, replay, recovery of an interrupted attempt (WH-5),
tenant bulkheads (WH-6), and the job worker running it all."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import ssl
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from hawiya.audit import service as audit
from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import Clock
from hawiya.models import AuditEvent, Job, WebhookDelivery
from hawiya.webhooks import delivery as engine
from hawiya.webhooks import service as webhook_service
from tests.fixtures.factories import create_tenant
from tests.webhooks.receiver import Reply, receiving
from tests.webhooks.support import (
    EVENT,
    Unverified,
    attempts,
    deliveries_of,
    delivery,
    emit,
    runtime_for,
    subscribe,
    subscription,
    verify_abp,
    verify_standard,
)


def _start(frozen: Clock) -> datetime:
    base = datetime.now(UTC).replace(microsecond=0)
    frozen.freeze(base)
    return base


async def _one(app: FastAPI, url: str, data: dict[str, Any] | None = None) -> tuple[Any, ...]:
    """A tenant, a subscription to url and one emitted event: (tenant id, subscription id,
    secret, delivery)."""
    tenant = await create_tenant(app)
    subscription_id, secret = await subscribe(app, tenant.id, url)
    await emit(app, tenant.id, data)
    (row,) = await deliveries_of(app, subscription_id)
    return uuid.UUID(tenant.id), subscription_id, secret, row


async def test_a_delivery_is_the_specs_payload_signed_both_ways(app: FastAPI) -> None:
    request_id = str(uuid.uuid4())
    with receiving() as receiver:
        tenant_id, _, secret, row = await _one(
            app,
            receiver.url("/vlens/hook?source=hawiya"),
            {"Id": request_id, "NewStatus": "PendingApproval"},
        )
        runtime = runtime_for(app)
        assert await engine.deliver_now(app.state.db.writer, runtime, tenant_id, row.id)
        (got,) = receiver.requests
    assert got.path == "/vlens/hook?source=hawiya"
    verify_standard(secret, got.headers, got.body, int(time.time()))
    verify_abp(secret, got.headers, got.body)
    with pytest.raises(Unverified):
        verify_standard(
            secret, got.headers, got.body.replace(b"Pending", b"Pendinh"), int(time.time())
        )
    assert got.headers["webhook-id"] == f"msg_{row.id.hex}"
    assert got.headers["content-type"].startswith("application/json")
    assert got.headers["host"] == f"127.0.0.1:{receiver.port}"
    assert got.headers["webhook-attempt"] == "1"
    payload = json.loads(got.body)
    assert list(payload) == ["Id", "WebhookEvent", "Attempt", "Data", "CreationTimeUtc"]
    assert payload["Id"] == str(row.event_id)
    assert payload["WebhookEvent"] == EVENT
    assert payload["Attempt"] == 1
    assert payload["Data"] == {"Id": request_id, "NewStatus": "PendingApproval"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z", payload["CreationTimeUtc"])
    done = await delivery(app, row.id)
    assert (done.status, done.attempts, done.last_status_code) == ("succeeded", 1, 200)
    assert done.delivered_at is not None and done.next_attempt_at is None
    (attempt,) = await attempts(app, row.id)
    assert (attempt.attempt, attempt.status_code, attempt.error) == (1, 200, None)
    assert attempt.duration_ms >= 0
    # Nothing more happens to a delivered event.
    assert not await engine.deliver_now(app.state.db.writer, runtime, tenant_id, row.id)


async def test_retries_follow_the_schedule_with_attempt_counting_up(
    app: FastAPI, frozen_clock: Clock
) -> None:
    base = _start(frozen_clock)
    with receiving([Reply(500), Reply(503)], default=Reply(204)) as receiver:
        tenant_id, subscription_id, secret, row = await _one(app, receiver.url())
        runtime, maker = runtime_for(app), app.state.db.writer
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        assert (await delivery(app, row.id)).next_attempt_at == base + timedelta(seconds=5)
        assert not await engine.deliver_now(maker, runtime, tenant_id, row.id)  # not due yet
        frozen_clock.freeze(base + timedelta(seconds=5))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        assert (await delivery(app, row.id)).next_attempt_at == base + timedelta(seconds=305)
        assert (await subscription(app, subscription_id)).consecutive_failures == 2
        frozen_clock.freeze(base + timedelta(seconds=305))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        sent = receiver.requests
    assert [json.loads(r.body)["Attempt"] for r in sent] == [1, 2, 3]
    assert [r.headers["webhook-attempt"] for r in sent] == ["1", "2", "3"]
    assert len({r.headers["webhook-id"] for r in sent}) == 1  # the same message every time
    for request, offset in zip(sent, (0, 5, 305), strict=True):
        verify_standard(secret, request.headers, request.body, int(base.timestamp()) + offset)
    log = [(a.attempt, a.status_code, a.next_attempt_at) for a in await attempts(app, row.id)]
    assert log == [
        (1, 500, base + timedelta(seconds=5)),
        (2, 503, base + timedelta(seconds=305)),
        (3, 204, None),
    ]
    assert (await delivery(app, row.id)).status == "succeeded"
    after = await subscription(app, subscription_id)
    assert (after.failing_since, after.consecutive_failures, after.is_active) == (None, 0, True)


def test_the_schedule_and_retry_after() -> None:
    assert engine.SCHEDULE == (0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400)
    assert sum(engine.SCHEDULE) / 86_400 == pytest.approx(3.1, abs=0.05)  # about 3.1 days
    assert [engine.next_delay(n, None, 1.0) for n in range(1, 11)] == [
        5,
        300,
        1800,
        7200,
        18_000,
        36_000,
        50_400,
        72_000,
        86_400,
        None,
    ]
    assert engine.next_delay(1, None, 0.8) == 4.0 and engine.next_delay(1, None, 1.2) == 6.0
    assert engine.next_delay(1, 120, 1.0) == 120  # honoured
    assert engine.next_delay(1, 99_999, 1.0) == 300  # up to the next slot
    assert engine.next_delay(2, 10, 1.0) == 300  # never sooner than the schedule
    assert engine.next_delay(9, 999_999, 1.0) == 86_400
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert engine.parse_retry_after("120", now) == 120
    assert engine.parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60
    assert engine.parse_retry_after("soon", now) is None


async def test_scripted_500_timeout_302_then_410_disables(
    app: FastAPI, frozen_clock: Clock
) -> None:
    base = _start(frozen_clock)
    with receiving(default=Reply(404)) as elsewhere:
        script = [
            Reply(500),
            Reply(200, delay=1.5),  # answers after the 0.5 s timeout
            Reply(302, {"Location": elsewhere.url("/stolen")}),
            Reply(410),
        ]
        with receiving(script) as receiver:
            tenant_id, subscription_id, _, row = await _one(app, receiver.url())
            runtime, maker = runtime_for(app, timeout_seconds=0.5), app.state.db.writer
            for offset in (0, 5, 305, 2105):
                frozen_clock.freeze(base + timedelta(seconds=offset))
                assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
            sent = receiver.requests
        assert elsewhere.requests == []  # the redirect was not followed
    assert len(sent) == 4 and len({r.headers["webhook-id"] for r in sent}) == 1
    log = await attempts(app, row.id)
    assert [a.status_code for a in log] == [500, None, 302, 410]
    assert log[1].error == "no answer within 0.5 s"
    assert log[2].error is not None and "not followed" in log[2].error
    assert [a.next_attempt_at for a in log] == [
        base + timedelta(seconds=5),
        base + timedelta(seconds=305),
        base + timedelta(seconds=2105),
        None,
    ]
    final = await delivery(app, row.id)
    assert (final.status, final.attempts, final.last_status_code) == ("failed", 4, 410)
    disabled = await subscription(app, subscription_id)
    assert not disabled.is_active and disabled.disabled_reason == "the receiver answered 410 Gone"
    async with session_scope(app.state.db.reader) as session:
        events = (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.tenant_id == tenant_id,
                    AuditEvent.action == str(audit.AuditAction.WEBHOOK_DISABLED),
                )
            )
        ).scalars()
        assert [e.target for e in events] == [f"webhook:{subscription_id}"]
    # A disabled subscription gets no new deliveries, and a replay needs it enabled first.
    await emit(app, tenant_id)
    assert len(await deliveries_of(app, subscription_id)) == 1
    async with session_scope(app.state.db.writer) as session:
        with pytest.raises(ApiError) as refused:
            await webhook_service.redeliver(session, tenant_id, row.id, actor=audit.SYSTEM)
    assert refused.value.code == ErrorCode.WEBHOOK_INACTIVE


async def test_retry_after_is_honoured_up_to_the_next_slot(
    app: FastAPI, frozen_clock: Clock
) -> None:
    base = _start(frozen_clock)
    script = [Reply(503, {"Retry-After": "120"}), Reply(429, {"Retry-After": "86400"})]
    with receiving(script) as receiver:
        tenant_id, _, _, row = await _one(app, receiver.url())
        runtime, maker = runtime_for(app), app.state.db.writer
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        assert (await delivery(app, row.id)).next_attempt_at == base + timedelta(seconds=120)
        frozen_clock.freeze(base + timedelta(seconds=120))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
    assert (await delivery(app, row.id)).next_attempt_at == base + timedelta(seconds=1920)


async def test_five_days_of_failures_disable_the_subscription(
    app: FastAPI, frozen_clock: Clock
) -> None:
    base = _start(frozen_clock)
    with receiving(default=Reply(500)) as receiver:
        tenant_id, subscription_id, _, row = await _one(app, receiver.url())
        runtime, maker = runtime_for(app), app.state.db.writer
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        assert (await subscription(app, subscription_id)).failing_since == base
        frozen_clock.freeze(base + timedelta(days=4, hours=23))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        assert (await subscription(app, subscription_id)).is_active
        frozen_clock.freeze(base + timedelta(days=5, seconds=1))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
    sub = await subscription(app, subscription_id)
    assert not sub.is_active and sub.disabled_reason is not None
    assert sub.disabled_reason.startswith("every attempt has failed since")
    assert (await delivery(app, row.id)).status == "failed"


async def test_after_the_last_attempt_it_fails_and_a_replay_sends_it_again(
    app: FastAPI,
) -> None:
    with receiving([Reply(500)], default=Reply(200)) as receiver:
        tenant_id, _, secret, row = await _one(app, receiver.url())
        async with session_scope(app.state.db.writer) as session:  # nine attempts already made
            await session.execute(
                update(WebhookDelivery).where(WebhookDelivery.id == row.id).values(attempts=9)
            )
        runtime, maker = runtime_for(app), app.state.db.writer
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        failed = await delivery(app, row.id)
        assert (failed.status, failed.attempts, failed.next_attempt_at) == ("failed", 10, None)
        async with session_scope(app.state.db.writer) as session:
            replay = await webhook_service.redeliver(session, tenant_id, row.id, actor=audit.SYSTEM)
            assert (replay.status, replay.attempts) == ("pending", 10)
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        last = receiver.requests[-1]
    assert json.loads(last.body)["Attempt"] == 11
    assert last.headers["webhook-id"] == f"msg_{row.id.hex}"
    verify_standard(secret, last.headers, last.body, int(time.time()))
    assert (await delivery(app, row.id)).status == "succeeded"


async def test_a_rotated_secret_signs_beside_the_old_one_for_its_grace(
    app: FastAPI, frozen_clock: Clock
) -> None:
    base = _start(frozen_clock)
    with receiving() as receiver:
        tenant = await create_tenant(app)
        tenant_id = uuid.UUID(tenant.id)
        subscription_id, old = await subscribe(app, tenant.id, receiver.url())
        async with session_scope(app.state.db.writer) as session:
            _, new = await webhook_service.rotate_secret(
                session,
                app.state.data_keys,
                tenant_id,
                subscription_id,
                grace_seconds=86_400,
                actor=audit.SYSTEM,
            )
        runtime, maker = runtime_for(app), app.state.db.writer
        await emit(app, tenant.id)
        (first,) = await deliveries_of(app, subscription_id)
        assert await engine.deliver_now(maker, runtime, tenant_id, first.id)
        frozen_clock.freeze(base + timedelta(hours=24, seconds=1))
        await emit(app, tenant.id)
        second = (await deliveries_of(app, subscription_id))[-1]
        assert await engine.deliver_now(maker, runtime, tenant_id, second.id)
        during, after = receiver.requests
    now = int(base.timestamp())
    assert len(during.headers["webhook-signature"].split()) == 2
    verify_standard(new, during.headers, during.body, now)
    verify_standard(old, during.headers, during.body, now)
    verify_abp(new, during.headers, during.body)
    later = now + 86_401
    assert len(after.headers["webhook-signature"].split()) == 1
    verify_standard(new, after.headers, after.body, later)
    with pytest.raises(Unverified):
        verify_standard(old, after.headers, after.body, later)


async def test_an_interrupted_attempt_is_sent_again_with_the_same_id(
    app: FastAPI, frozen_clock: Clock
) -> None:
    """WH-5: the process dies during an attempt (its task is cancelled before it records
    anything); when the lease ends, the recovery wake-up sends the event again."""
    base = _start(frozen_clock)
    with receiving([Reply(200, delay=3.0)], default=Reply(200)) as receiver:
        tenant_id, _, secret, row = await _one(app, receiver.url())
        runtime, maker = runtime_for(app, timeout_seconds=10), app.state.db.writer
        task = await engine.start(maker, runtime, tenant_id, row.id)
        assert task is not None
        for _ in range(200):
            if receiver.requests:
                break
            await asyncio.sleep(0.02)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        stuck = await delivery(app, row.id)
        assert (stuck.status, stuck.attempts) == ("sending", 1)
        assert not await engine.deliver_now(maker, runtime, tenant_id, row.id)  # lease holds
        assert stuck.lease_until is not None
        frozen_clock.freeze(stuck.lease_until + timedelta(seconds=1))
        assert await engine.deliver_now(maker, runtime, tenant_id, row.id)
        first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert [json.loads(r.body)["Attempt"] for r in (first, second)] == [1, 2]
    verify_standard(secret, second.headers, second.body, int(frozen_clock.now().timestamp()))
    log = await attempts(app, row.id)
    assert [a.attempt for a in log] == [1, 2]
    assert log[0].error is not None and log[0].error.startswith("interrupted")
    assert log[1].status_code == 200
    assert (await delivery(app, row.id)).status == "succeeded"
    del base


async def test_a_hanging_tenant_does_not_delay_another(app: FastAPI) -> None:
    """WH-6: tenant A's receiver hangs; A holds at most its two slots, its third delivery is put
    back without holding anything, and tenant B's deliveries go out at once."""
    with receiving(default=Reply(200, delay=5.0)) as slow, receiving() as fast:
        a = await create_tenant(app)
        b = await create_tenant(app)
        a_sub, _ = await subscribe(app, a.id, slow.url())
        b_sub, _ = await subscribe(app, b.id, fast.url())
        for _ in range(3):
            await emit(app, a.id)
        for _ in range(5):
            await emit(app, b.id)
        a_rows, b_rows = await deliveries_of(app, a_sub), await deliveries_of(app, b_sub)
        runtime = runtime_for(app, per_tenant_concurrency=2, timeout_seconds=4)
        maker, a_id, b_id = app.state.db.writer, uuid.UUID(a.id), uuid.UUID(b.id)
        a_tasks = [await engine.start(maker, runtime, a_id, row.id) for row in a_rows]
        assert [t is not None for t in a_tasks] == [True, True, False]
        assert runtime.pool.in_flight(a_id) == 2
        latencies = []
        for row in b_rows:
            started = time.monotonic()
            task = await engine.start(maker, runtime, b_id, row.id)
            assert task is not None
            await task
            latencies.append(time.monotonic() - started)
        assert max(latencies) < 2.0, latencies
        assert len(fast.requests) == 5
        assert runtime.pool.in_flight(a_id) == 2  # A's receiver is still hanging
        for task in a_tasks:
            if task is not None:
                task.cancel()
        await runtime.pool.drain()
    for row in b_rows:
        assert (await delivery(app, row.id)).status == "succeeded"
    third = await delivery(app, a_rows[2].id)
    assert (third.status, third.attempts) == ("pending", 0)
    async with session_scope(app.state.db.reader) as session:
        jobs = (
            await session.execute(
                select(Job).where(Job.tenant_id == a_id, Job.name == "webhooks.deliver")
            )
        ).scalars()
        put_back = [
            j for j in jobs if j.payload["deliveryId"] == str(third.id) and j.status == "pending"
        ]
    # The wake-up from emit() and the one that puts it back a little later.
    assert len(put_back) == 2
    times = sorted(j.run_at for j in put_back)
    assert times[1] >= times[0] + timedelta(seconds=1)


async def test_the_job_worker_sends_what_emit_enqueued(app: FastAPI) -> None:
    from hawiya.jobs.registry import JobRegistry, JobRuntime
    from hawiya.jobs.worker import Worker
    from hawiya.webhooks import tasks

    with receiving() as receiver:
        tenant_id, _, secret, row = await _one(app, receiver.url())
        registry = JobRegistry()

        # Only this test's delivery: other tests leave webhook jobs nobody ran.
        @registry.job("webhooks.deliver")
        async def only_mine(runtime: JobRuntime, payload: dict[str, Any]) -> None:
            if payload["deliveryId"] == str(row.id):
                await tasks.deliver(runtime, payload)

        runtime = runtime_for(app)
        tasks.install_runtime(runtime)
        try:
            worker = Worker(app.state.db.writer, app.state.settings.jobs, registry)
            for _ in range(500):
                if not await worker.run_once():
                    break
            await runtime.pool.drain()
        finally:
            tasks.install_runtime(None)
        (got,) = receiver.requests
    verify_standard(secret, got.headers, got.body, int(time.time()))
    assert (await delivery(app, row.id)).status == "succeeded"
    assert tenant_id


def _certificate(tmp: Path, name: str) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for `name`: (the receiver's context, a client context that
    trusts it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / f"{name}.pem", tmp / f"{name}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_tls_is_checked_for_the_name_on_the_checked_address(
    app: FastAPI, tmp_path: Path
) -> None:
    """The connection goes to the address the guard checked, while TLS (SNI and the certificate
    check) and the Host header use the URL's name: a certificate for another name is refused."""
    server, client = _certificate(tmp_path, "hooks.test")

    async def resolver(host: str, port: int) -> list[str]:
        return {"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}[host]

    with receiving(tls=server) as receiver:
        tenant = await create_tenant(app)
        tenant_id = uuid.UUID(tenant.id)
        good, secret = await subscribe(
            app, tenant.id, receiver.url(host="hooks.test"), resolver=resolver
        )
        wrong, _ = await subscribe(
            app, tenant.id, receiver.url(host="other.test"), resolver=resolver
        )
        await emit(app, tenant.id)
        runtime = runtime_for(app, resolver=resolver)
        runtime._ssl = client
        (ok_row,), (bad_row,) = await deliveries_of(app, good), await deliveries_of(app, wrong)
        assert await engine.deliver_now(app.state.db.writer, runtime, tenant_id, ok_row.id)
        assert await engine.deliver_now(app.state.db.writer, runtime, tenant_id, bad_row.id)
        (got,) = receiver.requests
    assert got.headers["host"] == f"hooks.test:{receiver.port}"
    verify_standard(secret, got.headers, got.body, int(time.time()))
    assert (await delivery(app, ok_row.id)).status == "succeeded"
    (refused,) = await attempts(app, bad_row.id)
    assert refused.status_code is None and refused.error is not None
    assert "certificate" in refused.error.lower() or "ssl" in refused.error.lower()
