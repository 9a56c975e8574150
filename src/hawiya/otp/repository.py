"""Queries for challenges and identifier state."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func

from hawiya.db.insert import insert_ignore
from hawiya.db.repository import TenantRepository
from hawiya.models import OtpChallenge, OtpIdentifierState


class OtpChallengeRepository(TenantRepository[OtpChallenge]):
    model = OtpChallenge

    async def get_for_update(self, challenge_id: uuid.UUID, purpose: str) -> OtpChallenge | None:
        query = (
            self.select()
            .where(OtpChallenge.id == challenge_id, OtpChallenge.purpose == purpose)
            .with_for_update()
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def sends_since(self, identifier: str, since: datetime) -> tuple[int, datetime | None]:
        """How many codes went to this identifier since then (every purpose), and the oldest."""
        query = (
            self.select()
            .with_only_columns(func.count(), func.min(OtpChallenge.created_at))
            .where(OtpChallenge.identifier == identifier, OtpChallenge.created_at > since)
        )
        count, oldest = (await self.session.execute(query)).one()
        return int(count), oldest


class OtpStateRepository(TenantRepository[OtpIdentifierState]):
    model = OtpIdentifierState

    async def lock_or_create(self, purpose: str, identifier: str) -> OtpIdentifierState:
        """The state row, locked for this transaction; concurrent first uses create it once."""
        where = (OtpIdentifierState.purpose == purpose, OtpIdentifierState.identifier == identifier)
        query = self.select().where(*where).with_for_update()
        row = (await self.session.execute(query)).scalar_one_or_none()
        if row is not None:
            return row
        await self.session.execute(
            insert_ignore(
                self.session,
                OtpIdentifierState,
                {
                    "id": uuid.uuid4(),
                    "tenant_id": self.tenant_id,
                    "purpose": purpose,
                    "identifier": identifier,
                },
            )
        )
        return (await self.session.execute(query)).scalar_one()
