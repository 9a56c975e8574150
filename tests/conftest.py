"""Session-wide app on a fresh database, a client per test, and tenant factories."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hawiya.app import create_app
from hawiya.config import AuthSettings, DatabaseSettings, Settings
from hawiya.kit.clock import clock
from tests.fixtures.db import engine_name, fresh_database
from tests.fixtures.factories import TenantFixture, create_tenant
from tests.fixtures.logs import captured  # noqa: F401 - a fixture for every test module


def pytest_report_header() -> str:
    return f"hawiya test database: {engine_name()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if engine_name() == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set HAWIYA_TEST_DATABASE_URL)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hawiya-data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> Iterator[str]:
    yield from fresh_database(data_dir)


# One secret for the run: the JWT signing keys in the shared database are sealed under it, so every
# app a test builds on that database must use it too.
SESSION_SECRET = secrets.token_hex(32)


def make_settings(database_url: str, data_dir: Path, **overrides: object) -> Settings:
    """Test settings: OWASP-minimum Argon2 (fast, still compliant) and no per-address login limit
    unless a test asks for one (every test client shares one address)."""
    auth = overrides.pop("auth", None) or AuthSettings(
        argon2_time_cost=2,
        argon2_memory_kib=19_456,
        argon2_parallelism=1,
        login_per_address_per_minute=0,
        refresh_per_address_per_minute=0,
    )
    overrides.setdefault("secret_key", SESSION_SECRET)
    return Settings(
        env="test",
        data_dir=data_dir,
        database=DatabaseSettings(url=database_url),
        auth=auth,
        log_json=True,
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    return make_settings(database_url, data_dir)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings, run_worker=False)
    async with application.router.lifespan_context(application):
        yield application


def client_for(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest_asyncio.fixture(loop_scope="session")
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app) as http:
        yield http


@pytest_asyncio.fixture(loop_scope="session")
async def tenant_a(app: FastAPI) -> TenantFixture:
    return await create_tenant(app)


@pytest_asyncio.fixture(loop_scope="session")
async def tenant_b(app: FastAPI) -> TenantFixture:
    return await create_tenant(app)


@pytest.fixture
def frozen_clock() -> Iterator[object]:
    """Tests move time with frozen_clock.freeze(datetime); always unfrozen afterwards."""
    yield clock
    clock.unfreeze()
