"""`hawiya admin create|set-password`."""

from __future__ import annotations

from typing import Any

import typer

from hawiya.audit.service import CLI
from hawiya.auth import service as auth_service
from hawiya.cli.common import emit, open_env, read_password, run
from hawiya.db.session import session_scope
from hawiya.tenants import service as tenant_service

app = typer.Typer(help="Tenant administrators.", no_args_is_help=True)


@app.command("create")
def create(
    tenant: str,
    email: str = typer.Option(..., "--email"),
    password: str | None = typer.Option(None, "--password", help="or HAWIYA_ADMIN_PASSWORD"),
    user_name: str | None = typer.Option(None, "--user-name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    secret = read_password(password)

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            admin = await auth_service.create_admin(
                session, env.auth, row, email=email, password=secret, user_name=user_name, actor=CLI
            )
            return {"id": str(admin.id), "email": admin.email, "userName": admin.user_name}

    emit(run(body), as_json)


@app.command("set-password")
def set_password(
    tenant: str,
    login: str,
    password: str | None = typer.Option(None, "--password", help="or HAWIYA_ADMIN_PASSWORD"),
) -> None:
    """Set a new password; signs the administrator out everywhere and lifts a login lock."""
    secret = read_password(password)

    async def body() -> None:
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            admin = await auth_service.find_admin(session, row.id, login)
            await auth_service.set_password(session, env.auth, row, admin, secret, actor=CLI)

    run(body)
    typer.echo("password changed; existing sessions were signed out")
