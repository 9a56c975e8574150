"""Reads and appends for the audit chains. There is no update or delete path (LOG-2)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy import func, select

from hawiya.db.insert import insert_ignore
from hawiya.db.repository import Repository, TenantRepository
from hawiya.models import AuditChainHead, AuditEvent


class AuditChainRepository(Repository[AuditEvent]):
    model = AuditEvent

    async def lock_head(self, chain: str, genesis: str) -> AuditChainHead:
        await self.session.execute(
            insert_ignore(
                self.session, AuditChainHead, {"chain": chain, "seq": 0, "last_hash": genesis}
            )
        )
        query = select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
        return (await self.session.execute(query)).scalar_one()

    async def chains(self) -> list[str]:
        return list(
            (
                await self.session.execute(
                    select(AuditChainHead.chain).order_by(AuditChainHead.chain)
                )
            ).scalars()
        )

    async def head(self, chain: str) -> AuditChainHead | None:
        return await self.session.get(AuditChainHead, chain)

    async def iterate(self, chain: str, batch: int = 1000) -> AsyncIterator[AuditEvent]:
        last = 0
        while True:
            query = (
                select(AuditEvent)
                .where(AuditEvent.chain == chain, AuditEvent.seq > last)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            rows = list((await self.session.execute(query)).scalars())
            if not rows:
                return
            for row in rows:
                yield row
            last = rows[-1].seq

    async def count(self, chain: str) -> int:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == chain)
        return int((await self.session.execute(query)).scalar_one())


class TenantAuditRepository(TenantRepository[AuditEvent]):
    """A tenant's own view of its events (for the admin listing)."""

    model = AuditEvent
