"""The bounded process pool that OCR, face and liveness work runs in (checklist RES-6).

Reading a card or three faces takes hundreds of milliseconds of CPU; done on the event loop it
would stall every other request of the process. So it runs in worker processes:

- at most `queue_size` jobs may be admitted (running or waiting) per server process; one more
  gets 503 with Retry-After at once, never an unbounded queue or an out-of-memory;
- a job that runs past `timeout_seconds` gets 504 (9012) and its pool is replaced, because a
  process stuck in native code cannot be interrupted any other way;
- processes start with `forkserver`, not `fork`: forking a process that runs an event loop and
  database threads can copy held locks into the child.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from hawiya.errors import ApiError, ErrorCode

T = TypeVar("T")
log = logging.getLogger("hawiya.identity.workers")


class WorkPool:
    def __init__(
        self,
        processes: int,
        queue_size: int,
        timeout_seconds: float,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self.processes = processes
        self.queue_size = max(queue_size, processes)
        self.timeout_seconds = timeout_seconds
        self._initializer = initializer
        self._initargs = initargs
        self._admitted = 0
        # Jobs go to the executor only when a process is free, so the timeout measures running
        # time, and a job still waiting never gets a busy pool replaced.
        self._running = asyncio.Semaphore(processes)
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=self._initializer,
                initargs=self._initargs,
            )
        return self._executor

    def _replace(self) -> None:
        """Kill the current processes (a stuck one cannot be cancelled) and start afresh."""
        executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker process; 503 when saturated, 504 past the timeout."""
        if self._admitted >= self.queue_size:
            raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "2"})
        self._admitted += 1
        try:
            async with self._running:
                return await self._run_now(fn, *args)
        finally:
            self._admitted -= 1

    async def _run_now(self, fn: Callable[..., T], *args: Any) -> T:
        future = asyncio.get_running_loop().run_in_executor(self._pool(), fn, *args)
        try:
            return await asyncio.wait_for(future, self.timeout_seconds)
        except TimeoutError:
            log.warning("image job timed out; replacing the worker pool")
            self._replace()
            raise ApiError(ErrorCode.PROCESSING_TIMEOUT, headers={"Retry-After": "5"}) from None
        except BrokenProcessPool:
            log.error("a worker process died; replacing the worker pool")
            self._replace()
            raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "2"}) from None

    def close(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
