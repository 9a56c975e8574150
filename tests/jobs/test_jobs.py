"""The job queue: enqueued in the caller's transaction, run once by a worker, retried with
exponential backoff, kept as dead after the last attempt, listed and requeued from the CLI, taken
over after an expired lease, and claimed safely by several workers at once."""

from __future__ import annotations

import asyncio
import contextvars
import secrets
import signal
import subprocess
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

import hawiya.app
from hawiya.app import create_app
from hawiya.config import JobSettings, Settings
from hawiya.db.session import session_scope
from hawiya.jobs.queue import enqueue
from hawiya.jobs.registry import JobRegistry, JobRuntime
from hawiya.jobs.worker import Worker, backoff_seconds
from hawiya.kit.clock import Clock
from hawiya.models import Job
from tests.fixtures.cli import HAWIYA, cli_for, variant

CONFIG = JobSettings(
    poll_seconds=0.05, lease_seconds=60, backoff_base_seconds=10, backoff_max_seconds=3600
)
worker_id: contextvars.ContextVar[int] = contextvars.ContextVar("worker_id", default=-1)


class Handlers:
    """A private registry with two uniquely named jobs, so no other test's worker claims them and
    the global registry stays as the application defines it."""

    def __init__(self) -> None:
        self.registry = JobRegistry()
        token = secrets.token_hex(4)
        self.ok = f"test.ok.{token}"
        self.flaky = f"test.flaky.{token}"
        self.runs: list[tuple[str, dict[str, Any], int]] = []
        self.failing = True
        self.registry.job(self.ok)(self._ok)
        self.registry.job(self.flaky)(self._flaky)

    async def _ok(self, runtime: JobRuntime, payload: dict[str, Any]) -> None:
        assert isinstance(runtime, JobRuntime)
        self.runs.append((self.ok, payload, worker_id.get()))
        if payload.get("sleep"):
            await asyncio.sleep(float(payload["sleep"]))

    async def _flaky(self, runtime: JobRuntime, payload: dict[str, Any]) -> None:
        self.runs.append((self.flaky, payload, worker_id.get()))
        if self.failing:
            raise RuntimeError(f"boom {len(self.runs)}")

    def count(self, name: str) -> int:
        return sum(1 for job_name, _, _ in self.runs if job_name == name)


@pytest.fixture
def handlers() -> Handlers:
    return Handlers()


def worker_for(app: FastAPI, handlers: Handlers, config: JobSettings = CONFIG) -> Worker:
    return Worker(app.state.db.writer, config, handlers.registry)


async def load(app: FastAPI, job_id: uuid.UUID) -> Job | None:
    async with session_scope(app.state.db.reader) as session:
        return await session.get(Job, job_id)


async def add_job(app: FastAPI, name: str, **kwargs: Any) -> uuid.UUID:
    async with session_scope(app.state.db.writer) as session:
        return (await enqueue(session, name, **kwargs)).id


def now_utc() -> datetime:
    return datetime.now(UTC)


async def test_rollback_drops_the_job(app: FastAPI, handlers: Handlers) -> None:
    class Abort(Exception):
        pass

    job_id = None
    with pytest.raises(Abort):
        async with session_scope(app.state.db.writer) as session:
            job_id = (await enqueue(session, handlers.ok, payload={"n": 1})).id
            # Flushed: visible inside the transaction, gone with it.
            assert (await session.get(Job, job_id)) is not None
            raise Abort
    assert job_id is not None
    assert await load(app, job_id) is None
    assert await worker_for(app, handlers).run_once() is False
    assert handlers.runs == []


async def test_committed_job_runs_once_and_is_done(app: FastAPI, handlers: Handlers) -> None:
    job_id = await add_job(app, handlers.ok, payload={"n": 7})
    pending = await load(app, job_id)
    assert pending is not None and pending.status == "pending" and pending.attempts == 0

    worker = worker_for(app, handlers)
    assert await worker.run_once() is True
    assert await worker.run_once() is False  # nothing else due; the job is not run twice
    assert handlers.runs == [(handlers.ok, {"n": 7}, -1)]

    done = await load(app, job_id)
    assert done is not None
    assert (done.status, done.attempts, done.last_error) == ("done", 1, None)
    assert done.finished_at is not None and done.locked_until is None


