"""Google and Microsoft ID tokens: RS256 signature from the provider's JWKS, then exact claims.

Every refusal is ProviderRejected(provider, reason) with one of these reasons:

    malformed           not a JWS, payload not a JSON object, a required claim missing or mistyped
    algorithm           alg is not RS256 (none, HS*, ES*, PS* ... are never accepted)
    unknown_key         kid not in the provider's key set, even after the one allowed re-fetch
    signature           the signature does not verify with that key
    issuer              iss is not the provider's (or the configured override)
    tenant_not_allowed  Microsoft tid outside the client's allowed_tenants
    audience            aud is not the client id
    expired             exp more than MAX_SKEW in the past
    not_yet_valid       iat (or nbf) more than MAX_SKEW in the future
    nonce               a nonce was expected and the token's differs

ProviderUnavailable means the key set could not be fetched (or the client has no client id):
retrying later may help. email_verified is reported, never enforced here.
"""

from __future__ import annotations

import hmac
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from types import MappingProxyType
from typing import Any, Literal, NoReturn, TypeGuard

import jwt

from hawiya.kit.clock import utcnow
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.oidc.jwks import HttpClientFactory, JwksCache

Provider = Literal["Google", "Microsoft"]
PROVIDERS: tuple[Provider, ...] = ("Google", "Microsoft")

DEFAULT_JWKS_URLS: Mapping[Provider, str] = MappingProxyType(
    {
        "Google": "https://www.googleapis.com/oauth2/v3/certs",
        "Microsoft": "https://login.microsoftonline.com/common/discovery/v2.0/keys",
    }
)
GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
MAX_SKEW = timedelta(seconds=60)
MAX_TOKEN_LENGTH = 16 * 1024
ALGORITHM = "RS256"


def microsoft_issuer(tenant_id: str) -> str:
    """The v2.0 issuer of a Microsoft Entra tenant."""
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


@dataclass(frozen=True)
class OAuthClient:
    """A tenant's OAuth client at one provider.

    jwks_url replaces the provider's public key-set URL (private deployments, tests); issuer
    replaces the provider's issuer rules with exact equality; allowed_tenants restricts Microsoft
    tokens to these tenant ids (tid), empty allowing any tenant.
    """

    provider: Provider
    client_id: str
    jwks_url: str | None = None
    issuer: str | None = None
    allowed_tenants: tuple[str, ...] = ()

    @property
    def key_set_url(self) -> str:
        return self.jwks_url or DEFAULT_JWKS_URLS[self.provider]


@dataclass(frozen=True)
class VerifiedIdToken:
    """What a valid ID token says. The account key is (issuer, subject)."""

    provider: Provider
    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    audience: str


class IdTokenVerifier:
    """Checks ID tokens against their provider. One instance per process: it holds the key-set
    cache, which is safe to share between concurrent requests.

    http_client_factory makes the httpx.AsyncClient of each key-set fetch (default: 5 s timeout,
    no redirects); the fetch itself also enforces both.
    """

    def __init__(self, http_client_factory: HttpClientFactory | None = None) -> None:
        self._keys = JwksCache(http_client_factory)
        self._jws = jwt.PyJWS()

    async def verify(
        self, id_token: str, client: OAuthClient, *, nonce: str | None = None
    ) -> VerifiedIdToken:
        provider = client.provider
        if not client.client_id:
            raise ProviderUnavailable(provider, "not_configured")
        if not isinstance(id_token, str) or not id_token or len(id_token) > MAX_TOKEN_LENGTH:
            _reject(provider, "malformed")
        try:
            header = jwt.get_unverified_header(id_token)
        except (jwt.PyJWTError, ValueError):
            _reject(provider, "malformed")
        if header.get("alg") != ALGORITHM:
            _reject(provider, "algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            _reject(provider, "malformed")

        key = await self._keys.signing_key(client.key_set_url, kid, provider)
        try:
            decoded = self._jws.decode_complete(id_token, key, algorithms=[ALGORITHM])
        except jwt.InvalidSignatureError:
            _reject(provider, "signature")
        except jwt.InvalidAlgorithmError:
            _reject(provider, "algorithm")
        except (jwt.PyJWTError, ValueError):
            _reject(provider, "malformed")
        try:
            claims = json.loads(decoded["payload"])
        except ValueError:
            _reject(provider, "malformed")
        if not isinstance(claims, dict):
            _reject(provider, "malformed")
        return _check_claims(claims, client, nonce)


def _check_claims(
    claims: dict[str, Any], client: OAuthClient, nonce: str | None
) -> VerifiedIdToken:
    provider = client.provider
    issuer, subject = claims.get("iss"), claims.get("sub")
    expires, issued = claims.get("exp"), claims.get("iat")
    if not (_text(issuer) and _text(subject) and _number(expires) and _number(issued)):
        _reject(provider, "malformed")
    not_before = claims.get("nbf")
    if not_before is not None and not _number(not_before):
        _reject(provider, "malformed")

    tenant = claims.get("tid")
    if client.issuer is not None:
        valid_issuer = issuer == client.issuer
    elif provider == "Google":
        valid_issuer = issuer in GOOGLE_ISSUERS
    else:
        valid_issuer = _text(tenant) and issuer == microsoft_issuer(tenant)
    if not valid_issuer:
        _reject(provider, "issuer")
    if client.allowed_tenants and not (
        _text(tenant) and tenant.lower() in {t.lower() for t in client.allowed_tenants}
    ):
        _reject(provider, "tenant_not_allowed")

    audience = claims.get("aud")
    if isinstance(audience, list) and len(audience) == 1:
        audience = audience[0]
    if not isinstance(audience, str) or audience != client.client_id:
        _reject(provider, "audience")

    now = utcnow().timestamp()
    skew = MAX_SKEW.total_seconds()
    if now >= expires + skew:
        _reject(provider, "expired")
    if issued > now + skew or (not_before is not None and not_before > now + skew):
        _reject(provider, "not_yet_valid")

    if nonce is not None:
        given = claims.get("nonce")
        if not isinstance(given, str) or not hmac.compare_digest(
            given.encode("utf-8"), nonce.encode("utf-8")
        ):
            _reject(provider, "nonce")

    email = claims.get("email") if _text(claims.get("email")) else None
    # Microsoft has no email_verified claim; its optional xms_edov ("email domain owner
    # verified") says the same. Without either an address is unverified (the nOAuth lesson).
    verified = _true(claims.get("email_verified")) or (
        provider == "Microsoft" and _true(claims.get("xms_edov"))
    )
    name = claims.get("name")
    return VerifiedIdToken(
        provider=provider,
        issuer=issuer,
        subject=subject,
        email=email,
        email_verified=email is not None and verified,
        name=name if _text(name) else None,
        audience=audience,
    )


def _reject(provider: str, reason: str) -> NoReturn:
    raise ProviderRejected(provider, reason)


def _text(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and value != ""


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")
