"""`hawiya tenant create|list|show|settings`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from hawiya.cli.common import emit, open_env, read_password, run
from hawiya.db.session import session_scope
from hawiya.models import Tenant
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import SettingError, parse_assignment

app = typer.Typer(help="Tenants.", no_args_is_help=True)


def tenant_dict(tenant: Tenant) -> dict[str, Any]:
    return {
        "tenantId": str(tenant.id),
        "tenancyName": tenant.tenancy_name,
        "isSandbox": tenant.is_sandbox,
        "isActive": tenant.is_active,
        "createdAt": tenant.created_at,
    }


@app.command("create")
def create(
    name: str,
    admin_email: str = typer.Option(..., "--admin-email"),
    admin_password: str | None = typer.Option(
        None, "--admin-password", help="or HAWIYA_ADMIN_PASSWORD"
    ),
    sandbox: bool = typer.Option(
        False, "--sandbox", help="integration-testing tenant: OTPs echoed back"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Create a tenant with its first administrator and API key (the key is shown once)."""
    password = read_password(admin_password)

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            created = await tenant_service.create_tenant(
                session,
                env.auth,
                name=name,
                admin_email=admin_email,
                admin_password=password,
                sandbox=sandbox,
            )
            return {
                **tenant_dict(created.tenant),
                "apiKey": created.api_key,
                "adminEmail": created.admin.email,
                "adminUserName": created.admin.user_name,
            }

    emit(run(body), as_json, lambda v: [f"{k}: {v[k]}" for k in v])


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            return [tenant_dict(t) for t in await tenant_service.list_tenants(session)]

    emit(
        run(body),
        as_json,
        lambda rows: [
            f"{r['tenancyName']:<24} {r['tenantId']} {'sandbox' if r['isSandbox'] else ''}"
            for r in rows
        ],
    )


@app.command("show")
def show(name: str, as_json: bool = typer.Option(False, "--json")) -> None:
    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            tenant = await tenant_service.get_tenant(session, name)
            return {**tenant_dict(tenant), "settings": tenant.settings}

    emit(run(body), as_json)


@app.command("settings")
def settings_(
    name: str,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="key=value (JSON allowed)")
    ] = None,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show the tenant's settings, or change them with --set key=value."""
    try:
        changes = dict(parse_assignment(a) for a in assignments or [])
    except SettingError as exc:
        raise typer.BadParameter(str(exc)) from None

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            tenant = await tenant_service.get_tenant(session, name)
            if not changes:
                return dict(tenant.settings)
            return await tenant_service.update_settings(session, tenant, changes)

    emit(run(body), as_json)
