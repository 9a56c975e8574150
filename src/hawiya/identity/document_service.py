"""Document classification (spec §2.5 row 11, `/v1/ocr/classification`): the type goes in
services.classification.doc_type ("national_id" or "unknown"), nothing is stored."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.db.session import checkpoint
from hawiya.errors import ErrorCode
from hawiya.identity import tasks
from hawiya.identity.images import ImageRejected, picture
from hawiya.identity.schemas import (
    CaptureInput,
    Classification,
    ClassificationData,
    Services,
    Verification,
)
from hawiya.identity.service import refused
from hawiya.identity.workers import WorkPool


async def classify(
    session: AsyncSession, pool: WorkPool, body: CaptureInput, language: str
) -> Verification[ClassificationData]:
    try:
        data = picture(body.image)
        await checkpoint(session)  # no database transaction stays open while the image is read
        found = await pool.run(tasks.classify_document, data)
    except ImageRejected as exc:
        return Verification[ClassificationData](
            services=refused(ErrorCode(exc.code), language, "image")
        )
    return Verification[ClassificationData](
        data=ClassificationData(
            side=found["side"],
            transaction_id=body.transaction_id,
            client_transaction_id=body.client_transaction_id,
            request_id=body.request_id,
        ),
        services=Services(classification=Classification(doc_type=found["doc_type"])),
    )
