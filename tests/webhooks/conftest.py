"""An app that lets webhook receivers on 127.0.0.1 through (the operator setting), and the CLI
fixtures (tests/cli/conftest.py) for the command tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from fastapi import FastAPI

from hawiya.config import Settings, WebhookSettings
from tests.cli.conftest import cli, cli_app  # noqa: F401 - fixtures used by test_cli.py
from tests.http.support import variant_app


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def private_app(app: FastAPI, settings: Settings) -> AsyncIterator[FastAPI]:
    async with variant_app(
        settings, webhooks=WebhookSettings(allow_private_networks=True)
    ) as application:
        yield application
