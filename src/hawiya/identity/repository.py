"""Queries for identity transactions, always within one tenant."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_

from hawiya.db.insert import insert_ignore
from hawiya.db.repository import TenantRepository
from hawiya.models import IdentityTransaction


class TransactionRepository(TenantRepository[IdentityTransaction]):
    model = IdentityTransaction

    async def create_if_absent(self, transaction_id: uuid.UUID, now: datetime) -> None:
        """Insert the row unless it exists; concurrent first calls (front and back fired
        together) create it once."""
        await self.session.execute(
            insert_ignore(
                self.session,
                IdentityTransaction,
                {
                    "id": uuid.uuid4(),
                    "transaction_id": transaction_id,
                    "tenant_id": self.tenant_id,
                    "created_at": now,
                    "updated_at": now,
                    "front_state": "none",
                    "back_state": "none",
                    "liveness_state": "none",
                    "errors": {},
                    "results": {},
                    "images": {},
                    "is_completed": False,
                },
            )
        )

    async def by_transaction_id(self, transaction_id: uuid.UUID) -> IdentityTransaction | None:
        return await self.first(IdentityTransaction.transaction_id == transaction_id)

    async def latest_with_images(self, user_id: int) -> IdentityTransaction | None:
        query = (
            self.select()
            .where(IdentityTransaction.user_id == user_id)
            .order_by(IdentityTransaction.created_at.desc(), IdentityTransaction.id)
        )
        for row in (await self.session.execute(query)).scalars():
            if row.images:
                return row
        return None

    async def of_user(self, user_id: int) -> list[IdentityTransaction]:
        """The user's transactions, newest first."""
        query = (
            self.select()
            .where(IdentityTransaction.user_id == user_id)
            .order_by(IdentityTransaction.created_at.desc(), IdentityTransaction.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def all_started_before(self, moment: datetime) -> list[IdentityTransaction]:
        query = self.select().where(IdentityTransaction.created_at < moment)
        return list((await self.session.execute(query)).scalars())

    async def take_lease(
        self, transaction_id: uuid.UUID, holder: uuid.UUID, now: datetime, until: datetime
    ) -> bool:
        """True for exactly one caller while no unexpired lease is held."""
        result = await self.session.execute(
            self.update()
            .where(
                IdentityTransaction.transaction_id == transaction_id,
                or_(
                    IdentityTransaction.lease_until.is_(None),
                    IdentityTransaction.lease_until <= now,
                ),
            )
            .values(lease_until=until, lease_holder=holder)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def drop_lease(self, transaction_id: uuid.UUID, holder: uuid.UUID) -> None:
        await self.session.execute(
            self.update()
            .where(
                IdentityTransaction.transaction_id == transaction_id,
                IdentityTransaction.lease_holder == holder,
            )
            .values(lease_until=None, lease_holder=None)
            .execution_options(synchronize_session=False)
        )
