"""Liveness re-validation: the holder of a verified identity proves again, by the three-frame
liveness check, to be the person it was verified for. Needed before a verified identity's phone
number changes (registration) and before signing when the location check fails (e-contracting,
StepReValidateLiveness with its `scanTransaction`).

The check runs on a new transaction through the usual liveness endpoints, without the ID sides:
the faces are matched against the holder's photo of the user's verified transaction
(`reference`). A full new verification of the same card (same national ID number) counts too.
Once that transaction's images are past their retention there is nothing to match against, and
the user must verify again with the card.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.datakeys.service import DataKeyring
from hawiya.identity.national_id import ascii_digits
from hawiya.identity.repository import TransactionRepository
from hawiya.models import IdentityTransaction

REFERENCE_PHOTO = "idPhotoImage"


async def reference(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: int
) -> IdentityTransaction | None:
    """The user's latest verified transaction that still has the holder's photo."""
    for row in await TransactionRepository(session, tenant_id).of_user(user_id):
        if row.is_completed and row.results.get("verified") and REFERENCE_PHOTO in row.images:
            return row
    return None


def _verified_numbers(rows: list[IdentityTransaction]) -> set[str]:
    """Keyed hashes of the national ID numbers of the user's verified transactions."""
    return {
        r.id_number_hash
        for r in rows
        if r.is_completed and r.results.get("verified") and r.id_number_hash
    }


def is_revalidation(row: IdentityTransaction) -> bool:
    return bool(row.results.get("revalidationOf"))


async def revalidated_since(
    session: AsyncSession, tenant_id: uuid.UUID, user_id: int, since: datetime
) -> IdentityTransaction | None:
    """The user's liveness re-validation passed after `since`, if any (the latest)."""
    rows = await TransactionRepository(session, tenant_id).of_user(user_id)
    numbers = _verified_numbers(rows)
    for row in rows:
        if row.liveness_state != "passed" or row.completed_at is None or row.completed_at < since:
            continue
        if is_revalidation(row) or (row.id_number_hash and row.id_number_hash in numbers):
            return row
    return None


async def number_matches(
    session: AsyncSession,
    keyring: DataKeyring,
    tenant_id: uuid.UUID,
    user_id: int,
    given: str | None,
) -> bool:
    """Whether a national ID number given with a request (ForgetPassword's `idNumber`) is the
    one of the user's verified identity. True when none is given or none is on record: the
    number can only be checked once an identity was verified. Compared by keyed hash."""
    if not given or not given.strip():
        return True
    rows = await TransactionRepository(session, tenant_id).of_user(user_id)
    on_record = _verified_numbers(rows)
    if not on_record:
        return True
    return keyring.lookup_hash(tenant_id, "nid", ascii_digits(given.strip())) in on_record
