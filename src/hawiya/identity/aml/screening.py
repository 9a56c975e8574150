"""AML screening for the API: the tenant's lists (public lists and its own blacklists, from
`store`) in an in-memory NameIndex, rebuilt only when the set of lists changes, and a customer
checked against it into `services.AML` (spec §1.4; vlens-clients.md §6.6 types: `caseYear` Int,
`score` String, every field present).

One index per tenant, cached with the lists' generation (`store.screening_generation`, two small
queries per screening); building one runs in a thread, once, while other screenings of the
tenant wait for it. National ID hits come first (score 100), then names at or above the index's
threshold, best first.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.datakeys.service import DataKeyring
from hawiya.identity.aml import store
from hawiya.identity.aml.matcher import DEFAULT_THRESHOLD, Match, NameIndex
from hawiya.identity.schemas import Aml, AmlRecord

MAX_HITS = 10


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def _year(meta: Mapping[str, object]) -> int:
    year = meta.get("caseYear")
    if isinstance(year, int):
        return year
    recorded = meta.get("recordDate")
    return recorded.year if isinstance(recorded, datetime) else 0


def record(match: Match) -> AmlRecord:
    meta = match.metadata
    return AmlRecord(
        caseNo=_text(meta.get("caseNo")),
        caseYear=_year(meta),
        recordDate=_text(meta.get("recordDate")),
        fullName=_text(meta.get("fullName")) or match.alias,
        idNumber=_text(meta.get("idNumber")),
        dateOfBirth=_text(meta.get("dateOfBirth")),
        score=f"{match.score:.2f}",
        source=match.source,
        matchedName=match.alias,
        matchKind=match.kind,
    )


@dataclass
class AmlScreening:
    keyring: DataKeyring
    threshold: float = DEFAULT_THRESHOLD
    _cache: dict[uuid.UUID, tuple[str, NameIndex]] = field(default_factory=dict)
    _locks: dict[uuid.UUID, asyncio.Lock] = field(default_factory=dict)

    async def index_for(self, session: AsyncSession, tenant_id: uuid.UUID) -> NameIndex:
        generation = await store.screening_generation(session, tenant_id)
        cached = self._cache.get(tenant_id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        lock = self._locks.setdefault(tenant_id, asyncio.Lock())
        async with lock:
            cached = self._cache.get(tenant_id)
            if cached is not None and cached[0] == generation:
                return cached[1]
            entries = await store.screening_entries(session, tenant_id, keyring=self.keyring)
            index = await asyncio.to_thread(NameIndex, entries, threshold=self.threshold)
            self._cache[tenant_id] = (generation, index)
            return index

    async def screen(
        self, session: AsyncSession, tenant_id: uuid.UUID, name: str, id_number: str | None
    ) -> list[Match]:
        index = await self.index_for(session, tenant_id)
        if not len(index):
            return []
        return await asyncio.to_thread(index.search, name, id_number, MAX_HITS)


def services_aml(matches: list[Match]) -> Aml:
    return Aml(AML_matched=bool(matches), data=[record(m) for m in matches])


def kept(matches: list[Match]) -> dict[str, object]:
    """What the transaction keeps of a screening: references and scores, not the list data."""
    return {
        "matched": bool(matches),
        "hits": [
            {"entryId": m.entry_id, "score": m.score, "kind": m.kind, "source": m.source}
            for m in matches
        ],
    }
