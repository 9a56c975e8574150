"""Sanctions and watch lists in the database: import (with atomic replacement), listing,
removal, and reading back as `ListEntry` objects for screening.

An import writes the new version in batches under status "importing", each batch its own short
transaction (so a long import never holds SQLite's write lock for minutes, nor PostgreSQL a huge
transaction), invisible to screening. Then one short transaction makes it active, retires the
version it replaces and records the audit event: screening sees the old list or the new one,
never a mixture. A failed import is marked failed and its entries deleted; the previous version
stays active throughout. Retired versions are deleted in batches after the switch.

Public lists (no tenant) keep document numbers in clear. A tenant's lists keep them encrypted
under its data key (bound to list and entry) with a keyed hash of the first national ID.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hawiya.audit.service import CLI, Actor, AuditAction, record
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.identity.aml.matcher import ListEntry
from hawiya.identity.aml.repository import EntryRepository, lists_for
from hawiya.identity.aml.sources import (
    FORMATS,
    NATIONAL_ID,
    PERSON,
    ListedParty,
    ParseOptions,
    ParseStats,
    SourceFile,
    Tally,
)
from hawiya.kit.clock import utcnow
from hawiya.models import AmlList
from hawiya.models.aml_list import ACTIVE, FAILED, IMPORTING, RETIRED

BATCH = 5000
PURGE_BATCH = 20_000
# An "importing" version older than this belongs to a process that died; the next import of the
# same list deletes it.
STALE_IMPORT = timedelta(hours=6)


class AmlListError(ValueError):
    """A request about lists that cannot be met (unknown format, missing tenant, unknown list)."""


# --- reports -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ImportReport:
    list_id: uuid.UUID
    format: str
    source: str
    name: str
    tenant_id: uuid.UUID | None
    file_sha256: str = ""
    bytes_read: int = 0
    read: int = 0  # records seen in the file
    imported: int = 0  # entries stored
    persons: int = 0
    entities: int = 0
    names: int = 0
    id_numbers: int = 0
    skipped: dict[str, Tally] = field(default_factory=dict)
    warnings: dict[str, Tally] = field(default_factory=dict)
    replaced: uuid.UUID | None = None  # the version this import retired
    published: str | None = None  # the list's own date, when it gives one
    duration_seconds: float = 0.0

    @property
    def skipped_count(self) -> int:
        return sum(t.count for t in self.skipped.values())

    @property
    def rows_per_second(self) -> float:
        return self.read / self.duration_seconds if self.duration_seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "listId": str(self.list_id),
            "format": self.format,
            "source": self.source,
            "name": self.name,
            "tenantId": str(self.tenant_id) if self.tenant_id else None,
            "fileSha256": self.file_sha256,
            "bytes": self.bytes_read,
            "read": self.read,
            "imported": self.imported,
            "persons": self.persons,
            "entities": self.entities,
            "names": self.names,
            "idNumbers": self.id_numbers,
            "skippedCount": self.skipped_count,
            "skipped": _tallies(self.skipped, examples=True),
            "warnings": _tallies(self.warnings, examples=True),
            "replaced": str(self.replaced) if self.replaced else None,
            "published": self.published,
            "durationSeconds": round(self.duration_seconds, 3),
            "rowsPerSecond": round(self.rows_per_second),
        }


def _tallies(table: dict[str, Tally], *, examples: bool) -> dict[str, Any]:
    if examples:
        return {k: {"count": t.count, "examples": list(t.examples)} for k, t in table.items()}
    return {k: t.count for k, t in table.items()}


@dataclass(frozen=True, slots=True)
class ListInfo:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    source: str
    format: str
    name: str
    status: str
    file_sha256: str
    imported_at: datetime
    activated_at: datetime | None
    entry_count: int
    skipped_count: int
    imported_by: str
    details: Mapping[str, Any]

    @classmethod
    def of(cls, row: AmlList) -> ListInfo:
        return cls(
            row.id,
            row.tenant_id,
            row.source,
            row.format,
            row.name,
            row.status,
            row.file_sha256,
            row.imported_at,
            row.activated_at,
            row.entry_count,
            row.skipped_count,
            row.imported_by,
            dict(row.details or {}),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "scope": "tenant" if self.tenant_id else "global",
            "tenantId": str(self.tenant_id) if self.tenant_id else None,
            "source": self.source,
            "format": self.format,
            "name": self.name,
            "status": self.status,
            "fileSha256": self.file_sha256,
            "importedAt": self.imported_at,
            "activatedAt": self.activated_at,
            "entries": self.entry_count,
            "skipped": self.skipped_count,
            "importedBy": self.imported_by,
            "published": self.details.get("published"),
        }


# --- import --------------------------------------------------------------------------------------


def _scope(tenant_id: uuid.UUID | None) -> str:
    return str(tenant_id) if tenant_id else "global"


def _active_key(tenant_id: uuid.UUID | None, source: str, name: str) -> str:
    return f"{_scope(tenant_id)}|{source}|{name}"


def _context(list_id: uuid.UUID, entry_id: str) -> str:
    return f"aml:{list_id}:{entry_id}"


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def _born(party: ListedParty) -> datetime | None:
    for value in party.birth_dates:
        if len(value) == 10:
            return _midnight(date.fromisoformat(value))
    return None


def _numbers(party: ListedParty) -> list[str]:
    """Document numbers, national IDs first, each once."""
    ordered = sorted(party.documents, key=lambda d: d.kind != NATIONAL_ID)
    return list(dict.fromkeys(d.number for d in ordered))


def _joined(values: list[str], limit: int) -> str | None:
    text = "; ".join(values)
    return text[:limit] if text else None


def _row(party: ListedParty, list_id: uuid.UUID, tenant_id: uuid.UUID | None) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if party.weak_aliases:
        details["weakAliases"] = party.weak_aliases
    if party.birth_dates and (len(party.birth_dates) > 1 or len(party.birth_dates[0]) != 10):
        details["birthDates"] = party.birth_dates
    if tenant_id is None and any(d.kind != NATIONAL_ID or d.country for d in party.documents):
        details["documents"] = [
            {"type": d.kind, "number": d.number, "country": d.country} for d in party.documents
        ]
    if len(party.programmes) > 1:
        details["programmes"] = party.programmes
    return {
        "list_id": list_id,
        "tenant_id": tenant_id,
        "entry_id": party.reference[:128],
        "kind": party.kind,
        "names": party.names,
        "case_no": (party.case_no or "")[:128] or None,
        "case_year": party.case_year,
        "record_date": _midnight(party.listed_on),
        "date_of_birth": _born(party),
        "nationality": _joined(party.nationalities, 255),
        "programme": _joined(party.programmes, 255),
        "dataset": (party.dataset or "")[:64] or None,
        "id_numbers": _numbers(party) if tenant_id is None else [],
        "id_number_enc": None,
        "id_number_hash": None,
        "details": details,
    }


async def _seal_numbers(
    session: AsyncSession,
    keyring: DataKeyring,
    tenant_id: uuid.UUID,
    row: dict[str, Any],
    party: ListedParty,
) -> None:
    """A tenant list's document numbers: encrypted (all of them, as a JSON array) and the first
    national ID as a keyed hash; nothing in clear."""
    numbers = _numbers(party)
    if not numbers:
        return
    row["id_number_enc"] = await keyring.encrypt(
        session,
        tenant_id,
        json.dumps(numbers).encode(),
        context=_context(row["list_id"], row["entry_id"]),
    )
    national = [d.number for d in party.documents if d.kind == NATIONAL_ID]
    if national:
        row["id_number_hash"] = keyring.lookup_hash(tenant_id, "nid", national[0])


def _batches(parties: Iterator[ListedParty], size: int) -> Iterator[list[ListedParty]]:
    batch: list[ListedParty] = []
    for party in parties:
        batch.append(party)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def import_list(
    writer: async_sessionmaker[AsyncSession],
    keyring: DataKeyring,
    format_name: str,
    path: Path,
    *,
    tenant_id: uuid.UUID | None = None,
    name: str | None = None,
    alt_path: Path | None = None,
    imported_by: str = "cli",
    actor: Actor = CLI,
    verify_check_digit: bool = True,
    batch_size: int = BATCH,
    on_read: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a list file as the new version of (tenant, source, name), replacing the active
    version atomically. Raises AmlListError (bad request) or SourceError (unreadable or unsafe
    file, nothing imported; the previous version stays active). Records an audit event."""
    fmt = FORMATS.get(format_name)
    if fmt is None:
        raise AmlListError(f"unknown format {format_name!r} (one of {', '.join(FORMATS)})")
    if fmt.tenant_only and tenant_id is None:
        raise AmlListError(f"a {format_name} belongs to a tenant: name the tenant (--tenant)")
    if alt_path is not None and format_name != "ofac-csv":
        raise AmlListError("an alternate-names file is for ofac-csv only")
    list_name = (name or fmt.default_name or path.stem).strip()[:128]
    if not list_name:
        raise AmlListError("the list needs a name")
    started = time.perf_counter()
    with ExitStack() as files:
        try:
            main = files.enter_context(SourceFile(path, on_read))
            alt = files.enter_context(SourceFile(alt_path)) if alt_path else None
        except OSError as exc:
            raise AmlListError(f"cannot read {exc.filename}: {exc.strerror}") from None
        async with session_scope(writer) as session:
            repo = lists_for(session, tenant_id)
            leftovers = [
                row.id
                for row in await repo.leftovers(fmt.source, list_name, utcnow() - STALE_IMPORT)
            ]
            new = await repo.add(
                AmlList(
                    source=fmt.source,
                    format=fmt.name,
                    name=list_name,
                    status=IMPORTING,
                    file_sha256="",
                    imported_at=utcnow(),
                    imported_by=imported_by[:128],
                    details={},
                )
            )
        for old in leftovers:
            await _purge(writer, old)
        report = ImportReport(new.id, fmt.name, fmt.source, list_name, tenant_id)
        stats = ParseStats()
        options = ParseOptions(
            alt=alt.stream if alt else None, verify_check_digit=verify_check_digit
        )
        try:
            for batch in _batches(fmt.parse(main.stream, stats, options), batch_size):
                rows = []
                async with session_scope(writer) as session:
                    for party in batch:
                        row = _row(party, new.id, tenant_id)
                        if tenant_id is not None:
                            await _seal_numbers(session, keyring, tenant_id, row, party)
                        rows.append(row)
                        report.names += len(party.names)
                        report.id_numbers += len(party.documents)
                        if party.kind == PERSON:
                            report.persons += 1
                        else:
                            report.entities += 1
                    await EntryRepository(session).insert_many(rows)
                report.imported += len(rows)
            main.drain()
            if alt:
                alt.drain()
            report.read, report.skipped, report.warnings = stats.read, stats.skipped, stats.warnings
            report.published = stats.published
            report.file_sha256, report.bytes_read = main.sha256, main.bytes_read
            files_seen = [{"name": path.name, "sha256": main.sha256, "bytes": main.bytes_read}]
            if alt and alt_path:
                files_seen.append(
                    {"name": alt_path.name, "sha256": alt.sha256, "bytes": alt.bytes_read}
                )
            report.replaced = await _activate(writer, new.id, tenant_id, report, files_seen, actor)
        except BaseException:
            await _abandon(writer, new.id)
            raise
    if report.replaced:
        await _purge(writer, report.replaced)
    report.duration_seconds = time.perf_counter() - started
    return report


