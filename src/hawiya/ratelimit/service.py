"""hit(): count one attempt in a fixed window and refuse past the limit with 429 and Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.errors import ApiError, ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.ratelimit.repository import RateLimitRepository


def _window(now: datetime, seconds: int) -> datetime:
    stamp = int(now.timestamp()) // seconds * seconds
    return datetime.fromtimestamp(stamp, UTC)


async def hit(
    session: AsyncSession,
    bucket: str,
    *,
    limit: int,
    window_seconds: int = 60,
    code: ErrorCode = ErrorCode.RATE_LIMITED,
) -> None:
    """limit 0 switches the limit off. The count is committed with the request (or, when the limit
    refuses, by the persisting error), so refused attempts count too."""
    if limit <= 0:
        return
    now = utcnow()
    start = _window(now, window_seconds)
    count = await RateLimitRepository(session).increment(bucket, start)
    if count > limit:
        retry = int((start + timedelta(seconds=window_seconds) - now).total_seconds()) + 1
        raise ApiError(
            code,
            persist=True,
            headers={
                "Retry-After": str(retry),
                "RateLimit-Policy": f"{limit};w={window_seconds}",
                "RateLimit": f"limit={limit}, remaining=0, reset={retry}",
            },
        )


async def purge(session: AsyncSession, older_than_seconds: int = 2 * 86_400) -> int:
    return await RateLimitRepository(session).purge_before(
        utcnow() - timedelta(seconds=older_than_seconds)
    )
