"""HTTP entry points of digital identity (spec §2.4)."""

from __future__ import annotations

from typing import Annotated, Generic

from fastapi import APIRouter, Query, Request

from hawiya.auth.dependencies import AdminCtx, Ctx, SessionDep, UserCtx
from hawiya.envelope import Envelope, ok
from hawiya.i18n import pick_language
from hawiya.identity import (
    aml_service,
    capture_service,
    document_service,
    face_service,
    liveness_service,
    transaction_view,
)
from hawiya.identity import service as identity_service
from hawiya.identity.schemas import (
    AmlData,
    AmlInput,
    CaptureInput,
    ClassificationData,
    D,
    FaceCompareInput,
    FaceMatchData,
    FaceMatchInput,
    LinkTransactionInput,
    LivenessInput,
    Services,
    Verification,
    VerificationData,
)
from hawiya.schemas import ApiModel
from hawiya.users import service as users_service

router = APIRouter(tags=["digital identity"])


class VerificationResponse(Envelope[D], Generic[D]):
    """The envelope of spec §1.4: the usual four keys plus `services`."""

    services: Services


def respond(verification: Verification[D]) -> VerificationResponse[D]:
    return VerificationResponse[D](data=verification.data, services=verification.services)


class UserImages(ApiModel):
    id_front_image: str | None = None
    id_back_image: str | None = None
    liveness_image: str | None = None
    liveness_face01_image: str | None = None
    liveness_face02_image: str | None = None
    liveness_face03_image: str | None = None
    face_match_image: str | None = None
    transaction_id: str | None = None


class StepImage(ApiModel):
    image: str


@router.get("/api/DigitalIdentity/GetUserDigitalIdentityImages")
async def get_user_digital_identity_images(
    admin: AdminCtx,
    session: SessionDep,
    email_or_phone_number: Annotated[str, Query(alias="emailOrPhoneNumber", max_length=256)],
) -> Envelope[UserImages]:
    row, names = await identity_service.user_images(session, admin, email_or_phone_number)
    return ok(
        UserImages(
            **{identity_service.snake(k): v for k, v in names.items()},
            transaction_id=str(row.transaction_id) if row else None,
        )
    )


@router.get("/api/DigitalIdentity/GetStepImage")
async def get_step_image(
    admin: AdminCtx,
    session: SessionDep,
    request: Request,
    transaction_id: Annotated[str, Query(alias="TransactionId", max_length=64)],
    file_name: Annotated[str, Query(alias="FileName", max_length=64)],
    impersonated_tenant_id: Annotated[int | None, Query(alias="ImpersonatedTenantId")] = None,
    log_id: Annotated[str | None, Query(alias="LogId", max_length=128)] = None,
) -> Envelope[StepImage]:
    # ImpersonatedTenantId (host-admin access to other tenants) and LogId are accepted and
    # ignored: the ApiKey alone decides the tenant (TEN-2).
    image = await identity_service.step_image(
        session, request.app.state.images, admin, transaction_id, file_name
    )
    return ok(StepImage(image=image))


@router.post("/api/DigitalIdentity/LinkUserWithExistingTransaction")
async def link_user_with_existing_transaction(
    body: LinkTransactionInput, me: UserCtx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    return respond(
        await identity_service.link_transaction(
            session, request.app.state.data_keys, me, body, pick_language(request.headers)
        )
    )


# ApiKey only: the SDKs send `Authorization: Bearer ` (empty or "null") here, which is ignored.
@router.post("/v1/ocr/face/compare")
async def ocr_face_compare(
    body: FaceCompareInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[FaceMatchData]:
    return respond(
        await face_service.compare(
            session, request.app.state.image_pool, ctx, body, pick_language(request.headers)
        )
    )


@router.post("/v1/ocr/face/match")
async def ocr_face_match(
    body: FaceMatchInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[FaceMatchData]:
    return respond(await face_service.match(session, _capture_deps(request), ctx, body))


@router.post("/v1/ocr/classification")
async def ocr_classification(
    body: CaptureInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[ClassificationData]:
    return respond(
        await document_service.classify(
            session, request.app.state.image_pool, body, pick_language(request.headers)
        )
    )


@router.post("/v1/ocr/aml/validate")
async def ocr_aml_validate(
    body: AmlInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[AmlData]:
    return respond(await aml_service.validate(session, request.app.state.aml, ctx, body))


@router.get("/api/Transactions/GetTransactionById")
async def get_transaction_by_id(
    admin: AdminCtx,
    session: SessionDep,
    request: Request,
    transaction_id: Annotated[str, Query(alias="id", max_length=64)],
) -> Envelope[transaction_view.TransactionView]:
    return ok(
        await transaction_view.view(session, request.app.state.data_keys, admin, transaction_id)
    )


# Capture metadata a client may send (BIO-4; the official SDKs send only their User-Agent).
CAPTURE_HEADERS = {
    "user-agent": "userAgent",
    "x-sdk-version": "sdkVersion",
    "x-capture-mode": "captureMode",
}


def _capture_deps(request: Request) -> capture_service.CaptureDeps:
    state = request.app.state
    capture = {
        name: request.headers[header][:200]
        for header, name in CAPTURE_HEADERS.items()
        if header in request.headers
    }
    return capture_service.CaptureDeps(
        pool=state.image_pool,
        keyring=state.data_keys,
        vault=state.images,
        language=pick_language(request.headers),
        capture=capture,
        aml=state.aml,
        authority=state.authority,
    )


@router.post("/api/DigitalIdentity/verify/id/front")
async def verify_id_front(
    body: CaptureInput, me: UserCtx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    user = await users_service.get_or_raise(session, me.tenant_id, me.user_id)
    deps = _capture_deps(request)
    return respond(await capture_service.capture(session, deps, me.request, "front", body, user))


@router.post("/api/DigitalIdentity/verify/id/back")
async def verify_id_back(
    body: CaptureInput, me: UserCtx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    user = await users_service.get_or_raise(session, me.tenant_id, me.user_id)
    deps = _capture_deps(request)
    return respond(await capture_service.capture(session, deps, me.request, "back", body, user))


@router.post("/v1/ocr/id/front")
async def ocr_id_front(
    body: CaptureInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    deps = _capture_deps(request)
    return respond(await capture_service.capture(session, deps, ctx, "front", body, None))


@router.post("/v1/ocr/id/back")
async def ocr_id_back(
    body: CaptureInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    deps = _capture_deps(request)
    return respond(await capture_service.capture(session, deps, ctx, "back", body, None))


@router.post("/api/DigitalIdentity/verify/liveness/multi")
async def verify_liveness_multi(
    body: LivenessInput, me: UserCtx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    user = await users_service.get_or_raise(session, me.tenant_id, me.user_id)
    deps = _capture_deps(request)
    return respond(
        await liveness_service.check(session, deps, me.request, body, user, ocr_path=False)
    )


@router.post("/v1/ocr/liveness/multi")
async def ocr_liveness_multi(
    body: LivenessInput, ctx: Ctx, session: SessionDep, request: Request
) -> VerificationResponse[VerificationData]:
    deps = _capture_deps(request)
    return respond(await liveness_service.check(session, deps, ctx, body, None, ocr_path=True))
