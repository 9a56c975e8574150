"""Opening identity transactions and serialising the work on each.

The SDKs fire the ID front and back of one transaction at the same time, yet expect the back's
answer to carry both sides (vlens-clients.md §2, §3.4). So each step holds a short lease on its
transaction: taken in its own committed statement, held while the images are read (with no
database transaction open, so SQLite's single writer and PostgreSQL's row locks are never held
through OCR), and dropped when the step's results are written. A crashed worker's lease expires
after LEASE_SECONDS. Waiters poll; one that waits longer than WAIT_SECONDS gets 503.

A transaction belongs to the tenant of the ApiKey, and once a user has used it, to that user: for
anyone else it looks exactly like a transaction that does not exist.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.db.session import checkpoint
from hawiya.errors import ApiError, ErrorCode
from hawiya.identity.repository import TransactionRepository
from hawiya.kit.clock import utcnow
from hawiya.models import IdentityTransaction

LEASE_SECONDS = 60
WAIT_SECONDS = 45.0
_POLL_SECONDS = 0.05


class TransactionInvalid(ValueError):
    """A malformed, unknown or someone else's transaction id (spec code 5004)."""


def parse_transaction_id(raw: str | None) -> uuid.UUID | None:
    """A client's transaction id in any case; None when absent; TransactionInvalid otherwise."""
    if raw is None or not raw.strip():
        return None
    try:
        return uuid.UUID(raw.strip())
    except ValueError:
        raise TransactionInvalid("not a UUID") from None


async def open_transaction(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    transaction_id: uuid.UUID | None,
    *,
    user_id: int | None,
    must_exist: bool = False,
) -> IdentityTransaction:
    """The transaction to work on, created when new (and when `must_exist` is false). A user's
    first use of a transaction started without one (through /v1/ocr) attaches it to them."""
    repo = TransactionRepository(session, tenant_id)
    if transaction_id is None:
        if must_exist:
            raise TransactionInvalid("a transaction_id is required")
        transaction_id = uuid.uuid4()
    row = await repo.by_transaction_id(transaction_id)
    if row is None:
        if must_exist:
            raise TransactionInvalid("unknown transaction")
        await repo.create_if_absent(transaction_id, utcnow())
        row = await repo.by_transaction_id(transaction_id)  # ours, or a concurrent first call's
        if row is None:
            raise TransactionInvalid("could not be created")
    if row.user_id is not None and row.user_id != user_id:
        raise TransactionInvalid("unknown transaction")  # another user's looks like none
    if row.user_id is None and user_id is not None:
        row.user_id = user_id
    await session.flush()
    return row


@asynccontextmanager
async def leased(
    session: AsyncSession, tenant_id: uuid.UUID, transaction_id: uuid.UUID
) -> AsyncIterator[None]:
    """Hold the transaction's lease for the block. What the request wrote before is committed
    first; inside the block the caller does its slow work and then writes its results, which
    are committed together with the lease's release."""
    repo = TransactionRepository(session, tenant_id)
    holder = uuid.uuid4()
    waited = 0.0
    while True:
        now = utcnow()
        taken = await repo.take_lease(
            transaction_id, holder, now, now + timedelta(seconds=LEASE_SECONDS)
        )
        await checkpoint(session)
        if taken:
            break
        if waited >= WAIT_SECONDS:
            raise ApiError(ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})
        await asyncio.sleep(_POLL_SECONDS)
        waited += _POLL_SECONDS
    try:
        yield
    except BaseException:
        # The step failed: undo its writes, but give the lease back now rather than at expiry.
        await session.rollback()
        await repo.drop_lease(transaction_id, holder)
        await session.commit()
        raise
    await repo.drop_lease(transaction_id, holder)


async def reload(
    session: AsyncSession, tenant_id: uuid.UUID, transaction_id: uuid.UUID
) -> IdentityTransaction | None:
    """The transaction as committed now, None when it was purged meanwhile. A step calls it
    after its lease (which commits the session), as another step may have written since."""
    row = await TransactionRepository(session, tenant_id).by_transaction_id(transaction_id)
    if row is not None:
        await session.refresh(row)
    return row
