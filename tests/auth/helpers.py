"""Shared helpers for the credential tests: endpoints, derived apps, raw requests and DB reads."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.app import create_app
from hawiya.config import AuthSettings, Settings
from hawiya.db.session import session_scope
from hawiya.models import AdminUser, AuditEvent
from tests.fixtures.factories import TenantFixture

LOGIN = "/api/credentials/Login"
REFRESH = "/api/credentials/RefreshToken"
SESSION = "/api/hawiya/Session/Current"
CHANGE_PASSWORD = "/api/hawiya/Account/ChangePassword"
API_KEYS = "/api/hawiya/ApiKeys"

HAWIYA = Path(sys.executable).with_name("hawiya")


def derived_settings(settings: Settings, **auth_changes: Any) -> Settings:
    """The session settings (same database, same master secret) with other AuthSettings values.
    Validated, so a change below a configured floor fails loudly."""
    auth = AuthSettings(**{**settings.auth.model_dump(), **auth_changes})
    return settings.model_copy(update={"auth": auth})


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[FastAPI]:
    """A second app instance with its own lifespan (engine, keyring, hasher)."""
    application = create_app(settings, run_worker=False)
    async with application.router.lifespan_context(application):
        yield application


def unique_address() -> str:
    """A client address no other test uses, so per-address buckets start empty."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


async def login_response(
    client: httpx.AsyncClient, tenant: TenantFixture, **overrides: Any
) -> httpx.Response:
    body = {
        "tenancyName": tenant.name,
        "userNameOrEmailAddress": tenant.admin_email,
        "password": tenant.admin_password,
        **overrides,
    }
    return await client.post(LOGIN, json=body, headers=tenant.headers(TenancyName=tenant.name))


async def login_ok(client: httpx.AsyncClient, tenant: TenantFixture, **overrides: Any) -> Any:
    response = await login_response(client, tenant, **overrides)
    body = response.json()
    assert response.status_code == 200 and body["error_code"] is None, body
    return body["data"]


async def refresh(client: httpx.AsyncClient, tenant: TenantFixture, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refreshToken": token}, headers=tenant.headers())


async def current_session(
    client: httpx.AsyncClient, tenant: TenantFixture, token: str
) -> httpx.Response:
    return await client.get(SESSION, headers=tenant.headers(token))


def claims(token: str) -> dict[str, Any]:
    decoded: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return decoded


def header(token: str) -> dict[str, Any]:
    return dict(jwt.get_unverified_header(token))


async def audit_actions(app: FastAPI, tenant: TenantFixture) -> list[str]:
    async with session_scope(app.state.db.reader) as session:
        rows = await session.execute(
            select(AuditEvent.action)
            .where(AuditEvent.tenant_id == uuid.UUID(tenant.id))
            .order_by(AuditEvent.seq)
        )
        return [str(action) for action in rows.scalars()]


async def stored_password_hash(app: FastAPI, tenant: TenantFixture) -> str:
    async with session_scope(app.state.db.reader) as session:
        value = await session.scalar(
            select(AdminUser.password_hash).where(AdminUser.tenant_id == uuid.UUID(tenant.id))
        )
    assert value is not None
    return str(value)


def cli_env(**values: str) -> dict[str, str]:
    """The test process environment without any HAWIYA_* variable, plus the given ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HAWIYA_")}
    env.update(values)
    return env


def run_cli(
    *args: str, env: Mapping[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HAWIYA), *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
