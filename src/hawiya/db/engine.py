"""Engine construction from a plain URL, SQLite pragmas, and the startup durability check
(DUR-1)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

log = logging.getLogger("hawiya.db")

# Execution option read by the SQLite "begin" hook: requests that only read use DEFERRED so they
# run side by side; everything else takes the write lock up front (IMMEDIATE), because a deferred
# transaction that reads and later writes fails at once with SQLITE_BUSY when another writer
# committed in between, whatever the busy timeout.
SQLITE_BEGIN = "hawiya_sqlite_begin"


class UnsafeDurabilityError(RuntimeError):
    pass


def async_url(url: str) -> URL:
    """Map a plain SQLAlchemy URL to its async driver (sqlite -> aiosqlite, postgresql ->
    asyncpg)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg")
    raise ValueError(
        f"unsupported database URL scheme {parsed.drivername!r} (sqlite or postgresql)"
    )


def sync_url(url: str) -> URL:
    return make_url(url)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def create_engine(url: str, *, pool_size: int = 10, busy_timeout_ms: int = 15_000) -> AsyncEngine:
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        database = target.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            target,
            connect_args={"timeout": busy_timeout_ms / 1000},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _install_sqlite_hooks(engine, busy_timeout_ms)
        return engine
    return create_async_engine(
        target, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, pool_timeout=10
    )


def _install_sqlite_hooks(engine: AsyncEngine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from pysqlite so BEGIN is ours (SQLAlchemy aiosqlite
        # recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")  # DUR-1: NORMAL may lose commits on power loss
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        conn.exec_driver_sql("BEGIN DEFERRED" if mode == "DEFERRED" else "BEGIN IMMEDIATE")


async def check_durability(engine: AsyncEngine, *, allow_unsafe: bool) -> dict[str, str]:
    """Read the settings that decide whether a commit survives a crash; refuse unsafe ones."""
    async with engine.connect() as conn:
        if is_sqlite(engine):
            journal = str((await conn.execute(text("PRAGMA journal_mode"))).scalar())
            sync = int((await conn.execute(text("PRAGMA synchronous"))).scalar() or 0)
            found = {
                "journal_mode": journal.lower(),
                "synchronous": {2: "full", 3: "extra"}.get(sync, str(sync)),
            }
            safe = found["journal_mode"] == "wal" and sync >= 2
        else:
            value = str((await conn.execute(text("SHOW synchronous_commit"))).scalar())
            found = {"synchronous_commit": value}
            safe = value in ("on", "remote_apply", "remote_write")
        await conn.rollback()
    log.info("database durability settings", extra={"settings": found, "safe": safe})
    if not safe and not allow_unsafe:
        raise UnsafeDurabilityError(
            f"unsafe database durability settings {found}; fix them or set "
            "HAWIYA_DATABASE__ALLOW_UNSAFE_DURABILITY=true"
        )
    return found
