"""Queries for imported lists and their entries.

Lists are reached through one of two repositories: `TenantLists` (a tenant's own lists, filtered
by db.repository.TenantRepository like every tenant-owned table) or `PublicLists` (the lists with
no tenant). Entries are only ever reached by the id of a list found through one of them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.db.repository import Repository, TenantRepository
from hawiya.models import AmlEntry, AmlList
from hawiya.models.aml_list import ACTIVE, FAILED, IMPORTING, RETIRED


class _ListQueries(Repository[AmlList]):
    model = AmlList

    async def by_id(self, list_id: uuid.UUID) -> AmlList | None:
        return await self.first(AmlList.id == list_id)

    async def all(self) -> list[AmlList]:
        query = self.select().order_by(AmlList.source, AmlList.name, AmlList.imported_at)
        return list((await self.session.execute(query)).scalars())

    async def active(self) -> list[AmlList]:
        query = self.select().where(AmlList.status == ACTIVE).order_by(AmlList.id)
        return list((await self.session.execute(query)).scalars())

    async def active_ids(self) -> list[uuid.UUID]:
        query = (
            self.select()
            .where(AmlList.status == ACTIVE)
            .with_only_columns(AmlList.id)
            .order_by(AmlList.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def active_version(self, source: str, name: str) -> AmlList | None:
        return await self.first(
            AmlList.source == source, AmlList.name == name, AmlList.status == ACTIVE
        )

    async def leftovers(self, source: str, name: str, started_before: datetime) -> list[AmlList]:
        """Versions of this list that failed, were retired, or stopped importing long ago (a
        process that died), whose entries are still to be deleted."""
        query = self.select().where(
            AmlList.source == source,
            AmlList.name == name,
            or_(
                AmlList.status.in_((FAILED, RETIRED)),
                (AmlList.status == IMPORTING) & (AmlList.imported_at < started_before),
            ),
        )
        return list((await self.session.execute(query)).scalars())


class TenantLists(_ListQueries, TenantRepository[AmlList]):
    """One tenant's own lists (its blacklists)."""


class PublicLists(_ListQueries):
    """The lists every tenant is screened against."""

    def select(self) -> Select[Any]:
        return select(AmlList).where(AmlList.tenant_id.is_(None))


def lists_for(session: AsyncSession, tenant_id: uuid.UUID | None) -> _ListQueries:
    """The repository for a tenant's own lists, or for the public lists when tenant_id is None."""
    return PublicLists(session) if tenant_id is None else TenantLists(session, tenant_id)


_ENTRY_TABLE = cast(Table, AmlEntry.__table__)

SCREENING_COLUMNS = (
    AmlEntry.entry_id,
    AmlEntry.kind,
    AmlEntry.names,
    AmlEntry.case_no,
    AmlEntry.case_year,
    AmlEntry.record_date,
    AmlEntry.date_of_birth,
    AmlEntry.nationality,
    AmlEntry.programme,
    AmlEntry.dataset,
    AmlEntry.id_numbers,
    AmlEntry.id_number_enc,
)


class EntryRepository:
    """Entries of one list, by the list's id (found through TenantLists or PublicLists)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            # Core, not ORM, insert: a third faster per row on large lists (bench/aml_import.py).
            await self.session.execute(insert(_ENTRY_TABLE), list(rows))

    async def delete_some(self, list_id: uuid.UUID, limit: int) -> int:
        """Delete up to `limit` entries of the list; returns how many went."""
        batch = (
            select(AmlEntry.id).where(AmlEntry.list_id == list_id).limit(limit).scalar_subquery()
        )
        result = await self.session.execute(delete(AmlEntry).where(AmlEntry.id.in_(batch)))
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def stream(
        self, list_id: uuid.UUID, *, batch: int = 5000
    ) -> AsyncIterator[Sequence[Any]]:
        """The list's entries, `batch` rows at a time, in the columns screening needs."""
        query = (
            select(*SCREENING_COLUMNS)
            .where(AmlEntry.list_id == list_id)
            .order_by(AmlEntry.id)
            .execution_options(yield_per=batch)
        )
        # On the session's connection, as Core: rows of plain columns need no ORM loading, which
        # costs a third of the time on a million entries.
        connection = await self.session.connection()
        result = await connection.stream(query)
        async for rows in result.partitions(batch):
            yield rows

    async def rows(self, list_id: uuid.UUID) -> Sequence[Any]:
        query = select(*SCREENING_COLUMNS).where(AmlEntry.list_id == list_id).order_by(AmlEntry.id)
        return (await self.session.execute(query)).all()

    async def raw(self, list_id: uuid.UUID) -> list[AmlEntry]:
        query = select(AmlEntry).where(AmlEntry.list_id == list_id).order_by(AmlEntry.id)
        return list((await self.session.execute(query)).scalars())
