"""`hawiya tenant oauth NAME --provider Google|Microsoft --client-id ID [--jwks-url URL]
[--issuer ISS] [--allowed-tenant TID ...] [--remove] [--json]`, run as a real subprocess on the
session database; the stored settings and the audit trail are read back in-process."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from hawiya.config import Settings
from hawiya.db.session import session_scope
from hawiya.models import AuditEvent
from hawiya.providers.oidc import OAuthClient
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import oauth_clients
from tests.fixtures.cli import cli_for
from tests.fixtures.factories import create_tenant

TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
GOOGLE = {
    "clientId": "X",
    "jwksUrl": "http://127.0.0.1:1/k",
    "issuer": None,
    "allowedTenants": [],
}
MICROSOFT = {
    "clientId": "ms-client",
    "jwksUrl": None,
    "issuer": None,
    "allowedTenants": [TID],
}


async def settings_changes(app: FastAPI, tenant_id: str) -> list[dict[str, Any]]:
    async with session_scope(app.state.db.reader) as session:
        rows = await session.execute(
            select(AuditEvent.details, AuditEvent.actor_kind)
            .where(AuditEvent.action == "tenant.settings_changed")
            .where(AuditEvent.target == f"tenant:{tenant_id}")
            .order_by(AuditEvent.seq)
        )
        return [{"actor": actor, **details} for details, actor in rows.all()]


async def test_tenant_oauth_stores_shows_and_audits(app: FastAPI, settings: Settings) -> None:
    tenant = await create_tenant(app)
    cli = cli_for(settings)
    set_google = (
        "tenant", "oauth", tenant.name, "--provider", "Google", "--client-id", "X",
        "--jwks-url", "http://127.0.0.1:1/k", "--json",
    )  # fmt: skip
    result = cli.run(*set_google)
    assert len(result.stdout.strip().splitlines()) == 1  # one JSON object on one line
    assert json.loads(result.stdout) == {
        "tenancyName": tenant.name,
        "oauthProviders": {"Google": GOOGLE},
    }
    shown = cli.json("tenant", "show", tenant.name, "--json")
    assert shown["settings"]["oauthProviders"] == {"Google": GOOGLE}
    assert shown["settings"]["defaultLanguage"] == "ar"  # the other settings are untouched

    # Microsoft next to it; the provider name is case-insensitive on the command line and the
    # tenant id is normalized.
    both = cli.json(
        "tenant", "oauth", tenant.name, "--provider", "microsoft", "--client-id", "ms-client",
        "--allowed-tenant", TID.upper(), "--json",
    )  # fmt: skip
    assert both["oauthProviders"] == {"Google": GOOGLE, "Microsoft": MICROSOFT}

    async with session_scope(app.state.db.reader) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        assert oauth_clients(row.settings) == {
            "Google": OAuthClient("Google", "X", jwks_url="http://127.0.0.1:1/k"),
            "Microsoft": OAuthClient("Microsoft", "ms-client", allowed_tenants=(TID,)),
        }

    removed = cli.json("tenant", "oauth", tenant.name, "--provider", "Google", "--remove", "--json")
    assert removed["oauthProviders"] == {"Microsoft": MICROSOFT}
    async with session_scope(app.state.db.reader) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        assert row.settings["oauthProviders"] == {"Microsoft": MICROSOFT}

    # Every change went through update_settings: validated, and one audit event each.
    changes = await settings_changes(app, tenant.id)
    assert [c["actor"] for c in changes] == ["cli"] * 3
    first, add_microsoft, remove_google = (c["changed"] for c in changes)
    assert first == {"oauthProviders": {"from": None, "to": {"Google": GOOGLE}}}
    assert add_microsoft["oauthProviders"]["to"] == {"Google": GOOGLE, "Microsoft": MICROSOFT}
    assert remove_google == {
        "oauthProviders": {
            "from": {"Google": GOOGLE, "Microsoft": MICROSOFT},
            "to": {"Microsoft": MICROSOFT},
        }
    }


async def test_tenant_oauth_refusals(app: FastAPI, settings: Settings) -> None:
    tenant = await create_tenant(app)
    cli = cli_for(settings)
    name = tenant.name
    bad_provider, no_client_id, remove_and_set, not_configured, plain_http, google_tenants = (
        cli.run_many(
            ("tenant", "oauth", name, "--provider", "Facebook", "--client-id", "X", "--json"),
            ("tenant", "oauth", name, "--provider", "Google", "--json"),
            ("tenant", "oauth", name, "--provider", "Google", "--remove", "--client-id", "X"),
            ("tenant", "oauth", name, "--provider", "Microsoft", "--remove", "--json"),
            ("tenant", "oauth", name, "--provider", "Google", "--client-id", "X",
             "--jwks-url", "http://keys.example/certs", "--json"),
            ("tenant", "oauth", name, "--provider", "Google", "--client-id", "X",
             "--allowed-tenant", TID, "--json"),
        )
    )  # fmt: skip
    assert bad_provider.returncode == 2 and "Facebook" in bad_provider.stderr
    assert no_client_id.returncode == 2 and "--client-id is required" in no_client_id.stderr
    assert remove_and_set.returncode == 2 and "--remove takes no" in remove_and_set.stderr
    assert not_configured.returncode == 1 and "no Microsoft OAuth client" in not_configured.stderr
    assert plain_http.returncode == 1 and "jwksUrl must use https" in plain_http.stderr
    assert google_tenants.returncode == 1 and "Microsoft only" in google_tenants.stderr
    for result in (bad_provider, no_client_id, remove_and_set, not_configured, plain_http,
                   google_tenants):  # fmt: skip
        assert result.stdout == "" and "Traceback" not in result.stderr

    # Nothing was stored and nothing audited.
    async with session_scope(app.state.db.reader) as session:
        row = await tenant_service.get_tenant(session, name)
        assert "oauthProviders" not in row.settings
    assert await settings_changes(app, tenant.id) == []
