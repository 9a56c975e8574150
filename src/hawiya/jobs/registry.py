"""Job handlers by name. A handler receives its payload and a JobRuntime, opens its own session
scope through it, calls a service, and does nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

Handler = Callable[["JobRuntime", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class JobRuntime:
    maker: async_sessionmaker[AsyncSession]


@dataclass(frozen=True)
class JobSpec:
    name: str
    handler: Handler
    max_attempts: int | None


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, JobSpec] = {}

    def job(self, name: str, *, max_attempts: int | None = None) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._jobs and self._jobs[name].handler is not handler:
                raise ValueError(f"job {name!r} registered twice")
            self._jobs[name] = JobSpec(name, handler, max_attempts)
            return handler

        return register

    def get(self, name: str) -> JobSpec | None:
        return self._jobs.get(name)

    def names(self) -> list[str]:
        return sorted(self._jobs)


registry = JobRegistry()
job = registry.job
