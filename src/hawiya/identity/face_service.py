"""Faces outside the liveness step: a face against the ID photo of a transaction (spec §2.5
row 7, `/v1/ocr/face/match`) and two faces without a document (row 8, `/v1/ocr/face/compare`,
INFERRED path).

Images are checked for size here (5002 from the base64 length) and decoded in a worker process;
a picture without one usable face is a business failure (4206-4209) in services.Validations,
answered with HTTP 200 as the SDKs expect. The decision carries its score, threshold and model
version (checklist BIO-1); the threshold is the tenant's `faceMatchThreshold`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import RequestContext
from hawiya.db.session import checkpoint
from hawiya.errors import ErrorCode
from hawiya.identity import attempts, records, review, tasks
from hawiya.identity.capture_service import CaptureDeps, note_capture
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.image_store import ImageMissing
from hawiya.identity.images import ImageRejected, picture
from hawiya.identity.schemas import FaceCompareInput, FaceMatchData, FaceMatchInput, Verification
from hawiya.identity.service import refused
from hawiya.identity.transactions import (
    TransactionInvalid,
    leased,
    open_transaction,
    parse_transaction_id,
    reload,
)
from hawiya.identity.workers import WorkPool
from hawiya.registration.service import load_tenant

FACE_IMAGE = "faceMatchImage"


def _decision(result: dict[str, Any], ids: dict[str, str | None]) -> FaceMatchData:
    return FaceMatchData(
        isMatched=bool(result["matched"]),
        score=round(float(result["score"]), 2),
        threshold=round(float(result["threshold_score"]), 2),
        distance=float(result["distance"]),
        distanceThreshold=float(result["threshold"]),
        modelVersion=str(result["model"]),
        **ids,
    )


async def compare(
    session: AsyncSession,
    pool: WorkPool,
    ctx: RequestContext,
    body: FaceCompareInput,
    language: str,
) -> Verification[FaceMatchData]:
    tenant = await load_tenant(session, ctx)
    pictures = []
    for field, text in (("face_1", body.face_1), ("face_2", body.face_2)):
        try:
            pictures.append(picture(text))  # refused here, where the field is known
        except ImageRejected as exc:
            return Verification[FaceMatchData](
                services=refused(ErrorCode(exc.code), language, field)
            )
    await checkpoint(session)  # no database lock is held while faces are read
    try:
        result = await pool.run(
            tasks.compare_faces, pictures[0], pictures[1], tenant.settings.faceMatchThreshold
        )
    except ImageRejected as exc:
        return Verification[FaceMatchData](services=refused(ErrorCode(exc.code), language))
    except FaceError as exc:
        which = None if exc.frame is None else f"face_{exc.frame + 1}"
        return Verification[FaceMatchData](services=refused(ErrorCode(exc.code), language, which))
    ids = {
        "transaction_id": body.transaction_id,
        "client_transaction_id": body.client_transaction_id,
        "request_id": body.request_id,
    }
    return Verification[FaceMatchData](data=_decision(result, ids))


async def match(
    session: AsyncSession, deps: CaptureDeps, ctx: RequestContext, body: FaceMatchInput
) -> Verification[FaceMatchData]:
    """A face against the ID photo of the transaction. The decision is kept on the transaction
    (step "faceMatch") with the face picture; a mismatch is 1302 in services.Validations and
    counts towards the attempt limits (BIO-3), like a failed liveness check."""

    def refuse(code: ErrorCode, field: str | None = None) -> Verification[FaceMatchData]:
        return Verification[FaceMatchData](services=refused(code, deps.language, field))

    try:
        face = picture(body.image)
    except ImageRejected as exc:
        return refuse(ErrorCode(exc.code), "image")
    try:
        row = await open_transaction(
            session,
            ctx.tenant_id,
            parse_transaction_id(body.transaction_id),
            user_id=None,
            must_exist=True,
        )
    except TransactionInvalid:
        return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
    if row.front_state != records.PASSED:
        return refuse(ErrorCode.ID_FRONT_MISSING, "transaction_id")
    if (refusal := await attempts.admit(session, row, None)) is not None:
        return refuse(refusal, "image")
    tenant = await load_tenant(session, ctx)
    transaction_id = row.transaction_id
    async with leased(session, ctx.tenant_id, transaction_id):
        result: dict[str, Any] | None = None
        error: records.StepError | None = None
        try:
            photo = await deps.vault.load(session, row, "idPhotoImage")
            result = await deps.pool.run(
                tasks.match_id_photo, face, photo, tenant.settings.faceMatchThreshold
            )
        except ImageMissing:
            error = records.StepError(int(ErrorCode.ID_FACE_NOT_FOUND), "transaction_id")
        except FaceError as exc:
            error = records.StepError(exc.code, "image")
        except ImageRejected as exc:
            error = records.StepError(exc.code, "image")
        fresh = await reload(session, ctx.tenant_id, transaction_id)
        if fresh is None:  # purged meanwhile
            return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
        row = fresh
        if result is not None and not result["matched"]:
            error = records.StepError(int(ErrorCode.FACE_DOES_NOT_MATCH_ID), "image")
        if result is not None:
            await deps.vault.save(session, row, FACE_IMAGE, result.pop("image"))
            row.results = {**row.results, "faceMatch": result}
        row.errors = {
            **row.errors,
            "faceMatch": [] if error is None else [{"code": error.code, "field": error.field}],
        }
        note_capture(row, "faceMatch", deps.capture)
        attempts.settle(row, error is None)
        review.flag(row)
        await session.flush()
        await audit.record(
            session,
            audit.AuditAction.IDENTITY_FACE_MATCHED,
            tenant_id=ctx.tenant_id,
            actor=audit.actor_for(ctx, "api_key"),
            target=f"transaction:{transaction_id}",
            details={"matched": error is None, "codes": [] if error is None else [error.code]},
        )
    if result is None:
        code = error.code if error is not None else int(ErrorCode.FACE_MATCH_FAILED)
        return refuse(ErrorCode(code), error.field if error is not None else "image")
    ids = {
        "transaction_id": str(transaction_id),
        "client_transaction_id": body.client_transaction_id or row.client_transaction_id,
        "request_id": body.request_id or row.request_id,
    }
    answer = Verification[FaceMatchData](data=_decision(result, ids))
    if error is not None:
        answer.services = refused(ErrorCode(error.code), deps.language, error.field)
    return answer
