"""IdTokenVerifier against a local JWKS server: OIDC-1 case by case.

Time is frozen (the `now` fixture) and tokens are built relative to it; the server counts its
requests, so the tests can tell when the key set was fetched."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from hawiya.kit.clock import Clock
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.oidc import IdTokenVerifier, OAuthClient, VerifiedIdToken
from hawiya.providers.oidc.jwks import freshness
from tests.oidc.conftest import (
    CLIENT_ID,
    SUBJECT,
    JwksServer,
    Keys,
    google_claims,
    microsoft_claims,
)

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"


def google(server: JwksServer, **changes: Any) -> OAuthClient:
    return OAuthClient("Google", CLIENT_ID, jwks_url=server.url, **changes)


def microsoft(server: JwksServer, **changes: Any) -> OAuthClient:
    return OAuthClient("Microsoft", CLIENT_ID, jwks_url=server.url, **changes)


async def reason(verifier: IdTokenVerifier, token: str, client: OAuthClient, **kw: Any) -> str:
    with pytest.raises(ProviderRejected) as info:
        await verifier.verify(token, client, **kw)
    assert info.value.provider == client.provider
    return info.value.reason


def move(clock: Clock, now: int, seconds: int) -> None:
    clock.freeze(datetime.fromtimestamp(now + seconds, UTC))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict[str, Any], claims: dict[str, Any]) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


# --- valid tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["https://accounts.google.com", "accounts.google.com"])
async def test_valid_google_token(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int, issuer: str
) -> None:
    token = keys.current.sign(google_claims(now, iss=issuer))
    verified = await verifier.verify(token, google(jwks_server))
    assert verified == VerifiedIdToken(
        provider="Google",
        issuer=issuer,
        subject=SUBJECT,
        email="salma@example.com",
        email_verified=True,
        name="Salma Hassan",
        audience=CLIENT_ID,
    )
    assert jwks_server.requests == 1


async def test_valid_microsoft_token_with_tid(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    token = keys.current.sign(microsoft_claims(now, TENANT))
    for client in (microsoft(jwks_server), microsoft(jwks_server, allowed_tenants=(TENANT,))):
        verified = await verifier.verify(token, client)
        assert verified.provider == "Microsoft"
        assert verified.issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
        assert verified.subject == "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"
        assert verified.email == "omar@contoso.example" and verified.name == "Omar Farouk"
        # Microsoft sends no email_verified: the address counts as unverified (nOAuth) ...
        assert verified.email_verified is False
    # ... unless the optional xms_edov claim vouches for it.
    vouched = keys.current.sign(microsoft_claims(now, TENANT, xms_edov=True))
    assert (await verifier.verify(vouched, microsoft(jwks_server))).email_verified is True
    assert jwks_server.requests == 1  # one key set, fetched once


async def test_email_verified_false_is_returned_not_refused(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    token = keys.current.sign(google_claims(now, email_verified=False))
    verified = await verifier.verify(token, client)
    assert verified.email == "salma@example.com" and verified.email_verified is False
    no_email = keys.current.sign(google_claims(now, email=None))
    verified = await verifier.verify(no_email, client)
    assert verified.email is None and verified.email_verified is False


async def test_nonce_checked_when_given(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    token = keys.current.sign(google_claims(now, nonce="n-0S6_WzA2Mj"))
    assert (await verifier.verify(token, client, nonce="n-0S6_WzA2Mj")).subject == SUBJECT
    assert await reason(verifier, token, client, nonce="another") == "nonce"
    without = keys.current.sign(google_claims(now))
    assert await reason(verifier, without, client, nonce="n-0S6_WzA2Mj") == "nonce"
    assert (await verifier.verify(without, client)).subject == SUBJECT  # not asked, not checked


# --- claims --------------------------------------------------------------------------------------


async def test_wrong_audience(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    for aud in ("someone-else.apps.example", [CLIENT_ID, "someone-else"], ""):
        token = keys.current.sign(google_claims(now, aud=aud))
        assert await reason(verifier, token, client) == "audience"
    single = keys.current.sign(google_claims(now, aud=[CLIENT_ID]))
    assert (await verifier.verify(single, client)).audience == CLIENT_ID


async def test_wrong_issuer(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    for iss in ("https://accounts.google.com/", "http://accounts.google.com", "https://evil.test"):
        token = keys.current.sign(google_claims(now, iss=iss))
        assert await reason(verifier, token, google(jwks_server)) == "issuer"
    # Microsoft: the issuer must name the token's own tenant, and a tid is required.
    other = f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0"
    mismatched = keys.current.sign(microsoft_claims(now, TENANT, iss=other))
    assert await reason(verifier, mismatched, microsoft(jwks_server)) == "issuer"
    no_tid = keys.current.sign(microsoft_claims(now, TENANT, tid=None))
    assert await reason(verifier, no_tid, microsoft(jwks_server)) == "issuer"
    v1 = keys.current.sign(microsoft_claims(now, TENANT, iss=f"https://sts.windows.net/{TENANT}/"))
    assert await reason(verifier, v1, microsoft(jwks_server)) == "issuer"
    # A Google token is not a Microsoft one, even with the same key set and client id.
    assert await reason(
        verifier, keys.current.sign(google_claims(now)), microsoft(jwks_server)
    ) == ("issuer")


async def test_issuer_override_is_exact(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server, issuer="https://idp.internal.example")
    token = keys.current.sign(google_claims(now, iss="https://idp.internal.example"))
    assert (await verifier.verify(token, client)).issuer == "https://idp.internal.example"
    standard = keys.current.sign(google_claims(now))
    assert await reason(verifier, standard, client) == "issuer"


async def test_microsoft_tenant_not_allowed(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = microsoft(jwks_server, allowed_tenants=(TENANT,))
    outsider = keys.current.sign(microsoft_claims(now, OTHER_TENANT))
    assert await reason(verifier, outsider, client) == "tenant_not_allowed"
    # The same token passes a client that allows any tenant: the refusal is the allowlist's.
    assert (await verifier.verify(outsider, microsoft(jwks_server))).subject


async def test_expired_and_just_inside_the_skew(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    inside = keys.current.sign(google_claims(now, iat=now - 3659, exp=now - 59))
    assert (await verifier.verify(inside, client)).subject == SUBJECT
    at_limit = keys.current.sign(google_claims(now, iat=now - 3660, exp=now - 60))
    assert await reason(verifier, at_limit, client) == "expired"
    expired = keys.current.sign(google_claims(now, iat=now - 7200, exp=now - 3600))
    assert await reason(verifier, expired, client) == "expired"


async def test_issued_in_the_future_beyond_skew(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    inside = keys.current.sign(google_claims(now, iat=now + 59, exp=now + 3659))
    assert (await verifier.verify(inside, client)).subject == SUBJECT
    future = keys.current.sign(google_claims(now, iat=now + 61, exp=now + 3661))
    assert await reason(verifier, future, client) == "not_yet_valid"
    not_before = keys.current.sign(microsoft_claims(now, TENANT, nbf=now + 120))
    assert await reason(verifier, not_before, microsoft(jwks_server)) == "not_yet_valid"


async def test_malformed_tokens(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    for token in ("", "not-a-jwt", "a.b.c", "x" * 20_000):
        assert await reason(verifier, token, client) == "malformed"
    for missing in ("sub", "exp", "iat", "iss"):
        token = keys.current.sign(google_claims(now, **{missing: None}))
        assert await reason(verifier, token, client) == "malformed", missing
    stringly = keys.current.sign(google_claims(now, exp=str(now + 3600)))
    assert await reason(verifier, stringly, client) == "malformed"
    no_kid = jwt.encode(google_claims(now), keys.current.private, algorithm="RS256")
    assert await reason(verifier, no_kid, client) == "malformed"


# --- signatures and algorithms -------------------------------------------------------------------


async def test_alg_none_hs256_and_foreign_key_rejected(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    claims = google_claims(now)

    none = unsigned({"alg": "none", "typ": "JWT", "kid": keys.current.kid}, claims) + "."
    assert await reason(verifier, none, client) == "algorithm"
    assert jwks_server.requests == 0  # refused before any key was looked up

    # HS256 keyed with the published public key (the classic RS/HS confusion).
    pem = keys.current.private.public_key().public_bytes(
        Encoding.PEM, PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = unsigned({"alg": "HS256", "typ": "JWT", "kid": keys.current.kid}, claims)
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    assert await reason(verifier, f"{signing_input}.{_b64(mac)}", client) == "algorithm"

    rs512 = jwt.encode(
        claims, keys.current.private, algorithm="RS512", headers={"kid": keys.current.kid}
    )
    assert await reason(verifier, rs512, client) == "algorithm"

    # Another key's signature under the published kid.
    forged = jwt.encode(
        claims, keys.rogue.private, algorithm="RS256", headers={"kid": keys.current.kid}
    )
    assert await reason(verifier, forged, client) == "signature"

    # A valid token whose payload was swapped after signing.
    header, _, signature = keys.current.sign(claims).split(".")
    tampered_claims = {**claims, "sub": "someone-else"}
    tampered = f"{header}.{_b64(json.dumps(tampered_claims).encode())}.{signature}"
    assert await reason(verifier, tampered, client) == "signature"

    assert (await verifier.verify(keys.current.sign(claims), client)).subject == SUBJECT


# --- the key set ---------------------------------------------------------------------------------


async def test_unknown_kid_then_key_rotation(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    client = google(jwks_server)
    await verifier.verify(keys.current.sign(google_claims(now)), client)
    assert jwks_server.requests == 1

    jwks_server.publish(keys.current, keys.next)  # the provider rotates in a new key
    rotated = keys.next.sign(google_claims(now))
    assert (await verifier.verify(rotated, client)).subject == SUBJECT
    assert jwks_server.requests == 2  # one re-fetch for the unknown kid ...

    assert (await verifier.verify(rotated, client)).subject == SUBJECT
    assert (await verifier.verify(keys.current.sign(google_claims(now)), client)).subject
    assert jwks_server.requests == 2  # ... and the refreshed set serves both keys from cache


async def test_unknown_kid_without_rotation_refetches_at_most_once_a_minute(
    verifier: IdTokenVerifier,
    jwks_server: JwksServer,
    keys: Keys,
    now: int,
    frozen_clock: Clock,
) -> None:
    client = google(jwks_server)
    await verifier.verify(keys.current.sign(google_claims(now)), client)
    assert jwks_server.requests == 1

    stranger = keys.rogue.sign(google_claims(now))
    assert await reason(verifier, stranger, client) == "unknown_key"
    assert jwks_server.requests == 2  # re-fetched once

    move(frozen_clock, now, 30)
    assert await reason(verifier, stranger, client) == "unknown_key"
    other_stranger = keys.next.sign(google_claims(now))
    assert await reason(verifier, other_stranger, client) == "unknown_key"
    assert jwks_server.requests == 2  # within the minute: no fetch, whatever the kid
    assert (await verifier.verify(keys.current.sign(google_claims(now)), client)).subject
    assert jwks_server.requests == 2

    move(frozen_clock, now, 61)
    assert await reason(verifier, stranger, client) == "unknown_key"
    assert jwks_server.requests == 3  # a minute later, one more re-fetch is allowed


async def test_unknown_kid_on_a_cold_cache_fetches_once(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    stranger = keys.rogue.sign(google_claims(now))
    assert await reason(verifier, stranger, google(jwks_server)) == "unknown_key"
    assert await reason(verifier, stranger, google(jwks_server)) == "unknown_key"
    assert jwks_server.requests == 1  # the first fetch was the kid's one chance


async def test_jwks_cached_per_cache_control(
    verifier: IdTokenVerifier,
    jwks_server: JwksServer,
    keys: Keys,
    now: int,
    frozen_clock: Clock,
) -> None:
    jwks_server.cache_control = "public, max-age=120, must-revalidate"
    client = google(jwks_server)
    token = keys.current.sign(google_claims(now))
    await verifier.verify(token, client)
    await verifier.verify(token, client)
    assert jwks_server.requests == 1  # no fetch on the second verify

    move(frozen_clock, now, 119)
    await verifier.verify(token, client)
    assert jwks_server.requests == 1
    move(frozen_clock, now, 121)  # max-age has run out
    await verifier.verify(token, client)
    assert jwks_server.requests == 2


async def test_concurrent_verifies_share_one_fetch(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int
) -> None:
    token = keys.current.sign(google_claims(now))
    client = google(jwks_server)
    results = await asyncio.gather(*(verifier.verify(token, client) for _ in range(20)))
    assert {r.subject for r in results} == {SUBJECT}
    assert jwks_server.requests == 1


def test_freshness_follows_cache_control_within_bounds() -> None:
    def lifetime(cache_control: str | None = None, age: str | None = None) -> timedelta:
        headers = {"Cache-Control": cache_control, "Age": age}
        return freshness(httpx.Headers({k: v for k, v in headers.items() if v is not None}))

    assert lifetime() == timedelta(hours=1)  # no header: one hour
    assert lifetime(cache_control="public, max-age=19204, must-revalidate") == timedelta(
        seconds=19204
    )
    assert lifetime(cache_control="max-age=9999999999") == timedelta(hours=24)  # capped
    assert lifetime(cache_control="max-age=5") == timedelta(minutes=1)  # floored
    assert lifetime(cache_control="no-store") == timedelta(minutes=1)
    assert lifetime(cache_control="max-age=600", age="100") == timedelta(seconds=500)
    for junk in ("max-age=abc", "max-age=-5", "max-age=1e9"):
        assert lifetime(cache_control=junk) == timedelta(hours=1)  # not a number: default


async def test_jwks_server_down_is_unavailable(
    verifier: IdTokenVerifier, keys: Keys, now: int, dead_url: str, frozen_clock: Clock
) -> None:
    client = OAuthClient("Google", CLIENT_ID, jwks_url=dead_url)
    token = keys.current.sign(google_claims(now))
    with pytest.raises(ProviderUnavailable) as info:
        await verifier.verify(token, client)
    assert info.value.provider == "Google" and info.value.reason == "jwks_unreachable"
    move(frozen_clock, now, 10)  # still down after the short failure back-off
    with pytest.raises(ProviderUnavailable):
        await verifier.verify(token, client)


async def test_jwks_errors_and_redirects_are_unavailable(
    verifier: IdTokenVerifier, jwks_server: JwksServer, keys: Keys, now: int, frozen_clock: Clock
) -> None:
    token = keys.current.sign(google_claims(now))
    jwks_server.status = 503
    with pytest.raises(ProviderUnavailable) as info:
        await verifier.verify(token, google(jwks_server))
    assert info.value.reason == "jwks_status"

    # A redirect is never followed, even to a server that would answer.
    target = JwksServer()
    try:
        target.publish(keys.current)
        jwks_server.status, jwks_server.location = 302, target.url
        move(frozen_clock, now, 10)
        with pytest.raises(ProviderUnavailable):
            await verifier.verify(token, google(jwks_server))
        assert target.requests == 0
    finally:
        target.close()

    # The server recovers: the next verify after the back-off fetches and succeeds.
    jwks_server.status, jwks_server.location = 200, None
    move(frozen_clock, now, 20)
    assert (await verifier.verify(token, google(jwks_server))).subject == SUBJECT


async def test_default_key_set_urls(verifier: IdTokenVerifier) -> None:
    assert OAuthClient("Google", "x").key_set_url == "https://www.googleapis.com/oauth2/v3/certs"
    assert OAuthClient("Microsoft", "x").key_set_url == (
        "https://login.microsoftonline.com/common/discovery/v2.0/keys"
    )
    assert OAuthClient("Google", "x", jwks_url="http://127.0.0.1:9/k").key_set_url == (
        "http://127.0.0.1:9/k"
    )
    with pytest.raises(ProviderUnavailable):  # no client id: a configuration problem
        await verifier.verify("a.b.c", OAuthClient("Google", ""))
