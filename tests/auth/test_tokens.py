"""TOK-1 (lifetimes), TOK-2 (JWT validation hardening) and TOK-6 (Ed25519 keys)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from fastapi import FastAPI
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from hawiya.auth import security
from hawiya.auth.keyring import LoadedKey
from hawiya.kit.clock import Clock
from tests.auth.helpers import claims, current_session, header, login_ok, refresh
from tests.conftest import client_for
from tests.fixtures.factories import TenantFixture, create_tenant

DAY = 86_400

# --------------------------------------------------------------------------------------------------
# TOK-1


async def test_access_and_refresh_lifetimes(
    client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    data = await login_ok(client, tenant_a)
    access, rotated = claims(data["accessToken"]), claims(data["refreshToken"])
    assert access["exp"] - access["iat"] == DAY
    assert rotated["exp"] - rotated["iat"] == 7 * DAY
    assert data["expireInSeconds"] == DAY and data["refreshTokenExpireInSeconds"] == 7 * DAY


async def test_refresh_chain_is_absolute_seven_days_from_login(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    login_at = datetime.now(UTC).replace(microsecond=0)
    frozen_clock.freeze(login_at)
    data = await login_ok(client, tenant)
    deadline = int(login_at.timestamp()) + 7 * DAY
    token = data["refreshToken"]
    assert claims(token)["exp"] == deadline

    for offset in (timedelta(days=1), timedelta(days=6), timedelta(days=7) - timedelta(seconds=1)):
        frozen_clock.freeze(login_at + offset)
        response = await refresh(client, tenant, token)
        body = response.json()
        assert response.status_code == 200 and body["error_code"] is None, (offset, body)
        token = body["data"]["refreshToken"]
        access = claims(body["data"]["accessToken"])
        assert access["exp"] - access["iat"] == DAY
        assert access["iat"] == int((login_at + offset).timestamp())
        # Rotation never extends the family: every new refresh token ends at login + 7 d.
        assert claims(token)["exp"] == deadline
        assert body["data"]["refreshTokenExpireInSeconds"] == deadline - access["iat"]
        # The access token issued by the refresh works.
        assert (
            await current_session(client, tenant, body["data"]["accessToken"])
        ).status_code == 200

    frozen_clock.freeze(login_at + timedelta(days=7, seconds=1))
    response = await refresh(client, tenant, token)
    assert response.status_code == 401 and response.json()["error_code"] == 1112


async def test_access_token_expires_after_24_hours(
    app: FastAPI, client: httpx.AsyncClient, frozen_clock: Clock
) -> None:
    tenant = await create_tenant(app)
    login_at = datetime.now(UTC).replace(microsecond=0)
    frozen_clock.freeze(login_at)
    token = (await login_ok(client, tenant))["accessToken"]
    frozen_clock.freeze(login_at + timedelta(seconds=DAY - 1))
    assert (await current_session(client, tenant, token)).status_code == 200
    frozen_clock.freeze(login_at + timedelta(seconds=DAY))
    expired = await current_session(client, tenant, token)
    assert expired.status_code == 401 and expired.json()["error_code"] == 1107


# --------------------------------------------------------------------------------------------------
# TOK-6


async def test_tokens_are_eddsa_with_a_kid_from_the_ed25519_keyring(
    app: FastAPI, client: httpx.AsyncClient, tenant_a: TenantFixture
) -> None:
    data = await login_ok(client, tenant_a)
    signer: LoadedKey = await app.state.auth.keyring.signer()
    assert isinstance(signer.private, Ed25519PrivateKey)
    assert isinstance(signer.public, Ed25519PublicKey)
    for token, typ in ((data["accessToken"], "at+jwt"), (data["refreshToken"], "rt+jwt")):
        assert header(token) == {"alg": "EdDSA", "kid": signer.kid, "typ": typ}
        jwt.decode(
            token,
            signer.public,
            algorithms=["EdDSA"],
            audience=app.state.settings.auth.audience,
            issuer=app.state.settings.auth.issuer,
        )
    for key in app.state.auth.keyring.verification_keys(datetime.now(UTC)).values():
        assert isinstance(key, Ed25519PublicKey)


# --------------------------------------------------------------------------------------------------
# TOK-2: the crafted-token matrix


@dataclass
class Forge:
    """A live session in tenant A, the app's real signing key, and tokens to start from."""

    tenant: TenantFixture
    claims: dict[str, Any]
    key: LoadedKey
    refresh_token: str
    foreign_access_token: str  # a valid token of tenant B

    def sign(self, changes: dict[str, Any] | None = None, **headers: Any) -> str:
        body = {**self.claims, **(changes or {})}
        body = {k: v for k, v in body.items() if v is not _DROP}
        assert self.key.private is not None
        return jwt.encode(
            body,
            self.key.private,
            algorithm="EdDSA",
            headers={"kid": self.key.kid, "typ": "at+jwt", **headers},
        )

    def raw_signed(self, head: dict[str, Any]) -> str:
        """Signed with the real key, with a header PyJWT would refuse to write."""
        assert self.key.private is not None
        signing_input = (
            f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(self.claims).encode())}"
        )
        return f"{signing_input}.{_b64(self.key.private.sign(signing_input.encode()))}"

    def hmac_signed(self, secret: bytes) -> str:
        head = {"alg": "HS256", "kid": self.key.kid, "typ": "at+jwt"}
        signing_input = (
            f"{_b64(json.dumps(head).encode())}.{_b64(json.dumps(self.claims).encode())}"
        )
        mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{_b64(mac)}"


