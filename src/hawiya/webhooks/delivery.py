"""Sending deliveries: one attempt at a time per delivery, on the checklist's schedule (WH-4), with
the SSRF guard before every attempt (WH-1) and tenant bulkheads (WH-6).

The delivery row is the truth; jobs are only wake-ups. A wake-up claims a due delivery with a
compare-and-set (pending -> sending, attempts + 1, a lease) in its own transaction, so two
wake-ups never send the same attempt, and enqueues a recovery wake-up for when the lease ends:
if the process dies during the attempt, that wake-up finds the delivery still "sending" with an
expired lease, logs the attempt as interrupted and sends it again (at least once, WH-5; the same
webhook-id, the next Attempt number).

Bulkheading: the job worker runs one job at a time, so the HTTP attempt does not run inside the
job. The job hands it to a process-wide DeliveryPool and returns at once; the pool runs at most
`per_tenant_concurrency` attempts of one tenant and `max_concurrency` in all, each bounded by
`timeout_seconds`. When a tenant's slots are taken (its receiver hangs), its further deliveries
are put back a little later without holding the worker, so other tenants' deliveries go out at
once.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import random
import ssl
import time
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hawiya import __version__
from hawiya.audit import service as audit
from hawiya.config import WebhookSettings
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.kit.clock import utcnow
from hawiya.models import WebhookAttempt
from hawiya.models.webhook import FAILED, PENDING, SENDING, SUCCEEDED
from hawiya.webhooks import events, signing
from hawiya.webhooks.repository import DeliveryRepository, SubscriptionRepository, due
from hawiya.webhooks.service import enqueue_delivery, live_secrets
from hawiya.webhooks.ssrf import Resolver, Target, UrlGuard, UrlRefused, system_resolver

log = logging.getLogger("hawiya.webhooks")

# WH-4: the delay before each attempt: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h,
# 20 h, 24 h (about 3.1 days in all), each with +-20 % jitter.
SCHEDULE: tuple[int, ...] = (0, 5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400)
MAX_ATTEMPTS = len(SCHEDULE)
RESPONSE_EXCERPT = 1024  # bytes of the receiver's answer read before closing it
RESOLVE_TIMEOUT = 5.0


def jitter() -> float:
    return random.uniform(0.8, 1.2)  # noqa: S311 - spreading retries, not security


def next_delay(attempt: int, retry_after: float | None, spread: float) -> float | None:
    """Seconds from the end of failed attempt `attempt` to the next one; None after the last.
    A Retry-After longer than the scheduled delay is honoured up to the following slot."""
    if attempt >= MAX_ATTEMPTS:
        return None
    delay = SCHEDULE[attempt] * spread
    if retry_after is not None and retry_after > delay:
        ceiling = SCHEDULE[attempt + 1] if attempt + 1 < MAX_ATTEMPTS else SCHEDULE[attempt]
        delay = min(retry_after, max(float(ceiling), delay))
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


# ------------------------------------------------------------------------------------------------
# The pool (WH-6)


class Slot:
    """One reserved place in the pool; released exactly once."""

    def __init__(self, pool: DeliveryPool, tenant_id: uuid.UUID) -> None:
        self.pool, self.tenant_id, self._held = pool, tenant_id, True

    def release(self) -> None:
        if self._held:
            self._held = False
            self.pool._release(self.tenant_id)


class DeliveryPool:
    def __init__(self, per_tenant: int, total: int) -> None:
        self.per_tenant, self.total = per_tenant, total
        self._busy: dict[uuid.UUID, int] = {}
        self._count = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def in_flight(self, tenant_id: uuid.UUID | None = None) -> int:
        return self._count if tenant_id is None else self._busy.get(tenant_id, 0)

    def reserve(self, tenant_id: uuid.UUID) -> Slot | None:
        if self._count >= self.total or self._busy.get(tenant_id, 0) >= self.per_tenant:
            return None
        self._busy[tenant_id] = self._busy.get(tenant_id, 0) + 1
        self._count += 1
        return Slot(self, tenant_id)

    def _release(self, tenant_id: uuid.UUID) -> None:
        self._count -= 1
        left = self._busy.get(tenant_id, 1) - 1
        if left > 0:
            self._busy[tenant_id] = left
        else:
            self._busy.pop(tenant_id, None)

    def launch(self, slot: Slot, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                await work
            finally:
                slot.release()

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait for every attempt in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


# ------------------------------------------------------------------------------------------------
# Runtime


@dataclass
class DeliveryRuntime:
    config: WebhookSettings
    keyring: DataKeyring
    guard: UrlGuard
    pool: DeliveryPool
    spread: Callable[[], float] = jitter
    _ssl: ssl.SSLContext | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        config: WebhookSettings,
        keyring: DataKeyring,
        *,
        resolver: Resolver = system_resolver,
        spread: Callable[[], float] = jitter,
    ) -> DeliveryRuntime:
        return cls(
            config=config,
            keyring=keyring,
            guard=guard_for(config, resolver),
            pool=DeliveryPool(config.per_tenant_concurrency, config.max_concurrency),
            spread=spread,
        )

    @property
    def lease_seconds(self) -> float:
        # The attempt's own deadline, its DNS look-up, and time to write the result.
        return self.config.timeout_seconds + RESOLVE_TIMEOUT + 30

    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(trust_env=False)
        return self._ssl


def guard_for(config: WebhookSettings, resolver: Resolver = system_resolver) -> UrlGuard:
    return UrlGuard(
        allow_private=config.allow_private_networks,
        allowed_ports=config.allowed_ports,
        resolver=resolver,
        resolve_timeout=RESOLVE_TIMEOUT,
    )


# ------------------------------------------------------------------------------------------------
# One attempt


@dataclass(frozen=True)
class Prepared:
    tenant_id: uuid.UUID
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    url: str
    attempt: int
    secrets: list[str]
    event_id: uuid.UUID
    event: str
    data: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    retry_after: float | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


async def post(
    runtime: DeliveryRuntime, target: Target, body: bytes, headers: dict[str, str]
) -> Outcome:
    """POST to the checked address, never following a redirect; 2xx within the timeout is
    success. A fresh client per attempt: a pooled connection made for one host name must not
    carry another's request to the same address."""
    config = runtime.config
    started = time.monotonic()
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    sni = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    client = httpx.AsyncClient(
        timeout=httpx.Timeout(config.timeout_seconds, connect=config.connect_timeout_seconds),
        follow_redirects=False,
        trust_env=False,  # no proxy from the environment: the checked address is the one used
        verify=runtime.ssl_context(),
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    try:
        async with asyncio.timeout(config.timeout_seconds), client:
            request = client.build_request(
                "POST",
                target.pinned_url(),
                content=body,
                headers={
                    **headers,
                    "Host": target.host_header(),
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": f"Hawiya-Webhooks/{__version__}",
                },
                extensions=sni,
            )
            response = await client.send(request, stream=True)
            try:
                status = response.status_code
                read = 0
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read >= RESPONSE_EXCERPT:
                        break
            finally:
                await response.aclose()
            if 300 <= status < 400:
                location = response.headers.get("location", "")[:200]
                error = f"redirect to {location!r} not followed"
            retry_after = parse_retry_after(response.headers.get("retry-after"), utcnow())
    except TimeoutError:
        error = f"no answer within {config.timeout_seconds:g} s"
    except httpx.TimeoutException:
        error = f"no answer within {config.timeout_seconds:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    return Outcome(status, error, retry_after, int((time.monotonic() - started) * 1000))


async def _claim(
    maker: async_sessionmaker[AsyncSession],
    runtime: DeliveryRuntime,
    tenant_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> Prepared | None:
    async with session_scope(maker) as session:
        repo = DeliveryRepository(session, tenant_id)
        delivery = await repo.get(delivery_id)
        if delivery is None:
            return None
        now = utcnow()
        if delivery.status == SENDING:
            lease = delivery.lease_until
            if lease is not None and lease > now:
                return None  # an attempt is in flight; its own recovery wake-up is queued
            # The process running the attempt stopped before recording it (WH-5): log it and
            # send again now.
            session.add(
                WebhookAttempt(
                    tenant_id=tenant_id,
                    delivery_id=delivery.id,
                    attempt=delivery.attempts,
                    started_at=(lease or now) - timedelta(seconds=runtime.lease_seconds),
                    duration_ms=0,
                    error="interrupted: no result was recorded before the attempt's lease ended",
                )
            )
            if not await repo.claim(
                delivery.id,
                attempts=delivery.attempts,
                status=SENDING,
                values={"status": PENDING, "next_attempt_at": now, "lease_until": None},
            ):
                return None
            await session.refresh(delivery)
        if delivery.status != PENDING or not due(delivery, now):
            return None
        subscription = await SubscriptionRepository(session, tenant_id).live(
            delivery.subscription_id
        )
        if subscription is None or not subscription.is_active:
            reason = (
                "the subscription was removed"
                if subscription is None
                else ("the subscription is disabled")
            )
            await repo.claim(
                delivery.id,
                attempts=delivery.attempts,
                status=PENDING,
                values={"status": FAILED, "next_attempt_at": None, "last_error": reason},
            )
            return None
        attempt = delivery.attempts + 1
        lease_until = now + timedelta(seconds=runtime.lease_seconds)
        if not await repo.claim(
            delivery.id,
            attempts=delivery.attempts,
            status=PENDING,
            values={
                "status": SENDING,
                "attempts": attempt,
                "lease_until": lease_until,
                "next_attempt_at": lease_until,
            },
        ):
            return None
        secrets = await live_secrets(session, runtime.keyring, subscription)
        await enqueue_delivery(session, delivery, runtime.lease_seconds)  # the recovery wake-up
        return Prepared(
            tenant_id=tenant_id,
            delivery_id=delivery.id,
            subscription_id=subscription.id,
            url=subscription.url,
            attempt=attempt,
            secrets=secrets,
            event_id=delivery.event_id,
            event=delivery.event,
            data=dict(delivery.data),
            created_at=delivery.created_at,
        )


async def _record(
    maker: async_sessionmaker[AsyncSession],
    runtime: DeliveryRuntime,
    job: Prepared,
    started_at: datetime,
    outcome: Outcome,
) -> None:
    async with session_scope(maker) as session:
        repo = DeliveryRepository(session, job.tenant_id)
        delivery = await repo.get(job.delivery_id)
        subscription = await SubscriptionRepository(session, job.tenant_id).get(job.subscription_id)
        now = utcnow()
        current = (
            delivery is not None and delivery.status == SENDING and delivery.attempts == job.attempt
        )
        status, next_at, disable = SUCCEEDED, None, None
        if outcome.ok:
            if subscription is not None:
                subscription.failing_since, subscription.consecutive_failures = None, 0
        else:
            if subscription is not None and subscription.is_active:
                subscription.failing_since = subscription.failing_since or started_at
                subscription.consecutive_failures += 1
                failing = (now - subscription.failing_since).total_seconds()
                if outcome.status_code == 410:
                    disable = "the receiver answered 410 Gone"
                elif failing >= runtime.config.disable_after_seconds:
                    since = subscription.failing_since.strftime("%Y-%m-%d %H:%M")
                    disable = f"every attempt has failed since {since} UTC"
            delay = (
                None if disable else next_delay(job.attempt, outcome.retry_after, runtime.spread())
            )
            status = FAILED if delay is None else PENDING
            next_at = None if delay is None else now + timedelta(seconds=delay)
        session.add(
            WebhookAttempt(
                tenant_id=job.tenant_id,
                delivery_id=job.delivery_id,
                attempt=job.attempt,
                started_at=started_at,
                duration_ms=outcome.duration_ms,
                status_code=outcome.status_code,
                error=outcome.error,
                next_attempt_at=next_at if current else None,
            )
        )
        if current and delivery is not None:
            values: dict[str, Any] = {
                "status": status,
                "next_attempt_at": next_at,
                "lease_until": None,
                "last_status_code": outcome.status_code,
                "last_error": outcome.error,
            }
            if outcome.ok:
                values["delivered_at"] = now
            await repo.claim(delivery.id, attempts=job.attempt, status=SENDING, values=values)
            if next_at is not None:
                await enqueue_delivery(session, delivery, (next_at - now).total_seconds())
        if disable and subscription is not None:
            subscription.is_active = False
            subscription.disabled_at, subscription.disabled_reason = now, disable
            # WH-4: the tenant's administrators see it in their audit trail.
            await audit.record(
                session,
                audit.AuditAction.WEBHOOK_DISABLED,
                tenant_id=job.tenant_id,
                actor=audit.SYSTEM,
                target=f"webhook:{subscription.id}",
                details={"reason": disable, "url": subscription.url},
            )
            log.warning(
                "webhook subscription disabled",
                extra={"tenant_id": str(job.tenant_id), "webhook": str(subscription.id)},
            )


async def _attempt(
    maker: async_sessionmaker[AsyncSession], runtime: DeliveryRuntime, job: Prepared
) -> None:
    started_at, clock_start = utcnow(), time.monotonic()
    try:
        body = events.body(job.event_id, job.event, job.attempt, job.data, job.created_at)
        headers = signing.headers(
            job.secrets,
            signing.message_id(job.delivery_id.hex),
            int(started_at.timestamp()),
            body,
            job.attempt,
        )
        try:
            target = await runtime.guard.check(job.url)  # WH-1 again, at every attempt
        except UrlRefused as exc:
            outcome = Outcome(
                None,
                f"refused by the SSRF guard: {exc.message}",
                None,
                int((time.monotonic() - clock_start) * 1000),
            )
        else:
            outcome = await post(runtime, target, body, headers)
        await _record(maker, runtime, job, started_at, outcome)
    except Exception:  # the lease recovery sends it again; nothing may escape the task
        log.exception(
            "webhook attempt not recorded",
            extra={"tenant_id": str(job.tenant_id), "delivery": str(job.delivery_id)},
        )


async def start(
    maker: async_sessionmaker[AsyncSession],
    runtime: DeliveryRuntime,
    tenant_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> asyncio.Task[None] | None:
    """Wake a delivery: if it is due and its tenant has a free slot, claim it and start the
    attempt in the pool (the task, already running, is returned); otherwise do nothing, or,
    when the tenant's slots are all taken, come back later."""
    slot = runtime.pool.reserve(tenant_id)
    if slot is None:
        async with session_scope(maker) as session:
            delivery = await DeliveryRepository(session, tenant_id).get(delivery_id)
            if delivery is not None and delivery.status == PENDING and due(delivery, utcnow()):
                wait = random.uniform(1.0, max(1.0, runtime.config.timeout_seconds / 2))  # noqa: S311
                await enqueue_delivery(session, delivery, wait)
        return None
    try:
        job = await _claim(maker, runtime, tenant_id, delivery_id)
    except BaseException:
        slot.release()
        raise
    if job is None:
        slot.release()
        return None
    return runtime.pool.launch(slot, _attempt(maker, runtime, job))


async def deliver_now(
    maker: async_sessionmaker[AsyncSession],
    runtime: DeliveryRuntime,
    tenant_id: uuid.UUID,
    delivery_id: uuid.UUID,
) -> bool:
    """start() and wait for the attempt (CLI and tests); False when nothing was attempted."""
    task = await start(maker, runtime, tenant_id, delivery_id)
    if task is None:
        return False
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return True