async def _activate(
    writer: async_sessionmaker[AsyncSession],
    list_id: uuid.UUID,
    tenant_id: uuid.UUID | None,
    report: ImportReport,
    files_seen: list[dict[str, Any]],
    actor: Actor,
) -> uuid.UUID | None:
    """The switch: one transaction retires the active version, activates the new one and
    records the audit event."""
    try:
        async with session_scope(writer) as session:
            repo = lists_for(session, tenant_id)
            new = await repo.by_id(list_id)
            if new is None or new.status != IMPORTING:
                raise AmlListError("the list being imported was removed meanwhile")
            old = await repo.active_version(new.source, new.name)
            if old is not None:
                old.status, old.active_key = RETIRED, None
                await session.flush()  # free the unique active_key before taking it
            new.status = ACTIVE
            new.active_key = _active_key(tenant_id, new.source, new.name)
            new.activated_at = utcnow()
            new.file_sha256 = report.file_sha256
            new.entry_count = report.imported
            new.skipped_count = report.skipped_count
            new.details = {
                "published": report.published,
                "read": report.read,
                "persons": report.persons,
                "entities": report.entities,
                "names": report.names,
                "idNumbers": report.id_numbers,
                "skipped": _tallies(report.skipped, examples=False),
                "warnings": _tallies(report.warnings, examples=False),
                "files": files_seen,
            }
            await session.flush()
            await record(
                session,
                AuditAction.AML_LIST_IMPORTED,
                tenant_id=tenant_id,
                actor=actor,
                target=str(new.id),
                details={
                    "source": new.source,
                    "format": new.format,
                    "name": new.name,
                    "sha256": report.file_sha256,
                    "entries": report.imported,
                    "skipped": report.skipped_count,
                    "replaced": str(old.id) if old else None,
                },
            )
            return old.id if old else None
    except IntegrityError:
        raise AmlListError(
            "another import of the same list finished first; this one was discarded"
        ) from None


