"""TEN-6: ApiKey hygiene: entropy and prefix, hashed at rest, header only, revocation, rotation."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.auth.security import API_KEY_PREFIX, new_api_key
from hawiya.config import Settings
from hawiya.db.session import session_scope
from hawiya.kit.clock import Clock
from hawiya.models import ApiKey, Base
from tests.auth.helpers import (
    API_KEYS,
    LOGIN,
    SESSION,
    cli_env,
    current_session,
    login_ok,
    refresh,
    run_cli,
)
from tests.fixtures.factories import TenantFixture, admin_token, create_tenant


def random_bits(key: str) -> int:
    assert key.startswith(API_KEY_PREFIX)
    body = key[len(API_KEY_PREFIX) :]
    assert all(c.isalnum() or c in "-_" for c in body), key
    return len(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))) * 8


def with_key(tenant: TenantFixture, key: str, token: str | None = None) -> dict[str, str]:
    headers = {"ApiKey": key}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


async def create_key(
    client: httpx.AsyncClient, tenant: TenantFixture, token: str
) -> dict[str, Any]:
    response = await client.post(API_KEYS, json={"name": "extra"}, headers=tenant.headers(token))
    body = response.json()
    assert response.status_code == 200 and body["error_code"] is None, body
    data: dict[str, Any] = body["data"]
    return data


async def works(client: httpx.AsyncClient, tenant: TenantFixture, key: str, token: str) -> int:
    response = await client.get(SESSION, headers=with_key(tenant, key, token))
    if response.status_code != 200:
        assert response.status_code == 401 and response.json()["error_code"] == 1102, response.text
    return response.status_code


# --------------------------------------------------------------------------------------------------
# Shape and entropy


async def test_keys_have_the_prefix_and_at_least_128_random_bits(
    app: FastAPI, client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    token = await admin_token(client, tenant_a)
    created = await create_key(client, tenant_a, token)
    for key in (tenant_a.api_key, created["apiKey"]):
        assert random_bits(key) >= 128
    assert created["prefix"] == created["apiKey"][:12]  # a display prefix, not the key
    sample = {new_api_key() for _ in range(2000)}
    assert len(sample) == 2000
    assert all(random_bits(k) >= 128 for k in sample)
    # Every position past the prefix varies: nothing fixed hides inside the random part.
    body_length = len(next(iter(sample))) - len(API_KEY_PREFIX)
    for position in range(len(API_KEY_PREFIX), len(API_KEY_PREFIX) + body_length - 1):
        assert len({k[position] for k in sample}) > 16, position


# --------------------------------------------------------------------------------------------------
# Stored as SHA-256 only


async def dump_database(app: FastAPI) -> tuple[str, bytes]:
    texts: list[str] = []
    blobs: list[bytes] = []
    async with session_scope(app.state.db.reader) as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        blobs.append(bytes(value))
                    elif isinstance(value, dict | list):
                        texts.append(json.dumps(value, ensure_ascii=False))
                    else:
                        texts.append(str(value))
    return "\n".join(texts), b"\n".join(blobs)


async def test_no_plaintext_key_anywhere_in_the_database(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    session = await login_ok(client, tenant)
    token = session["accessToken"]
    created = await create_key(client, tenant, token)
    rotated = await client.post(
        f"{API_KEYS}/{created['id']}/Rotate",
        json={"graceSeconds": 60},
        headers=tenant.headers(token),
    )
    assert rotated.json()["error_code"] is None
    refreshed = (await refresh(client, tenant, session["refreshToken"])).json()["data"]
    keys = [tenant.api_key, created["apiKey"], rotated.json()["data"]["apiKey"]]

    text, blobs = await dump_database(app)
    assert tenant.id in text and created["prefix"] in text  # the dump is real and complete
    secrets_to_find = [
        *keys,
        *(k[12:] for k in keys),  # the part after the display prefix
        tenant.admin_password,
        session["refreshToken"],
        refreshed["refreshToken"],
        refreshed["accessToken"],
    ]
    for secret in secrets_to_find:
        assert secret not in text
        assert secret.encode() not in blobs

    async with session_scope(app.state.db.reader) as db:
        stored = set(
            (
                await db.execute(
                    select(ApiKey.key_hash).where(ApiKey.tenant_id == uuid.UUID(tenant.id))
                )
            )
            .scalars()
            .all()
        )
    assert stored == {hashlib.sha256(k.encode()).hexdigest() for k in keys}


# --------------------------------------------------------------------------------------------------
# Header only, generic refusals


@pytest.mark.parametrize("name", ["api_key", "apikey", "ApiKey", "API-KEY", "key"])
@pytest.mark.parametrize("with_header", [False, True])
async def test_key_in_query_string_is_refused(
    client: httpx.AsyncClient, tenant_a: TenantFixture, name: str, with_header: bool
) -> None:
    token = await admin_token(client, tenant_a)
    headers = tenant_a.headers(token) if with_header else {"Authorization": f"Bearer {token}"}
    response = await client.get(SESSION, params={name: tenant_a.api_key}, headers=headers)
    assert response.status_code == 401 and response.json()["error_code"] == 1103


async def test_key_in_query_string_is_refused_on_login(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    body = {
        "tenancyName": tenant_a.name,
        "userNameOrEmailAddress": tenant_a.admin_email,
        "password": tenant_a.admin_password,
    }
    response = await client.post(LOGIN, params={"api_key": tenant_a.api_key}, json=body)
    assert response.status_code == 401 and response.json()["error_code"] == 1103


async def test_bad_keys_get_one_generic_answer(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    token = await admin_token(client, tenant_a)
    candidates = [
        new_api_key(),  # well formed, unknown
        tenant_a.api_key[:-1] + ("A" if tenant_a.api_key[-1] != "A" else "B"),
        tenant_a.api_key[len(API_KEY_PREFIX) :],  # prefix missing
        tenant_a.api_key + "x" * 200,  # too long
        hashlib.sha256(tenant_a.api_key.encode()).hexdigest(),  # the stored hash itself
    ]
    answers = set()
    for key in candidates:
        response = await client.get(SESSION, headers=with_key(tenant_a, key, token))
        answers.add((response.status_code, response.text))
    assert len(answers) == 1
    status, text = answers.pop()
    assert status == 401 and json.loads(text)["error_code"] == 1102


# --------------------------------------------------------------------------------------------------
# Revocation and rotation


async def test_revoked_key_is_refused_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    token = await admin_token(client, tenant)
    extra = await create_key(client, tenant, token)
    assert await works(client, tenant, extra["apiKey"], token) == 200
    revoked = await client.post(f"{API_KEYS}/{extra['id']}/Revoke", headers=tenant.headers(token))
    assert revoked.json()["error_code"] is None and revoked.json()["data"]["revocationTime"]
    assert await works(client, tenant, extra["apiKey"], token) == 401
    assert await works(client, tenant, tenant.api_key, token) == 200  # only that key


async def test_cli_revoked_key_is_refused_on_the_next_request(
    app: FastAPI, client: httpx.AsyncClient, settings: Settings, database_url: str, tmp_path: Path
) -> None:
    tenant = await create_tenant(app)
    token = await admin_token(client, tenant)
    extra = await create_key(client, tenant, token)
    assert await works(client, tenant, extra["apiKey"], token) == 200
    assert settings.secret_key is not None
    env = cli_env(
        HAWIYA_DATA_DIR=str(tmp_path),
        HAWIYA_DATABASE__URL=database_url,
        HAWIYA_SECRET_KEY=settings.secret_key.get_secret_value(),
        HAWIYA_LOG_JSON="false",
    )
    done = run_cli("apikey", "revoke", tenant.name, extra["id"], "--json", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["revokedAt"]
    assert await works(client, tenant, extra["apiKey"], token) == 401


async def test_rotation_with_grace_keeps_the_old_key_until_the_grace_ends(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    start = datetime.now(UTC).replace(microsecond=0)
    frozen_clock.freeze(start)
    token = await admin_token(client, tenant)
    old = await create_key(client, tenant, token)
    response = await client.post(
        f"{API_KEYS}/{old['id']}/Rotate", json={"graceSeconds": 3600}, headers=tenant.headers(token)
    )
    new = response.json()["data"]
    assert new["apiKey"] != old["apiKey"] and new["name"] == old["name"]
    assert await works(client, tenant, new["apiKey"], token) == 200
    assert await works(client, tenant, old["apiKey"], token) == 200

    frozen_clock.freeze(start + timedelta(seconds=3599))
    assert await works(client, tenant, old["apiKey"], token) == 200
    frozen_clock.freeze(start + timedelta(seconds=3600))
    assert await works(client, tenant, old["apiKey"], token) == 401
    assert await works(client, tenant, new["apiKey"], token) == 200


async def test_rotation_without_grace_stops_the_old_key_at_once(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    token = await admin_token(client, tenant)
    old = await create_key(client, tenant, token)
    response = await client.post(
        f"{API_KEYS}/{old['id']}/Rotate", json={}, headers=tenant.headers(token)
    )
    new = response.json()["data"]
    assert await works(client, tenant, old["apiKey"], token) == 401
    assert await works(client, tenant, new["apiKey"], token) == 200
    # A revoked key cannot be rotated back to life.
    again = await client.post(
        f"{API_KEYS}/{old['id']}/Rotate", json={}, headers=tenant.headers(token)
    )
    assert again.json()["error_code"] == 1133


async def test_keys_of_another_tenant_cannot_be_revoked(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner, other = await create_tenant(app), await create_tenant(app)
    owner_token, other_token = await admin_token(client, owner), await admin_token(client, other)
    key = await create_key(client, owner, owner_token)
    attempt = await client.post(
        f"{API_KEYS}/{key['id']}/Revoke", headers=other.headers(other_token)
    )
    assert attempt.json()["error_code"] == 1133
    assert await works(client, owner, key["apiKey"], owner_token) == 200
    assert (await current_session(client, owner, owner_token)).status_code == 200
