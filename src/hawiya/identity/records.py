"""What a transaction keeps of each step, and the verification answer built from it.

Each side's fields are kept as one JSON object under the spec's wire names (§6.1), encrypted with
the tenant's data key and bound to the transaction and side. Errors are kept as codes and field
names only; their messages are written at answer time in the caller's language. The national ID
number is also kept as a keyed hash, so a transaction can be found by it without decrypting.

The answer is cumulative (vlens-clients.md §3.4, §7): whichever step is answered, `data` carries
everything the transaction has so far, and the back's answer repeats the front's errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.datakeys.service import DataKeyring
from hawiya.errors import ErrorCode, message_for
from hawiya.identity.schemas import (
    Classification,
    ErrorItem,
    IdBackData,
    IdFrontData,
    Services,
    ValidationEntry,
    ValidationList,
    Verification,
    VerificationData,
)
from hawiya.models import EndUser, IdentityTransaction
from hawiya.registration.service import user_output

SIDES = ("front", "back")
PASSED, FAILED = "passed", "failed"


@dataclass(frozen=True, slots=True)
class StepError:
    code: int
    field: str | None = None


def _context(row: IdentityTransaction, side: str) -> str:
    return f"fields:{row.id}:{side}"


async def record_side(
    session: AsyncSession,
    keyring: DataKeyring,
    row: IdentityTransaction,
    side: str,
    fields: dict[str, str | None],
    errors: list[StepError],
) -> list[StepError]:
    """Keep one side's reading; adds 3101 when both sides are read and their numbers differ.
    Returns the errors as kept."""
    errors = list(errors)
    other = await read_side(session, keyring, row, "back" if side == "front" else "front")
    mine, theirs = fields.get("idNumber"), (other or {}).get("idNumber")
    if mine and theirs and mine != theirs:
        errors.append(StepError(int(ErrorCode.ID_NUMBER_MISMATCH), "idNumber"))
    blob = await keyring.encrypt(
        session, row.tenant_id, json.dumps(fields).encode(), context=_context(row, side)
    )
    if side == "front":
        row.front_data, row.front_state = blob, FAILED if errors else PASSED
    else:
        row.back_data, row.back_state = blob, FAILED if errors else PASSED
    if mine and not errors:
        row.id_number_hash = keyring.lookup_hash(row.tenant_id, "nid", mine)
    row.errors = {**row.errors, side: [{"code": e.code, "field": e.field} for e in errors]}
    await session.flush()
    return errors


async def read_side(
    session: AsyncSession, keyring: DataKeyring, row: IdentityTransaction, side: str
) -> dict[str, str | None] | None:
    blob = row.front_data if side == "front" else row.back_data
    if blob is None:
        return None
    plain = await keyring.decrypt(session, row.tenant_id, blob, context=_context(row, side))
    fields: dict[str, str | None] = json.loads(plain)
    return fields


@dataclass(frozen=True, slots=True)
class KeptError:
    """A step's kept error with its message in the reader's language."""

    step: str
    code: int
    field: str | None
    message: str


def kept_errors(row: IdentityTransaction, steps: Iterable[str], language: str) -> list[KeptError]:
    """The errors kept for these steps, in step order; messages are written now (only codes and
    field names are stored)."""
    return [
        KeptError(
            step,
            int(error["code"]),
            error.get("field"),
            message_for(ErrorCode(int(error["code"])), language),
        )
        for step in steps
        for error in row.errors.get(step) or []
    ]


def validations(row: IdentityTransaction, steps: tuple[str, ...], language: str) -> ValidationList:
    entries = [
        ValidationEntry(field=e.field, errors=[ErrorItem(code=e.code, message=e.message)])
        for e in kept_errors(row, steps, language)
    ]
    return ValidationList(validation_errors=entries)


async def answer(
    session: AsyncSession,
    keyring: DataKeyring,
    row: IdentityTransaction,
    *,
    steps: tuple[str, ...],
    language: str,
    user: EndUser | None,
    include_data: bool = True,
    extra: dict[str, Any] | None = None,
) -> Verification[VerificationData]:
    """The verification answer for this transaction (spec §1.4, vlens-clients.md §6)."""
    ids = {
        "transaction_id": str(row.transaction_id),
        "client_transaction_id": row.client_transaction_id,
        "request_id": row.request_id,
    }
    front = await read_side(session, keyring, row, "front") if include_data else None
    back = await read_side(session, keyring, row, "back") if include_data else None
    person = None
    if user is not None:
        person = user_output(user)
        number = (front or {}).get("idNumber") or (back or {}).get("idNumber")
        person = person.model_copy(update={"id_number": number or person.id_number})
    data = VerificationData(
        isVerificationProcessCompleted=row.is_completed,
        isDigitalIdentityVerified=(
            user.is_digital_identity_verified
            if user
            else (bool(row.results.get("verified")) if row.is_completed else None)
        ),
        user=person,
        idFrontData=IdFrontData(**front, **ids) if front else None,
        idBackData=IdBackData(**back, **ids) if back else None,
        **ids,
        **(extra or {}),
    )
    read = PASSED in (row.front_state, row.back_state)
    services = Services(
        Validations=validations(row, steps, language),
        classification=Classification(doc_type="national_id" if read else None),
    )
    return Verification[VerificationData](data=data, services=services)
