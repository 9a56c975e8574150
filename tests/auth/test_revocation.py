"""TOK-4: a password change (own, by CLI, by the service) ends every live session at once."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from hawiya.audit.service import CLI
from hawiya.auth import service as auth_service
from hawiya.config import Settings
from hawiya.db.session import session_scope
from hawiya.tenants import service as tenant_service
from tests.auth.helpers import (
    CHANGE_PASSWORD,
    HAWIYA,
    audit_actions,
    cli_env,
    current_session,
    login_ok,
    login_response,
    refresh,
    run_cli,
)
from tests.fixtures.factories import TenantFixture, create_tenant

NEW_PASSWORD = "Entirely-Fresh-Passphrase-9170"


async def two_sessions(client: httpx.AsyncClient, tenant: TenantFixture) -> list[dict[str, str]]:
    sessions = [await login_ok(client, tenant), await login_ok(client, tenant)]
    for data in sessions:
        assert (await current_session(client, tenant, data["accessToken"])).status_code == 200
    return sessions


async def assert_signed_out(
    client: httpx.AsyncClient, tenant: TenantFixture, sessions: list[dict[str, str]]
) -> None:
    for data in sessions:
        response = await current_session(client, tenant, data["accessToken"])
        assert response.status_code == 401 and response.json()["error_code"] == 1106
        again = await refresh(client, tenant, data["refreshToken"])
        assert again.status_code == 401 and again.json()["error_code"] == 1112
    old = await login_response(client, tenant)
    assert old.status_code == 401 and old.json()["error_code"] == 1110
    fresh = await login_ok(client, tenant, password=NEW_PASSWORD)
    assert (await current_session(client, tenant, fresh["accessToken"])).status_code == 200


async def test_change_password_endpoint_refuses_live_tokens_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    sessions = await two_sessions(client, tenant)
    response = await client.post(
        CHANGE_PASSWORD,
        json={"currentPassword": tenant.admin_password, "newPassword": NEW_PASSWORD},
        headers=tenant.headers(sessions[0]["accessToken"]),
    )
    assert response.status_code == 200 and response.json()["data"] is True
    await assert_signed_out(client, tenant, sessions)
    assert "auth.password_changed" in await audit_actions(app, tenant)


async def test_change_password_with_a_wrong_current_password_changes_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    sessions = await two_sessions(client, tenant)
    response = await client.post(
        CHANGE_PASSWORD,
        json={"currentPassword": "not-the-current-one", "newPassword": NEW_PASSWORD},
        headers=tenant.headers(sessions[0]["accessToken"]),
    )
    assert response.status_code == 401 and response.json()["error_code"] == 1110
    for data in sessions:
        assert (await current_session(client, tenant, data["accessToken"])).status_code == 200


async def test_service_set_password_refuses_live_tokens_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    sessions = await two_sessions(client, tenant)
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        admin = await auth_service.find_admin(session, row.id, tenant.admin_email)
        await auth_service.set_password(
            session, app.state.auth, row, admin, NEW_PASSWORD, actor=CLI
        )
    await assert_signed_out(client, tenant, sessions)


async def test_cli_set_password_refuses_live_tokens_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    assert HAWIYA.exists(), HAWIYA
    tenant = await create_tenant(app)
    sessions = await two_sessions(client, tenant)
    assert settings.secret_key is not None
    env = cli_env(
        HAWIYA_DATA_DIR=str(tmp_path),
        HAWIYA_DATABASE__URL=database_url,
        HAWIYA_SECRET_KEY=settings.secret_key.get_secret_value(),
        HAWIYA_ADMIN_PASSWORD=NEW_PASSWORD,
        HAWIYA_LOG_JSON="false",
    )
    done = run_cli("admin", "set-password", tenant.name, tenant.admin_email, env=env)
    assert done.returncode == 0, done.stderr
    assert "signed out" in done.stdout
    await assert_signed_out(client, tenant, sessions)
