"""HTTP entry points for credentials (spec §2.1) and the project's tenant-admin endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from hawiya.audit import service as audit_service
from hawiya.auth import service as auth_service
from hawiya.auth.dependencies import AdminCtx, Ctx, RuntimeDep, SessionDep
from hawiya.auth.schemas import (
    AdminInfo,
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    ApiKeyRotate,
    AuditEventRead,
    ChangePasswordInput,
    LoginInput,
    LoginOutput,
    RefreshInput,
    RefreshOutput,
    SessionOutput,
    TenantInfo,
)
from hawiya.envelope import Envelope, Page, ok, page
from hawiya.kit.ids import parse_uuid
from hawiya.models import ApiKey
from hawiya.pagination import Paging
from hawiya.tenants import service as tenant_service

router = APIRouter(tags=["credentials"])
admin_router = APIRouter(tags=["tenant administration"])


@router.post("/api/credentials/Login")
async def login(
    body: LoginInput, ctx: Ctx, session: SessionDep, runtime: RuntimeDep
) -> Envelope[LoginOutput]:
    tokens = await auth_service.login(
        session,
        runtime,
        ctx,
        tenancy_name=body.tenancy_name,
        login_name=body.user_name_or_email_address,
        password=body.password,
    )
    return ok(tokens)


@router.post("/api/credentials/RefreshToken")
async def refresh_token(
    body: RefreshInput, ctx: Ctx, session: SessionDep, runtime: RuntimeDep
) -> Envelope[RefreshOutput]:
    tokens = await auth_service.refresh(session, runtime, ctx, body.refresh_token)
    return ok(RefreshOutput(**tokens.model_dump(), new_refresh_token=tokens.refresh_token))


# The published React Native build refreshes here (vlens-clients.md §3.2): same contract.
@router.post("/api/DigitalIdentity/RefreshToken")
async def refresh_user_token(
    body: RefreshInput, ctx: Ctx, session: SessionDep, runtime: RuntimeDep
) -> Envelope[RefreshOutput]:
    return await refresh_token(body, ctx, session, runtime)


def _key_read(row: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        creation_time=row.created_at,
        revocation_time=row.revoked_at,
        expiration_time=row.expires_at,
    )


@admin_router.get("/api/hawiya/Session/Current")
async def get_current_session(admin: AdminCtx) -> Envelope[SessionOutput]:
    ctx = admin.request
    return ok(
        SessionOutput(
            tenant=TenantInfo(
                id=ctx.tenant_id, tenancy_name=ctx.tenancy_name, is_sandbox=ctx.is_sandbox
            ),
            admin=AdminInfo(id=admin.admin_id, email=admin.email, user_name=admin.user_name),
        )
    )


@admin_router.post("/api/hawiya/Account/ChangePassword")
async def change_password(
    body: ChangePasswordInput, admin: AdminCtx, session: SessionDep, runtime: RuntimeDep
) -> Envelope[bool]:
    tenant = await tenant_service.get_tenant(session, admin.request.tenancy_name)
    await auth_service.change_own_password(
        session, runtime, admin, tenant, current=body.current_password, new=body.new_password
    )
    return ok(True)


@admin_router.get("/api/hawiya/ApiKeys")
async def list_api_keys(admin: AdminCtx, session: SessionDep, paging: Paging) -> Page[ApiKeyRead]:
    rows, total = await auth_service.list_api_keys(
        session, admin.tenant_id, skip=paging.skip, limit=paging.limit
    )
    return page([_key_read(r) for r in rows], total)


def _admin_actor(admin: AdminCtx) -> audit_service.Actor:
    return audit_service.actor_for(admin.request, "admin", str(admin.admin_id))


@admin_router.post("/api/hawiya/ApiKeys")
async def create_api_key(
    body: ApiKeyCreate, admin: AdminCtx, session: SessionDep
) -> Envelope[ApiKeyCreated]:
    row, plain = await auth_service.create_api_key(
        session, admin.tenant_id, name=body.name, actor=_admin_actor(admin)
    )
    return ok(ApiKeyCreated(id=row.id, name=row.name, prefix=row.prefix, api_key=plain))


@admin_router.post("/api/hawiya/ApiKeys/{keyId}/Revoke")
async def revoke_api_key(keyId: str, admin: AdminCtx, session: SessionDep) -> Envelope[ApiKeyRead]:
    row = await auth_service.revoke_api_key(
        session, admin.tenant_id, parse_uuid(keyId), actor=_admin_actor(admin)
    )
    return ok(_key_read(row))


@admin_router.post("/api/hawiya/ApiKeys/{keyId}/Rotate")
async def rotate_api_key(
    keyId: str,
    body: ApiKeyRotate,
    admin: AdminCtx,
    session: SessionDep,
) -> Envelope[ApiKeyCreated]:
    row, plain = await auth_service.rotate_api_key(
        session,
        admin.tenant_id,
        parse_uuid(keyId),
        grace_seconds=body.grace_seconds,
        actor=_admin_actor(admin),
    )
    return ok(ApiKeyCreated(id=row.id, name=row.name, prefix=row.prefix, api_key=plain))


@admin_router.get("/api/hawiya/AuditEvents")
async def list_audit_events(
    admin: AdminCtx, session: SessionDep, paging: Paging
) -> Page[AuditEventRead]:
    rows, total = await audit_service.list_events(
        session, admin.tenant_id, skip=paging.skip, limit=paging.limit
    )
    return page(
        [
            AuditEventRead(
                id=r.id,
                seq=r.seq,
                action=r.action,
                actor_kind=r.actor_kind,
                actor_id=r.actor_id,
                client_ip=r.client_ip,
                target=r.target,
                creation_time=r.created_at,
                hash=r.hash,
            )
            for r in rows
        ],
        total,
    )
