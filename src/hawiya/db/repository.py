"""Repository bases. TenantRepository is the only place in the code that filters on tenant_id."""

from __future__ import annotations

import uuid
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, Update, func, select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from hawiya.db.base import Base

M = TypeVar("M", bound=Base)


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was touched without a tenant: a programming error, never a 404."""


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def select(self) -> Select[M]:
        return select(self.model)

    async def get(self, id_: Any) -> M | None:
        pk = self.model.__mapper__.primary_key[0]
        return (await self.session.execute(self.select().where(pk == id_))).scalar_one_or_none()

    async def first(self, *where: ColumnElement[bool]) -> M | None:
        return (
            await self.session.execute(self.select().where(*where).limit(1))
        ).scalar_one_or_none()

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def list_page(
        self, *where: ColumnElement[bool], skip: int, limit: int, order_by: Any
    ) -> tuple[list[M], int]:
        query = self.select().where(*where)
        total = (
            await self.session.execute(select(func.count()).select_from(query.subquery()))
        ).scalar_one()
        rows = (
            await self.session.execute(query.order_by(*order_by).offset(skip).limit(limit))
        ).scalars()
        return list(rows), int(total)


class TenantRepository(Repository[M]):
    def __init__(self, session: AsyncSession, tenant_id: uuid.UUID | None) -> None:
        if not isinstance(tenant_id, uuid.UUID):
            raise TenantContextMissing(f"{type(self).__name__} needs a tenant")
        super().__init__(session)
        self.tenant_id = tenant_id

    def select(self) -> Select[M]:
        return select(self.model).where(self.model.tenant_id == self.tenant_id)  # type: ignore[attr-defined]

    def update(self) -> Update:
        return sa_update(self.model).where(self.model.tenant_id == self.tenant_id)  # type: ignore[attr-defined]

    async def add(self, obj: M) -> M:
        obj.tenant_id = self.tenant_id  # type: ignore[attr-defined]
        return await super().add(obj)
