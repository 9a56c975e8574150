"""Fixtures for the provider tests: local receivers, a self-signed certificate, an outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.providers.receivers import (
    HttpReceiver,
    SelfSigned,
    SilentServer,
    SmtpReceiver,
    make_self_signed,
)


@pytest.fixture
def outbox_dir(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def http_receiver() -> Iterator[HttpReceiver]:
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory: pytest.TempPathFactory) -> SelfSigned:
    return make_self_signed(tmp_path_factory.mktemp("tls"))


SmtpFactory = Callable[..., Awaitable[SmtpReceiver]]


@pytest_asyncio.fixture
async def smtp_server() -> AsyncIterator[SmtpFactory]:
    """smtp_server(**options) starts a local SMTP receiver, stopped after the test."""
    started: list[SmtpReceiver] = []

    async def start(**options: Any) -> SmtpReceiver:
        receiver = await SmtpReceiver(**options).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        await receiver.stop()


@pytest_asyncio.fixture
async def silent_server() -> AsyncIterator[SilentServer]:
    server = await SilentServer().start()
    yield server
    await server.stop()
