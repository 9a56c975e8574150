"""Tenants: names unique case-insensitively, validated settings, audited changes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from hawiya.audit import service as audit
from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.tenants import service as tenant_service
from tests.fixtures.factories import PASSWORD, TenantFixture, create_tenant, login, unique_name


async def test_tenancy_name_is_unique_case_insensitively(app: FastAPI) -> None:
    name = unique_name("Acme")
    await create_tenant(app, name)
    with pytest.raises(ApiError) as caught:
        await create_tenant(app, name.upper())
    assert caught.value.code == ErrorCode.TENANT_NAME_TAKEN


@pytest.mark.parametrize("name", ["", "a", "1abc", "has space", "x" * 65, "ünï"])
async def test_invalid_tenancy_names_are_refused(app: FastAPI, name: str) -> None:
    with pytest.raises(ApiError) as caught:
        async with session_scope(app.state.db.writer) as session:
            await tenant_service.create_tenant(
                session, app.state.auth, name=name, admin_email="a@b.test", admin_password=PASSWORD
            )
    assert caught.value.code == ErrorCode.TENANT_NAME_INVALID


async def test_login_accepts_tenancy_name_in_any_case(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    payload = await login(client, tenant_a, tenancyName=tenant_a.name.upper())
    assert payload["error_code"] is None
    assert payload["data"]["accessToken"]


async def test_login_with_another_tenants_name_is_refused(
    client: httpx.AsyncClient, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    payload = await login(client, tenant_a, tenancyName=tenant_b.name)
    assert payload["error_code"] == ErrorCode.TENANCY_NAME_MISMATCH
    assert payload["data"] is None


async def test_weak_first_admin_password_creates_nothing(app: FastAPI) -> None:
    name = unique_name()
    with pytest.raises(ApiError) as caught:
        async with session_scope(app.state.db.writer) as session:
            await tenant_service.create_tenant(
                session, app.state.auth, name=name, admin_email="a@b.test", admin_password="short"
            )
    assert caught.value.code == ErrorCode.PASSWORD_TOO_SHORT
    async with session_scope(app.state.db.reader) as session:
        with pytest.raises(ApiError):
            await tenant_service.get_tenant(session, name)  # rolled back with the failure


async def test_settings_are_validated_and_changes_audited(app: FastAPI) -> None:
    tenant = await create_tenant(app)
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        after = await tenant_service.update_settings(
            session, row, {"isEmailConfirmationRequired": True, "locationThresholdKm": 50}
        )
    assert after["isEmailConfirmationRequired"] is True and after["locationThresholdKm"] == 50
    for bad in ({"noSuchSetting": 1}, {"locationThresholdKm": -3}, {"defaultLanguage": "fr"}):
        with pytest.raises(ApiError) as caught:
            async with session_scope(app.state.db.writer) as session:
                row = await tenant_service.get_tenant(session, tenant.name)
                await tenant_service.update_settings(session, row, bad)
        assert caught.value.code == ErrorCode.VALIDATION_FAILED
    async with session_scope(app.state.db.reader) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        assert row.settings["locationThresholdKm"] == 50
        events, _ = await audit.list_events(session, row.id, skip=0, limit=50)
    changes = [e for e in events if e.action == audit.AuditAction.SETTINGS_CHANGED]
    assert len(changes) == 1
    changed = changes[0].details["changed"]
    assert changed["isEmailConfirmationRequired"] == {"from": False, "to": True}


async def test_sandbox_flag_is_kept(app: FastAPI) -> None:
    tenant = await create_tenant(app, sandbox=True)
    async with session_scope(app.state.db.reader) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
    assert row.is_sandbox is True
    assert PASSWORD  # the shared strong test password
