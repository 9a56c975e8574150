"""Identity images at rest (checklist PRV-2, PRV-3): encrypted under the tenant's data key, kept
in the blob store under per-tenant paths, and deleted when the tenant's retention runs out.

Each image's ciphertext is bound to its transaction and name, so a blob copied to another record
does not open. The transaction row keeps only the image names and their blob keys.

Retention has two classes: images (default 30 days after the decision, or after the start when
there is none) and the verification record itself (default 5 years), both tenant settings.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.config import Settings
from hawiya.datakeys.service import DataKeyring
from hawiya.identity.repository import TransactionRepository
from hawiya.kit.clock import utcnow
from hawiya.models import IdentityTransaction
from hawiya.providers.storage import BlobNotFound, BlobStore, build_blob_store


def blob_store(settings: Settings) -> BlobStore:
    storage = settings.storage
    return build_blob_store(storage.kind, storage.config(), data_dir=Path(settings.data_dir))


def _prefix(row: IdentityTransaction) -> str:
    return f"tenants/{row.tenant_id}/transactions/{row.id}/"


def _context(row: IdentityTransaction, name: str) -> str:
    return f"image:{row.id}:{name}"


class ImageMissing(LookupError):
    """No such image on this transaction (never stored, or purged)."""


@dataclass(frozen=True, slots=True)
class PurgeReport:
    images_deleted: int
    records_deleted: int


@dataclass(frozen=True, slots=True)
class ImageVault:
    keyring: DataKeyring
    store: BlobStore

    async def save(
        self, session: AsyncSession, row: IdentityTransaction, name: str, jpeg: bytes
    ) -> None:
        key = f"{_prefix(row)}{name}.jpg.enc"
        blob = await self.keyring.encrypt(session, row.tenant_id, jpeg, context=_context(row, name))
        await self.store.put(key, blob)
        # A new dict, so the JSON column is seen as changed.
        row.images = {**row.images, name: {"key": key, "at": utcnow().isoformat()}}

    async def load(self, session: AsyncSession, row: IdentityTransaction, name: str) -> bytes:
        entry = row.images.get(name)
        if not isinstance(entry, dict):
            raise ImageMissing(name)
        try:
            blob = await self.store.get(str(entry["key"]))
        except BlobNotFound:
            raise ImageMissing(name) from None
        return await self.keyring.decrypt(session, row.tenant_id, blob, context=_context(row, name))

    async def purge(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        *,
        image_days: int,
        record_days: int,
        now: datetime | None = None,
    ) -> PurgeReport:
        """Delete what the tenant's retention no longer allows, from the store and the table."""
        now = now or utcnow()
        repo = TransactionRepository(session, tenant_id)
        images = records = 0
        for row in await repo.all_started_before(
            now - timedelta(days=min(image_days, record_days))
        ):
            decided = row.completed_at or row.created_at
            if decided <= now - timedelta(days=record_days):
                images += len(row.images)
                await self.store.delete_prefix(_prefix(row))
                await session.delete(row)
                records += 1
            elif row.images and decided <= now - timedelta(days=image_days):
                for entry in row.images.values():
                    await self.store.delete(str(entry["key"]))
                images += len(row.images)
                row.images = {}
        await session.flush()
        return PurgeReport(images, records)
