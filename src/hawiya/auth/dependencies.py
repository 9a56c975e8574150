"""ApiKey, TenancyName and Bearer headers -> RequestContext / AdminContext, once per request."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.auth import service as auth_service
from hawiya.auth.runtime import AuthRuntime
from hawiya.context import AdminContext, RequestContext, UserContext
from hawiya.db.session import Database, session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.logs import request_id_var, tenant_id_var

_SAFE = {"GET", "HEAD", "OPTIONS"}
# Declared for the OpenAPI document (the "Authorize" button in /docs); values are read below.
_api_key_scheme = APIKeyHeader(name="ApiKey", auto_error=False, description="Tenant API key")
_bearer_scheme = HTTPBearer(auto_error=False, description="Admin or user access token")
_KEY_PARAMS = {"apikey", "api_key", "api-key", "key"}


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    maker = db.reader if request.method in _SAFE else db.writer
    async with session_scope(maker) as session:
        yield session


# scope="function": the commit runs before the response is sent, so a failed commit is an error
# response and never a 200 for work that was lost.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_runtime(request: Request) -> AuthRuntime:
    runtime: AuthRuntime = request.app.state.auth
    return runtime


RuntimeDep = Annotated[AuthRuntime, Depends(get_runtime)]


def client_address(request: Request) -> str:
    peer = request.client.host if request.client else ""
    trusted = request.app.state.settings.http.trusted_proxies
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in trusted:
        # The right-most address not added by one of our proxies is the client's.
        for hop in reversed([h.strip() for h in forwarded.split(",")]):
            if hop not in trusted:
                try:
                    return str(ipaddress.ip_address(hop))
                except ValueError:
                    break
    return peer


async def tenant_context(
    request: Request,
    session: SessionDep,
    key: Annotated[str | None, Security(_api_key_scheme)] = None,
) -> RequestContext:
    if any(k.lower() in _KEY_PARAMS for k in request.query_params):
        raise ApiError(ErrorCode.API_KEY_IN_QUERY)  # TEN-6: keys leak from URLs into logs
    if not key:
        raise ApiError(ErrorCode.API_KEY_MISSING)
    api_key, tenant = await auth_service.resolve_api_key(session, key.strip())
    claimed = request.headers.get("tenancyname")
    if claimed and claimed.strip().lower() != tenant.tenancy_name_normalized:
        raise ApiError(ErrorCode.TENANCY_NAME_MISMATCH)
    tenant_id_var.set(str(tenant.id))
    return RequestContext(
        tenant_id=tenant.id,
        tenancy_name=tenant.tenancy_name,
        is_sandbox=tenant.is_sandbox,
        api_key_id=api_key.id,
        client_ip=client_address(request),
        user_agent=request.headers.get("user-agent", "")[:256],
        request_id=request_id_var.get(),
    )


Ctx = Annotated[RequestContext, Depends(tenant_context)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or token.lower() in ("null", "undefined"):
        return None
    return token


def required_bearer(request: Request) -> str:
    token = bearer_token(request)
    if token is None:
        raise ApiError(ErrorCode.BEARER_MISSING)
    return token


async def admin_context(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    runtime: RuntimeDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)] = None,
) -> AdminContext:
    return await auth_service.authenticate_admin(session, runtime, ctx, required_bearer(request))


AdminCtx = Annotated[AdminContext, Depends(admin_context)]


async def user_context(
    request: Request,
    ctx: Ctx,
    session: SessionDep,
    runtime: RuntimeDep,
    _declared: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)] = None,
) -> UserContext:
    return await auth_service.authenticate_user(session, runtime, ctx, required_bearer(request))


UserCtx = Annotated[UserContext, Depends(user_context)]
