"""The JWT keyset: Ed25519 keys kept in the database, private halves sealed with the installation
secret. Verification uses only this local set (TOK-5); an unknown kid triggers at most one reload
per interval, so another instance's fresh rotation is picked up without a restart."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hawiya.auth.repository import SigningKeyRepository
from hawiya.auth.security import ALGORITHM, new_kid
from hawiya.kit.clock import utcnow
from hawiya.kit.crypto import seal, unseal
from hawiya.models import SigningKey

_RELOAD_INTERVAL = 5.0  # seconds between reloads caused by unknown kids
_SIGNER_REFRESH = 60.0  # how often a running instance re-reads which key is active


@dataclass(frozen=True)
class LoadedKey:
    kid: str
    public: Ed25519PublicKey
    private: Ed25519PrivateKey | None
    retired_at: datetime | None


def _aad(kid: str) -> bytes:
    return f"jwt-signing-key:{kid}".encode()


def generate_key(seal_key: bytes) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    kid = new_kid()
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return SigningKey(
        kid=kid,
        algorithm=ALGORITHM,
        public_key_pem=public_pem,
        private_key_sealed=seal(seal_key, raw, _aad(kid)),
        created_at=utcnow(),
    )


async def ensure_active_key(session: AsyncSession, seal_key: bytes) -> SigningKey:
    """First start generates the key; there is never a built-in default (PW-5, TOK-6)."""
    repo = SigningKeyRepository(session)
    active = await repo.active()
    return active if active is not None else await repo.add(generate_key(seal_key))


async def rotate_key(
    session: AsyncSession, seal_key: bytes, retention_seconds: int
) -> tuple[SigningKey, list[str]]:
    """Retire the active key, create the next one, and drop keys retired longer than the longest
    token lifetime ago (their tokens can no longer be valid).
    Returns the new key and the dropped kids."""
    repo = SigningKeyRepository(session)
    now = utcnow()
    dropped: list[str] = []
    for key in await repo.all():
        if key.retired_at is None:
            key.retired_at = now
        elif key.retired_at + timedelta(seconds=retention_seconds) < now:
            dropped.append(key.kid)
            await session.delete(key)
    new = await repo.add(generate_key(seal_key))
    return new, dropped


class KeyRing:
    def __init__(
        self, maker: async_sessionmaker[AsyncSession], seal_key: bytes, retention_seconds: int
    ) -> None:
        self._maker = maker
        self._seal_key = seal_key
        self._retention = retention_seconds
        self._keys: dict[str, LoadedKey] = {}
        self._active: str | None = None
        self._loaded_at = 0.0
        self._last_forced = 0.0

    async def load(self) -> None:
        async with self._maker() as session:
            rows = [
                (
                    r.kid,
                    r.algorithm,
                    r.public_key_pem,
                    r.private_key_sealed,
                    r.retired_at,
                    r.created_at,
                )
                for r in await SigningKeyRepository(session).all()
            ]
        keys: dict[str, LoadedKey] = {}
        active: tuple[datetime, str] | None = None
        for kid, algorithm, public_pem, sealed, retired_at, created_at in rows:
            public = serialization.load_pem_public_key(public_pem.encode())
            if not isinstance(public, Ed25519PublicKey) or algorithm != ALGORITHM:
                continue
            private = None
            if retired_at is None:
                private = Ed25519PrivateKey.from_private_bytes(
                    unseal(self._seal_key, sealed, _aad(kid))
                )
                if active is None or created_at > active[0]:
                    active = (created_at, kid)
            keys[kid] = LoadedKey(kid, public, private, retired_at)
        self._keys = keys
        self._active = active[1] if active else None
        self._loaded_at = time.monotonic()

    async def signer(self) -> LoadedKey:
        if self._active is None or time.monotonic() - self._loaded_at > _SIGNER_REFRESH:
            await self.load()
        if self._active is None:
            raise RuntimeError(
                "no active JWT signing key; run `hawiya db upgrade` and start the server"
            )
        return self._keys[self._active]

    def verification_keys(self, now: datetime) -> dict[str, Ed25519PublicKey]:
        window = timedelta(seconds=self._retention)
        return {
            kid: key.public
            for kid, key in self._keys.items()
            if key.retired_at is None or key.retired_at + window > now
        }

    async def reload_for_unknown(self) -> bool:
        """Reload once per interval when a token names a kid we do not hold."""
        if time.monotonic() - self._last_forced < _RELOAD_INTERVAL:
            return False
        self._last_forced = time.monotonic()
        await self.load()
        return True
