"""Envelope encryption of personal data (checklist PRV-3).

Each tenant has its own AES-256 data key, created on first use and stored wrapped under a key
derived from the installation secret; the wrap is bound to the tenant and key id, so a wrapped key
copied to another tenant's row does not open. Every ciphertext names its key and is bound to a
context string (what it is and which record it belongs to, e.g. "image:front:<transaction>"), so a
blob moved to another record or tenant fails to decrypt instead of showing the wrong person.

Blob layout: b"hk1" | key id (16 bytes) | nonce (12) | AES-GCM ciphertext and tag.

Searchable values (national ID numbers) get a keyed hash per tenant for lookups: equal numbers
match within a tenant, and nothing can be learned by comparing across tenants.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.datakeys.repository import DataKeyRepository
from hawiya.kit.clock import utcnow
from hawiya.kit.crypto import derive_key, seal, unseal
from hawiya.models import TenantDataKey

_MAGIC = b"hk1"
_HEADER = len(_MAGIC) + 16


class DecryptionFailed(ValueError):
    """The blob is not ours, was altered, or belongs to another record or tenant."""


def _wrap_aad(tenant_id: uuid.UUID, key_id: uuid.UUID) -> bytes:
    return f"tenant-data-key|{tenant_id}|{key_id}".encode()


def _data_aad(tenant_id: uuid.UUID, key_id: uuid.UUID, context: str) -> bytes:
    return f"{tenant_id}|{key_id}|{context}".encode()


@dataclass
class DataKeyring:
    kek: bytes  # wraps the tenant data keys
    lookup_key: bytes  # keys the lookup hashes
    # Unwrapped keys by id: keys never change, so a cached one is never stale.
    _cache: dict[uuid.UUID, bytes] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, master: bytes) -> DataKeyring:
        return cls(
            kek=derive_key(master, "hawiya/tenant-data-keys/v1"),
            lookup_key=derive_key(master, "hawiya/lookup-hmac/v1"),
        )

    def _unwrap(self, row: TenantDataKey) -> bytes:
        key = self._cache.get(row.id)
        if key is None:
            try:
                key = unseal(self.kek, row.wrapped_key, _wrap_aad(row.tenant_id, row.id))
            except InvalidTag:
                raise DecryptionFailed("data key does not open under this installation") from None
            self._cache[row.id] = key
        return key

    async def _active(self, session: AsyncSession, tenant_id: uuid.UUID) -> TenantDataKey:
        repo = DataKeyRepository(session, tenant_id)
        row = await repo.active()
        if row is None:
            key_id = uuid.uuid4()
            row = await repo.add(
                TenantDataKey(
                    id=key_id,
                    wrapped_key=seal(self.kek, os.urandom(32), _wrap_aad(tenant_id, key_id)),
                )
            )
        return row

    async def encrypt(
        self, session: AsyncSession, tenant_id: uuid.UUID, plaintext: bytes, *, context: str
    ) -> bytes:
        row = await self._active(session, tenant_id)
        sealed = seal(self._unwrap(row), plaintext, _data_aad(tenant_id, row.id, context))
        return _MAGIC + row.id.bytes + sealed

    async def decrypt(
        self, session: AsyncSession, tenant_id: uuid.UUID, blob: bytes, *, context: str
    ) -> bytes:
        if len(blob) <= _HEADER or not blob.startswith(_MAGIC):
            raise DecryptionFailed("not an encrypted blob")
        key_id = uuid.UUID(bytes=blob[len(_MAGIC) : _HEADER])
        row = await DataKeyRepository(session, tenant_id).by_id(key_id)
        if row is None:
            raise DecryptionFailed("unknown data key")  # another tenant's, or deleted
        try:
            return unseal(self._unwrap(row), blob[_HEADER:], _data_aad(tenant_id, key_id, context))
        except InvalidTag:
            raise DecryptionFailed("altered, or bound to another record") from None

    def lookup_hash(self, tenant_id: uuid.UUID, kind: str, value: str) -> str:
        message = f"{tenant_id}|{kind}|{value}".encode()
        return hmac.new(self.lookup_key, message, hashlib.sha256).hexdigest()

    async def rotate(self, session: AsyncSession, tenant_id: uuid.UUID) -> uuid.UUID:
        """Retire the active key; the next encryption creates a new one. Old blobs still open."""
        row = await DataKeyRepository(session, tenant_id).active()
        if row is not None:
            row.retired_at = utcnow()
            await session.flush()
        return (await self._active(session, tenant_id)).id
