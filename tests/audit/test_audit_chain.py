"""The audit trail (LOG-2): per-tenant hash chains, append-only in the database, verified by
`hawiya audit verify` which names the first broken link; secrets never enter it; concurrent
writers neither fork the chain nor leave gaps."""

from __future__ import annotations

import ast
import asyncio
import itertools
import json
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

import hawiya
from hawiya.audit import service as audit
from hawiya.config import Settings
from hawiya.db.session import session_scope
from hawiya.models import AuditChainHead, AuditEvent
from tests.fixtures.cli import Cli, cli_for
from tests.fixtures.factories import PASSWORD, TenantFixture, create_tenant, login

CREATED = ["tenant.created", "auth.admin_created", "auth.api_key_created"]


@pytest.fixture(scope="module")
def cli(settings: Settings) -> Cli:
    return cli_for(settings)


async def chain_rows(app: FastAPI, tenant: TenantFixture) -> list[AuditEvent]:
    async with session_scope(app.state.db.reader) as session:
        query = (
            select(AuditEvent)
            .where(AuditEvent.chain == audit.chain_for(uuid.UUID(tenant.id)))
            .order_by(AuditEvent.seq)
        )
        return list((await session.execute(query)).scalars())


async def test_verify_reports_tenant_chain_ok_with_event_count(
    app: FastAPI, client: httpx.AsyncClient, cli: Cli
) -> None:
    tenant = await create_tenant(app)
    assert (await login(client, tenant))["error_code"] is None
    rows = await chain_rows(app, tenant)
    assert [r.action for r in rows] == [*CREATED, "auth.login_succeeded"]

    result = await asyncio.to_thread(cli.run, "audit", "verify", "--json", check=False)
    reports = json.loads(result.stdout)
    assert result.returncode == (0 if all(r["ok"] for r in reports) else 1), result.stderr
    mine = [r for r in reports if r["chain"] == f"tenant:{tenant.id}"]
    assert mine == [
        {
            "chain": f"tenant:{tenant.id}",
            "events": 4,
            "ok": True,
            "brokenSeq": None,
            "brokenId": None,
            "reason": None,
        }
    ]

    only = await asyncio.to_thread(cli.json, "audit", "verify", "--tenant", tenant.name, "--json")
    assert [(r["chain"], r["events"], r["ok"]) for r in only] == [(f"tenant:{tenant.id}", 4, True)]


