"""PW-3 (login throttling, generic answers, dummy hash) and PW-4 (cap on concurrent hashing)."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hawiya.auth.security import HashingBusy, PasswordHasher
from hawiya.config import Settings
from hawiya.kit.clock import Clock
from tests.auth.helpers import (
    derived_settings,
    login_ok,
    login_response,
    running_app,
    stored_password_hash,
)
from tests.auth.test_passwords import argon2_parameters
from tests.conftest import client_for
from tests.fixtures.db import engine_name
from tests.fixtures.factories import create_tenant

WRONG = "definitely-not-the-password"


def start_of_minute() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)


def answer(response: httpx.Response) -> tuple[int, int | None, str | None, Any, Any]:
    body = response.json()
    return (
        response.status_code,
        body["error_code"],
        body["error_message"],
        body["data"],
        body["error_descriptions"],
    )


def retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.json()["error_code"] == 1111
    return int(response.headers["Retry-After"])


class VerifySpy:
    """Wraps PasswordHasher._safe_verify: counts calls and the most that ran at the same time."""

    def __init__(
        self, original: Callable[[str, str], bool], pause: float = 0.0, call_through: bool = True
    ) -> None:
        self.original = original
        self.pause = pause
        self.call_through = call_through
        self.calls: list[str] = []
        self.active = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, encoded: str, password: str) -> bool:
        with self._lock:
            self.calls.append(encoded)
            self.active += 1
            self.most = max(self.most, self.active)
        try:
            if self.pause:
                time.sleep(self.pause)  # runs in a worker thread, like the real hash
            return self.original(encoded, password) if self.call_through else False
        finally:
            with self._lock:
                self.active -= 1


def spy_on(
    monkeypatch: pytest.MonkeyPatch,
    hasher: PasswordHasher,
    pause: float = 0.0,
    call_through: bool = True,
) -> VerifySpy:
    spy = VerifySpy(hasher._safe_verify, pause, call_through)
    monkeypatch.setattr(hasher, "_safe_verify", spy)
    return spy


# --------------------------------------------------------------------------------------------------
# PW-3


async def test_delays_from_the_fifth_failure_lock_at_the_tenth_unlock_after_15_minutes(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    now = start_of_minute()
    frozen_clock.freeze(now)

    for _ in range(4):  # failures 1-4: no delay at all
        first = await login_response(client, tenant, password=WRONG)
        assert answer(first)[:2] == (401, 1110)
    assert (await login_response(client, tenant, password=WRONG)).status_code == 401

    waits = []
    for _failure in range(5, 10):  # failures 5-9 each impose a delay
        probe = await login_response(client, tenant)  # even the right password waits
        waits.append(retry_after(probe))
        delay = timedelta(seconds=waits[-1] - 1)
        # The delay holds until its last second ...
        frozen_clock.freeze(now + delay - timedelta(seconds=1))
        assert (await login_response(client, tenant)).status_code == 429
        # ... and the next attempt is allowed once it has passed.
        frozen_clock.freeze(now := now + delay)
        assert (await login_response(client, tenant, password=WRONG)).status_code == 401
    # 1 s, 2 s, 4 s, 8 s, 16 s; Retry-After rounds up to the next whole second.
    assert waits == [delay + 1 for delay in (1, 2, 4, 8, 16)], waits

    # That was failure 10: locked for 15 minutes, with Retry-After saying so.
    locked_at = now
    assert retry_after(await login_response(client, tenant)) == 15 * 60 + 1
    frozen_clock.freeze(locked_at + timedelta(minutes=15) - timedelta(seconds=1))
    assert retry_after(await login_response(client, tenant)) == 2
    frozen_clock.freeze(locked_at + timedelta(minutes=15))
    data = await login_ok(client, tenant)
    assert data["accessToken"]


async def test_unknown_user_and_wrong_password_answer_identically(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    unknown = f"nobody-{secrets.token_hex(4)}@{tenant.name}.test"
    frozen_clock.freeze(start_of_minute())
    # Failure by failure, through the delays and into the lock, the two paths look the same.
    for attempt in range(12):
        wrong = await login_response(client, tenant, password=WRONG)
        missing = await login_response(client, tenant, userNameOrEmailAddress=unknown)
        assert answer(wrong) == answer(missing), attempt
        assert ("retry-after" in wrong.headers) == ("retry-after" in missing.headers)
        assert wrong.headers.get("retry-after") == missing.headers.get("retry-after")
        assert answer(wrong)[1] in (1110, 1111)
        if attempt == 0:
            assert answer(wrong)[:3] == (401, 1110, "Invalid user name, email or password.")


async def test_argon2_verify_runs_for_an_unknown_user(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await create_tenant(app)
    spy = spy_on(monkeypatch, app.state.auth.hasher)

    missing = await login_response(client, tenant, userNameOrEmailAddress="ghost@nowhere.test")
    assert missing.status_code == 401
    assert len(spy.calls) == 1
    dummy = argon2_parameters(spy.calls[0])
    real = argon2_parameters(await stored_password_hash(app, tenant))
    # The dummy costs what a real verification costs.
    assert (dummy["m"], dummy["t"], dummy["p"]) == (real["m"], real["t"], real["p"])

    wrong = await login_response(client, tenant, password=WRONG)
    assert wrong.status_code == 401
    assert len(spy.calls) == 2


async def test_success_resets_the_failure_counter(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    frozen_clock.freeze(start_of_minute())
    for _ in range(4):
        assert (await login_response(client, tenant, password=WRONG)).status_code == 401
    await login_ok(client, tenant)
    # Without the reset, the next failure would be the fifth and impose a delay.
    for _ in range(4):
        assert answer(await login_response(client, tenant, password=WRONG))[:2] == (401, 1110)
    await login_ok(client, tenant)  # four new failures impose nothing either
    for _ in range(5):
        assert answer(await login_response(client, tenant, password=WRONG))[:2] == (401, 1110)
    assert retry_after(await login_response(client, tenant)) >= 1  # the fifth one does


async def test_throttle_is_per_account(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    frozen_clock.freeze(start_of_minute())
    for _ in range(5):
        await login_response(client, tenant, userNameOrEmailAddress="someone-else@x.test")
    assert (
        await login_response(client, tenant, userNameOrEmailAddress="someone-else@x.test")
    ).status_code == 429
    await login_ok(client, tenant)  # the real administrator is unaffected


async def test_parallel_guesses_cannot_outrun_the_throttle(
    app: FastAPI, frozen_clock: Clock
) -> None:
    """Ten simultaneous first guesses at one name: every failure is counted (no lost updates, no
    duplicate-row error), so exactly five get through to a password check."""
    tenant = await create_tenant(app)
    frozen_clock.freeze(start_of_minute())

    async def guess() -> httpx.Response:
        async with client_for(app) as http:
            return await login_response(http, tenant, password=WRONG)

    responses = await asyncio.gather(*(guess() for _ in range(10)))
    codes = sorted((r.status_code, r.json()["error_code"]) for r in responses)
    assert codes == [(401, 1110)] * 5 + [(429, 1111)] * 5, [r.text for r in responses]


# --------------------------------------------------------------------------------------------------
# PW-4


async def test_hasher_never_runs_more_than_hash_slots_at_once(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hasher: PasswordHasher = app.state.auth.hasher
    encoded = await hasher.hash("a perfectly fine passphrase")
    # The spy stands in for the hash itself (20 ms each): the slots are what is under test.
    spy = spy_on(monkeypatch, hasher, pause=0.02, call_through=False)
    results = await asyncio.gather(*(hasher.verify(encoded, WRONG) for _ in range(60)))
    assert results == [False] * 60
    assert len(spy.calls) == 60
    assert spy.most == settings.hash_slots()  # reached, never exceeded


async def test_sixty_concurrent_logins_stay_within_the_cap_and_never_5xx_except_503(
    app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await create_tenant(app)
    spy = spy_on(monkeypatch, app.state.auth.hasher)

    async def attempt(index: int) -> httpx.Response:
        async with client_for(app) as http:
            if index % 6 == 0:
                return await login_response(http, tenant)
            name = f"user{index}-{secrets.token_hex(3)}@{tenant.name}.test"
            return await login_response(http, tenant, userNameOrEmailAddress=name)

    responses = await asyncio.gather(*(attempt(i) for i in range(60)))
    statuses = sorted({r.status_code for r in responses})
    assert set(statuses) <= {200, 401, 503}, [r.text for r in responses if r.status_code >= 500]
    for response in responses:
        if response.status_code == 503:
            assert response.json()["error_code"] == 1113 and "retry-after" in response.headers
    assert any(r.status_code == 200 for r in responses)
    assert spy.most <= settings.hash_slots()


async def test_saturated_hashing_answers_503_busy() -> None:
    slots = PasswordHasher(
        time_cost=2, memory_kib=19_456, parallelism=1, slots=1, wait_seconds=0.05
    )
    encoded = await slots.hash("a perfectly fine passphrase")
    original = slots._safe_verify

    def slow(encoded: str, password: str) -> bool:
        time.sleep(0.3)
        return original(encoded, password)

    slots._safe_verify = slow  # type: ignore[method-assign]
    outcomes = await asyncio.gather(
        *(slots.verify(encoded, "a perfectly fine passphrase") for _ in range(3)),
        return_exceptions=True,
    )
    assert outcomes.count(True) == 1
    assert sum(isinstance(o, HashingBusy) for o in outcomes) == 2


async def test_hashing_busy_is_503_with_code_1113(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = await create_tenant(app)

    async def busy(encoded: str | None, password: str) -> bool:
        raise HashingBusy

    monkeypatch.setattr(app.state.auth.hasher, "verify", busy)
    response = await login_response(client, tenant)
    assert response.status_code == 503
    assert response.json()["error_code"] == 1113
    assert int(response.headers["Retry-After"]) >= 1


async def test_saturated_app_answers_503_never_500(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_settings = derived_settings(settings, hash_concurrency=1, hash_wait_seconds=0.05)
    async with running_app(busy_settings) as busy_app:
        tenant = await create_tenant(busy_app)
        spy_on(monkeypatch, busy_app.state.auth.hasher, pause=0.3)

        async def attempt(index: int) -> httpx.Response:
            async with client_for(busy_app) as http:
                name = f"user{index}-{secrets.token_hex(3)}@{tenant.name}.test"
                return await login_response(http, tenant, userNameOrEmailAddress=name)

        responses = await asyncio.gather(*(attempt(i) for i in range(4)))
    assert {r.status_code for r in responses} <= {401, 503}
    busy = [r for r in responses if r.status_code == 503]
    assert all(r.json()["error_code"] == 1113 for r in busy)
    if engine_name() == "postgresql":
        # SQLite serialises logins on its write lock before they reach the hasher.
        assert busy
