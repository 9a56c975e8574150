"""The liveness step (spec §2.4 verify/liveness/multi, §2.5 /v1/ocr/liveness/multi, flow §3.4).

Three frames (`face_1`..`face_3`) of a transaction whose two ID sides were read: liveness (one
face per frame, no copies, one person, the movement the SDKs' challenges produce), then the most
frontal frame against the photo on the ID card. Passing both completes the verification
(Validated, `isVerificationProcessCompleted`); it is Verified (`isDigitalIdentityVerified`) at
once unless the tenant requires the authority checks (NTRA, CSO), which are external services
this installation does not reach: `SRC` then says so and the user stays Validated.

Failures answer HTTP 200 with the code in services.Validations: a frame's face problem
(4206-4209, field face_N), failed liveness (4210), a face that is not the card holder's (1302),
ID sides not read yet (1303), no face on the card (3014).

A transaction without a card, of a user whose identity is verified, is a liveness re-validation
(identity/revalidation.py): the faces are matched against the photo of the verified card.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import RequestContext
from hawiya.errors import ErrorCode
from hawiya.identity import attempts, records, revalidation, review, tasks
from hawiya.identity.aml import screening
from hawiya.identity.aml.matcher import Match
from hawiya.identity.authority import AuthorityQuery, AuthorityResult
from hawiya.identity.capture_service import CaptureDeps, note_capture
from hawiya.identity.faces.errors import FaceError
from hawiya.identity.image_store import ImageMissing
from hawiya.identity.images import ImageRejected, picture
from hawiya.identity.schemas import LivenessInput, Spoofing, Src, Verification, VerificationData
from hawiya.identity.service import apply_outcome, refusal
from hawiya.identity.transactions import (
    TransactionInvalid,
    leased,
    open_transaction,
    parse_transaction_id,
    reload,
)
from hawiya.kit.clock import utcnow
from hawiya.models import EndUser, IdentityTransaction
from hawiya.registration.service import load_tenant

FRAME_NAMES = ("livenessFace01Image", "livenessFace02Image", "livenessFace03Image")


def _outcome(
    out: dict[str, Any] | None, error: records.StepError | None
) -> list[records.StepError]:
    if error is not None or out is None:
        return [error or records.StepError(int(ErrorCode.FACE_MATCH_FAILED))]
    if not out["liveness"]["passed"]:
        return [records.StepError(int(out["liveness"]["code"] or 4210), "face")]
    if not out["match"] or not out["match"]["matched"]:
        return [records.StepError(int(ErrorCode.FACE_DOES_NOT_MATCH_ID), "face")]
    return []


async def check(
    session: AsyncSession,
    deps: CaptureDeps,
    ctx: RequestContext,
    body: LivenessInput,
    user: EndUser | None,
    *,
    ocr_path: bool,
) -> Verification[VerificationData]:
    def refuse(code: ErrorCode, field: str | None = None) -> Verification[VerificationData]:
        return refusal(code, deps.language, field)

    frames = []
    for index, text in enumerate((body.face_1, body.face_2, body.face_3), start=1):
        try:
            data = picture(text)
        except ImageRejected as exc:
            return refuse(ErrorCode(exc.code), f"face_{index}")
        frames.append(data)
    try:
        row = await open_transaction(
            session,
            ctx.tenant_id,
            parse_transaction_id(body.transaction_id),
            user_id=user.id if user else None,
            # A verified user may start a re-validation on a new transaction.
            must_exist=not (user is not None and user.is_digital_identity_verified),
        )
    except TransactionInvalid:
        return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
    reference = row
    if row.front_state != records.PASSED or row.back_state != records.PASSED:
        # No card on this transaction: a re-validation of the user's verified identity, or
        # nothing to match the faces against.
        found = None
        if user is not None and user.is_digital_identity_verified and row.front_state == "none":
            found = await revalidation.reference(session, ctx.tenant_id, user.id)
        if found is None:
            return refuse(ErrorCode.ID_SIDES_MISSING, "transaction_id")
        reference = found
    if (refused_attempt := await attempts.admit(session, row, user)) is not None:
        return refuse(refused_attempt, "face")
    tenant = await load_tenant(session, ctx)
    transaction_id = row.transaction_id
    async with leased(session, ctx.tenant_id, transaction_id):
        out: dict[str, Any] | None = None
        error = None
        try:
            photo = await deps.vault.load(session, reference, revalidation.REFERENCE_PHOTO)
            out = await deps.pool.run(
                tasks.check_liveness, frames, photo, tenant.settings.faceMatchThreshold
            )
        except ImageMissing:
            error = records.StepError(int(ErrorCode.ID_FACE_NOT_FOUND), "image")
        except FaceError as exc:
            which = None if exc.frame is None else f"face_{exc.frame + 1}"
            error = records.StepError(exc.code, which)
        except ImageRejected as exc:
            error = records.StepError(exc.code, None)
        fresh = await reload(session, ctx.tenant_id, transaction_id)
        if fresh is None:
            return refuse(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, "transaction_id")
        row = fresh
        errors = _outcome(out, error)
        if reference is not row:
            row.results = {**row.results, "revalidationOf": str(reference.transaction_id)}
        matches, authority = None, None
        if not errors and reference is row:  # a new verification (not a re-validation)
            front = await records.read_side(session, deps.keyring, row, "front") or {}
            name, number = front.get("name"), front.get("idNumber")
            if deps.aml is not None:
                matches = await deps.aml.screen(session, ctx.tenant_id, name or "", number)
            if tenant.settings.requireAuthorityChecks:
                authority = await deps.authority.verify(
                    AuthorityQuery(ctx.tenant_id, number, name, user.phone_number if user else None)
                )
        await _keep(session, deps, row, out, errors, authority, matches)
        if user is not None:
            apply_outcome(user, row)
        await audit.record(
            session,
            audit.AuditAction.IDENTITY_CHECKED,
            tenant_id=ctx.tenant_id,
            actor=audit.actor_for(
                ctx, "user" if user else "api_key", str(user.id) if user else None
            ),
            target=f"transaction:{transaction_id}",
            details={"passed": not errors, "codes": [e.code for e in errors]},
        )
    answer = await records.answer(
        session,
        deps.keyring,
        row,
        steps=("liveness",),
        language=deps.language,
        user=user,
        include_data=body.get_extracted_data is not False,
        extra={"isMatched": bool(out and out["match"] and out["match"]["matched"])}
        if ocr_path
        else None,
    )
    if matches is not None:
        answer.services.AML = screening.services_aml(matches)
    answer.services.liveness = bool(out and out["liveness"]["passed"])
    answer.services.spoofing = Spoofing(fake=not answer.services.liveness)
    if authority is not None:
        answer.services.SRC = Src(
            isValid=authority.is_valid,
            errorCode=authority.error_code,
            errorKey=authority.error_key,
            errorMessage=authority.error_message,
        )
    elif row.is_completed:
        answer.services.SRC = Src(isValid=True)  # not required by the tenant
    return answer


async def _keep(
    session: AsyncSession,
    deps: CaptureDeps,
    row: IdentityTransaction,
    out: dict[str, Any] | None,
    errors: list[records.StepError],
    authority: AuthorityResult | None,
    matches: list[Match] | None,
) -> None:
    """Record the step: measurements (never embeddings), errors, frames, and the outcome."""
    results = dict(row.results)
    if out is not None:
        results["liveness"] = out["liveness"]
        results["match"] = out["match"]
        for name, frame in zip(FRAME_NAMES, out["frames"], strict=True):
            await deps.vault.save(session, row, name, frame)
        if out["best"]:
            await deps.vault.save(session, row, "livenessImage", out["best"])
    row.errors = {**row.errors, "liveness": [{"code": e.code, "field": e.field} for e in errors]}
    row.liveness_state = records.FAILED if errors else records.PASSED
    if not errors:
        row.is_completed = True
        row.completed_at = utcnow()
        # Verified needs the authority checks when the tenant requires them (identity/authority).
        results["verified"] = authority is None or authority.is_valid
        if authority is not None:
            results["authority"] = authority.as_dict()
    if matches is not None:
        # A customer found on a list stays Validated until an officer decides (manual review).
        results["aml"] = screening.kept(matches)
        if matches:
            results["verified"] = False
    row.results = results
    note_capture(row, "liveness", deps.capture)
    attempts.settle(row, not errors)
    review.flag(row)
    await session.flush()
