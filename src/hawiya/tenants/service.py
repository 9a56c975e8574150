"""Creating tenants (with their first administrator and API key) and changing their settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.auth import service as auth_service
from hawiya.auth.runtime import AuthRuntime
from hawiya.errors import ApiError, ErrorCode
from hawiya.models import AdminUser, Tenant
from hawiya.tenants import settings as tenant_settings
from hawiya.tenants.repository import TenantRepository, normalize_tenancy_name

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,63}$")


@dataclass(frozen=True)
class CreatedTenant:
    tenant: Tenant
    admin: AdminUser
    api_key: str  # shown once


async def create_tenant(
    session: AsyncSession,
    runtime: AuthRuntime,
    *,
    name: str,
    admin_email: str,
    admin_password: str,
    sandbox: bool = False,
    actor: audit.Actor = audit.CLI,
) -> CreatedTenant:
    """Raises TENANT_NAME_INVALID, TENANT_NAME_TAKEN or a PASSWORD_* code; writes audit events."""
    if not _NAME.match(name):
        raise ApiError(ErrorCode.TENANT_NAME_INVALID)
    repo = TenantRepository(session)
    if await repo.get_by_name(name) is not None:
        raise ApiError(ErrorCode.TENANT_NAME_TAKEN)
    tenant = await repo.add(
        Tenant(
            tenancy_name=name,
            tenancy_name_normalized=normalize_tenancy_name(name),
            display_name=name,
            is_sandbox=sandbox,
            settings=tenant_settings.TenantSettings().model_dump(),
        )
    )
    await audit.record(
        session,
        audit.AuditAction.TENANT_CREATED,
        tenant_id=tenant.id,
        actor=actor,
        target=f"tenant:{tenant.id}",
        details={"tenancyName": name, "sandbox": sandbox},
    )
    admin = await auth_service.create_admin(
        session, runtime, tenant, email=admin_email, password=admin_password, actor=actor
    )
    _, key = await auth_service.create_api_key(session, tenant.id, name="default", actor=actor)
    return CreatedTenant(tenant, admin, key)


async def get_tenant(session: AsyncSession, name: str) -> Tenant:
    tenant = await TenantRepository(session).get_by_name(name)
    if tenant is None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no tenant named {name!r}")
    return tenant


async def list_tenants(session: AsyncSession) -> list[Tenant]:
    return await TenantRepository(session).all()


async def update_settings(
    session: AsyncSession,
    tenant: Tenant,
    changes: dict[str, Any],
    *,
    actor: audit.Actor = audit.CLI,
) -> dict[str, Any]:
    before = dict(tenant.settings or {})
    try:
        after = tenant_settings.apply(before, changes)
    except tenant_settings.SettingError as exc:
        raise ApiError(ErrorCode.VALIDATION_FAILED, str(exc)) from None
    tenant.settings = after
    await session.flush()
    changed = {
        k: {"from": before.get(k), "to": after[k]} for k in changes if before.get(k) != after[k]
    }
    await audit.record(
        session,
        audit.AuditAction.SETTINGS_CHANGED,
        tenant_id=tenant.id,
        actor=actor,
        target=f"tenant:{tenant.id}",
        details={"changed": changed},
    )
    return after
