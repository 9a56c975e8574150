"""Identity transactions: ids matched in any case, per-tenant and per-user ownership that looks
like absence to everyone else, and the lease that serialises front and back on one transaction
without holding a database transaction through OCR."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity import transactions as tx
from hawiya.identity.repository import TransactionRepository
from hawiya.kit.clock import Clock, utcnow
from tests.fixtures.factories import create_tenant
from tests.http.routes import new_caller, register_user
from tests.http.support import scanned


async def _tenant(app: FastAPI) -> uuid.UUID:
    return uuid.UUID((await create_tenant(app)).id)


def test_ids_are_read_in_any_case_and_malformed_ones_are_refused() -> None:
    raw = "6C3F0F9E-3F51-4C1A-9A43-6F0B8C2F1D10"
    assert tx.parse_transaction_id(raw) == uuid.UUID(raw.lower())
    assert tx.parse_transaction_id(None) is None and tx.parse_transaction_id("  ") is None
    for bad in ("not-a-uuid", "1234", "6c3f0f9e-3f51-4c1a-9a43-6f0b8c2f1d1"):
        with pytest.raises(tx.TransactionInvalid):
            tx.parse_transaction_id(bad)


async def test_one_id_is_separate_per_tenant_and_owned_by_its_first_user(app: FastAPI) -> None:
    a, b = await _tenant(app), await _tenant(app)
    shared = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        row_a = await tx.open_transaction(session, a, shared, user_id=None)
        row_b = await tx.open_transaction(session, b, shared, user_id=None)
        assert row_a.id != row_b.id and row_a.tenant_id == a and row_b.tenant_id == b
        again = await tx.open_transaction(session, a, shared, user_id=None)
        assert again.id == row_a.id
        fresh = await tx.open_transaction(session, a, None, user_id=None)
        assert fresh.transaction_id not in (shared,)
        with pytest.raises(tx.TransactionInvalid):
            await tx.open_transaction(session, a, uuid.uuid4(), user_id=None, must_exist=True)


async def test_a_users_transaction_looks_missing_to_another_user(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        first = (await register_user(app, http, c.tenant))["user"]["id"]
        second = (await register_user(app, http, c.tenant))["user"]["id"]
    tenant = uuid.UUID(c.tenant.id)
    tid = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        row = await tx.open_transaction(session, tenant, tid, user_id=None)  # /v1/ocr start
        assert row.user_id is None
        row = await tx.open_transaction(session, tenant, tid, user_id=first)  # attached
        assert row.user_id == first
    async with session_scope(app.state.db.writer) as session:
        for other in (second, None):
            with pytest.raises(tx.TransactionInvalid) as caught:
                await tx.open_transaction(session, tenant, tid, user_id=other, must_exist=True)
            assert str(caught.value) == "unknown transaction"


async def test_the_lease_serialises_work_on_one_transaction(app: FastAPI) -> None:
    tenant = await _tenant(app)
    tid = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        await tx.open_transaction(session, tenant, tid, user_id=None)
    log: list[str] = []

    async def step(name: str, hold: float) -> None:
        async with (
            session_scope(app.state.db.writer) as session,
            tx.leased(session, tenant, tid),
        ):
            log.append(f"{name} in")
            await asyncio.sleep(hold)  # OCR: no database transaction is open here
            log.append(f"{name} out")

    await asyncio.gather(step("front", 0.3), step("back", 0.0), step("other", 0.0))
    # Never two inside at once: every "in" is followed by its own "out".
    assert [entry.split()[1] for entry in log] == ["in", "out"] * 3
    assert [entry.split()[0] for entry in log[::2]] == [entry.split()[0] for entry in log[1::2]]
    async with session_scope(app.state.db.reader) as session:
        row = await TransactionRepository(session, tenant).by_transaction_id(tid)
        assert row is not None and row.lease_until is None and row.lease_holder is None


async def test_a_failed_step_gives_the_lease_back_and_keeps_nothing(app: FastAPI) -> None:
    tenant = await _tenant(app)
    tid = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        await tx.open_transaction(session, tenant, tid, user_id=None)
    with pytest.raises(RuntimeError):
        async with (
            session_scope(app.state.db.writer) as session,
            tx.leased(session, tenant, tid),
        ):
            row = await TransactionRepository(session, tenant).by_transaction_id(tid)
            assert row is not None
            row.front_state = "passed"
            await session.flush()
            raise RuntimeError("the reader crashed")
    async with session_scope(app.state.db.reader) as session:
        row = await TransactionRepository(session, tenant).by_transaction_id(tid)
        assert row is not None and row.lease_until is None and row.front_state == "none"


async def test_an_abandoned_lease_expires(app: FastAPI, frozen_clock: Clock) -> None:
    tenant = await _tenant(app)
    tid = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        await tx.open_transaction(session, tenant, tid, user_id=None)
        now = utcnow()
        repo = TransactionRepository(session, tenant)
        assert await repo.take_lease(tid, uuid.uuid4(), now, now + timedelta(seconds=60))
        assert not await repo.take_lease(tid, uuid.uuid4(), now, now + timedelta(seconds=60))
    frozen_clock.freeze(utcnow() + timedelta(seconds=61))  # the holder crashed a minute ago
    async with session_scope(app.state.db.writer) as session, tx.leased(session, tenant, tid):
        pass
