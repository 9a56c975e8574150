"""The CLI under test runs as real subprocesses on a database of its own, migrated with
`hawiya db upgrade`: a fresh SQLite file, or on PostgreSQL runs the session's test database. An
in-process app on the same database (same secret) checks that what the CLI made works over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hawiya.app import create_app
from hawiya.config import Settings
from tests.conftest import client_for
from tests.fixtures.cli import Cli
from tests.fixtures.db import engine_name


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory, database_url: str, settings: Settings) -> Cli:
    data_dir = tmp_path_factory.mktemp("cli-data")
    if engine_name() == "postgresql":
        url = database_url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('cli-db') / 'cli.db'}"
    assert settings.secret_key is not None
    runner = Cli(url, data_dir, settings.secret_key.get_secret_value())
    result = runner.run("db", "upgrade")
    assert result.stdout.strip() == "database at head"
    return runner


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def cli_app(cli: Cli, settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(cli.settings(settings), run_worker=False)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture(loop_scope="session")
async def cli_client(cli_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(cli_app) as http:
        yield http
