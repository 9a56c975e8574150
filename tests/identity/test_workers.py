"""RES-6: image work runs in other processes, a saturated pool answers 503 at once, a job past
its timeout answers 504 and its process is replaced, and a dying worker does not take the pool
down with it."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from hawiya.errors import ApiError, ErrorCode
from hawiya.identity.workers import WorkPool
from tests.identity import work_functions as work


@pytest.fixture
def pool() -> WorkPool:
    return WorkPool(processes=1, queue_size=2, timeout_seconds=1.0)


async def test_work_runs_in_another_process(pool: WorkPool) -> None:
    try:
        pid, square = await pool.run(work.pid_and_square, 12)
        assert square == 144 and pid != os.getpid()
    finally:
        pool.close()


async def test_saturation_answers_503_at_once(pool: WorkPool) -> None:
    try:
        busy = [asyncio.create_task(pool.run(work.sleep_then, 0.6)) for _ in range(2)]
        await asyncio.sleep(0.05)
        started = time.perf_counter()
        with pytest.raises(ApiError) as caught:
            await pool.run(work.sleep_then, 0.0)
        assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
        assert caught.value.headers == {"Retry-After": "2"}
        assert time.perf_counter() - started < 0.1
        assert await asyncio.gather(*busy) == [0.6, 0.6]
        assert await pool.run(work.sleep_then, 0.0) == 0.0  # admitted again once free
    finally:
        pool.close()


async def test_a_job_past_the_timeout_gets_504_and_the_pool_recovers(pool: WorkPool) -> None:
    try:
        first_pid, _ = await pool.run(work.pid_and_square, 1)
        started = time.perf_counter()
        with pytest.raises(ApiError) as caught:
            await pool.run(work.sleep_then, 30)
        assert caught.value.code == ErrorCode.PROCESSING_TIMEOUT
        assert time.perf_counter() - started < 2.5
        pid, square = await pool.run(work.pid_and_square, 3)
        assert square == 9 and pid != first_pid  # the stuck process was replaced
    finally:
        pool.close()


async def test_a_dying_worker_gets_503_and_the_pool_recovers(pool: WorkPool) -> None:
    try:
        with pytest.raises(ApiError) as caught:
            await pool.run(work.die)
        assert caught.value.code == ErrorCode.SERVICE_UNAVAILABLE
        assert (await pool.run(work.pid_and_square, 4))[1] == 16
    finally:
        pool.close()