_DROP = object()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _now() -> int:
    return int(datetime.now(UTC).timestamp())


def _public_raw(forge: Forge) -> bytes:
    return forge.key.public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _public_pem(forge: Forge) -> bytes:
    return forge.key.public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _public_jwk(forge: Forge) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64(_public_raw(forge))}


def _other_key(forge: Forge) -> str:
    body = dict(forge.claims)
    return jwt.encode(
        body,
        Ed25519PrivateKey.generate(),
        algorithm="EdDSA",
        headers={"kid": forge.key.kid, "typ": "at+jwt"},
    )


CASES: dict[str, Callable[[Forge], str]] = {
    "alg-none": lambda f: jwt.encode(
        f.claims, None, algorithm="none", headers={"kid": f.key.kid, "typ": "at+jwt"}
    ),
    "alg-none-with-real-signature": lambda f: (
        jwt.encode(f.claims, None, algorithm="none", headers={"kid": f.key.kid, "typ": "at+jwt"})
        + f.sign().rsplit(".", 1)[1]
    ),
    "hs256-keyed-with-ed25519-public-raw-bytes": lambda f: f.hmac_signed(_public_raw(f)),
    "hs256-keyed-with-ed25519-public-pem": lambda f: f.hmac_signed(_public_pem(f)),
    "signed-by-another-key-with-the-real-kid": _other_key,
    "unknown-kid": lambda f: f.sign(kid=security.new_kid()),
    "no-kid": lambda f: f.raw_signed({"alg": "EdDSA", "typ": "at+jwt"}),
    "kid-of-wrong-type": lambda f: f.raw_signed({"alg": "EdDSA", "typ": "at+jwt", "kid": 7}),
    "jku-header": lambda f: f.sign(jku="https://attacker.example/jwks.json"),
    "x5u-header": lambda f: f.sign(x5u="https://attacker.example/cert.pem"),
    "jwk-header": lambda f: f.sign(jwk=_public_jwk(f)),
    "missing-exp": lambda f: f.sign({"exp": _DROP}),
    "expired": lambda f: f.sign(
        {"iat": _now() - DAY - 10, "nbf": _now() - DAY - 10, "exp": _now() - 10}
    ),
    "nbf-120s-in-the-future": lambda f: f.sign({"nbf": _now() + 120}),
    "iat-120s-in-the-future": lambda f: f.sign({"iat": _now() + 120}),
    "wrong-iss": lambda f: f.sign({"iss": "https://attacker.example"}),
    "missing-iss": lambda f: f.sign({"iss": _DROP}),
    "wrong-aud": lambda f: f.sign({"aud": "someone-else"}),
    "wrong-typ-jwt": lambda f: f.sign(typ="JWT"),
    "wrong-typ-refresh": lambda f: f.sign(typ="rt+jwt"),
    "another-tenants-valid-token": lambda f: f.foreign_access_token,
    "forged-tid-of-another-tenant": lambda f: f.sign({"tid": str(_uuid())}),
    "refresh-token-as-access-token": lambda f: f.refresh_token,
    "unknown-session": lambda f: f.sign({"sid": str(_uuid())}),
    "non-numeric-exp": lambda f: f.sign({"exp": "9999999999"}),
}


