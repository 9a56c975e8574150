"""POST /v1/ocr/aml/validate (spec §2.5 row 12): a name, and optionally an ID number, screened
against the tenant's lists; the result goes in services.AML. Nothing about the customer is
stored; the enquiry is in the audit trail with its outcome (hit count, no names)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.context import RequestContext
from hawiya.identity.aml.screening import AmlScreening, services_aml
from hawiya.identity.schemas import AmlData, AmlInput, Services, Verification


async def validate(
    session: AsyncSession, aml: AmlScreening, ctx: RequestContext, body: AmlInput
) -> Verification[AmlData]:
    matches = await aml.screen(session, ctx.tenant_id, body.name, body.id_number)
    await audit.record(
        session,
        audit.AuditAction.AML_SCREENED,
        tenant_id=ctx.tenant_id,
        actor=audit.actor_for(ctx, "api_key"),
        details={"hits": len(matches), "idNumberGiven": bool(body.id_number)},
    )
    return Verification[AmlData](
        data=AmlData(
            transaction_id=body.transaction_id,
            client_transaction_id=body.client_transaction_id,
            request_id=body.request_id,
        ),
        services=Services(AML=services_aml(matches)),
    )
