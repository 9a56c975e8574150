"""Counter increments for the rate limiter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from hawiya.db.insert import upsert_increment
from hawiya.db.repository import Repository
from hawiya.models import RateLimitCounter


class RateLimitRepository(Repository[RateLimitCounter]):
    model = RateLimitCounter

    async def increment(self, bucket: str, window_start: datetime) -> int:
        stmt = upsert_increment(
            self.session,
            RateLimitCounter,
            {"bucket": bucket, "window_start": window_start},
            ["bucket", "window_start"],
            "count",
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def purge_before(self, cutoff: datetime) -> int:
        result = await self.session.execute(
            delete(RateLimitCounter).where(RateLimitCounter.window_start < cutoff)
        )
        return int(getattr(result, "rowcount", 0) or 0)
