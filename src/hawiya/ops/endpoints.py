"""/health (process up), /ready (database reachable) and /metrics (Prometheus text format)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import text

from hawiya.db.session import Database
from hawiya.envelope import Envelope, ok
from hawiya.errors import ApiError, ErrorCode
from hawiya.schemas import ApiModel

router = APIRouter(tags=["operations"])


class HealthOutput(ApiModel):
    status: str


@router.get("/health")
async def get_health() -> Envelope[HealthOutput]:
    return ok(HealthOutput(status="ok"))


@router.get("/ready")
async def get_ready(request: Request) -> Envelope[HealthOutput]:
    db: Database = request.app.state.db
    try:
        async with asyncio.timeout(3):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:
        raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "5"}) from None
    return ok(HealthOutput(status="ready"))


@router.get("/metrics", response_class=Response, include_in_schema=False)
async def get_metrics(request: Request) -> Response:
    return Response(
        request.app.state.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8"
    )
