"""The migrations and the models agree: a freshly migrated database shows no autogenerate
difference from hawiya.models.Base.metadata, and the chain goes down to base and back up to head
(each on a database of its own, never the session's)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from hawiya.db import migrate
from hawiya.db.engine import create_engine
from hawiya.models import Base
from tests.fixtures.db import PG_ENV, fresh_database

TABLES = {
    "admin_user",
    "aml_entry",
    "aml_list",
    "api_key",
    "audit_chain_head",
    "audit_event",
    "job",
    "end_user",
    "identity_transaction",
    "login_throttle",
    "oauth_verification",
    "otp_challenge",
    "otp_identifier_state",
    "password_reset_code",
    "rate_limit_counter",
    "refresh_token",
    "signing_key",
    "tenant_data_key",
    "tenant",
    "user_device",
    "webhook_attempt",
    "webhook_delivery",
    "webhook_subscription",
    "token_family",
}


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    """A new database migrated to head; on PostgreSQL a new database, dropped afterwards."""
    yield from fresh_database(tmp_path)


def _diff(connection: Connection) -> list[Any]:
    # Nothing is ignored: compare_type is on, and every table, column, index, unique constraint
    # and foreign key of the metadata must match what the migration built.
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "compare_server_default": True}
    )
    return list(compare_metadata(context, Base.metadata))


def _state(connection: Connection) -> dict[str, Any]:
    names = set(inspect(connection).get_table_names())
    if connection.dialect.name == "postgresql":
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    triggers = set(connection.execute(text(query)).scalars())
    return {"tables": names, "triggers": triggers}


def run(url: str, func: Any) -> Any:
    """Call func(sync_connection) on url. Synchronous, like the migration commands, which run
    their own event loop and so cannot be called from a test's running loop."""
    return asyncio.run(_run(url, func))


async def _run(url: str, func: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            result = await conn.run_sync(func)
            await conn.rollback()
        return result
    finally:
        await engine.dispose()


def expected_triggers(url: str) -> set[str]:
    if url.startswith("postgresql"):
        return {"audit_event_append_only"}
    return {"audit_event_no_update", "audit_event_no_delete"}


def test_migrated_schema_matches_the_models(fresh_url: str) -> None:
    assert run(fresh_url, _diff) == []
    state = run(fresh_url, _state)
    assert state["tables"] == TABLES | {"alembic_version"}
    assert state["triggers"] == expected_triggers(fresh_url)


@pytest.fixture
def second_url(tmp_path: Path) -> Iterator[str]:
    """Another new database (the downgrade must not touch the session's database)."""
    yield from fresh_database(tmp_path / "second")


def test_downgrade_to_base_then_upgrade_to_head(second_url: str) -> None:
    migrate.downgrade(second_url, "base")
    emptied = run(second_url, _state)
    assert emptied == {"tables": {"alembic_version"}, "triggers": set()}
    # PostgreSQL: the trigger function goes with the trigger.
    if second_url.startswith("postgresql"):
        functions = run(
            second_url,
            lambda c: list(
                c.execute(
                    text("SELECT proname FROM pg_proc WHERE proname = 'hawiya_audit_append_only'")
                ).scalars()
            ),
        )
        assert functions == []

    migrate.upgrade(second_url, "head")
    assert run(second_url, _diff) == []
    restored = run(second_url, _state)
    assert restored == {
        "tables": TABLES | {"alembic_version"},
        "triggers": expected_triggers(second_url),
    }


def test_fresh_database_helper_uses_engine_under_test(fresh_url: str) -> None:
    """Guards the two tests above: they run on PostgreSQL when the suite does."""
    assert fresh_url.startswith("postgresql") == bool(os.environ.get(PG_ENV))