async def _abandon(writer: async_sessionmaker[AsyncSession], list_id: uuid.UUID) -> None:
    """After a failed import: mark the version failed and delete its entries (best effort; a
    leftover is deleted by the next import of the same list)."""
    try:
        async with session_scope(writer) as session:
            row = await session.get(AmlList, list_id)
            if row is None or row.status != IMPORTING:
                return
            row.status = FAILED
        await _purge(writer, list_id)
    except Exception:  # noqa: S110 - the import's own error is the one to report
        pass


async def _purge(writer: async_sessionmaker[AsyncSession], list_id: uuid.UUID) -> None:
    """Delete a retired, failed or removed version: its entries in batches (each a short
    transaction), then the list row."""
    while True:
        async with session_scope(writer) as session:
            if await EntryRepository(session).delete_some(list_id, PURGE_BATCH) < PURGE_BATCH:
                row = await session.get(AmlList, list_id)
                if row is not None and row.status != ACTIVE:
                    await session.delete(row)
                return


# --- listing and removal -------------------------------------------------------------------------


async def list_lists(
    session: AsyncSession, tenant_id: uuid.UUID | None, *, include_public: bool = True
) -> list[ListInfo]:
    """A tenant's own lists and (include_public) the public ones; the public ones alone when
    tenant_id is None."""
    rows = await lists_for(session, tenant_id).all()
    if tenant_id is not None and include_public:
        rows = await lists_for(session, None).all() + rows
    return [ListInfo.of(row) for row in rows]


