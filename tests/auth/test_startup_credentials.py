"""PW-5 (no default credentials, no weak secrets at start) and TOK-6 (secret strength)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hawiya import cli
from hawiya.app import create_app
from hawiya.config import DatabaseSettings, Settings, get_settings
from hawiya.db import migrate
from hawiya.secrets_store import (
    MIN_SECRET_BYTES,
    WeakSecretError,
    load_master_secret,
    parse_secret,
)
from tests.auth.helpers import HAWIYA, cli_env, run_cli


def fresh_env(tmp_path: Path, **values: str) -> dict[str, str]:
    return cli_env(
        HAWIYA_DATA_DIR=str(tmp_path / "data"),
        HAWIYA_DATABASE__URL=f"sqlite:///{tmp_path / 'cli.db'}",
        HAWIYA_LOG_JSON="false",
        **values,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --------------------------------------------------------------------------------------------------
# PW-5: no default administrator password


def test_tenant_create_without_an_admin_password_exits_2_with_a_clear_message(
    tmp_path: Path,
) -> None:
    """The real installed command, in a clean environment (no HAWIYA_ADMIN_PASSWORD)."""
    assert HAWIYA.exists(), HAWIYA
    done = run_cli(
        "tenant", "create", "acme", "--admin-email", "admin@acme.test", env=fresh_env(tmp_path)
    )
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "admin password is required" in done.stderr
    assert "HAWIYA_ADMIN_PASSWORD" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "cli.db").exists()  # refused before anything was set up


@pytest.fixture
def cli_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """In-process CLI runs against a fresh migrated SQLite file; get_settings() is re-read."""
    for name in [n for n in os.environ if n.startswith("HAWIYA_")]:
        monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("HAWIYA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HAWIYA_DATABASE__URL", url)
    monkeypatch.setenv("HAWIYA_SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("HAWIYA_AUTH__ARGON2_TIME_COST", "2")
    monkeypatch.setenv("HAWIYA_AUTH__ARGON2_MEMORY_KIB", "19456")
    get_settings.cache_clear()
    migrate.upgrade(url)
    yield tmp_path
    get_settings.cache_clear()


@pytest.mark.parametrize(
    "command",
    [
        ["admin", "create", "acme", "--email", "second@acme.test"],
        ["admin", "set-password", "acme", "admin@acme.test"],
    ],
    ids=["admin-create", "admin-set-password"],
)
def test_other_commands_without_an_admin_password_exit_2(
    cli_settings: Path, command: list[str]
) -> None:
    result = CliRunner().invoke(cli.app, command)
    assert result.exit_code == 2, result.output
    assert "admin password is required" in result.stderr


def test_cli_refuses_a_weak_admin_password(
    cli_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HAWIYA_ADMIN_PASSWORD", "admin123")
    result = CliRunner().invoke(
        cli.app, ["tenant", "create", "acme", "--admin-email", "admin@acme.test"]
    )
    assert result.exit_code == 1, result.output
    assert "at least 15 characters" in result.stderr
    monkeypatch.setenv("HAWIYA_ADMIN_PASSWORD", "Qx7!mKp2#vLw9zR-long-enough")
    created = CliRunner().invoke(
        cli.app, ["tenant", "create", "acme", "--admin-email", "admin@acme.test", "--json"]
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["apiKey"].startswith("hwk_")


# --------------------------------------------------------------------------------------------------
# PW-5 / TOK-6: the server refuses to start on a weak master secret

LOW_ENTROPY_HEX = "ab" * 32  # 32 bytes, all the same
SHORT_HEX = secrets.token_hex(16)  # 16 random bytes


def test_serve_refuses_a_placeholder_secret_key(tmp_path: Path) -> None:
    """The real installed command: exits 2 with a message instead of serving."""
    env = fresh_env(tmp_path, HAWIYA_SECRET_KEY="changeme", HAWIYA_PORT=str(free_port()))
    done = run_cli("serve", "--no-worker", env=env, timeout=30)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "HAWIYA_SECRET_KEY" in done.stderr and "placeholder" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("changeme", "placeholder"),
        (SHORT_HEX, "at least 32 bytes"),
        (LOW_ENTROPY_HEX, "too little entropy"),
    ],
    ids=["changeme", "short", "low-entropy"],
)
def test_app_refuses_to_build_with_a_weak_secret_key(
    tmp_path: Path, secret: str, reason: str
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key=secret,  # type: ignore[arg-type]
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'x.db'}"),
    )
    with pytest.raises(WeakSecretError, match=reason):
        create_app(settings, run_worker=False)


# --------------------------------------------------------------------------------------------------
# TOK-6: parse_secret


@pytest.mark.parametrize(
    "value",
    [
        "changeme",
        "ChangeMe",
        " changeme ",
        "change-me",
        "secret",
        "password",
        "hawiya",
        "vlens",
        "default",
        "test",
        "",
        secrets.token_hex(MIN_SECRET_BYTES - 1),
        base64.b64encode(secrets.token_bytes(MIN_SECRET_BYTES - 1)).decode(),
        "a" * 64,
        "ab" * 32,
        "0123456789abcdef" * 4,
        "password" * 8,
        "correct horse battery staple!",
        "x" * 200,
    ],
    ids=lambda v: repr(v[:20]),
)
def test_parse_secret_rejects_weak_values(value: str) -> None:
    with pytest.raises(WeakSecretError):
        parse_secret(value)


@pytest.mark.parametrize(
    "value",
    [
        secrets.token_hex(32),
        secrets.token_hex(64),
        secrets.token_urlsafe(32),
        base64.b64encode(secrets.token_bytes(32)).decode(),
    ],
    ids=["hex-32", "hex-64", "base64url-32", "base64-32"],
)
def test_parse_secret_accepts_random_values(value: str) -> None:
    assert len(parse_secret(value)) >= MIN_SECRET_BYTES


def test_generated_secret_is_strong_private_and_stable(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        secret_key=None,
        database=DatabaseSettings(url=f"sqlite:///{tmp_path / 'x.db'}"),
    )
    assert settings.secret_key is None
    first = load_master_secret(settings)
    path = tmp_path / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= MIN_SECRET_BYTES
    assert load_master_secret(settings) == first  # generated once, then reused


def test_weak_secret_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "secret.key").write_text("changeme\n")
    settings = Settings(data_dir=tmp_path, secret_key=None)
    with pytest.raises(WeakSecretError):
        load_master_secret(settings)
