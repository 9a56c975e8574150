"""`hawiya apikey create|list|revoke|rotate`, `hawiya admin create|set-password`,
`hawiya jwt rotate-key` and `hawiya demo`, run as real subprocesses; their effect is checked over
HTTP against an app on the same database."""

from __future__ import annotations

import json
import stat

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.db.session import session_scope
from hawiya.models import AuditEvent, SigningKey
from tests.fixtures.cli import Cli
from tests.fixtures.factories import TenantFixture, create_tenant, login, unique_name

NEW_PASSWORD = "Quartz-Lantern-Meadow-Violin-58"
NEWER_PASSWORD = "Harbor-Juniper-Saffron-Piano-31"


async def key_status(http: httpx.AsyncClient, tenant: TenantFixture, key: str) -> int | None:
    """error_code of a login made with this ApiKey (None: the key was accepted)."""
    probe = TenantFixture(tenant.name, tenant.id, key, tenant.admin_email, tenant.admin_password)
    code: int | None = (await login(http, probe))["error_code"]
    return code


async def test_apikey_create_list_revoke_rotate(
    cli: Cli, cli_app: FastAPI, cli_client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(cli_app)
    extra = cli.json("apikey", "create", tenant.name, "--name", "extra", "--json")
    assert extra["name"] == "extra" and extra["apiKey"].startswith("hwk_")
    assert extra["apiKey"].startswith(extra["prefix"]) and extra["revokedAt"] is None
    assert await key_status(cli_client, tenant, extra["apiKey"]) is None

    listed = cli.json("apikey", "list", tenant.name, "--json")
    assert [(k["name"], k["revokedAt"]) for k in listed] == [("default", None), ("extra", None)]
    assert all("apiKey" not in k for k in listed)  # a key is printed once, at creation
    default_id = listed[0]["id"]

    revoked = cli.json("apikey", "revoke", tenant.name, extra["id"], "--json")
    assert revoked["id"] == extra["id"] and revoked["revokedAt"] is not None
    assert await key_status(cli_client, tenant, extra["apiKey"]) == 1102

    rotated = cli.json(
        "apikey", "rotate", tenant.name, default_id, "--grace-seconds", "3600", "--json"
    )
    assert rotated["name"] == "default" and rotated["id"] != default_id
    assert await key_status(cli_client, tenant, rotated["apiKey"]) is None
    # With a grace period the old key keeps working until it expires.
    assert await key_status(cli_client, tenant, tenant.api_key) is None

    after = {k["id"]: k for k in cli.json("apikey", "list", tenant.name, "--json")}
    assert set(after) == {default_id, extra["id"], rotated["id"]}
    assert after[default_id]["expiresAt"] is not None and after[default_id]["revokedAt"] is None
    assert after[extra["id"]]["revokedAt"] is not None

    # A revoked key cannot be rotated, and an immediate rotation stops the old key at once.
    gone, immediate = cli.run_many(
        ("apikey", "rotate", tenant.name, extra["id"], "--json"),
        ("apikey", "rotate", tenant.name, rotated["id"], "--json"),
    )
    assert gone.returncode == 1 and "not found" in gone.stderr
    assert immediate.returncode == 0, immediate.stderr
    assert await key_status(cli_client, tenant, rotated["apiKey"]) == 1102
    assert await key_status(cli_client, tenant, json.loads(immediate.stdout)["apiKey"]) is None


async def test_admin_create_and_set_password(
    cli: Cli, cli_app: FastAPI, cli_client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(cli_app)
    email = f"second@{tenant.name}.test"
    created = cli.json(
        "admin", "create", tenant.name, "--email", email, "--password", NEW_PASSWORD, "--json"
    )
    assert created["email"] == email and created["userName"] == email and created["id"]
    second = TenantFixture(tenant.name, tenant.id, tenant.api_key, email, NEW_PASSWORD)
    first_login = await login(cli_client, second)
    assert first_login["error_code"] is None, first_login
    old_token = first_login["data"]["accessToken"]

    changed, weak = cli.run_many(
        ("admin", "set-password", tenant.name, email, "--password", NEWER_PASSWORD),
        ("admin", "set-password", tenant.name, tenant.admin_email, "--password", "short"),
    )
    assert changed.returncode == 0 and "password changed" in changed.stdout
    assert weak.returncode == 1 and "at least 15 characters" in weak.stderr

    assert (await login(cli_client, second))["error_code"] == 1110
    newer = TenantFixture(tenant.name, tenant.id, tenant.api_key, email, NEWER_PASSWORD)
    assert (await login(cli_client, newer))["error_code"] is None
    # Setting a password signs the administrator out everywhere.
    session = await cli_client.get("/api/hawiya/Session/Current", headers=tenant.headers(old_token))
    assert session.status_code == 401
    # The refused weak password changed nothing for the first administrator.
    assert (await login(cli_client, tenant))["error_code"] is None


async def active_kids(app: FastAPI) -> list[str]:
    async with session_scope(app.state.db.reader) as session:
        query = select(SigningKey.kid).where(SigningKey.retired_at.is_(None))
        return list((await session.execute(query)).scalars())


async def test_jwt_rotate_key_prints_a_new_kid(cli: Cli, cli_app: FastAPI) -> None:
    [before] = await active_kids(cli_app)
    first = cli.json("jwt", "rotate-key", "--json")
    assert first["kid"] != before and isinstance(first["dropped"], list)
    assert await active_kids(cli_app) == [first["kid"]]
    second = cli.run("jwt", "rotate-key")
    assert second.stdout.startswith("active key: ")
    kid = second.stdout.splitlines()[0].removeprefix("active key: ")
    assert kid not in (before, first["kid"])
    assert await active_kids(cli_app) == [kid]
    async with session_scope(cli_app.state.db.reader) as session:
        retired = await session.get(SigningKey, before)
        targets = (
            await session.execute(
                select(AuditEvent.target).where(AuditEvent.action == "platform.signing_key_rotated")
            )
        ).scalars()
        assert retired is not None and retired.retired_at is not None
        assert {f"signing_key:{first['kid']}", f"signing_key:{kid}"} <= set(targets)


async def test_demo_is_idempotent(cli: Cli, cli_client: httpx.AsyncClient) -> None:
    name = unique_name("demo")
    demo_cli = Cli(cli.database_url, cli.data_dir / name, cli.secret_key)
    first = demo_cli.run("demo", "--tenant", name)
    second = demo_cli.run("demo", "--tenant", name)
    assert first.stdout == second.stdout
    lines = {
        key.strip(): value.strip()
        for key, _, value in (line.partition(" : ") for line in first.stdout.splitlines())
        if value
    }
    assert lines["TenancyName"] == name and lines["ApiKey"].startswith("hwk_")
    assert lines["Admin login"] == f"admin@{name}.example" and lines["Password"]

    store = demo_cli.data_dir / "demo-credentials.json"
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    saved = json.loads(store.read_text())
    assert (saved["apiKey"], saved["adminPassword"]) == (lines["ApiKey"], lines["Password"])

    listed = [t for t in cli.json("tenant", "list", "--json") if t["tenancyName"] == name]
    assert len(listed) == 1  # the second run created nothing
    demo = TenantFixture(
        name, listed[0]["tenantId"], lines["ApiKey"], saved["adminLogin"], saved["adminPassword"]
    )
    assert (await login(cli_client, demo))["error_code"] is None
