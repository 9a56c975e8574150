"""Face comparison without a document (spec §2.5 row 8, `/v1/ocr/face/compare`, INFERRED path).

Images are checked for size here (5002 from the base64 length) and decoded in a worker process;
a picture without one usable face is a business failure (4206-4209) in services.Validations,
answered with HTTP 200 as the SDKs expect. The decision carries its score, threshold and model
version (checklist BIO-1); the threshold is the tenant's `faceMatchThreshold`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.context import RequestContext
from hawiya.db.session import checkpoint
from hawiya.errors import ErrorCode
from hawiya.identity import tasks
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.images import ImageRejected, decode_base64, sniff
from hawiya.identity.schemas import FaceCompareInput, FaceMatchData, Verification
from hawiya.identity.service import refused
from hawiya.identity.workers import WorkPool
from hawiya.registration.service import load_tenant


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
            data = decode_base64(text)
            sniff(data)  # refuse what is no JPEG or PNG here, where the field is known
            pictures.append(data)
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
    return Verification[FaceMatchData](
        data=FaceMatchData(
            isMatched=bool(result["matched"]),
            score=round(float(result["score"]), 2),
            threshold=round(float(result["threshold_score"]), 2),
            distance=float(result["distance"]),
            distanceThreshold=float(result["threshold"]),
            modelVersion=str(result["model"]),
            transaction_id=body.transaction_id,
            client_transaction_id=body.client_transaction_id,
            request_id=body.request_id,
        )
    )
