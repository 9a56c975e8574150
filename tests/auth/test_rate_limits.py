"""RES-5 for login and refresh: per-address limits, 429 with Retry-After and RateLimit headers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest_asyncio
from fastapi import FastAPI

from hawiya.config import AuthSettings, Settings
from hawiya.kit.clock import Clock
from tests.auth.helpers import (
    derived_settings,
    login_ok,
    login_response,
    refresh,
    running_app,
    unique_address,
)
from tests.conftest import client_for
from tests.fixtures.factories import create_tenant

LIMIT = 5


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def limited_app(settings: Settings) -> AsyncIterator[FastAPI]:
    limited = derived_settings(
        settings, login_per_address_per_minute=LIMIT, refresh_per_address_per_minute=LIMIT
    )
    async with running_app(limited) as application:
        yield application


def window_start(frozen_clock: Clock) -> datetime:
    """Freeze one second into a fresh minute, so the burst cannot straddle two windows."""
    start = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    frozen_clock.freeze(start + timedelta(seconds=1))
    return start


def assert_rate_limited(response: httpx.Response, expected_retry: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["error_code"] == 9009
    retry = int(response.headers["Retry-After"])
    assert retry == expected_retry
    assert response.headers["RateLimit-Policy"] == f"{LIMIT};w=60"
    assert response.headers["RateLimit"] == f"limit={LIMIT}, remaining=0, reset={retry}"


def test_default_login_limit_is_20_per_minute_per_address() -> None:
    assert AuthSettings().login_per_address_per_minute == 20


async def test_sixth_login_within_the_minute_is_429(
    limited_app: FastAPI, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(limited_app)
    start = window_start(frozen_clock)
    async with client_for(limited_app, unique_address()) as client:
        for _ in range(LIMIT):
            await login_ok(client, tenant)
        assert_rate_limited(await login_response(client, tenant), expected_retry=60)
        frozen_clock.freeze(start + timedelta(seconds=30))
        assert_rate_limited(await login_response(client, tenant), expected_retry=31)

        # Another address has its own budget.
        async with client_for(limited_app, unique_address()) as other:
            await login_ok(other, tenant)

        frozen_clock.freeze(start + timedelta(seconds=60))  # the next window
        await login_ok(client, tenant)


async def test_failed_logins_count_towards_the_limit(
    limited_app: FastAPI, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(limited_app)
    window_start(frozen_clock)
    async with client_for(limited_app, unique_address()) as client:
        for _ in range(LIMIT):
            response = await login_response(client, tenant, password="not-the-password-at-all")
            assert response.status_code == 401
        assert_rate_limited(await login_response(client, tenant), expected_retry=60)


async def test_forwarded_for_from_an_untrusted_peer_does_not_reset_the_budget(
    limited_app: FastAPI, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(limited_app)
    window_start(frozen_clock)
    async with client_for(limited_app, unique_address()) as client:
        for index in range(LIMIT):
            client.headers["X-Forwarded-For"] = f"198.51.100.{index + 1}"
            await login_ok(client, tenant)
        client.headers["X-Forwarded-For"] = "198.51.100.99"
        assert_rate_limited(await login_response(client, tenant), expected_retry=60)


async def test_sixth_refresh_within_the_minute_is_429(
    limited_app: FastAPI, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(limited_app)
    start = window_start(frozen_clock)
    async with client_for(limited_app, unique_address()) as client:
        token = (await login_ok(client, tenant))["refreshToken"]
        for _ in range(LIMIT):
            response = await refresh(client, tenant, token)
            assert response.status_code == 200, response.text
            token = response.json()["data"]["refreshToken"]
        assert_rate_limited(await refresh(client, tenant, token), expected_retry=60)

        # The refused attempt did not spend the token: it works in the next window.
        frozen_clock.freeze(start + timedelta(seconds=61))
        response = await refresh(client, tenant, token)
        assert response.status_code == 200, response.text


async def test_invalid_refresh_attempts_count_towards_the_limit(
    limited_app: FastAPI, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(limited_app)
    window_start(frozen_clock)
    async with client_for(limited_app, unique_address()) as client:
        for attempt in ("", "not-a-token", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "x" * 300):
            response = await refresh(client, tenant, attempt)
            assert response.status_code == 401 and response.json()["error_code"] == 1112
        assert_rate_limited(await refresh(client, tenant, "a.b.c"), expected_retry=60)
