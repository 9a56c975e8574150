"""Attempt limits on the face checks (security checklist BIO-3): liveness and face match.

- Per transaction (the verification session): after MAX_CONSECUTIVE failures in a row, each
  further attempt must wait PAUSE_SECONDS after the last failure; a pass resets the run. The run
  is kept in the transaction's results, so it survives restarts and is shared by every instance.
- Per identity per UTC day: at most DAILY_CAP attempts, counted in the shared rate-limit table.
  The identity is the user when there is one, else the card holder (the keyed hash of the
  national ID number read from the card), else the transaction itself.

A refused attempt is answered like the other step failures (HTTP 200, the code in
services.Validations) and runs no face model.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.errors import ErrorCode
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, IdentityTransaction
from hawiya.ratelimit.repository import RateLimitRepository

MAX_CONSECUTIVE = 5
PAUSE_SECONDS = 30
DAILY_CAP = 50
DAY_SECONDS = 86_400


def _identity(row: IdentityTransaction, user: EndUser | None) -> str:
    if user is not None:
        return f"user:{user.id}"
    if row.id_number_hash:
        return f"nid:{row.id_number_hash}"
    return f"tx:{row.transaction_id}"


async def admit(
    session: AsyncSession, row: IdentityTransaction, user: EndUser | None
) -> ErrorCode | None:
    """Count this attempt, or say why it may not run (1306 paused, 1307 daily cap)."""
    now = utcnow()
    run = row.results.get("attempts") or {}
    last = run.get("lastFailureAt")
    if (
        int(run.get("failures", 0)) >= MAX_CONSECUTIVE
        and last
        and now - datetime.fromisoformat(last) < timedelta(seconds=PAUSE_SECONDS)
    ):
        return ErrorCode.VERIFICATION_ATTEMPTS_PAUSED
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    bucket = f"face-checks:{row.tenant_id}:{_identity(row, user)}"
    if await RateLimitRepository(session).increment(bucket, day) > DAILY_CAP:
        return ErrorCode.VERIFICATION_DAILY_LIMIT
    return None


def settle(row: IdentityTransaction, passed: bool) -> None:
    """Record an attempt's outcome in the consecutive-failure run."""
    run = dict(row.results.get("attempts") or {})
    if passed:
        run = {"failures": 0, "lastFailureAt": None}
    else:
        run = {"failures": int(run.get("failures", 0)) + 1, "lastFailureAt": utcnow().isoformat()}
    row.results = {**row.results, "attempts": run}
