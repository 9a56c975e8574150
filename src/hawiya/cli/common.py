"""Shared plumbing for commands: settings, a database with the auth runtime, output, errors."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import typer

from hawiya.auth.keyring import ensure_active_key
from hawiya.auth.runtime import AuthRuntime
from hawiya.config import Settings, get_settings
from hawiya.db.session import Database, session_scope
from hawiya.errors import ApiError
from hawiya.secrets_store import WeakSecretError, load_master_secret

T = TypeVar("T")


@dataclass(frozen=True)
class Env:
    settings: Settings
    db: Database
    auth: AuthRuntime


@asynccontextmanager
async def open_env() -> AsyncIterator[Env]:
    settings = get_settings()
    db = Database.connect(
        settings.database_url(), busy_timeout_ms=settings.database.sqlite_busy_timeout_ms
    )
    try:
        runtime = AuthRuntime.build(settings, load_master_secret(settings), db.reader)
        async with session_scope(db.writer) as session:
            await ensure_active_key(session, runtime.seal_key)
        yield Env(settings, db, runtime)
    finally:
        await db.dispose()


def run(func: Callable[[], Awaitable[T]]) -> T:
    """Run a command body; business errors and weak secrets become a message and exit code 1."""
    try:
        return asyncio.run(func())  # type: ignore[arg-type]
    except ApiError as exc:
        fail(str(exc.message or exc))
    except WeakSecretError as exc:
        fail(str(exc))
    raise AssertionError("unreachable")


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    return str(value)


def emit(value: Any, as_json: bool, lines: Callable[[Any], list[str]] | None = None) -> None:
    if as_json or lines is None:
        typer.echo(
            json.dumps(value, default=_default, ensure_ascii=False, indent=None if as_json else 2)
        )
        return
    for line in lines(value):
        typer.echo(line)


def read_password(given: str | None, env_name: str = "HAWIYA_ADMIN_PASSWORD") -> str:
    import os

    password = given or os.environ.get(env_name)
    if not password:
        # PW-5: no default credentials, ever.
        fail(f"an admin password is required: pass --admin-password or set {env_name}", code=2)
        raise AssertionError("unreachable")
    return password


def stdout_is_tty() -> bool:
    return sys.stdout.isatty()
