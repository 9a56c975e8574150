"""`hawiya tenant create|list|show|settings|oauth`."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from hawiya.cli.common import emit, fail, open_env, read_password, run
from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.models import Tenant
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import SettingError, effective, parse_assignment

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


class OAuthProviderName(StrEnum):
    GOOGLE = "Google"
    MICROSOFT = "Microsoft"


@app.command("oauth")
def oauth(
    name: str,
    provider: Annotated[
        OAuthProviderName, typer.Option("--provider", case_sensitive=False, show_default=False)
    ],
    client_id: Annotated[
        str | None, typer.Option("--client-id", help="the OAuth client id tokens are issued to")
    ] = None,
    jwks_url: Annotated[
        str | None, typer.Option("--jwks-url", help="key set URL instead of the provider's")
    ] = None,
    issuer: Annotated[
        str | None, typer.Option("--issuer", help="exact issuer instead of the provider's")
    ] = None,
    allowed_tenants: Annotated[
        list[str] | None,
        typer.Option("--allowed-tenant", help="Microsoft tenant id allowed to sign in (repeat)"),
    ] = None,
    remove: Annotated[
        bool, typer.Option("--remove", help="remove this provider's configuration")
    ] = False,
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Configure (or --remove) the tenant's OAuth client for Google or Microsoft ID tokens."""
    if remove and (client_id or jwks_url or issuer or allowed_tenants):
        fail("--remove takes no --client-id, --jwks-url, --issuer or --allowed-tenant", code=2)
    if not remove and not client_id:
        fail("--client-id is required (or pass --remove)", code=2)
    key = provider.value

    async def body() -> dict[str, Any]:
        async with open_env() as env, session_scope(env.db.writer) as session:
            tenant = await tenant_service.get_tenant(session, name)
            configured: dict[str, dict[str, Any]] = {
                p: entry.model_dump()
                for p, entry in effective(tenant.settings).oauthProviders.items()
            }
            if remove:
                if configured.pop(key, None) is None:
                    raise ApiError(
                        ErrorCode.NOT_FOUND, f"tenant {name!r} has no {key} OAuth client"
                    )
            else:
                configured[key] = {
                    "clientId": client_id,
                    "jwksUrl": jwks_url,
                    "issuer": issuer,
                    "allowedTenants": list(allowed_tenants or []),
                }
            after = await tenant_service.update_settings(
                session, tenant, {"oauthProviders": configured}
            )
            return {"tenancyName": tenant.tenancy_name, "oauthProviders": after["oauthProviders"]}

    emit(run(body), as_json, _oauth_lines)


def _oauth_lines(value: dict[str, Any]) -> list[str]:
    providers: dict[str, dict[str, Any]] = value["oauthProviders"]
    if not providers:
        return [f"{value['tenancyName']}: no OAuth providers"]
    lines = []
    for provider, entry in providers.items():
        extras = [f"{k}={entry[k]}" for k in ("jwksUrl", "issuer") if entry.get(k)]
        if entry.get("allowedTenants"):
            extras.append("allowedTenants=" + ",".join(entry["allowedTenants"]))
        lines.append(" ".join([f"{provider}: clientId={entry['clientId']}", *extras]))
    return lines
