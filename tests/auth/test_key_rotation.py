"""TOK-5: signing-key rotation, retention of retired keys, and a local-only keyset.

Rotation changes which key the whole installation signs with, so it runs on a database of its own
(one more fresh database, like the session's) and never disturbs the other tests' tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hawiya.auth import security
from hawiya.auth.keyring import KeyRing, LoadedKey, rotate_key
from hawiya.config import DatabaseSettings, Settings
from hawiya.db.session import session_scope
from hawiya.kit.clock import Clock
from tests.auth.helpers import claims, current_session, header, login_ok, refresh, running_app
from tests.conftest import client_for
from tests.fixtures.db import fresh_database
from tests.fixtures.factories import TenantFixture, create_tenant

WEEK = 7 * 86_400


@pytest.fixture(scope="module")
def rotation_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from fresh_database(tmp_path_factory.mktemp("rotation"))


@pytest.fixture(scope="module")
def rotation_settings(settings: Settings, rotation_database: str) -> Settings:
    return settings.model_copy(update={"database": DatabaseSettings(url=rotation_database)})


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def rot_app(rotation_settings: Settings) -> AsyncIterator[FastAPI]:
    async with running_app(rotation_settings) as application:
        yield application


async def rotate(app: FastAPI) -> str:
    runtime = app.state.auth
    async with session_scope(app.state.db.writer) as session:
        new, _ = await rotate_key(session, runtime.seal_key, runtime.key_retention_seconds)
        kid = new.kid
    await runtime.keyring.load()
    return kid


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_kid(
    rot_app: FastAPI,
) -> None:
    tenant = await create_tenant(rot_app)
    async with client_for(rot_app) as client:
        before = await login_ok(client, tenant)
        old_kid = header(before["accessToken"])["kid"]

        new_kid = await rotate(rot_app)
        assert new_kid != old_kid

        assert (await current_session(client, tenant, before["accessToken"])).status_code == 200
        after = await login_ok(client, tenant)
        assert header(after["accessToken"])["kid"] == new_kid
        assert header(after["refreshToken"])["kid"] == new_kid
        assert (await current_session(client, tenant, after["accessToken"])).status_code == 200

        # A refresh token signed by the retired key still refreshes, into new-kid tokens.
        rotated = await refresh(client, tenant, before["refreshToken"])
        assert rotated.status_code == 200, rotated.text
        assert header(rotated.json()["data"]["accessToken"])["kid"] == new_kid


async def test_retired_key_verifies_until_the_retention_window_ends(
    rot_app: FastAPI, frozen_clock: Clock
) -> None:
    keyring: KeyRing = rot_app.state.auth.keyring
    tenant = await create_tenant(rot_app)
    retired_at = datetime.now(UTC).replace(microsecond=0)
    frozen_clock.freeze(retired_at)
    async with client_for(rot_app) as client:
        template = claims((await login_ok(client, tenant))["accessToken"])
        old: LoadedKey = await keyring.signer()
        new_kid = await rotate(rot_app)
        new = await keyring.signer()
        assert new.kid == new_kid != old.kid

        def token(key: LoadedKey, at: datetime) -> str:
            """Claims of a live session, freshly issued at `at`: only the key can fail."""
            stamp = int(at.timestamp())
            body = {**template, "iat": stamp, "nbf": stamp, "exp": stamp + 3600}
            assert key.private is not None
            headers = {"kid": key.kid, "typ": "at+jwt"}
            return jwt.encode(body, key.private, algorithm="EdDSA", headers=headers)

        inside = retired_at + timedelta(seconds=WEEK - 60)
        frozen_clock.freeze(inside)
        assert (await current_session(client, tenant, token(old, inside))).status_code == 200

        beyond = retired_at + timedelta(seconds=WEEK + 1)
        frozen_clock.freeze(beyond)
        refused = await current_session(client, tenant, token(old, beyond))
        assert refused.status_code == 401 and refused.json()["error_code"] == 1106
        assert (await current_session(client, tenant, token(new, beyond))).status_code == 200

        # The next rotation after the window deletes the retired key for good.
        runtime = rot_app.state.auth
        async with session_scope(rot_app.state.db.writer) as session:
            _, dropped = await rotate_key(session, runtime.seal_key, runtime.key_retention_seconds)
        await keyring.load()
        assert old.kid in dropped and new.kid not in dropped
        assert old.kid not in keyring.verification_keys(beyond)


async def test_another_instance_picks_up_a_rotation_without_restart(
    rot_app: FastAPI, rotation_settings: Settings
) -> None:
    tenant = await create_tenant(rot_app)
    async with running_app(rotation_settings) as other, client_for(rot_app) as client:
        new_kid = await rotate(rot_app)  # only rot_app reloads its keyring
        fresh = await login_ok(client, tenant)
        assert header(fresh["accessToken"])["kid"] == new_kid
        assert new_kid not in other.state.auth.keyring.verification_keys(datetime.now(UTC))
        async with client_for(other) as second:
            response = await current_session(second, tenant, fresh["accessToken"])
        assert response.status_code == 200, response.text


# --------------------------------------------------------------------------------------------------
# kid values that must never reach a lookup


class LoadSpy:
    def __init__(self, keyring: KeyRing) -> None:
        self.original = keyring.load
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        await self.original()


@pytest.fixture
def load_spy(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> LoadSpy:
    keyring: KeyRing = app.state.auth.keyring
    spy = LoadSpy(keyring)
    monkeypatch.setattr(keyring, "load", spy)
    monkeypatch.setattr(keyring, "_last_forced", 0.0)  # a reload would be allowed right now
    return spy


async def _signed_with_kid(
    app: FastAPI, client: httpx.AsyncClient, kid: str
) -> tuple[str, TenantFixture]:
    tenant = await create_tenant(app)
    template = claims((await login_ok(client, tenant))["accessToken"])
    key: LoadedKey = await app.state.auth.keyring.signer()
    assert key.private is not None
    token = jwt.encode(
        template, key.private, algorithm="EdDSA", headers={"kid": kid, "typ": "at+jwt"}
    )
    return token, tenant


@pytest.mark.parametrize(
    "kid",
    [
        "../../../../etc/passwd",
        "..%2f..%2fsecret.key",
        "abcdefgh' OR '1'='1",
        "x'; DROP TABLE signing_key; --",
        "https://attacker.example/jwks.json",
        "file:///var/lib/hawiya/secret.key",
        "abcdefgh\x00",
        "a" * 65,
    ],
)
async def test_hostile_kid_is_refused_without_reloading_the_keyset(
    app: FastAPI, client: httpx.AsyncClient, load_spy: LoadSpy, kid: str
) -> None:
    token, tenant = await _signed_with_kid(app, client, kid)
    response = await current_session(client, tenant, token)
    assert response.status_code == 401 and response.json()["error_code"] == 1106
    assert load_spy.calls == 0
    with pytest.raises(security.TokenError, match="bad kid"):
        security.token_header(token)


async def test_well_formed_unknown_kid_reloads_at_most_once_per_interval(
    app: FastAPI, client: httpx.AsyncClient, load_spy: LoadSpy
) -> None:
    """The control for the test above: the spy does see a reload when one is allowed."""
    token, tenant = await _signed_with_kid(app, client, security.new_kid())
    for _ in range(3):
        response = await current_session(client, tenant, token)
        assert response.status_code == 401 and response.json()["error_code"] == 1106
    assert load_spy.calls == 1
