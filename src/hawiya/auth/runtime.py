"""What the credential services need at run time, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hawiya.auth.keyring import KeyRing
from hawiya.auth.security import PasswordHasher
from hawiya.config import AuthSettings, Settings
from hawiya.kit.crypto import derive_key


@dataclass(frozen=True)
class AuthRuntime:
    config: AuthSettings
    hasher: PasswordHasher
    keyring: KeyRing
    seal_key: bytes  # seals the JWT private keys at rest
    token_key: bytes  # encrypts encryptedAccessToken
    otp_key: bytes  # HMAC key for one-time codes (OTP-6)

    @classmethod
    def build(
        cls, settings: Settings, master: bytes, keyset_reader: async_sessionmaker[AsyncSession]
    ) -> AuthRuntime:
        """keyset_reader must be the read-only session maker: the keyset reloads in the middle of
        requests that already hold SQLite's write lock, and a second writer would wait on them."""
        auth = settings.auth
        seal_key = derive_key(master, "hawiya/jwt-signing-keys/v1")
        # A key retired now may still have signed a refresh token that lives this long.
        retention = max(auth.access_token_seconds, auth.refresh_token_seconds)
        return cls(
            config=auth,
            hasher=PasswordHasher(
                time_cost=auth.argon2_time_cost,
                memory_kib=auth.argon2_memory_kib,
                parallelism=auth.argon2_parallelism,
                slots=settings.hash_slots(),
                wait_seconds=auth.hash_wait_seconds,
            ),
            keyring=KeyRing(keyset_reader, seal_key, retention),
            seal_key=seal_key,
            token_key=derive_key(master, "hawiya/encrypted-access-token/v1"),
            otp_key=derive_key(master, "hawiya/otp-hmac/v1"),
        )

    @property
    def key_retention_seconds(self) -> int:
        return max(self.config.access_token_seconds, self.config.refresh_token_seconds)
