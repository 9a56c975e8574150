"""Manual review (issue 4 §9): compliance officers list the verifications that failed or need a
look (identity/review.py says which), see what was read and measured, and approve or reject
with a reason.

An approval makes the transaction Verified exactly as the automatic path does (completed,
`verified`), and the user linked to it becomes Verified through the same `apply_outcome`; a
transaction not linked yet passes it on when LinkUserWithExistingTransaction links it. A
rejection is final for the transaction and leaves the user's stage as it was. Every decision
goes into the audit trail with the officer. Transactions of other tenants do not exist here.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.datakeys.service import DataKeyring
from hawiya.errors import ApiError, ErrorCode
from hawiya.identity import records, review
from hawiya.identity.repository import TransactionRepository
from hawiya.identity.review_schemas import ReviewDetail, ReviewItem, StepProblem
from hawiya.identity.service import apply_outcome
from hawiya.identity.transactions import TransactionInvalid, parse_transaction_id
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, IdentityTransaction
from hawiya.users.repository import EndUserRepository

STATES = (review.PENDING, review.APPROVED, review.REJECTED)


async def find(
    session: AsyncSession, tenant_id: uuid.UUID, transaction_id: str
) -> IdentityTransaction:
    try:
        tid = parse_transaction_id(transaction_id)
    except TransactionInvalid:
        tid = None
    row = (
        await TransactionRepository(session, tenant_id).by_transaction_id(tid)
        if tid is not None
        else None
    )
    if row is None:
        raise ApiError(ErrorCode.TRANSACTION_OR_TOKEN_INVALID)
    return row


async def _user(session: AsyncSession, row: IdentityTransaction) -> EndUser | None:
    if row.user_id is None:
        return None
    return await EndUserRepository(session, row.tenant_id).get(row.user_id)


def _item(row: IdentityTransaction, user: EndUser | None) -> ReviewItem:
    return ReviewItem(
        transaction_id=str(row.transaction_id),
        client_transaction_id=row.client_transaction_id,
        user_id=row.user_id,
        phone_number=user.phone_number if user else None,
        state=row.review_state,
        reasons=review.reasons(row),
        front_state=row.front_state,
        back_state=row.back_state,
        liveness_state=row.liveness_state,
        is_completed=row.is_completed,
        creation_time=row.created_at,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        review_reason=row.review_reason,
    )


async def list_reviews(
    session: AsyncSession, tenant_id: uuid.UUID, state: str, *, skip: int, limit: int
) -> tuple[list[ReviewItem], int]:
    """Transactions in a review state, oldest waiting first for "pending", newest decided
    first otherwise."""
    if state not in STATES:
        raise ApiError(
            ErrorCode.VALIDATION_FAILED,
            descriptions=[
                {"field": "state", "code": "enum", "message": f"one of {', '.join(STATES)}"}
            ],
        )
    order = (
        [IdentityTransaction.created_at, IdentityTransaction.id]
        if state == review.PENDING
        else [IdentityTransaction.reviewed_at.desc(), IdentityTransaction.id]
    )
    rows, total = await TransactionRepository(session, tenant_id).list_page(
        IdentityTransaction.review_state == state, skip=skip, limit=limit, order_by=order
    )
    return [_item(row, await _user(session, row)) for row in rows], total


async def detail(
    session: AsyncSession,
    keyring: DataKeyring,
    tenant_id: uuid.UUID,
    transaction_id: str,
    language: str,
    actor: audit.Actor,
) -> ReviewDetail:
    """Everything an officer needs to decide; the viewing of personal data is audited."""
    row = await find(session, tenant_id, transaction_id)
    problems = [
        StepProblem(step=e.step, code=e.code, field=e.field, message=e.message)
        for e in records.kept_errors(row, row.errors, language)
    ]
    results = {k: v for k, v in row.results.items() if k != "attempts"}
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_VIEWED,
        tenant_id=tenant_id,
        actor=actor,
        target=f"transaction:{row.transaction_id}",
    )
    return ReviewDetail(
        **_item(row, await _user(session, row)).model_dump(),
        problems=problems,
        results=results,
        images=sorted(row.images),
        id_front_data=await records.read_side(session, keyring, row, "front"),
        id_back_data=await records.read_side(session, keyring, row, "back"),
    )


async def decide(
    session: AsyncSession,
    row: IdentityTransaction,
    *,
    approve: bool,
    reason: str,
    officer: str,
    actor: audit.Actor,
) -> ReviewItem:
    """Approve or reject a pending transaction (1305 when it is not pending)."""
    if row.review_state != review.PENDING:
        raise ApiError(ErrorCode.REVIEW_NOT_PENDING)
    row.review_state = review.APPROVED if approve else review.REJECTED
    row.review_reason = reason
    row.reviewed_by = officer
    row.reviewed_at = utcnow()
    user = await _user(session, row)
    if approve:
        if not row.is_completed:
            row.is_completed = True
            row.completed_at = row.reviewed_at
        row.results = {**row.results, "verified": True}
        if user is not None:
            apply_outcome(user, row)
    else:
        row.results = {**row.results, "verified": False}
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_APPROVED if approve else audit.AuditAction.IDENTITY_REJECTED,
        tenant_id=row.tenant_id,
        actor=actor,
        target=f"transaction:{row.transaction_id}",
        details={"reason": reason, "officer": officer, "userId": row.user_id},
    )
    return _item(row, user)


async def approve_user(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user: EndUser,
    *,
    reason: str,
    officer: str,
    actor: audit.Actor,
) -> ReviewItem:
    """The scripting form (`hawiya identity approve PHONE`): approve the user's latest pending
    verification or, when the user has none, record a manual verification (no images, no
    extracted data: the officer verified the person another way) and approve that."""
    repo = TransactionRepository(session, tenant_id)
    rows, _ = await repo.list_page(
        IdentityTransaction.user_id == user.id,
        IdentityTransaction.review_state == review.PENDING,
        skip=0,
        limit=1,
        order_by=[IdentityTransaction.created_at.desc(), IdentityTransaction.id],
    )
    if rows:
        row = rows[0]
    else:
        transaction_id = uuid.uuid4()
        await repo.create_if_absent(transaction_id, utcnow())
        created = await repo.by_transaction_id(transaction_id)
        if created is None:  # cannot happen: created just above in this transaction
            raise ApiError(ErrorCode.TRANSACTION_OR_TOKEN_INVALID)
        row = created
        row.user_id = user.id
        row.review_state = review.PENDING
        row.results = {"manual": True}
    return await decide(session, row, approve=True, reason=reason, officer=officer, actor=actor)
