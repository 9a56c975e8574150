"""Dialect-aware INSERT ... ON CONFLICT helpers (SQLite and PostgreSQL both support them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def _insert(session: AsyncSession, model: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def insert_ignore(session: AsyncSession, model: Any, values: dict[str, Any]) -> Any:
    return _insert(session, model).values(**values).on_conflict_do_nothing()


def upsert_increment(
    session: AsyncSession, model: Any, values: dict[str, Any], keys: list[str], column: str
) -> Any:
    """Insert with column=1, or add one to it; returns the new value."""
    stmt = _insert(session, model).values(**values, **{column: 1})
    col = getattr(model, column)
    return stmt.on_conflict_do_update(index_elements=keys, set_={column: col + 1}).returning(col)
