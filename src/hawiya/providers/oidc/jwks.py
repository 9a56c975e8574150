"""Fetching and caching the providers' JSON Web Key Sets (OIDC-1).

One cache per process, keyed by URL. A key set stays fresh for the response's Cache-Control
max-age (less its Age), one hour when the header gives none, never less than a minute nor more
than a day. A token whose kid is not in the set triggers one re-fetch, at most once a minute per
URL, so forged kids cannot turn the server into a fetch amplifier. Only RS256 signing keys of at
least 2048 bits are kept. Every time here comes from hawiya.kit.clock, so tests can move it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from hawiya.kit.clock import utcnow
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable

FETCH_TIMEOUT_SECONDS = 5.0
DEFAULT_MAX_AGE = timedelta(hours=1)
MIN_MAX_AGE = timedelta(minutes=1)
MAX_MAX_AGE = timedelta(hours=24)
REFETCH_INTERVAL = timedelta(minutes=1)  # unknown-kid re-fetches, per URL
FAILURE_BACKOFF = timedelta(seconds=5)  # after a failed fetch, fail fast instead of queueing
MAX_JWKS_BYTES = 512 * 1024
MIN_RSA_BITS = 2048

HttpClientFactory = Callable[[], httpx.AsyncClient]

log = logging.getLogger("hawiya.providers.oidc")

_SECONDS = re.compile(r"[0-9]{1,12}")


def default_http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=FETCH_TIMEOUT_SECONDS, follow_redirects=False)


@dataclass(frozen=True)
class _KeySet:
    keys: dict[str, jwt.PyJWK]
    expires_at: datetime


@dataclass
class _UrlState:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    key_set: _KeySet | None = None
    refetched_at: datetime | None = None  # last fetch made because of an unknown kid
    failed_at: datetime | None = None
    failure: str = "jwks_unreachable"


class JwksCache:
    """Signing keys by (URL, kid). Each URL has its own asyncio.Lock: concurrent requests for a
    cold or stale URL share one fetch, and a slow provider does not hold up the other."""

    def __init__(self, http_client_factory: HttpClientFactory | None = None) -> None:
        self._http = http_client_factory or default_http_client
        self._urls: dict[str, _UrlState] = {}

    async def signing_key(self, url: str, kid: str, provider: str) -> jwt.PyJWK:
        """The RS256 key with this kid; ProviderRejected(provider, "unknown_key") when the set
        has none even after the allowed re-fetch, ProviderUnavailable when it cannot be fetched."""
        state = self._urls.setdefault(url, _UrlState())
        async with state.lock:
            now = utcnow()
            key_set = state.key_set
            fetched = False
            if key_set is None or now >= key_set.expires_at:
                key_set = await self._refresh(state, url, provider)
                fetched = True
            key = key_set.keys.get(kid)
            if key is not None:
                return key
            recently = state.refetched_at is not None and now - state.refetched_at < (
                REFETCH_INTERVAL
            )
            if fetched or recently:
                if fetched:
                    state.refetched_at = now  # that fresh fetch was this kid's one chance
                raise ProviderRejected(provider, "unknown_key")
            state.refetched_at = now
            key_set = await self._refresh(state, url, provider)
            key = key_set.keys.get(kid)
            if key is None:
                raise ProviderRejected(provider, "unknown_key")
            return key

    async def _refresh(self, state: _UrlState, url: str, provider: str) -> _KeySet:
        if state.failed_at is not None and utcnow() - state.failed_at < FAILURE_BACKOFF:
            raise ProviderUnavailable(provider, state.failure)
        try:
            key_set = await self._fetch(url, provider)
        except ProviderUnavailable as exc:
            state.failed_at, state.failure = utcnow(), exc.reason
            raise
        state.key_set, state.failed_at = key_set, None
        return key_set

    async def _fetch(self, url: str, provider: str) -> _KeySet:
        body = bytearray()
        try:
            async with (
                asyncio.timeout(FETCH_TIMEOUT_SECONDS),
                self._http() as http,
                http.stream(
                    "GET",
                    url,
                    headers={"Accept": "application/json"},
                    timeout=FETCH_TIMEOUT_SECONDS,
                    follow_redirects=False,
                ) as response,
            ):
                if response.status_code != 200:
                    log.warning("JWKS %s answered HTTP %s", url, response.status_code)
                    raise ProviderUnavailable(provider, "jwks_status")
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        log.warning("JWKS %s is larger than %s bytes", url, MAX_JWKS_BYTES)
                        raise ProviderUnavailable(provider, "jwks_invalid")
                headers = response.headers
        except (TimeoutError, httpx.TimeoutException):
            log.warning("JWKS %s timed out", url)
            raise ProviderUnavailable(provider, "jwks_timeout") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            log.warning("JWKS %s unreachable: %s", url, type(exc).__name__)
            raise ProviderUnavailable(provider, "jwks_unreachable") from exc
        keys = parse_jwks(bytes(body))
        if keys is None:
            log.warning("JWKS %s is not a JSON Web Key Set", url)
            raise ProviderUnavailable(provider, "jwks_invalid")
        return _KeySet(keys, utcnow() + freshness(headers))


def parse_jwks(body: bytes) -> dict[str, jwt.PyJWK] | None:
    """The usable signing keys by kid (RSA, RS256, ≥ 2048 bits, public only); None when the body
    is not a key set at all. Keys of other kinds are skipped, not fatal."""
    try:
        document: Any = json.loads(body)
    except ValueError:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        return None
    keys: dict[str, jwt.PyJWK] = {}
    for item in document["keys"]:
        if not isinstance(item, dict):
            continue
        kid = item.get("kid")
        if not isinstance(kid, str) or not kid or kid in keys:
            continue
        if item.get("kty") != "RSA" or item.get("use", "sig") != "sig":
            continue
        if item.get("alg", "RS256") != "RS256" or "d" in item:
            continue
        try:
            jwk = jwt.PyJWK(item, algorithm="RS256")
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
        if isinstance(jwk.key, rsa.RSAPublicKey) and jwk.key.key_size >= MIN_RSA_BITS:
            keys[kid] = jwk
    return keys


def freshness(headers: httpx.Headers) -> timedelta:
    """How long a fetched key set stays fresh: Cache-Control max-age less Age, one hour without
    a max-age, clamped to [MIN_MAX_AGE, MAX_MAX_AGE]; no-store / no-cache give the minimum."""
    max_age: int | None = None
    uncacheable = False
    for directive in headers.get_list("cache-control", split_commas=True):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            uncacheable = True
        elif name == "max-age" and max_age is None:
            max_age = _seconds(value.strip().strip('"'))
    if uncacheable:
        seconds = 0
    elif max_age is None:
        seconds = int(DEFAULT_MAX_AGE.total_seconds())
    else:
        seconds = max_age
    seconds -= _seconds(headers.get("age", "").strip()) or 0
    low, high = int(MIN_MAX_AGE.total_seconds()), int(MAX_MAX_AGE.total_seconds())
    return timedelta(seconds=min(max(seconds, low), high))


def _seconds(value: str) -> int | None:
    return int(value) if _SECONDS.fullmatch(value) else None