async def test_delayed_job_waits_until_due(
    app: FastAPI, handlers: Handlers, frozen_clock: Clock
) -> None:
    start = now_utc()
    frozen_clock.freeze(start)
    job_id = await add_job(app, handlers.ok, delay_seconds=60)
    worker = worker_for(app, handlers)
    frozen_clock.freeze(start + timedelta(seconds=59))
    assert await worker.run_once() is False
    frozen_clock.freeze(start + timedelta(seconds=60))
    assert await worker.run_once() is True
    row = await load(app, job_id)
    assert row is not None and row.status == "done" and handlers.count(handlers.ok) == 1


async def test_failures_back_off_exponentially_then_dead_listed_and_retried(
    app: FastAPI, handlers: Handlers, frozen_clock: Clock, settings: Settings
) -> None:
    t0 = now_utc()
    frozen_clock.freeze(t0)
    job_id = await add_job(app, handlers.flaky, payload={"x": 1}, max_attempts=3)
    worker = worker_for(app, handlers)

    # Attempt 1 fails: back in the queue, due base * 2**0 (+-20 % jitter) later.
    assert await worker.run_once() is True
    first = await load(app, job_id)
    assert first is not None
    assert (first.status, first.attempts, first.last_error) == (
        "pending",
        1,
        "RuntimeError: boom 1",
    )
    delay1 = (first.run_at - t0).total_seconds()
    assert 8 <= delay1 <= 12, delay1
    assert first.locked_until is None and first.finished_at is None
    assert await worker.run_once() is False  # not due yet on the frozen clock

    # Attempt 2 fails: the delay doubles.
    t1 = first.run_at
    frozen_clock.freeze(t1)
    assert await worker.run_once() is True
    second = await load(app, job_id)
    assert second is not None
    assert (second.status, second.attempts) == ("pending", 2)
    delay2 = (second.run_at - t1).total_seconds()
    assert 16 <= delay2 <= 24, delay2
    assert second.run_at > first.run_at

    # Attempt 3 is the last: the job is kept as dead with its error.
    frozen_clock.freeze(second.run_at)
    assert await worker.run_once() is True
    dead = await load(app, job_id)
    assert dead is not None
    assert (dead.status, dead.attempts, dead.last_error) == ("dead", 3, "RuntimeError: boom 3")
    assert dead.finished_at == second.run_at and dead.locked_until is None
    frozen_clock.freeze(second.run_at + timedelta(days=1))
    assert await worker.run_once() is False  # dead jobs are never picked up again
    assert handlers.count(handlers.flaky) == 3
    frozen_clock.unfreeze()

    cli = cli_for(settings)
    listed = await asyncio.to_thread(
        cli.json, "jobs", "list", "--status", "dead", "--limit", "10000", "--json"
    )
    assert {row["status"] for row in listed} == {"dead"}
    mine = [row for row in listed if row["id"] == str(job_id)]
    assert len(mine) == 1, listed
    assert mine[0]["name"] == handlers.flaky
    assert (mine[0]["attempts"], mine[0]["maxAttempts"]) == (3, 3)
    assert mine[0]["lastError"] == "RuntimeError: boom 3"

    retried = await asyncio.to_thread(cli.run, "jobs", "retry", str(job_id))
    assert "queued" in retried.stdout
    requeued = await load(app, job_id)
    assert requeued is not None
    assert (requeued.status, requeued.attempts, requeued.finished_at) == ("pending", 0, None)

    # Only dead jobs can be retried.
    again = await asyncio.to_thread(cli.run, "jobs", "retry", str(job_id), check=False)
    assert again.returncode == 1 and "no dead job" in again.stderr

    handlers.failing = False
    assert await worker.run_once() is True
    finished = await load(app, job_id)
    assert finished is not None
    assert (finished.status, finished.attempts, finished.last_error) == ("done", 1, None)
    assert handlers.count(handlers.flaky) == 4


