"""The one list of routers, in spec order."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.routing import APIRoute

from hawiya.auth.endpoints import admin_router as auth_admin_router
from hawiya.auth.endpoints import router as credentials_router
from hawiya.identity.endpoints import router as identity_router
from hawiya.identity.review_endpoints import router as review_router
from hawiya.ops.endpoints import router as ops_router
from hawiya.registration.account_endpoints import router as account_router
from hawiya.registration.endpoints import router as registration_router
from hawiya.webhooks.endpoints import router as webhooks_router

ROUTERS: list[APIRouter] = [
    credentials_router,
    registration_router,
    account_router,
    identity_router,
    auth_admin_router,
    review_router,
    webhooks_router,
    ops_router,
]


def api_routes() -> Iterator[APIRoute]:
    """Every API route with its full path (routers carry no prefix, so paths are complete)."""
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                yield route
