"""Flow §3.3 over HTTP: StepVerifyOAuthToken, then Register with the verification id; and
VerifyOAuthToken for a registered user whose email is unconfirmed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.providers.oidc import IdTokenVerifier
from hawiya.tenants import service as tenant_service
from tests.fixtures.factories import TenantFixture, create_tenant
from tests.http.routes import outbox_code, random_phone
from tests.oidc.conftest import CLIENT_ID, JwksServer, Keys, google_claims

BASE = "/api/DigitalIdentity"


@pytest.fixture
def app_verifier(app: FastAPI, verifier: IdTokenVerifier) -> Iterator[None]:
    """The app's verifier for this test: a fresh key cache that ignores proxy settings."""
    saved = app.state.oidc
    app.state.oidc = verifier
    yield
    app.state.oidc = saved


async def oauth_tenant(app: FastAPI, jwks_url: str) -> TenantFixture:
    tenant = await create_tenant(app)
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, tenant.name)
        await tenant_service.update_settings(
            session,
            row,
            {"oauthProviders": {"Google": {"clientId": CLIENT_ID, "jwksUrl": jwks_url}}},
        )
    return tenant


async def post(http: httpx.AsyncClient, tenant: TenantFixture, path: str, **body: Any) -> Any:
    return (await http.post(f"{BASE}/{path}", json=body, headers=tenant.headers())).json()


async def phone_code(
    http: httpx.AsyncClient, app: FastAPI, tenant: TenantFixture
) -> dict[str, str]:
    phone = random_phone()
    sent = await post(http, tenant, "Register/StepVerifyPhone", phoneNumber=phone)
    return {
        "phoneNumber": phone,
        "phoneNumberOtpRequestId": sent["data"]["phoneNumberOtpRequestId"],
        "phoneNumberOtp": outbox_code(app, phone),
    }


@pytest.mark.usefixtures("app_verifier")
async def test_register_with_a_google_token(
    app: FastAPI, client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    tenant = await oauth_tenant(app, jwks_server.url)
    token = keys.current.sign(google_claims(now, email="Layla@Example.com"))
    verified = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Google", IdToken=token
    )
    assert verified["error_code"] is None, verified
    data = verified["data"]
    assert data["isVerified"] is True
    assert data["email"] == "layla@example.com"
    request_id = data["oAuthTokenVerificationRequestId"]

    registered = await post(
        client,
        tenant,
        "Register",
        **await phone_code(client, app, tenant),
        oAuthTokenVerificationRequestId=request_id,
    )
    assert registered["error_code"] is None, registered
    assert registered["data"]["isEmailConfirmed"] is True
    assert registered["data"]["user"]["emailAddress"] == "layla@example.com"

    reused = await post(
        client,
        tenant,
        "Register",
        **await phone_code(client, app, tenant),
        oAuthTokenVerificationRequestId=request_id,
    )
    assert reused["error_code"] == 1224  # one-shot


@pytest.mark.usefixtures("app_verifier")
async def test_refusals(
    app: FastAPI,
    client: httpx.AsyncClient,
    jwks_server: JwksServer,
    keys: Keys,
    now: int,
    dead_url: str,
) -> None:
    tenant = await oauth_tenant(app, jwks_server.url)
    good = keys.current.sign(google_claims(now))
    not_set = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Microsoft", IdToken=good
    )
    assert not_set["error_code"] == 1221
    wrong_aud = keys.current.sign(google_claims(now, aud="someone-else"))
    invalid = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Google", IdToken=wrong_aud
    )
    assert invalid["error_code"] == 1220
    assert invalid["error_descriptions"][0]["code"] == "audience"
    unverified = keys.current.sign(google_claims(now, email_verified=False))
    answer = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Google", IdToken=unverified
    )
    assert answer["error_code"] == 1222
    mismatch = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Google", IdToken=good
    )
    wrong_email = await post(
        client,
        tenant,
        "Register",
        **await phone_code(client, app, tenant),
        email="other@example.com",
        oAuthTokenVerificationRequestId=mismatch["data"]["oAuthTokenVerificationRequestId"],
    )
    assert wrong_email["error_code"] == 1224
    down = await oauth_tenant(app, dead_url)
    response = await client.post(
        f"{BASE}/Register/StepVerifyOAuthToken",
        json={"provider": "Google", "IdToken": good},
        headers=down.headers(),
    )
    assert response.status_code == 503
    assert response.json()["error_code"] == 1223


@pytest.mark.usefixtures("app_verifier")
async def test_verify_oauth_token_confirms_an_existing_email(
    app: FastAPI, client: httpx.AsyncClient, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    tenant = await oauth_tenant(app, jwks_server.url)
    registered = await post(
        client,
        tenant,
        "Register",
        **await phone_code(client, app, tenant),
        email="salma@example.com",
    )
    assert registered["data"]["isEmailConfirmed"] is False
    token = keys.current.sign(google_claims(now))
    confirmed = await post(client, tenant, "VerifyOAuthToken", provider="Google", IdToken=token)
    assert confirmed["error_code"] is None
    assert confirmed["data"]["email"] == "salma@example.com"
    taken = await post(
        client, tenant, "Register/StepVerifyOAuthToken", provider="Google", IdToken=token
    )
    again = await post(
        client,
        tenant,
        "Register",
        **await phone_code(client, app, tenant),
        oAuthTokenVerificationRequestId=taken["data"]["oAuthTokenVerificationRequestId"],
    )
    assert again["error_code"] == 1213  # that email belongs to the registered user now
