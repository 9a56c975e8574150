"""`hawiya apikey create|list|revoke|rotate`."""

from __future__ import annotations

from typing import Any

import typer

from hawiya.audit.service import CLI
from hawiya.auth import service as auth_service
from hawiya.cli.common import emit, open_env, run
from hawiya.db.session import session_scope
from hawiya.kit.ids import parse_uuid
from hawiya.models import ApiKey
from hawiya.tenants import service as tenant_service

app = typer.Typer(help="Tenant API keys.", no_args_is_help=True)


def key_dict(row: ApiKey) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "prefix": row.prefix,
        "createdAt": row.created_at,
        "revokedAt": row.revoked_at,
        "expiresAt": row.expires_at,
    }


@app.command("create")
def create(
    tenant: str,
    name: str = typer.Option("default", "--name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Issue a new key; it is printed once and stored only as a hash."""

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            key, plain = await auth_service.create_api_key(session, row.id, name=name, actor=CLI)
            return {**key_dict(key), "apiKey": plain}

    emit(run(body), as_json, lambda v: [f"{k}: {v[k]}" for k in v])


@app.command("list")
def list_(tenant: str, as_json: bool = typer.Option(False, "--json")) -> None:
    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            row = await tenant_service.get_tenant(session, tenant)
            keys, _ = await auth_service.list_api_keys(session, row.id)
            return [key_dict(k) for k in keys]

    emit(
        run(body),
        as_json,
        lambda rows: [
            f"{r['id']} {r['prefix']}… {r['name']:<16} {'revoked' if r['revokedAt'] else 'active'}"
            for r in rows
        ],
    )


@app.command("revoke")
def revoke(tenant: str, key_id: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Revoke a key; the next request with it is refused."""

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            return key_dict(
                await auth_service.revoke_api_key(session, row.id, parse_uuid(key_id), actor=CLI)
            )

    emit(run(body), as_json)


@app.command("rotate")
def rotate(
    tenant: str,
    key_id: str,
    grace_seconds: int = typer.Option(0, "--grace-seconds", min=0),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Replace a key: the new one is printed once; the old one stops now or after the grace
    period."""

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            key, plain = await auth_service.rotate_api_key(
                session, row.id, parse_uuid(key_id), grace_seconds=grace_seconds, actor=CLI
            )
            return {**key_dict(key), "apiKey": plain}

    emit(run(body), as_json, lambda v: [f"{k}: {v[k]}" for k in v])
