"""DUR-1: the startup check reads the settings that decide whether a commit survives a crash,
logs them, and refuses unsafe ones unless the override is set."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hawiya.app import create_app
from hawiya.config import DatabaseSettings, Settings
from hawiya.db.engine import UnsafeDurabilityError, async_url, check_durability, create_engine
from tests.fixtures.cli import variant
from tests.fixtures.db import engine_name


def durability_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "hawiya.db" and hasattr(r, "settings")]


async def test_default_engine_passes_and_logs_its_settings(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(database_url)
    try:
        with caplog.at_level(logging.INFO, logger="hawiya.db"):
            found = await check_durability(engine, allow_unsafe=False)
    finally:
        await engine.dispose()
    if engine_name() == "sqlite":
        assert found == {"journal_mode": "wal", "synchronous": "full"}
    else:
        assert found["synchronous_commit"] in ("on", "remote_apply", "remote_write")
    [record] = durability_records(caplog)
    assert record.levelno == logging.INFO
    assert record.settings == found and record.safe is True  # type: ignore[attr-defined]


async def test_sqlite_synchronous_off_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'unsafe.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _weaken(dbapi_connection: Any, _record: Any) -> None:
        # Runs after the engine's own connect hook, undoing its synchronous=FULL.
        dbapi_connection.cursor().execute("PRAGMA synchronous=OFF")

    try:
        with (
            caplog.at_level(logging.INFO, logger="hawiya.db"),
            pytest.raises(UnsafeDurabilityError, match="synchronous") as refused,
        ):
            await check_durability(engine, allow_unsafe=False)
        assert "ALLOW_UNSAFE_DURABILITY" in str(refused.value)
        found = await check_durability(engine, allow_unsafe=True)
    finally:
        await engine.dispose()
    assert found == {"journal_mode": "wal", "synchronous": "0"}
    assert [r.safe for r in durability_records(caplog)] == [False]  # type: ignore[attr-defined]


async def test_sqlite_rollback_journal_is_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'journal.db'}")

    @event.listens_for(engine.sync_engine, "connect")
    def _no_wal(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.cursor().execute("PRAGMA journal_mode=DELETE")

    try:
        with pytest.raises(UnsafeDurabilityError, match="journal_mode"):
            await check_durability(engine, allow_unsafe=False)
    finally:
        await engine.dispose()


@pytest.mark.postgres_only
async def test_postgres_synchronous_commit_off_is_refused(database_url: str) -> None:
    engine = create_async_engine(
        async_url(database_url),
        connect_args={"server_settings": {"synchronous_commit": "off"}},
    )
    try:
        with pytest.raises(UnsafeDurabilityError, match="synchronous_commit"):
            await check_durability(engine, allow_unsafe=False)
        assert await check_durability(engine, allow_unsafe=True) == {"synchronous_commit": "off"}
    finally:
        await engine.dispose()


async def test_app_refuses_to_start_on_unsafe_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The check is wired into the lifespan: an app whose engine runs with unsafe settings does
    not start, and starts with the override (logging the settings as unsafe)."""
    import hawiya.db.session

    real_create_engine = hawiya.db.session.create_engine

    def weakened(url: str, **kwargs: Any) -> AsyncEngine:
        engine = real_create_engine(url, **kwargs)
        statement = (
            "PRAGMA synchronous=OFF"
            if engine.dialect.name == "sqlite"
            else "SET synchronous_commit TO off"
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _weaken(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(statement)
            cursor.close()

        return engine

    monkeypatch.setattr(hawiya.db.session, "create_engine", weakened)
    refused = create_app(settings, run_worker=False)
    with pytest.raises(UnsafeDurabilityError):
        async with refused.router.lifespan_context(refused):
            pass

    allowed_settings = variant(
        settings,
        database=DatabaseSettings(url=settings.database.url, allow_unsafe_durability=True),
    )
    allowed = create_app(allowed_settings, run_worker=False)
    with caplog.at_level(logging.INFO, logger="hawiya.db"):
        async with allowed.router.lifespan_context(allowed):
            assert allowed.state.db is not None
    [record] = durability_records(caplog)
    assert record.safe is False  # type: ignore[attr-defined]
