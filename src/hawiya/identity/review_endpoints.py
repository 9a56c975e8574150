"""Manual review for compliance officers (the project's admin namespace; docs/identity.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from hawiya.audit import service as audit
from hawiya.auth.dependencies import AdminCtx, SessionDep
from hawiya.context import AdminContext
from hawiya.envelope import Envelope, Page, ok, page
from hawiya.i18n import pick_language
from hawiya.identity import review, review_service
from hawiya.identity.review_schemas import ReviewDecisionInput, ReviewDetail, ReviewItem
from hawiya.pagination import Paging

router = APIRouter(tags=["identity review"])


def _officer(admin: AdminContext) -> tuple[str, audit.Actor]:
    return f"admin:{admin.admin_id}", audit.actor_for(admin.request, "admin", str(admin.admin_id))


@router.get("/api/hawiya/IdentityReviews")
async def list_identity_reviews(
    admin: AdminCtx,
    session: SessionDep,
    paging: Paging,
    state: Annotated[str, Query(max_length=16)] = review.PENDING,
) -> Page[ReviewItem]:
    items, total = await review_service.list_reviews(
        session, admin.tenant_id, state, skip=paging.skip, limit=paging.limit
    )
    return page(items, total)


@router.get("/api/hawiya/IdentityReviews/{transactionId}")
async def get_identity_review(
    transactionId: str,
    admin: AdminCtx,
    session: SessionDep,
    request: Request,
) -> Envelope[ReviewDetail]:
    _, actor = _officer(admin)
    return ok(
        await review_service.detail(
            session,
            request.app.state.data_keys,
            admin.tenant_id,
            transactionId,
            pick_language(request.headers),
            actor,
        )
    )


async def _decide(
    session: SessionDep, admin: AdminContext, transaction_id: str, approve: bool, reason: str
) -> Envelope[ReviewItem]:
    officer, actor = _officer(admin)
    row = await review_service.find(session, admin.tenant_id, transaction_id)
    return ok(
        await review_service.decide(
            session, row, approve=approve, reason=reason, officer=officer, actor=actor
        )
    )


@router.post("/api/hawiya/IdentityReviews/{transactionId}/Approve")
async def approve_identity_review(
    transactionId: str,
    body: ReviewDecisionInput,
    admin: AdminCtx,
    session: SessionDep,
) -> Envelope[ReviewItem]:
    return await _decide(session, admin, transactionId, True, body.reason)


@router.post("/api/hawiya/IdentityReviews/{transactionId}/Reject")
async def reject_identity_review(
    transactionId: str,
    body: ReviewDecisionInput,
    admin: AdminCtx,
    session: SessionDep,
) -> Envelope[ReviewItem]:
    return await _decide(session, admin, transactionId, False, body.reason)