async def remove_list(
    writer: async_sessionmaker[AsyncSession],
    list_id: uuid.UUID,
    *,
    tenant_id: uuid.UUID | None,
    actor: Actor = CLI,
) -> ListInfo:
    """Remove a tenant's own list (tenant_id set) or a public list (tenant_id None): it leaves
    screening at once (one transaction, audited), then its entries are deleted in batches.
    Raises AmlListError when the scope holds no such list (another tenant's list is not found)."""
    async with session_scope(writer) as session:
        row = await lists_for(session, tenant_id).by_id(list_id)
        if row is None:
            where = "this tenant's lists" if tenant_id else "the public lists"
            raise AmlListError(f"no list {list_id} among {where}")
        info = ListInfo.of(row)
        row.status, row.active_key = RETIRED, None
        await session.flush()
        await record(
            session,
            AuditAction.AML_LIST_REMOVED,
            tenant_id=tenant_id,
            actor=actor,
            target=str(row.id),
            details={"source": row.source, "name": row.name, "entries": row.entry_count},
        )
    await _purge(writer, list_id)
    return info


# --- screening -----------------------------------------------------------------------------------


async def screening_generation(session: AsyncSession, tenant_id: uuid.UUID) -> str:
    """Changes whenever the set of lists the tenant is screened against changes (an import,
    a replacement, a removal; public or its own). Two small indexed queries."""
    ids = await lists_for(session, None).active_ids()
    ids += await lists_for(session, tenant_id).active_ids()
    return hashlib.sha256(",".join(sorted(str(i) for i in ids)).encode()).hexdigest()[:32]


