"""enqueue(): a Job row in the caller's transaction, so a rollback drops the job and a commit
releases it (no job without its change, no change without its job)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.kit.clock import utcnow
from hawiya.models import Job


async def enqueue(
    session: AsyncSession,
    name: str,
    *,
    payload: dict[str, Any] | None = None,
    tenant_id: uuid.UUID | None = None,
    delay_seconds: float = 0,
    max_attempts: int = 5,
) -> Job:
    row = Job(
        name=name,
        payload=payload or {},
        tenant_id=tenant_id,
        max_attempts=max_attempts,
        run_at=utcnow() + timedelta(seconds=delay_seconds),
        status="pending",
    )
    session.add(row)
    await session.flush()
    return row