async def test_expired_lease_is_taken_over_and_live_lease_is_not(
    app: FastAPI, handlers: Handlers
) -> None:
    now = now_utc()
    live = await add_job(app, handlers.ok, payload={"lease": "live"})
    expired = await add_job(app, handlers.ok, payload={"lease": "expired"})
    async with session_scope(app.state.db.writer) as session:
        # As a worker that claimed them and then died would leave them.
        for job_id, until in ((live, now + timedelta(minutes=5)), (expired, now - timedelta(1))):
            row = await session.get(Job, job_id)
            assert row is not None
            row.status, row.attempts, row.locked_until = "running", 1, until

    worker = worker_for(app, handlers)
    assert await worker.run_once() is True
    assert await worker.run_once() is False
    assert handlers.runs == [(handlers.ok, {"lease": "expired"}, -1)]

    taken = await load(app, expired)
    assert taken is not None and (taken.status, taken.attempts) == ("done", 2)
    untouched = await load(app, live)
    assert untouched is not None and (untouched.status, untouched.attempts) == ("running", 1)


def test_backoff_grows_exponentially_and_is_capped() -> None:
    config = JobSettings(backoff_base_seconds=5, backoff_max_seconds=60)
    for attempt, base in ((1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (30, 60)):
        for _ in range(20):
            assert base * 0.8 <= backoff_seconds(attempt, config) <= base * 1.2


async def test_in_process_worker_runs_jobs_while_app_is_up(
    settings: Settings, handlers: Handlers, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app's lifespan builds its worker from hawiya.app.registry: point it at the private one.
    monkeypatch.setattr(hawiya.app, "registry", handlers.registry)
    application = create_app(variant(settings, jobs=CONFIG), run_worker=True)
    async with application.router.lifespan_context(application):
        job_id = await add_job(application, handlers.ok, payload={"in": "process"})
        deadline = time.monotonic() + 10
        row = await load(application, job_id)
        while (row is None or row.status != "done") and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            row = await load(application, job_id)
        assert row is not None and row.status == "done" and row.attempts == 1
        await asyncio.sleep(5 * CONFIG.poll_seconds)
        assert handlers.runs == [(handlers.ok, {"in": "process"}, -1)]


@pytest.mark.slow
async def test_worker_process_runs_jobs_and_stops_on_sigterm(
    app: FastAPI, settings: Settings, tmp_path: Path
) -> None:
    # A real handler from the global registry; the window is a year so nothing is purged.
    job_id = await add_job(
        app, "maintenance.purge_rate_limits", payload={"olderThanSeconds": 365 * 86_400}
    )
    env = {**cli_for(settings).env, "HAWIYA_JOBS__POLL_SECONDS": "0.1"}
    log = tmp_path / "worker.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(HAWIYA), "worker"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 20
        row = await load(app, job_id)
        while (row is None or row.status != "done") and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            await asyncio.sleep(0.1)
            row = await load(app, job_id)
        assert row is not None and row.status == "done" and row.attempts == 1, log.read_text()
        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.to_thread(process.wait, 15)
        assert returncode == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.postgres_only
async def test_four_workers_run_forty_jobs_exactly_once(app: FastAPI, handlers: Handlers) -> None:
    async with session_scope(app.state.db.writer) as session:
        ids = [
            (await enqueue(session, handlers.ok, payload={"n": n, "sleep": 0.02})).id
            for n in range(40)
        ]

    async def drain(number: int) -> None:
        worker_id.set(number)
        worker = worker_for(app, handlers)
        while await worker.run_once():
            pass

    await asyncio.gather(*(drain(n) for n in range(4)))

    executions = Counter(payload["n"] for _, payload, _ in handlers.runs)
    assert executions == Counter(range(40)), executions
    assert len({worker for _, _, worker in handlers.runs}) > 1  # the workers really overlapped
    async with session_scope(app.state.db.reader) as session:
        rows = list((await session.execute(select(Job).where(Job.id.in_(ids)))).scalars())
    assert len(rows) == 40
    assert {(row.status, row.attempts) for row in rows} == {("done", 1)}
