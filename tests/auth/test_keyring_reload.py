"""The keyset reloads itself every minute, in the middle of a login that holds SQLite's write
lock. It must read on its own without waiting for that lock (regression: it used to open a write
transaction, wait on its own request for the whole busy timeout, and answer 503)."""

from __future__ import annotations

import time

import httpx
from fastapi import FastAPI

from tests.fixtures.factories import TenantFixture, login


async def test_login_while_the_keyset_reloads(
    app: FastAPI, client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    keyring = app.state.auth.keyring
    for _ in range(3):
        keyring._loaded_at = 0.0  # due: the next signature reloads the keyset first
        started = time.monotonic()
        payload = await login(client, tenant_a)
        assert payload["error_code"] is None, payload
        assert time.monotonic() - started < 5
