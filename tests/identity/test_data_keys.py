"""PRV-3: personal data is encrypted under per-tenant data keys that are stored only wrapped;
ciphertexts are bound to their tenant and record, and lookups use a keyed hash."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hawiya.datakeys.service import DataKeyring, DecryptionFailed
from hawiya.db.session import session_scope
from hawiya.models import TenantDataKey
from tests.fixtures.factories import create_tenant

SECRET = b"\x42" * 32


async def test_round_trip_and_binding(app: FastAPI) -> None:
    ring = DataKeyring.build(SECRET)
    a, b = uuid.UUID((await create_tenant(app)).id), uuid.UUID((await create_tenant(app)).id)
    plain = b"\xff\xd8\xff front of the card"
    async with session_scope(app.state.db.writer) as session:
        blob = await ring.encrypt(session, a, plain, context="image:front:t1")
        blob_b = await ring.encrypt(session, b, plain, context="image:front:t1")
    assert plain not in blob and blob != blob_b
    async with session_scope(app.state.db.reader) as session:
        assert await ring.decrypt(session, a, blob, context="image:front:t1") == plain
        for tenant, context in ((a, "image:front:t2"), (a, "image:back:t1"), (b, "image:front:t1")):
            with pytest.raises(DecryptionFailed):
                await ring.decrypt(session, tenant, blob, context=context)
        altered = blob[:-1] + bytes([blob[-1] ^ 1])
        with pytest.raises(DecryptionFailed):
            await ring.decrypt(session, a, altered, context="image:front:t1")
        with pytest.raises(DecryptionFailed):
            await ring.decrypt(session, a, b"plain bytes", context="image:front:t1")
        # Another installation's secret opens nothing.
        with pytest.raises(DecryptionFailed):
            await DataKeyring.build(b"\x43" * 32).decrypt(
                session, a, blob, context="image:front:t1"
            )


async def test_keys_are_per_tenant_stored_wrapped_and_rotate(app: FastAPI) -> None:
    ring = DataKeyring.build(SECRET)
    tenant = uuid.UUID((await create_tenant(app)).id)
    async with session_scope(app.state.db.writer) as session:
        old_blob = await ring.encrypt(session, tenant, b"before", context="c")
        await ring.encrypt(session, tenant, b"again", context="c")
        rows = (
            (await session.execute(select(TenantDataKey).where(TenantDataKey.tenant_id == tenant)))
            .scalars()
            .all()
        )
        assert len(rows) == 1  # one key serves until it is rotated
        assert len(rows[0].wrapped_key) == 12 + 32 + 16  # nonce, sealed key, tag: never bare
        assert ring._cache[rows[0].id] not in rows[0].wrapped_key
        new_id = await ring.rotate(session, tenant)
        assert new_id != rows[0].id
        new_blob = await ring.encrypt(session, tenant, b"after", context="c")
    assert new_blob[3:19] == new_id.bytes
    async with session_scope(app.state.db.reader) as session:
        assert await ring.decrypt(session, tenant, old_blob, context="c") == b"before"
        assert await ring.decrypt(session, tenant, new_blob, context="c") == b"after"


def test_lookup_hashes_match_within_a_tenant_only() -> None:
    ring = DataKeyring.build(SECRET)
    a, b = uuid.uuid4(), uuid.uuid4()
    number = "29901232112331"
    assert ring.lookup_hash(a, "nid", number) == ring.lookup_hash(a, "nid", number)
    assert ring.lookup_hash(a, "nid", number) != ring.lookup_hash(b, "nid", number)
    assert number not in ring.lookup_hash(a, "nid", number)
    assert ring.lookup_hash(a, "nid", number) != DataKeyring.build(b"\x01" * 32).lookup_hash(
        a, "nid", number
    )
