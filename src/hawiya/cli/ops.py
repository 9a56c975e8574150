"""`hawiya jwt rotate-key`, `hawiya audit verify`, `hawiya jobs list|retry`."""

from __future__ import annotations

from typing import Any

import typer

from hawiya.audit import service as audit
from hawiya.auth.keyring import rotate_key
from hawiya.cli.common import emit, fail, open_env, run
from hawiya.db.session import session_scope
from hawiya.jobs.repository import JobRepository
from hawiya.kit.ids import parse_uuid
from hawiya.models import Job

jwt_app = typer.Typer(help="JWT signing keys.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)


@jwt_app.command("rotate-key")
def rotate(as_json: bool = typer.Option(False, "--json")) -> None:
    """New signing key for new tokens; old keys keep verifying until their tokens have expired."""

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            new, dropped = await rotate_key(
                session, env.auth.seal_key, env.auth.key_retention_seconds
            )
            await audit.record(
                session,
                audit.AuditAction.SIGNING_KEY_ROTATED,
                tenant_id=None,
                actor=audit.CLI,
                target=f"signing_key:{new.kid}",
                details={"dropped": dropped},
            )
            return {"kid": new.kid, "dropped": dropped}

    emit(
        run(body),
        as_json,
        lambda v: [f"active key: {v['kid']}", f"dropped expired keys: {v['dropped']}"],
    )


@audit_app.command("verify")
def verify(
    tenant: str | None = typer.Option(None, "--tenant", help="only this tenant's chain"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Recompute every chain; exit 1 and name the first broken link if any record was altered."""

    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            chain = None
            if tenant:
                from hawiya.tenants import service as tenant_service

                chain = audit.chain_for((await tenant_service.get_tenant(session, tenant)).id)
            reports = await audit.verify_all(session, chain)
            return [
                {
                    "chain": r.chain,
                    "events": r.events,
                    "ok": r.ok,
                    "brokenSeq": r.broken_seq,
                    "brokenId": r.broken_id,
                    "reason": r.reason,
                }
                for r in reports
            ]

    reports = run(body)
    emit(
        reports,
        as_json,
        lambda rows: [
            f"{r['chain']}: {r['events']} events, "
            + (
                "ok"
                if r["ok"]
                else f"BROKEN at seq {r['brokenSeq']} (id {r['brokenId']}): {r['reason']}"
            )
            for r in rows
        ],
    )
    if not all(r["ok"] for r in reports):
        raise typer.Exit(1)


def job_dict(job: Job) -> dict[str, Any]:
    return {
        "id": str(job.id),
        "name": job.name,
        "status": job.status,
        "attempts": job.attempts,
        "maxAttempts": job.max_attempts,
        "runAt": job.run_at,
        "lastError": job.last_error,
        "tenantId": str(job.tenant_id) if job.tenant_id else None,
        "createdAt": job.created_at,
    }


@jobs_app.command("list")
def list_jobs(
    status: str | None = typer.Option(None, "--status", help="pending|running|done|dead"),
    limit: int = typer.Option(100, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            return [job_dict(j) for j in await JobRepository(session).by_status(status, limit)]

    emit(
        run(body),
        as_json,
        lambda rows: [
            f"{r['id']} {r['status']:<8} {r['attempts']}/{r['maxAttempts']} {r['name']} "
            f"{r['lastError'] or ''}"
            for r in rows
        ],
    )


@jobs_app.command("retry")
def retry(job_id: str) -> None:
    """Put a dead job back in the queue with a fresh attempt budget."""

    async def body() -> None:
        from hawiya.kit.clock import utcnow

        async with open_env() as env, session_scope(env.db.writer) as session:
            job = await JobRepository(session).get(parse_uuid(job_id))
            if job is None or job.status != "dead":
                fail("no dead job with that id")
                return
            job.status, job.attempts, job.run_at, job.finished_at = "pending", 0, utcnow(), None

    run(body)
    typer.echo("queued")
