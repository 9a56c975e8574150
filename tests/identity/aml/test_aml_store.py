"""Lists in the database: import and read back as ListEntry objects, replacement that is atomic
(a failed import leaves the previous version in force), tenant blacklists seen by their tenant
only and their national IDs never in clear, the screening generation, removal and the audit
trail. Runs on SQLite and on PostgreSQL (HAWIYA_TEST_DATABASE_URL)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import func, select

from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.identity.aml import NameIndex
from hawiya.identity.aml.matcher import ListEntry
from hawiya.identity.aml.sources import SourceError
from hawiya.identity.aml.store import (
    AmlListError,
    import_list,
    list_lists,
    remove_list,
    screening_entries,
    screening_generation,
)
from hawiya.models import AmlEntry, AmlList, AuditEvent
from tests.fixtures.factories import create_tenant, unique_name
from tests.identity.aml import samples
from tests.identity.aml.samples import NID_1, NID_2, NID_3


class Lists:
    """Imports for one test, with the public lists it made removed afterwards (the database is
    shared by the whole run)."""

    def __init__(self, app: FastAPI, tmp_path: Path) -> None:
        self.app = app
        self.tmp = tmp_path
        self.public: list[uuid.UUID] = []

    @property
    def keyring(self) -> DataKeyring:
        ring: DataKeyring = self.app.state.data_keys
        return ring

    def file(self, name: str, content: str | bytes) -> Path:
        return samples.write(self.tmp / f"{uuid.uuid4().hex}-{name}", content)

    async def load(self, fmt: str, content: str | bytes, **kwargs: Any) -> Any:
        report = await import_list(
            self.app.state.db.writer,
            self.keyring,
            fmt,
            self.file(f"list.{fmt}", content),
            **kwargs,
        )
        if report.tenant_id is None:
            self.public.append(report.list_id)
        return report

    async def entries(self, tenant: uuid.UUID, list_id: uuid.UUID | None = None) -> list[ListEntry]:
        async with session_scope(self.app.state.db.reader) as session:
            found = await screening_entries(session, tenant, keyring=self.keyring)
        if list_id is None:
            return found
        return [e for e in found if e.metadata["listId"] == str(list_id)]

    async def generation(self, tenant: uuid.UUID) -> str:
        async with session_scope(self.app.state.db.reader) as session:
            return await screening_generation(session, tenant)

    async def rows(self, list_id: uuid.UUID) -> list[AmlEntry]:
        async with session_scope(self.app.state.db.reader) as session:
            query = select(AmlEntry).where(AmlEntry.list_id == list_id).order_by(AmlEntry.id)
            return list((await session.execute(query)).scalars())

    async def count(self, list_id: uuid.UUID) -> int:
        async with session_scope(self.app.state.db.reader) as session:
            query = select(func.count()).select_from(AmlEntry).where(AmlEntry.list_id == list_id)
            return int((await session.execute(query)).scalar_one())

    async def list_row(self, list_id: uuid.UUID) -> AmlList | None:
        async with session_scope(self.app.state.db.reader) as session:
            return await session.get(AmlList, list_id)


@pytest_asyncio.fixture(loop_scope="session")
async def lists(app: FastAPI, tmp_path: Path) -> AsyncIterator[Lists]:
    helper = Lists(app, tmp_path)
    yield helper
    for list_id in helper.public:
        with contextlib.suppress(AmlListError):  # replaced or removed by the test itself
            await remove_list(app.state.db.writer, list_id, tenant_id=None)


async def tenant_id(app: FastAPI) -> uuid.UUID:
    return uuid.UUID((await create_tenant(app)).id)


async def test_un_list_is_read_back_for_screening(app: FastAPI, lists: Lists) -> None:
    tenant = await tenant_id(app)
    before = await lists.generation(tenant)
    name = unique_name("un")
    report = await lists.load("un", samples.un_xml(), name=name)
    assert (report.read, report.imported, report.skipped_count) == (4, 3, 1)
    assert (report.persons, report.entities, report.names, report.id_numbers) == (2, 1, 8, 2)
    assert report.replaced is None and report.published == "2026-11-20"
    assert report.skipped["no name"].examples == ["QDi.992"]
    assert await lists.generation(tenant) != before

    entries = await lists.entries(tenant, report.list_id)
    by_case = {e.metadata["caseNo"]: e for e in entries}
    assert set(by_case) == {"QDi.990", "QDi.991", "QDe.990"}
    mohamed = by_case["QDi.990"]
    assert mohamed.source == "UN" and mohamed.entry_id == f"UN:{name}:990001"
    assert mohamed.names == (
        "MOHAMED ABDEL RAHMAN EL SAYED",
        "محمد عبد الرحمن السيد",
        "Mohammed Abdul Rahman al-Sayyid",
    )
    assert mohamed.id_numbers == (NID_1, "A12345678")
    assert dict(mohamed.metadata) == {
        "caseNo": "QDi.990",
        "caseYear": 2011,
        "recordDate": datetime(2011, 5, 12, tzinfo=UTC),
        "fullName": "MOHAMED ABDEL RAHMAN EL SAYED",
        "idNumber": NID_1,
        "dateOfBirth": datetime(1970, 3, 14, tzinfo=UTC),
        "programme": "Al-Qaida",
        "nationality": "Egypt",
        "kind": "person",
        "listName": name,
        "listId": str(report.list_id),
    }
    assert by_case["QDi.991"].metadata["dateOfBirth"] is None  # a year only is no date
    # The entries feed the matcher as they are.
    index = NameIndex(entries)
    assert index.search("محمد عبد الرحمن السيد")[0].metadata["caseNo"] == "QDi.990"

    infos = {i.id: i for i in await _lists(app, None)}
    info = infos[report.list_id]
    assert (info.source, info.format, info.name, info.status) == ("UN", "un", name, "active")
    assert info.entry_count == 3 and info.skipped_count == 1 and info.tenant_id is None
    assert info.details["skipped"] == {"no name": 1}
    assert len(info.file_sha256) == 64


async def _lists(app: FastAPI, tenant: uuid.UUID | None) -> list[Any]:
    async with session_scope(app.state.db.reader) as session:
        return await list_lists(session, tenant)


@pytest.mark.parametrize(
    ("fmt", "content", "source", "read", "imported"),
    [
        ("ofac-xml", samples.ofac_xml(), "OFAC", 4, 2),
        ("ofac-csv", samples.OFAC_SDN_CSV, "OFAC", 4, 2),
        ("eu", samples.eu_xml(), "EU", 3, 2),
        ("ftm", samples.ftm_sample(), "FTM:us_ofac_sdn", 7, 3),
    ],
)
async def test_every_public_format_imports(
    app: FastAPI, lists: Lists, fmt: str, content: str, source: str, read: int, imported: int
) -> None:
    tenant = await tenant_id(app)
    report = await lists.load(fmt, content, name=unique_name(fmt))
    assert (report.read, report.imported) == (read, imported)
    entries = await lists.entries(tenant, report.list_id)
    assert len(entries) == imported
    assert entries[0].source == source
    if fmt != "eu":
        assert NID_3 in entries[0].id_numbers
        assert entries[0].metadata["idNumber"] == NID_3  # national IDs first


async def test_ofac_csv_takes_alt_names(app: FastAPI, lists: Lists) -> None:
    tenant = await tenant_id(app)
    alt = lists.file("alt.csv", samples.OFAC_ALT_CSV)
    report = await lists.load(
        "ofac-csv", samples.OFAC_SDN_CSV, name=unique_name("ofac"), alt_path=alt
    )
    entries = await lists.entries(tenant, report.list_id)
    assert entries[0].names == ("Omar Mahmoud EL-MASRY", "Omar AL-MASRI", "عمر محمود المصري")
    info = {i.id: i for i in await _lists(app, None)}[report.list_id]
    assert [f["name"].endswith("alt.csv") for f in info.details["files"]] == [False, True]


async def test_reimport_replaces_the_list(app: FastAPI, lists: Lists) -> None:
    tenant = await tenant_id(app)
    name = unique_name("un")
    first = await lists.load("un", samples.un_xml(samples.un_people(3, "A"), ""), name=name)
    generation = await lists.generation(tenant)
    second = await lists.load("un", samples.un_xml(samples.un_people(5, "B"), ""), name=name)
    assert second.replaced == first.list_id and second.list_id != first.list_id
    assert await lists.generation(tenant) != generation
    entries = [e for e in await lists.entries(tenant) if e.metadata["listName"] == name]
    assert sorted(e.metadata["caseNo"] for e in entries) == [f"QDi.B{i}" for i in range(5)]
    # The old version is gone entirely, entries and all.
    assert await lists.count(first.list_id) == 0 and await lists.list_row(first.list_id) is None
    assert [i.id for i in await _lists(app, None) if i.name == name] == [second.list_id]

    async with session_scope(app.state.db.reader) as session:
        events = (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "aml.list_imported",
                    AuditEvent.target.in_([str(first.list_id), str(second.list_id)]),
                )
            )
        ).scalars()
        details = sorted((e.details["entries"], e.details["replaced"], e.chain) for e in events)
    assert details == [(3, None, "platform"), (5, str(first.list_id), "platform")]


async def test_failed_import_leaves_the_previous_version(app: FastAPI, lists: Lists) -> None:
    tenant = await tenant_id(app)
    name = unique_name("un")
    first = await lists.load("un", samples.un_xml(samples.un_people(4, "A"), ""), name=name)
    generation = await lists.generation(tenant)
    # Well-formed for 30 entries (several batches of 4 are written), then broken.
    broken = samples.un_xml(samples.un_people(30, "B"), "").replace("</INDIVIDUALS>", "", 1)
    with pytest.raises(SourceError, match="not well-formed"):
        await lists.load("un", broken, name=name, batch_size=4)
    assert await lists.generation(tenant) == generation
    entries = [e for e in await lists.entries(tenant) if e.metadata["listName"] == name]
    assert sorted(e.metadata["caseNo"] for e in entries) == [f"QDi.A{i}" for i in range(4)]
    # Nothing of the failed attempt is left behind.
    infos = [i for i in await _lists(app, None) if i.name == name]
    assert [(i.id, i.status) for i in infos] == [(first.list_id, "active")]
    async with session_scope(app.state.db.reader) as session:
        orphans = (
            await session.execute(
                select(func.count())
                .select_from(AmlEntry)
                .join(AmlList, AmlList.id == AmlEntry.list_id)
                .where(AmlList.name == name, AmlList.id != first.list_id)
            )
        ).scalar_one()
    assert orphans == 0


async def test_a_failure_at_the_switch_also_leaves_the_previous_version(
    app: FastAPI, lists: Lists, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hawiya.identity.aml import store

    tenant = await tenant_id(app)
    name = unique_name("un")
    await lists.load("un", samples.un_xml(samples.un_people(2, "A"), ""), name=name)

    async def broken_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(store, "record", broken_record)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        await lists.load("un", samples.un_xml(samples.un_people(3, "B"), ""), name=name)
    entries = [e for e in await lists.entries(tenant) if e.metadata["listName"] == name]
    assert sorted(e.metadata["caseNo"] for e in entries) == ["QDi.A0", "QDi.A1"]
    assert [i.status for i in await _lists(app, None) if i.name == name] == ["active"]


async def test_blacklists_are_private_to_their_tenant(app: FastAPI, lists: Lists) -> None:
    a, b = await tenant_id(app), await tenant_id(app)
    generation_b = await lists.generation(b)
    report = await lists.load("blacklist", samples.blacklist_csv(), tenant_id=a)
    assert (report.read, report.imported, report.skipped_count) == (7, 4, 3)
    assert report.skipped["invalid national ID (check digit)"].examples[0].startswith("line 4")
    assert await lists.generation(b) == generation_b  # B's screening is untouched

    mine = await lists.entries(a, report.list_id)
    assert sorted(e.metadata["idNumber"] for e in mine) == sorted(["", NID_1, NID_2, NID_3])
    first = next(e for e in mine if e.metadata["idNumber"] == NID_1)
    assert first.source == "BLACKLIST" and first.id_numbers == (NID_1,)
    assert first.names == ("محمد عبد الرحمن السيد",)
    assert dict(first.metadata) | {"listId": "", "listName": ""} == {
        "caseNo": "1234",
        "caseYear": 2020,
        "recordDate": datetime(2021, 3, 15, tzinfo=UTC),
        "fullName": "محمد عبد الرحمن السيد",
        "idNumber": NID_1,
        "dateOfBirth": datetime(1970, 3, 14, tzinfo=UTC),
        "programme": "Fraud",
        "nationality": "",
        "kind": "person",
        "listName": "",
        "listId": "",
    }
    # Tenant B sees none of it, and cannot list or remove it.
    assert not [e for e in await lists.entries(b) if e.source == "BLACKLIST"]
    assert report.list_id not in {i.id for i in await _lists(app, b)}
    with pytest.raises(AmlListError, match="no list"):
        await remove_list(app.state.db.writer, report.list_id, tenant_id=b)
    with pytest.raises(AmlListError, match="no list"):
        await remove_list(app.state.db.writer, report.list_id, tenant_id=None)

    # At rest: no national ID in clear anywhere in the rows, only ciphertext and a keyed hash.
    rows = await lists.rows(report.list_id)
    assert len(rows) == 4
    for row in rows:
        assert row.tenant_id == a and row.id_numbers == []
        dump = repr([getattr(row, c.key) for c in AmlEntry.__table__.columns])
        for number in (NID_1, NID_2, NID_3):
            assert number not in dump
            assert number.encode() not in (row.id_number_enc or b"")
    sealed = [r for r in rows if r.id_number_enc]
    assert len(sealed) == 3 and all(r.id_number_hash for r in sealed)
    assert lists.keyring.lookup_hash(a, "nid", NID_1) in {r.id_number_hash for r in sealed}
    async with session_scope(app.state.db.reader) as session:
        raw_list = await session.get(AmlList, report.list_id)
        assert raw_list is not None and NID_1 not in repr(raw_list.details)


async def test_blacklist_needs_a_tenant_and_tenant_lists_replace_per_tenant(
    app: FastAPI, lists: Lists
) -> None:
    with pytest.raises(AmlListError, match="belongs to a tenant"):
        await lists.load("blacklist", samples.blacklist_csv())
    a, b = await tenant_id(app), await tenant_id(app)
    text = f"name,national_id\nAhmed Ali,{NID_1}\n"
    in_a = await lists.load("blacklist", text, tenant_id=a, name="courts")
    in_b = await lists.load("blacklist", text, tenant_id=b, name="courts")
    assert in_b.replaced is None  # the same name in another tenant is another list
    again = await lists.load("blacklist", "name\nMona Farouk\n", tenant_id=a, name="courts")
    assert again.replaced == in_a.list_id
    assert [e.metadata["fullName"] for e in await lists.entries(a, again.list_id)] == [
        "Mona Farouk"
    ]
    assert len(await lists.entries(b, in_b.list_id)) == 1


async def test_tenant_sees_public_lists_and_own_and_removal(app: FastAPI, lists: Lists) -> None:
    a = await tenant_id(app)
    public = await lists.load("eu", samples.eu_xml(), name=unique_name("eu"))
    own = await lists.load("blacklist", f"national_id\n{NID_2}\n", tenant_id=a)
    seen = {e.metadata["listId"] for e in await lists.entries(a)}
    assert {str(public.list_id), str(own.list_id)} <= seen
    infos = await _lists(app, a)
    assert {i.id for i in infos} >= {public.list_id, own.list_id}

    generation = await lists.generation(a)
    removed = await remove_list(app.state.db.writer, own.list_id, tenant_id=a)
    assert removed.name == "blacklist" and removed.entry_count == 1
    assert await lists.generation(a) != generation
    assert await lists.count(own.list_id) == 0 and await lists.list_row(own.list_id) is None
    with pytest.raises(AmlListError):
        await remove_list(app.state.db.writer, own.list_id, tenant_id=a)
    async with session_scope(app.state.db.reader) as session:
        event = (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == "aml.list_removed",
                    AuditEvent.target == str(own.list_id),
                )
            )
        ).scalar_one()
    assert event.tenant_id == a and event.details["entries"] == 1


async def test_unknown_format_and_unreadable_file(app: FastAPI, lists: Lists) -> None:
    with pytest.raises(AmlListError, match="unknown format"):
        await lists.load("csv", "x")
    with pytest.raises(AmlListError, match="cannot read"):
        await import_list(
            app.state.db.writer, lists.keyring, "un", lists.tmp / "missing.xml", name="x"
        )
