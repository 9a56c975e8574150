"""Sessions and the one transaction rule: commit at the request or job boundary, roll back on error.

Services may flush() but never commit(), with one named exception: checkpoint() below. An
ApiError raised with persist=True commits the writes made before it (see errors.ApiError); any
other exception rolls everything back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from hawiya.db.engine import SQLITE_BEGIN, create_engine, is_sqlite
from hawiya.errors import ApiError


@dataclass(frozen=True)
class Database:
    engine: AsyncEngine
    writer: async_sessionmaker[AsyncSession]
    reader: async_sessionmaker[AsyncSession]

    @classmethod
    def connect(cls, url: str, *, pool_size: int = 10, busy_timeout_ms: int = 15_000) -> Database:
        engine = create_engine(url, pool_size=pool_size, busy_timeout_ms=busy_timeout_ms)
        reader_bind = (
            engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}) if is_sqlite(engine) else engine
        )
        return cls(
            engine=engine,
            writer=async_sessionmaker(engine, expire_on_commit=False),
            reader=async_sessionmaker(reader_bind, expire_on_commit=False),
        )

    async def dispose(self) -> None:
        await self.engine.dispose()


@asynccontextmanager
async def session_scope(
    maker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with maker() as session:
        try:
            yield session
        except ApiError as exc:
            if exc.persist:
                await session.commit()
            else:
                await session.rollback()
            raise
        except BaseException:
            await session.rollback()
            raise
        else:
            await session.commit()


async def checkpoint(session: AsyncSession) -> None:
    """Commit what the request wrote so far and release its locks before slow CPU work.

    Used before an Argon2 hash (~100 ms) or a call to an SMS or email gateway (up to 10 s):
    holding SQLite's single write lock or a PostgreSQL row lock through them serialised every
    such request and made waiting requests time out. What
    is committed here (rate-limit counts, the throttle row) must stand on its own whatever happens
    next; the following statements run in a new transaction that the request boundary commits.
    """
    await session.commit()
