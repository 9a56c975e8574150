"""GET /api/Transactions/GetTransactionById (spec §2.9, "Get Verify Data"): one transaction as
a tenant administrator sees it. The viewing of personal data is audited; another tenant's
transaction answers like a missing one (5004, as every transaction lookup)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import AdminContext
from hawiya.datakeys.service import DataKeyring
from hawiya.identity import records
from hawiya.identity.review_service import find
from hawiya.models import EndUser
from hawiya.schemas import ApiModel
from hawiya.users.repository import EndUserRepository

# Step names as the old admin API lists them, with the images each step kept.
STEPS = (
    ("front", "IdFront", ("idFrontImage",)),
    ("back", "IdBack", ("idBackImage",)),
    (
        "liveness",
        "Liveness",
        ("livenessImage", "livenessFace01Image", "livenessFace02Image", "livenessFace03Image"),
    ),
    ("faceMatch", "FaceMatch", ("faceMatchImage",)),
)


class TransactionSummary(ApiModel):
    id: str
    steps_count: int
    full_name: str | None = None
    is_matched: bool
    id_number: str | None = None
    creation_time: datetime
    client_transaction_id: str | None = None
    is_verified: bool
    creator_user_id: int | None = None


class NamedValue(ApiModel):
    name: str
    value: str | None = None


class StepError(ApiModel):
    code: int
    field: str | None = None
    message: str


class TransactionStep(ApiModel):
    transaction_id: str
    client_transaction_id: str | None = None
    step_name: str
    status: str  # passed | failed
    errors: list[StepError]
    images: list[str]


class TransactionItems(ApiModel):
    lazy_load_images: bool = True  # images come one by one from GetStepImage
    has_other_steps: bool
    phone_number: str | None = None
    digital_identity_data: list[NamedValue]
    device_info: None = None  # no device record is tied to a transaction here
    is_digital_identity_verified: bool
    steps: list[TransactionStep] = Field(default_factory=list)


class TransactionView(ApiModel):
    transaction: TransactionSummary
    transaction_items: TransactionItems


async def view(
    session: AsyncSession, keyring: DataKeyring, admin: AdminContext, transaction_id: str
) -> TransactionView:
    row = await find(session, admin.tenant_id, transaction_id)
    front = await records.read_side(session, keyring, row, "front") or {}
    back = await records.read_side(session, keyring, row, "back") or {}
    user: EndUser | None = None
    if row.user_id is not None:
        user = await EndUserRepository(session, admin.tenant_id).get(row.user_id)
    states = {"front": row.front_state, "back": row.back_state, "liveness": row.liveness_state}
    if "faceMatch" in row.results or row.errors.get("faceMatch"):
        states["faceMatch"] = records.FAILED if row.errors.get("faceMatch") else records.PASSED
    steps = [
        TransactionStep(
            transaction_id=str(row.transaction_id),
            client_transaction_id=row.client_transaction_id,
            step_name=label,
            status=states[step],
            errors=[
                StepError(code=e.code, field=e.field, message=e.message)
                for e in records.kept_errors(row, (step,), "en")
            ],
            images=[name for name in images if name in row.images],
        )
        for step, label, images in STEPS
        if states.get(step, "none") != "none"
    ]
    matched = any(
        bool((row.results.get(step) or {}).get("matched")) for step in ("match", "faceMatch")
    )
    full_name = front.get("name")
    id_number = front.get("idNumber") or back.get("idNumber")
    phone = user.phone_number if user else None
    verified = bool(row.is_completed and row.results.get("verified"))
    await audit.record(
        session,
        audit.AuditAction.IDENTITY_VIEWED,
        tenant_id=admin.tenant_id,
        actor=audit.actor_for(admin.request, "admin", str(admin.admin_id)),
        target=f"transaction:{row.transaction_id}",
    )
    return TransactionView(
        transaction=TransactionSummary(
            id=str(row.transaction_id),
            steps_count=len(steps),
            full_name=full_name,
            is_matched=matched,
            id_number=id_number,
            creation_time=row.created_at,
            client_transaction_id=row.client_transaction_id,
            is_verified=verified,
            creator_user_id=row.user_id,
        ),
        transaction_items=TransactionItems(
            has_other_steps=len(steps) > 1,
            phone_number=phone,
            digital_identity_data=[
                NamedValue(name="FullName", value=full_name),
                NamedValue(name="IdNumber", value=id_number),
                NamedValue(name="PhoneNumber", value=phone),
            ],
            is_digital_identity_verified=bool(user.is_digital_identity_verified)
            if user
            else verified,
            steps=steps,
        ),
    )
