"""PRV-2 and PRV-3 for identity images: stored encrypted and bound to their record, never as
JPEG bytes on disk, and purged by class when the tenant's retention runs out (both from the
store and the table), also through `hawiya identity purge`."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from PIL import Image

from hawiya.datakeys.service import DecryptionFailed
from hawiya.db.session import session_scope
from hawiya.identity import transactions as tx
from hawiya.identity.image_store import ImageMissing, ImageVault
from hawiya.identity.repository import TransactionRepository
from hawiya.kit.clock import Clock, utcnow
from tests.fixtures.cli import cli_for
from tests.fixtures.factories import create_tenant


def jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), colour).save(out, format="JPEG")
    return out.getvalue()


async def _transaction(app: FastAPI, tenant: uuid.UUID, *names: str) -> uuid.UUID:
    vault: ImageVault = app.state.images
    tid = uuid.uuid4()
    async with session_scope(app.state.db.writer) as session:
        row = await tx.open_transaction(session, tenant, tid, user_id=None)
        for name in names:
            await vault.save(session, row, name, jpeg((10, 20, 30)))
    return tid


async def _row_images(app: FastAPI, tenant: uuid.UUID, tid: uuid.UUID) -> dict[str, object] | None:
    async with session_scope(app.state.db.reader) as session:
        row = await TransactionRepository(session, tenant).by_transaction_id(tid)
        return None if row is None else dict(row.images)


def _blobs(app: FastAPI, tenant: uuid.UUID) -> list[Path]:
    root = Path(app.state.settings.data_dir) / "blobs" / "tenants" / str(tenant)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_images_are_encrypted_and_bound_to_their_record(app: FastAPI) -> None:
    vault: ImageVault = app.state.images
    tenant = uuid.UUID((await create_tenant(app)).id)
    tid = await _transaction(app, tenant, "idFrontImage", "livenessFace01Image")
    blobs = _blobs(app, tenant)
    assert len(blobs) == 2
    for blob in blobs:
        raw = blob.read_bytes()
        assert b"\xff\xd8\xff" not in raw and b"JFIF" not in raw  # PRV-3: no JPEG at rest
        assert blob.stat().st_mode & 0o077 == 0
    async with session_scope(app.state.db.reader) as session:
        row = await TransactionRepository(session, tenant).by_transaction_id(tid)
        assert row is not None
        image = await vault.load(session, row, "idFrontImage")
        assert Image.open(io.BytesIO(image)).size == (400, 300)
        with pytest.raises(ImageMissing):
            await vault.load(session, row, "idBackImage")
        # Swap the two entries: each blob refuses to open under the other's name.
        row.images = {
            "idFrontImage": row.images["livenessFace01Image"],
            "livenessFace01Image": row.images["idFrontImage"],
        }
        with pytest.raises(DecryptionFailed):
            await vault.load(session, row, "idFrontImage")
        await session.rollback()


async def test_purge_removes_exactly_the_expired_classes(app: FastAPI, frozen_clock: Clock) -> None:
    vault: ImageVault = app.state.images
    tenant = uuid.UUID((await create_tenant(app)).id)
    now = utcnow()
    frozen_clock.freeze(now - timedelta(days=6 * 365))
    ancient = await _transaction(app, tenant, "idFrontImage")
    frozen_clock.freeze(now - timedelta(days=31))
    old = await _transaction(app, tenant, "idFrontImage", "idBackImage")
    frozen_clock.freeze(now - timedelta(days=29))
    recent = await _transaction(app, tenant, "idFrontImage")
    frozen_clock.freeze(now)
    assert len(_blobs(app, tenant)) == 4
    async with session_scope(app.state.db.writer) as session:
        report = await vault.purge(session, tenant, image_days=30, record_days=1825)
    assert (report.images_deleted, report.records_deleted) == (3, 1)
    assert await _row_images(app, tenant, ancient) is None  # the record itself is gone
    assert await _row_images(app, tenant, old) == {}  # the record stays, its images do not
    recent_images = await _row_images(app, tenant, recent)
    assert recent_images is not None and set(recent_images) == {"idFrontImage"}
    assert len(_blobs(app, tenant)) == 1


async def test_the_purge_command_follows_each_tenants_settings(
    app: FastAPI, frozen_clock: Clock
) -> None:
    tenant_fixture = await create_tenant(app)
    tenant = uuid.UUID(tenant_fixture.id)
    cli = cli_for(app.state.settings)
    cli.run("tenant", "settings", tenant_fixture.name, "--set", "imageRetentionDays=2")
    frozen_clock.freeze(utcnow() - timedelta(days=3))  # the subprocess sees the real clock
    old = await _transaction(app, tenant, "idFrontImage")
    frozen_clock.unfreeze()
    fresh = await _transaction(app, tenant, "idFrontImage")
    reports = cli.json("identity", "purge", "--tenant", tenant_fixture.name, "--json")
    assert reports == [{"tenant": tenant_fixture.name, "imagesDeleted": 1, "recordsDeleted": 0}]
    assert await _row_images(app, tenant, old) == {}
    fresh_images = await _row_images(app, tenant, fresh)
    assert fresh_images is not None and "idFrontImage" in fresh_images
