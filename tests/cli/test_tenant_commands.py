"""`hawiya db upgrade` and `hawiya tenant create|list|show|settings`, run as real subprocesses.

The forms are a fixed contract: `tenant create NAME --admin-email E --admin-password P [--sandbox]
--json` prints one JSON object with at least tenancyName, tenantId and apiKey."""

from __future__ import annotations

import json
import subprocess
import uuid

import httpx
from alembic.script import ScriptDirectory
from fastapi import FastAPI
from sqlalchemy import text

from hawiya.db.migrate import alembic_config
from hawiya.db.session import session_scope
from tests.fixtures.cli import Cli
from tests.fixtures.factories import PASSWORD, TenantFixture, login, unique_name

DEFAULT_SETTINGS = {
    "isEmailConfirmationRequired": False,
    "isPhoneNumberConfirmationRequired": True,
    "autoApproveBusinessRequests": False,
    "requireAuthorityChecks": False,
    "locationThresholdKm": 80.0,
    "defaultLanguage": "ar",
    "allowedPhoneRegions": ["EG"],
    "defaultSmsGateway": "console",
    "smsGateways": {},
    "emailSender": {"kind": "console"},
    "loginCodeChannel": "sms",
    "passwordResetUrl": None,
    "faceMatchThreshold": 0.6,
    "imageRetentionDays": 30,
    "recordRetentionDays": 1825,
    **dict.fromkeys(
        (
            "otpSmsTtlSeconds",
            "otpEmailTtlSeconds",
            "otpMaxAttempts",
            "otpLockAfterFailures",
            "otpLockSeconds",
            "otpResendCooldownSeconds",
            "otpSendsPerHour",
            "otpSendsPerDay",
            "otpSendsPerAddressPerHour",
            "otpSendsPerTenantPerDay",
        )
    ),
}


def create(cli: Cli, name: str, *extra: str) -> dict[str, object]:
    created: dict[str, object] = cli.json(
        "tenant", "create", name, "--admin-email", f"owner@{name}.test",
        "--admin-password", PASSWORD, *extra, "--json",
    )  # fmt: skip
    return created


async def test_db_upgrade_honours_database_url(cli: Cli, cli_app: FastAPI) -> None:
    # The cli fixture ran `hawiya db upgrade` with HAWIYA_DATABASE__URL: that database is at head
    # and the default <data_dir>/hawiya.db was never created.
    assert not (cli.data_dir / "hawiya.db").exists()
    async with session_scope(cli_app.state.db.reader) as session:
        version = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert version == head


async def test_tenant_create_prints_contract_and_key_works(
    cli: Cli, cli_client: httpx.AsyncClient
) -> None:
    name = unique_name("cli")
    result = cli.run(
        "tenant", "create", name, "--admin-email", f"owner@{name}.test",
        "--admin-password", PASSWORD, "--json",
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1  # exactly one JSON object, on one line
    created = json.loads(lines[0])
    assert {"tenancyName", "tenantId", "apiKey"} <= set(created)
    assert created["tenancyName"] == name and created["isSandbox"] is False
    assert str(uuid.UUID(created["tenantId"])) == created["tenantId"]
    assert created["apiKey"].startswith("hwk_")

    tenant = TenantFixture(
        name, created["tenantId"], created["apiKey"], f"owner@{name}.test", PASSWORD
    )
    tokens = await login(cli_client, tenant)
    assert tokens["error_code"] is None, tokens
    current = await cli_client.get(
        "/api/hawiya/Session/Current", headers=tenant.headers(tokens["data"]["accessToken"])
    )
    assert current.json()["data"]["tenant"]["id"] == created["tenantId"]

    taken = create_fails(cli, name)
    assert taken.returncode == 1 and "already taken" in taken.stderr
    assert "Traceback" not in taken.stderr


def create_fails(cli: Cli, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli.run(
        "tenant", "create", name, "--admin-email", f"other@{name}.test",
        "--admin-password", PASSWORD, *extra, "--json", check=False,
    )  # fmt: skip


def test_tenant_create_refuses_missing_or_weak_password(cli: Cli) -> None:
    name = unique_name("cli")
    missing, weak = cli.run_many(
        ("tenant", "create", name, "--admin-email", f"o@{name}.test"),
        ("tenant", "create", name, "--admin-email", f"o@{name}.test",
         "--admin-password", "short", "--json"),
    )  # fmt: skip
    assert missing.returncode == 2 and "admin password is required" in missing.stderr
    assert weak.returncode == 1 and "at least 15 characters" in weak.stderr
    assert weak.stdout == "" and missing.stdout == ""
    listed = cli.json("tenant", "list", "--json")
    assert name not in [t["tenancyName"] for t in listed]  # nothing half-created


def test_tenant_list_and_show(cli: Cli) -> None:
    name = unique_name("cli")
    created = create(cli, name, "--sandbox")
    assert created["isSandbox"] is True

    listed = cli.json("tenant", "list", "--json")
    assert isinstance(listed, list)
    mine = [t for t in listed if t["tenancyName"] == name]
    assert len(mine) == 1
    assert mine[0]["tenantId"] == created["tenantId"] and mine[0]["isSandbox"] is True
    assert "apiKey" not in mine[0]  # keys are shown once, at creation

    shown = cli.json("tenant", "show", name, "--json")
    assert shown["tenantId"] == created["tenantId"] and shown["isActive"] is True
    assert shown["settings"] == DEFAULT_SETTINGS

    unknown = cli.run("tenant", "show", unique_name("nobody"), "--json", check=False)
    assert unknown.returncode == 1 and "no tenant named" in unknown.stderr


def test_tenant_settings_change_and_refusals(cli: Cli) -> None:
    name = unique_name("cli")
    create(cli, name)
    changed = cli.json(
        "tenant", "settings", name, "--set", "isEmailConfirmationRequired=true", "--json"
    )
    expected = {**DEFAULT_SETTINGS, "isEmailConfirmationRequired": True}
    assert changed == expected
    assert cli.json("tenant", "show", name, "--json")["settings"] == expected

    unknown, wrong_type, malformed = cli.run_many(
        ("tenant", "settings", name, "--set", "colour=blue", "--json"),
        ("tenant", "settings", name,
         "--set", "defaultLanguage=en", "--set", "locationThresholdKm=far", "--json"),
        ("tenant", "settings", name, "--set", "noequals"),
    )  # fmt: skip
    assert unknown.returncode != 0
    assert "unknown setting(s): colour" in unknown.stderr and "Traceback" not in unknown.stderr
    assert wrong_type.returncode != 0
    assert "locationThresholdKm" in wrong_type.stderr and "number" in wrong_type.stderr
    assert "Traceback" not in wrong_type.stderr
    assert malformed.returncode == 2 and "key=value" in malformed.stderr

    # None of the refused changes was applied, not even the valid half of a mixed one.
    assert cli.json("tenant", "settings", name, "--json") == expected
