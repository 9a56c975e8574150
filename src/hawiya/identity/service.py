"""Digital-identity operations that need no image reading: linking a transaction captured
before login to the user (LinkUserWithExistingTransaction), and what tenant administrators may
see of a verification (GetUserDigitalIdentityImages, GetStepImage), spec §2.4.

Every image shown is recorded in the audit trail with the administrator who looked. A
transaction or user of another tenant answers exactly like one that does not exist.
"""

from __future__ import annotations

import base64

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import AdminContext, UserContext
from hawiya.datakeys.service import DataKeyring
from hawiya.errors import ApiError, ErrorCode, message_for
from hawiya.identity import records
from hawiya.identity.image_store import ImageMissing, ImageVault
from hawiya.identity.repository import TransactionRepository
from hawiya.identity.schemas import (
    ErrorItem,
    LinkTransactionInput,
    Services,
    ValidationEntry,
    ValidationList,
    Verification,
    VerificationData,
)
from hawiya.identity.transactions import TransactionInvalid, open_transaction, parse_transaction_id
from hawiya.models import EndUser, IdentityTransaction
from hawiya.registration.service import account_by_name, load_tenant
from hawiya.users import service as users_service

# The stored image names, as GetUserDigitalIdentityImages lists them (spec §2.4).
IMAGE_NAMES = (
    "idFrontImage",
    "idBackImage",
    "livenessImage",
    "livenessFace01Image",
    "livenessFace02Image",
    "livenessFace03Image",
    "faceMatchImage",
)
_SUFFIX = ".jpg"


def snake(name: str) -> str:
    """idFrontImage -> id_front_image, livenessFace01Image -> liveness_face01_image."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def file_name(name: str) -> str:
    return f"{name}{_SUFFIX}"


async def user_images(
    session: AsyncSession, admin: AdminContext, email_or_phone: str
) -> tuple[IdentityTransaction | None, dict[str, str | None]]:
    """The user's latest verification that kept images, and the file name of each image."""
    tenant = await load_tenant(session, admin.request)
    user, _ = await account_by_name(session, admin.request, tenant, email_or_phone)
    if user is None:
        raise ApiError(ErrorCode.USER_NOT_FOUND)
    row = await TransactionRepository(session, admin.tenant_id).latest_with_images(user.id)
    names = dict.fromkeys(IMAGE_NAMES)
    if row is None:
        return None, names
    return row, {name: file_name(name) if name in row.images else None for name in IMAGE_NAMES}


async def step_image(
    session: AsyncSession,
    vault: ImageVault,
    admin: AdminContext,
    transaction_id: str,
    requested: str,
) -> str:
    """One stored image as base64; the viewing is audited."""
    try:
        tid = parse_transaction_id(transaction_id)
    except TransactionInvalid:
        tid = None
    row = (
        await TransactionRepository(session, admin.tenant_id).by_transaction_id(tid)
        if tid is not None
        else None
    )
    if row is None:
        raise ApiError(ErrorCode.TRANSACTION_OR_TOKEN_INVALID)
    name = requested.removesuffix(_SUFFIX)
    if name not in IMAGE_NAMES:
        raise ApiError(ErrorCode.IDENTITY_IMAGE_NOT_FOUND)
    try:
        image = await vault.load(session, row, name)
    except ImageMissing:
        raise ApiError(ErrorCode.IDENTITY_IMAGE_NOT_FOUND) from None
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_IMAGE_VIEWED,
        tenant_id=admin.tenant_id,
        actor=audit.actor_for(admin.request, "admin", str(admin.admin_id)),
        target=f"transaction:{row.transaction_id}",
        details={"image": name},
    )
    return base64.b64encode(image).decode()


def refused(code: ErrorCode, language: str, field: str | None = None) -> Services:
    """A business failure the verification way: HTTP 200 with the code in
    services.Validations (vlens-clients.md §4.1, §7.5)."""
    item = ErrorItem(code=int(code), message=message_for(code, language))
    entry = ValidationEntry(field=field, errors=[item])
    return Services(Validations=ValidationList(validation_errors=[entry]))


def refusal(
    code: ErrorCode, language: str, field: str | None = None
) -> Verification[VerificationData]:
    """A verification step's business failure: the code in services.Validations and `data` as
    the real server sends it (vlens-clients.md §4.1, §7.5): not completed, nothing extracted.
    RN 0.2.x reads the flags from `data` without a null check."""
    return Verification[VerificationData](
        data=VerificationData(isVerificationProcessCompleted=False),
        services=refused(code, language, field),
    )


def apply_outcome(user: EndUser, row: IdentityTransaction) -> None:
    """Give the user the stage a finished transaction reached (spec §3.2: Registered ->
    Validated -> Verified); never lowers one already reached."""
    if not row.is_completed:
        return
    if row.results.get("verified"):
        user.is_digital_identity_verified = True
        user.status = "Verified"
    elif user.status == "Registered":
        user.status = "Validated"


async def link_transaction(
    session: AsyncSession,
    keyring: DataKeyring,
    me: UserContext,
    body: LinkTransactionInput,
    language: str,
) -> Verification[VerificationData]:
    try:
        tid = parse_transaction_id(body.transaction_id)
        row = await open_transaction(
            session, me.tenant_id, tid, user_id=me.user_id, must_exist=True
        )
    except TransactionInvalid:
        return refusal(ErrorCode.TRANSACTION_OR_TOKEN_INVALID, language)
    user = await users_service.get_or_raise(session, me.tenant_id, me.user_id)
    apply_outcome(user, row)
    await session.flush()
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_LINKED,
        tenant_id=me.tenant_id,
        actor=audit.actor_for(me.request, "user", str(me.user_id)),
        target=f"transaction:{row.transaction_id}",
    )
    return await records.answer(
        session,
        keyring,
        row,
        steps=(*records.SIDES, "liveness"),
        language=language,
        user=user,
        include_data=body.get_extracted_data is not False,
    )
