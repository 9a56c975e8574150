"""Platform housekeeping jobs."""

from __future__ import annotations

from typing import Any

from hawiya.db.session import session_scope
from hawiya.jobs.registry import JobRuntime, job
from hawiya.ratelimit import service as ratelimit


@job("maintenance.purge_rate_limits", max_attempts=3)
async def purge_rate_limits(runtime: JobRuntime, payload: dict[str, Any]) -> None:
    async with session_scope(runtime.maker) as session:
        # Two days by default: the face-check limit (BIO-3) counts in one-day windows.
        await ratelimit.purge(session, int(payload.get("olderThanSeconds", 2 * 86_400)))
