"""The worker loop: claim a due job, run it in its own transaction, then mark it done, schedule a
retry with exponential backoff and jitter, or keep it as dead after its last attempt."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hawiya.config import JobSettings
from hawiya.db.session import session_scope
from hawiya.jobs.registry import JobRegistry, JobRuntime
from hawiya.jobs.repository import JobRepository
from hawiya.kit.clock import utcnow
from hawiya.models import Job

log = logging.getLogger("hawiya.jobs")


def backoff_seconds(attempt: int, config: JobSettings) -> float:
    base: float = min(config.backoff_base_seconds * 2 ** (attempt - 1), config.backoff_max_seconds)
    return base * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


class Worker:
    def __init__(
        self,
        maker: async_sessionmaker[AsyncSession],
        config: JobSettings,
        registry: JobRegistry,
    ) -> None:
        self.maker = maker
        self.config = config
        self.registry = registry
        self.runtime = JobRuntime(maker=maker)

    async def _claim(self) -> tuple[uuid.UUID, str, dict[str, object], int, int] | None:
        async with session_scope(self.maker) as session:
            now = utcnow()
            job = await JobRepository(session).claim(now, self.registry.names())
            if job is None:
                return None
            job.status = "running"
            job.attempts += 1
            job.locked_until = now + timedelta(seconds=self.config.lease_seconds)
            return job.id, job.name, dict(job.payload), job.attempts, job.max_attempts

    async def run_once(self) -> bool:
        """Run at most one due job; True when one ran (whatever its outcome)."""
        claimed = await self._claim()
        if claimed is None:
            return False
        job_id, name, payload, attempts, max_attempts = claimed
        spec = self.registry.get(name)
        error: str | None = None
        try:
            if spec is None:  # claims only pick registered names; a rename mid-flight lands here
                raise LookupError(f"no handler registered for job {name!r}")
            await spec.handler(self.runtime, payload)
        except Exception as exc:  # every failure is recorded, none is swallowed silently
            error = f"{type(exc).__name__}: {exc}"[:4000]
            log.warning(
                "job failed",
                extra={"job": name, "job_id": str(job_id), "attempt": attempts, "error": error},
            )
        async with session_scope(self.maker) as session:
            job = await session.get(Job, job_id)
            if job is None:
                return True
            now = utcnow()
            job.locked_until = None
            if error is None:
                job.status, job.finished_at, job.last_error = "done", now, None
            elif attempts >= (spec.max_attempts if spec and spec.max_attempts else max_attempts):
                job.status, job.finished_at, job.last_error = "dead", now, error
                log.error(
                    "job dead", extra={"job": name, "job_id": str(job_id), "attempts": attempts}
                )
            else:
                job.status, job.last_error = "pending", error
                job.run_at = now + timedelta(seconds=backoff_seconds(attempts, self.config))
        return True

    async def run_until(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                ran = await self.run_once()
            except Exception:  # the database may be down; keep the loop alive and retry
                log.exception("worker loop error")
                ran = False
            if not ran:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=self.config.poll_seconds)