class EntryMetadata(Mapping[str, object]):
    """ListEntry.metadata: a mapping with fixed keys (read it, do not change it), small enough to
    hold for a million entries (slots, values shared between entries)."""

    KEYS = (
        "caseNo",
        "caseYear",
        "recordDate",
        "fullName",
        "idNumber",
        "dateOfBirth",
        "programme",
        "nationality",
        "kind",
        "listName",
        "listId",
    )
    __slots__ = KEYS

    def __init__(
        self,
        caseNo: str,  # the parameters are the wire names
        caseYear: int | None,
        recordDate: datetime | None,
        fullName: str,
        idNumber: str,
        dateOfBirth: datetime | None,
        programme: str,
        nationality: str,
        kind: str,
        listName: str,
        listId: str,
    ) -> None:
        self.caseNo = caseNo
        self.caseYear = caseYear
        self.recordDate = recordDate
        self.fullName = fullName
        self.idNumber = idNumber
        self.dateOfBirth = dateOfBirth
        self.programme = programme
        self.nationality = nationality
        self.kind = kind
        self.listName = listName
        self.listId = listId

    def __getitem__(self, key: str) -> object:
        if key not in self.KEYS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.KEYS)

    def __len__(self) -> int:
        return len(self.KEYS)

    def __repr__(self) -> str:
        return f"EntryMetadata({dict(self)!r})"


async def _once(rows: Sequence[Any]) -> AsyncIterator[Sequence[Any]]:
    yield rows


def source_label(row: AmlList, dataset: str | None) -> str:
    if row.source == "FTM":
        return f"FTM:{dataset or row.name}"
    return row.source


async def screening_entries(
    session: AsyncSession, tenant_id: uuid.UUID, *, keyring: DataKeyring
) -> list[ListEntry]:
    """Every entry of the active public lists and of the tenant's own active lists (never
    another tenant's), as ListEntry objects for NameIndex. A tenant list's numbers are
    decrypted here (keyring: the installation's DataKeyring, app.state.data_keys)."""
    out: list[ListEntry] = []
    async for entry in iter_screening_entries(session, tenant_id, keyring=keyring):
        out.append(entry)
    return out


async def iter_screening_entries(
    session: AsyncSession, tenant_id: uuid.UUID, *, keyring: DataKeyring
) -> AsyncIterator[ListEntry]:
    """As screening_entries, one at a time (an index can be built without a second copy)."""
    lists = await lists_for(session, None).active() + await lists_for(session, tenant_id).active()
    entries = EntryRepository(session)
    shared: dict[Any, Any] = {}  # one object per distinct value (dates, programmes, ...)

    labels: dict[str, str] = {}  # FollowTheMoney dataset -> source

    def one(value: Any) -> Any:
        return value if value is None else shared.setdefault(value, value)

    for row in lists:
        list_id, list_name, own = str(row.id), row.name, row.tenant_id is not None
        prefix, label = f"{row.source}:{row.name}:", source_label(row, None)
        # A tenant's list is read whole before its numbers are decrypted (decrypting queries the
        # data key, which must not interleave with an open cursor); public lists are streamed.
        batches = _once(await entries.rows(row.id)) if own else entries.stream(row.id)
        async for batch in batches:
            for (
                entry_id, kind, names, case_no, case_year, record_date, born, nationality,
                programme, dataset, id_numbers, sealed,
            ) in batch:  # fmt: skip
                numbers = tuple(id_numbers) if id_numbers else ()
                if own and sealed is not None:
                    plain = await keyring.decrypt(
                        session, tenant_id, sealed, context=_context(row.id, entry_id)
                    )
                    numbers = tuple(json.loads(plain))
                names = tuple(names) if names else ()
                yield ListEntry(
                    entry_id=prefix + entry_id,
                    names=names,
                    id_numbers=numbers,
                    source=label
                    if dataset is None
                    else labels.setdefault(dataset, f"FTM:{dataset}"),
                    metadata=EntryMetadata(
                        case_no or "",
                        case_year,
                        record_date if record_date is None else one(record_date),
                        names[0] if names else "",
                        numbers[0] if numbers else "",
                        born if born is None else one(born),
                        one(programme or ""),
                        one(nationality or ""),
                        one(kind),
                        list_name,
                        list_id,
                    ),
                )