def _uuid() -> str:
    return str(uuid.uuid4())


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def forge(app: FastAPI) -> Forge:
    tenant, other = await create_tenant(app), await create_tenant(app)
    async with client_for(app) as http:
        data = await login_ok(http, tenant)
        foreign = (await login_ok(http, other))["accessToken"]
    key = await app.state.auth.keyring.signer()
    return Forge(tenant, claims(data["accessToken"]), key, data["refreshToken"], foreign)


async def test_forge_control_case_is_accepted(client: httpx.AsyncClient, forge: Forge) -> None:
    """Re-signing the real claims with the real key verifies, so every refusal below is due to the
    one thing each case changes."""
    response = await current_session(client, forge.tenant, forge.sign())
    assert response.status_code == 200, response.text
    fresh = forge.sign({"iat": _now(), "nbf": _now() + 60, "jti": _uuid()})  # inside the skew
    assert (await current_session(client, forge.tenant, fresh)).status_code == 200
    raw = forge.raw_signed({"alg": "EdDSA", "kid": forge.key.kid, "typ": "at+jwt"})
    assert (await current_session(client, forge.tenant, raw)).status_code == 200


@pytest.mark.parametrize("case", list(CASES))
async def test_crafted_token_is_refused(client: httpx.AsyncClient, forge: Forge, case: str) -> None:
    token = CASES[case](forge)
    response = await current_session(client, forge.tenant, token)
    body = response.json()
    assert response.status_code == 401, body
    assert body["data"] is None
    assert body["error_code"] == (1107 if case == "expired" else 1106), body


# --------------------------------------------------------------------------------------------------
# TOK-2: property test on the verifier itself

_KEY = Ed25519PrivateKey.generate()
_KID = security.new_kid()
_NOW = datetime.now(UTC)
_TOKEN = security.encode_token(
    {
        "iss": "hawiya",
        "aud": "hawiya-api",
        "sub": _uuid(),
        "tid": _uuid(),
        "jti": _uuid(),
        "sid": _uuid(),
        "kind": "admin",
        "iat": int(_NOW.timestamp()),
        "nbf": int(_NOW.timestamp()),
        "exp": int(_NOW.timestamp()) + DAY,
    },
    kid=_KID,
    key=_KEY,
    typ=security.ACCESS_TYP,
)


def _decode(token: str) -> dict[str, Any]:
    return security.decode_token(
        token,
        keys={_KID: _KEY.public_key()},
        typ=security.ACCESS_TYP,
        issuer="hawiya",
        audience="hawiya-api",
        now=_NOW,
        leeway=60,
    )


def test_property_baseline_token_verifies() -> None:
    assert _decode(_TOKEN)["kind"] == "admin"


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(position=st.integers(min_value=0), value=st.integers(min_value=0, max_value=255))
def test_any_single_byte_change_never_verifies(position: int, value: int) -> None:
    raw = bytearray(_TOKEN.encode())
    position %= len(raw)
    if raw[position] == value:
        value = (value + 1) % 256
    raw[position] = value
    # Only TokenError may come out: anything else would surface as a 500 instead of a 401.
    with pytest.raises(security.TokenError):
        _decode(raw.decode("latin-1"))


def test_non_canonical_signature_encodings_never_verify() -> None:
    """base64url malleability: the last character of a 64-byte signature carries 4 unused bits,
    and '-'/'_' have standard-alphabet twins. None of these spellings may verify."""
    head, signature = _TOKEN.rsplit(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    variants = {f"{head}.{signature[:-1]}{c}" for c in alphabet + "+/="} - {_TOKEN}
    variants |= {f"{head}.{signature}=", f"{head}.{signature}==", f"{_TOKEN} ", f" {_TOKEN}"}
    variants |= {
        f"{head}.{signature.replace('-', '+').replace('_', '/')}",
    } - {_TOKEN}
    for variant in variants:
        with pytest.raises(security.TokenError):
            _decode(variant)


@pytest.mark.parametrize("position", [0, 10, -1])
def test_truncated_or_extended_token_never_verifies(position: int) -> None:
    for variant in (_TOKEN[:position], _TOKEN + "A", _TOKEN + ".", "." + _TOKEN):
        with pytest.raises(security.TokenError):
            _decode(variant)