async def test_records_are_linked_by_prev_hash(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    await login(client, tenant)
    await login(client, tenant, password="Not-The-Password-At-All-123")
    rows = await chain_rows(app, tenant)
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == audit.GENESIS
    for previous, current in itertools.pairwise(rows):
        assert current.prev_hash == previous.hash
    for row in rows:
        assert row.hash == audit.event_hash(row) and re.fullmatch(r"[0-9a-f]{64}", row.hash)
        assert row.tenant_id == uuid.UUID(tenant.id)
    async with session_scope(app.state.db.reader) as session:
        head = await session.get(AuditChainHead, f"tenant:{tenant.id}")
    assert head is not None and (head.seq, head.last_hash) == (rows[-1].seq, rows[-1].hash)


async def test_database_refuses_update_and_delete(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    first = (await chain_rows(app, tenant))[0]
    statements = [
        update(AuditEvent).where(AuditEvent.id == first.id).values(action="tampered"),
        update(AuditEvent).where(AuditEvent.id == first.id).values(details={"x": 1}),
        delete(AuditEvent).where(AuditEvent.id == first.id),
        text("DELETE FROM audit_event"),
    ]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            async with session_scope(app.state.db.writer) as session:
                await session.execute(statement)
    with pytest.raises(DBAPIError, match="append-only"):
        async with session_scope(app.state.db.writer) as session:
            row = await session.get(AuditEvent, first.id)
            await session.delete(row)
    after = (await chain_rows(app, tenant))[0]
    assert (after.action, after.details, after.hash) == (first.action, first.details, first.hash)


@asynccontextmanager
async def trigger_off(session: AsyncSession) -> AsyncIterator[None]:
    """Switch the append-only trigger off inside one transaction and back on before it commits,
    so the database is never left without it."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only")
        )
        yield
        await session.execute(
            text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only")
        )
        return
    query = text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name")
    ddl = {}
    for name in ("audit_event_no_update", "audit_event_no_delete"):
        ddl[name] = (await session.execute(query, {"name": name})).scalar_one()
        await session.execute(text(f"DROP TRIGGER {name}"))
    yield
    for statement in ddl.values():
        await session.execute(text(statement))


async def set_details(app: FastAPI, event_id: uuid.UUID, details: dict[str, Any]) -> None:
    async with session_scope(app.state.db.writer) as session, trigger_off(session):
        await session.execute(
            update(AuditEvent).where(AuditEvent.id == event_id).values(details=details)
        )


async def test_tampering_is_named_by_verify(
    app: FastAPI, client: httpx.AsyncClient, cli: Cli
) -> None:
    tenant = await create_tenant(app)
    await login(client, tenant)
    rows = await chain_rows(app, tenant)
    target = rows[1]  # a historical record with later ones chained after it
    assert target.action == "auth.admin_created" and len(rows) == 4
    original = dict(target.details)
    try:
        await set_details(app, target.id, {**original, "email": "mallory@evil.test"})
        broken = await asyncio.to_thread(
            cli.run, "audit", "verify", "--tenant", tenant.name, check=False
        )
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert f"BROKEN at seq {target.seq} (id {target.id})" in broken.stdout
        assert "does not match its hash" in broken.stdout
        as_json = await asyncio.to_thread(
            cli.run, "audit", "verify", "--tenant", tenant.name, "--json", check=False
        )
        assert as_json.returncode == 1
        [report] = json.loads(as_json.stdout)
        assert (report["ok"], report["brokenSeq"], report["brokenId"]) == (
            False,
            target.seq,
            str(target.id),
        )
    finally:
        await set_details(app, target.id, original)

    # Restored: the chain verifies again and the trigger is back in force.
    async with session_scope(app.state.db.reader) as session:
        report = await audit.verify_chain(session, audit.chain_for(uuid.UUID(tenant.id)))
    assert (report.ok, report.events) == (True, 4)
    with pytest.raises(DBAPIError, match="append-only"):
        async with session_scope(app.state.db.writer) as session:
            await session.execute(
                update(AuditEvent).where(AuditEvent.id == target.id).values(details={})
            )


async def test_verify_detects_a_deleted_record(app: FastAPI) -> None:
    """Removing a record (here: the last one, so no later link exposes it) is caught through the
    chain head."""
    tenant = await create_tenant(app)
    rows = await chain_rows(app, tenant)
    last = rows[-1]
    chain = audit.chain_for(uuid.UUID(tenant.id))
    try:
        async with session_scope(app.state.db.writer) as session, trigger_off(session):
            await session.execute(delete(AuditEvent).where(AuditEvent.id == last.id))
        async with session_scope(app.state.db.reader) as session:
            report = await audit.verify_chain(session, chain)
        assert (report.ok, report.broken_seq) == (False, last.seq)
    finally:
        async with session_scope(app.state.db.writer) as session:
            session.add(
                AuditEvent(**{c.key: getattr(last, c.key) for c in AuditEvent.__table__.columns})
            )
    async with session_scope(app.state.db.reader) as session:
        assert (await audit.verify_chain(session, chain)).ok


async def test_secrets_never_enter_the_chain(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    ok = await login(client, tenant)
    assert ok["error_code"] is None
    access, refresh = ok["data"]["accessToken"], ok["data"]["refreshToken"]
    wrong = "Wrong-Password-Guess-Number-9"
    assert (await login(client, tenant, password=wrong))["error_code"] == 1110
    # A client that pastes a token into the password field.
    assert (await login(client, tenant, password=access))["error_code"] == 1110
    refreshed = await client.post(
        "/api/credentials/RefreshToken", json={"refreshToken": refresh}, headers=tenant.headers()
    )
    assert refreshed.json()["error_code"] is None

    actions = [r.action for r in await chain_rows(app, tenant)]
    assert actions == [
        *CREATED,
        "auth.login_succeeded",
        "auth.login_failed",
        "auth.login_failed",
        "auth.token_refreshed",
    ]
    async with session_scope(app.state.db.reader) as session:
        rows = (await session.execute(select(AuditEvent))).scalars().all()
    dump = json.dumps(
        [{c.key: getattr(r, c.key) for c in AuditEvent.__table__.columns} for r in rows],
        default=str,
    )
    for secret in (PASSWORD, wrong, access, refresh, tenant.api_key, "eyJ"):
        assert secret not in dump


async def test_concurrent_records_neither_fork_nor_gap(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    tenant_id = uuid.UUID(tenant.id)
    before = len(await chain_rows(app, tenant))

    async def one(n: int) -> int:
        async with session_scope(app.state.db.writer) as session:
            event = await audit.record(
                session,
                audit.AuditAction.SETTINGS_CHANGED,
                tenant_id=tenant_id,
                actor=audit.SYSTEM,
                details={"n": n},
            )
            return event.seq

    seqs = await asyncio.gather(*(one(n) for n in range(20)))
    total = before + 20
    assert sorted(seqs) == list(range(before + 1, total + 1))
    rows = await chain_rows(app, tenant)
    assert [r.seq for r in rows] == list(range(1, total + 1))
    assert sorted(r.details["n"] for r in rows[before:]) == list(range(20))
    assert len({r.prev_hash for r in rows}) == total  # no two records share a parent: no fork
    async with session_scope(app.state.db.reader) as session:
        report = await audit.verify_chain(session, audit.chain_for(tenant_id))
        head = await session.get(AuditChainHead, audit.chain_for(tenant_id))
    assert (report.ok, report.events) == (True, total)
    assert head is not None and (head.seq, head.last_hash) == (total, rows[-1].hash)


def test_no_update_or_delete_path_in_code() -> None:
    """LOG-2's static check: no statement in the application updates or deletes audit records."""
    root = Path(hawiya.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        if re.search(r"(UPDATE|DELETE\s+FROM)\s+audit_event", source, re.IGNORECASE):
            offenders.append(f"{path}: raw SQL")
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name | ast.Attribute)
                and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
                in ("update", "sa_update", "delete")
                and any(
                    isinstance(arg, ast.Name) and arg.id in ("AuditEvent", "AuditChainHead")
                    for arg in node.args
                )
            ):
                offenders.append(f"{path}:{node.lineno}")
    assert offenders == []
