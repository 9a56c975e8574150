"""Pure security primitives: Argon2id hashing, the password policy, JWTs and API key material.
Nothing here touches the database or knows an error code."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

import anyio
import jwt
from argon2 import PasswordHasher as Argon2Hasher
from argon2 import Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# --------------------------------------------------------------------------------------------------
# Passwords

MIN_PASSWORD_CHARS = 15  # PW-2: admin login is single-factor
MAX_PASSWORD_CHARS = 128
MAX_PASSWORD_BYTES = 4096  # longer input is refused before any hashing
_CONTEXT_WORDS = ("vlens", "hawiya")


class HashingBusy(Exception):
    """Every hashing slot stayed taken for longer than the wait limit (PW-4)."""


class PasswordHasher:
    """Argon2id with a cap on concurrent hashes: each takes memory_kib, so N slots bound memory."""

    def __init__(
        self, *, time_cost: int, memory_kib: int, parallelism: int, slots: int, wait_seconds: float
    ) -> None:
        self._argon = Argon2Hasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._slots = asyncio.Semaphore(slots)
        self._wait = wait_seconds
        self._dummy: str | None = None

    async def _run(self, func: Any, *args: Any) -> Any:
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=self._wait)
        except TimeoutError:
            raise HashingBusy from None
        try:
            return await anyio.to_thread.run_sync(func, *args)
        finally:
            self._slots.release()

    async def hash(self, password: str) -> str:
        return str(await self._run(self._argon.hash, normalize_password(password)))

    async def verify(self, encoded: str | None, password: str) -> bool:
        """Constant work whether or not the account exists: unknown accounts verify a dummy hash."""
        if encoded is None:
            if self._dummy is None:
                self._dummy = await self.hash(secrets.token_urlsafe(24))
            encoded = self._dummy
            await self._run(self._safe_verify, encoded, password)
            return False
        return bool(await self._run(self._safe_verify, encoded, password))

    def _safe_verify(self, encoded: str, password: str) -> bool:
        try:
            return bool(self._argon.verify(encoded, normalize_password(password)))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        """Only upwards (PW-1): an instance configured weaker than the stored hash leaves it alone,
        so a misconfigured node cannot quietly downgrade every password it sees."""
        try:
            stored = extract_parameters(encoded)
        except InvalidHashError:
            return True
        wanted = self._argon
        return stored.type is not Type.ID or (
            stored.memory_cost < wanted.memory_cost
            or stored.time_cost < wanted.time_cost
            or stored.parallelism < wanted.parallelism
        )


def normalize_password(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords, from the list zxcvbn ships (ranked by frequency)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"][:10_000])


class PasswordRejected(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "too_short" | "too_long" | "too_common" | "contains_context"


MIN_END_USER_PASSWORD_CHARS = 8  # end users: a new device always needs an SMS code as well


def check_password_policy(
    password: str, context: Iterable[str] = (), *, min_chars: int = MIN_PASSWORD_CHARS
) -> None:
    """PW-2: length min_chars..128 after NFKC, no composition rules, no common or contextual
    passwords. Administrators need 15 characters (their login is single-factor); end users 8,
    because a login from a new device also needs a one-time code (NIST 800-63B-4 §3.1.1.2)."""
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise PasswordRejected("too_long")
    value = normalize_password(password)
    if len(value) < min_chars:
        raise PasswordRejected("too_short")
    if len(value) > MAX_PASSWORD_CHARS:
        raise PasswordRejected("too_long")
    lowered = value.lower()
    stripped = re.sub(r"[\d\W_]+$", "", lowered)
    common = common_passwords()
    if lowered in common or stripped in common or _is_repetition(lowered, common):
        raise PasswordRejected("too_common")
    for word in (*_CONTEXT_WORDS, *context):
        word = word.lower().strip()
        if len(word) >= 4 and word in lowered:
            raise PasswordRejected("contains_context")


def _is_repetition(value: str, common: frozenset[str]) -> bool:
    for size in range(1, len(value) // 2 + 1):
        if len(value) % size == 0 and value[:size] * (len(value) // size) == value:
            return size < 4 or value[:size] in common
    return False


# --------------------------------------------------------------------------------------------------
# API keys (TEN-6): 256 random bits behind a recognisable prefix, stored as SHA-256.

API_KEY_PREFIX = "hwk_"


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(32)


def api_key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_display_prefix(key: str) -> str:
    return key[:12]


# --------------------------------------------------------------------------------------------------
# JWT (TOK-2): EdDSA only, local keys only, our own time checks so a test clock applies.

ALGORITHM = "EdDSA"
ACCESS_TYP = "at+jwt"
REFRESH_TYP = "rt+jwt"
_KID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# RFC 7515 compact serialization: three base64url segments, trailing '=' omitted. PyJWT also takes
# padded segments, which would give one token several spellings that all verify.
_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_FORBIDDEN_HEADERS = {"jku", "x5u", "jwk", "x5c", "x5t", "crit"}
_REQUIRED = ("iss", "aud", "sub", "tid", "jti", "sid", "iat", "nbf", "exp", "kind")


class TokenError(Exception):
    pass


class TokenExpired(TokenError):
    pass


class UnknownKey(TokenError):
    def __init__(self, kid: str) -> None:
        super().__init__(kid)
        self.kid = kid


def new_kid() -> str:
    return secrets.token_urlsafe(12)


def encode_token(claims: Mapping[str, Any], *, kid: str, key: Ed25519PrivateKey, typ: str) -> str:
    return jwt.encode(dict(claims), key, algorithm=ALGORITHM, headers={"kid": kid, "typ": typ})


def token_header(token: str) -> dict[str, Any]:
    """Parse and vet the header; raises TokenError for anything we would never have issued."""
    if not _COMPACT.fullmatch(token):
        raise TokenError("malformed token")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenError("malformed token") from exc
    if header.get("alg") != ALGORITHM:
        raise TokenError("algorithm not allowed")
    if _FORBIDDEN_HEADERS & set(header):
        raise TokenError("header parameter not allowed")
    kid = header.get("kid")
    if not isinstance(kid, str) or not _KID.match(kid):
        raise TokenError("bad kid")
    return header


def decode_token(
    token: str,
    *,
    keys: Mapping[str, Ed25519PublicKey],
    typ: str,
    issuer: str,
    audience: str,
    now: datetime,
    leeway: int,
) -> dict[str, Any]:
    header = token_header(token)
    if header.get("typ") != typ:
        raise TokenError("wrong token type")
    key = keys.get(header["kid"])
    if key is None:
        raise UnknownKey(header["kid"])
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            options={
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "require": list(_REQUIRED),
            },
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    stamp = now.timestamp()
    for name in ("iat", "nbf", "exp"):
        if not isinstance(claims[name], int | float) or isinstance(claims[name], bool):
            raise TokenError(f"bad {name}")
    if claims["nbf"] > stamp + leeway or claims["iat"] > stamp + leeway:
        raise TokenError("token not yet valid")
    # exp is checked without leeway: this server issued it, and TOK-1 wants expiry to the second.
    if claims["exp"] <= stamp:
        raise TokenExpired("token expired")
    return claims
