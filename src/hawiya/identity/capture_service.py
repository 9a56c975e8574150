"""Reading the ID front and back (spec §2.4 verify/id/*, §2.5 /v1/ocr/id/*; vlens-clients.md
§3.3, §3.4).

A step: check the body (a bad transaction id is 5004, a bad image 5001-5003), open the
transaction, take its lease, read the card in an image worker with no database transaction open,
keep the fields (encrypted), the errors and the images, give the lease back, and answer with
everything the transaction has so far. Card-reading failures (3001-3014, 3101) are answered with
HTTP 200 and the codes in services.Validations, as the SDKs expect; they are not HTTP errors.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.context import RequestContext
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import checkpoint
from hawiya.errors import ErrorCode
from hawiya.identity import records, review, tasks
from hawiya.identity.aml.screening import AmlScreening
from hawiya.identity.authority import AuthorityChecks, DisabledAuthorityChecks
from hawiya.identity.image_store import ImageVault
from hawiya.identity.images import ImageRejected, picture
from hawiya.identity.ocr.errors import OcrError
from hawiya.identity.repository import TransactionRepository
from hawiya.identity.schemas import CaptureInput, Verification, VerificationData
from hawiya.identity.service import refusal
from hawiya.identity.transactions import (
    TransactionInvalid,
    leased,
    open_transaction,
    parse_transaction_id,
    reload,
)
from hawiya.identity.transliterate import english_names
from hawiya.identity.workers import WorkPool
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, IdentityTransaction

IMAGE_NAMES = {"front": "idFrontImage", "back": "idBackImage"}
# The SDKs post front and back together and treat the back's answer as the result, which must
# carry the front (vlens-clients.md §3.4). A back that finishes first waits this long for it
# (reading a front takes well under a second; a client that sends only the back waits once).
FRONT_WAIT_SECONDS = 3.0
_POLL_SECONDS = 0.1


async def _wait_for_front(
    session: AsyncSession, ctx: RequestContext, transaction_id: uuid.UUID
) -> IdentityTransaction | None:
    """The transaction once a front has been read, or as it is after FRONT_WAIT_SECONDS; loaded
    fresh and usable (None when it was purged meanwhile)."""
    await checkpoint(session)  # the back's result is kept before waiting, and the lease freed
    repo = TransactionRepository(session, ctx.tenant_id)
    waited = 0.0
    while True:
        row = await repo.by_transaction_id(transaction_id)
        if row is None:
            return None
        await session.refresh(row)
        if row.front_state != "none" or waited >= FRONT_WAIT_SECONDS:
            return row
        await session.rollback()  # end the read, so the next one sees new commits
        await asyncio.sleep(_POLL_SECONDS)
        waited += _POLL_SECONDS


@dataclass(frozen=True, slots=True)
class CaptureDeps:
    pool: WorkPool
    keyring: DataKeyring
    vault: ImageVault
    language: str
    # How the pictures were taken, as the client states it (checklist BIO-4): kept with each
    # step for investigations, never trusted for a decision.
    capture: dict[str, str] = field(default_factory=dict)
    aml: AmlScreening | None = None
    authority: AuthorityChecks = field(default_factory=DisabledAuthorityChecks)


def note_capture(row: IdentityTransaction, step: str, capture: dict[str, str]) -> None:
    row.results = {**row.results, "capture": {**(row.results.get("capture") or {}), step: capture}}


async def capture(
    session: AsyncSession,
    deps: CaptureDeps,
    ctx: RequestContext,
    side: str,
    body: CaptureInput,
    user: EndUser | None,
) -> Verification[VerificationData]:
    def refuse(code: ErrorCode, field: str | None = None) -> Verification[VerificationData]:
        return refusal(code, deps.language, field)

    try:
        data = picture(body.image)
    except ImageRejected as exc:
        return refuse(ErrorCode(exc.code), "image")
    try:
        row = await open_transaction(
            session,
            ctx.tenant_id,
            parse_transaction_id(body.transaction_id),
            user_id=user.id if user else None,
        )
    except TransactionInvalid:
        return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
    row.client_transaction_id = body.client_transaction_id or row.client_transaction_id
    row.request_id = body.request_id or row.request_id
    transaction_id = row.transaction_id
    async with leased(session, ctx.tenant_id, transaction_id):
        reading = None
        try:
            reading = await deps.pool.run(tasks.read_card, side, data, utcnow().date().isoformat())
            errors = [records.StepError(int(code), field) for code, field in reading["errors"]]
            fields = dict(reading["fields"])
            if side == "front":
                fields.update(english_names(fields))
        except (OcrError, ImageRejected) as exc:
            errors, fields = [records.StepError(exc.code)], {}
        # The lease committed the session: read the row again, as the other step may have
        # written its side meanwhile.
        fresh = await reload(session, ctx.tenant_id, transaction_id)
        if fresh is None:  # purged while the card was read
            return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
        row = fresh
        await records.record_side(session, deps.keyring, row, side, fields, errors)
        note_capture(row, side, deps.capture)
        review.flag(row)
        if reading is not None:
            await deps.vault.save(session, row, IMAGE_NAMES[side], reading["image"])
            if reading.get("photo"):
                await deps.vault.save(session, row, "idPhotoImage", reading["photo"])
    if side == "back" and row.front_state == "none":
        waited_for = await _wait_for_front(session, ctx, transaction_id)
        if waited_for is None:
            return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
        row = waited_for
        if user is not None:
            await session.refresh(user)  # the wait ended transactions: load it again
    return await records.answer(
        session,
        deps.keyring,
        row,
        steps=("front",) if side == "front" else records.SIDES,
        language=deps.language,
        user=user,
        include_data=body.get_extracted_data is not False,
    )
