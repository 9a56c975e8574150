"""Login and refresh as spec §2.1 describes them."""

from __future__ import annotations

import httpx

from tests.fixtures.factories import TenantFixture, login


async def test_login_returns_spec_fields_and_lifetimes(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    payload = await login(client, tenant_a)
    assert payload["error_code"] is None and payload["error_message"] is None
    data = payload["data"]
    assert data["expireInSeconds"] == 86_400
    assert data["refreshTokenExpireInSeconds"] == 604_800
    assert data["accessToken"].count(".") == 2 and data["refreshToken"].count(".") == 2


async def test_refresh_rotates_and_old_token_is_refused(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    first = (await login(client, tenant_a))["data"]["refreshToken"]
    response = await client.post(
        "/api/credentials/RefreshToken", json={"refreshToken": first}, headers=tenant_a.headers()
    )
    body = response.json()
    assert response.status_code == 200 and body["error_code"] is None
    assert body["data"]["refreshToken"] == body["data"]["newRefreshToken"] != first
    again = await client.post(
        "/api/credentials/RefreshToken", json={"refreshToken": first}, headers=tenant_a.headers()
    )
    assert again.status_code == 401 and again.json()["error_code"] == 1112
