"""`hawiya identity`: housekeeping of digital-identity data and manual review."""

from __future__ import annotations

import getpass
import uuid
from typing import Any

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit import service as audit
from hawiya.cli.common import emit, open_env, run
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.errors import ApiError, ErrorCode
from hawiya.identity import review, review_service
from hawiya.identity.image_store import ImageVault, blob_store
from hawiya.kit.phones import PhoneRejected, normalize_phone
from hawiya.secrets_store import load_master_secret
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import effective
from hawiya.users.repository import EndUserRepository

app = typer.Typer(help="Digital identity data.", no_args_is_help=True)


@app.command("purge")
def purge(
    tenant: str | None = typer.Option(None, "--tenant", help="only this tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Delete images and verification records older than each tenant's retention (PRV-2)."""

    async def body() -> list[dict[str, Any]]:
        reports = []
        async with open_env() as env:
            vault = ImageVault(
                DataKeyring.build(load_master_secret(env.settings)), blob_store(env.settings)
            )
            async with session_scope(env.db.reader) as session:
                tenants = (
                    [await tenant_service.get_tenant(session, tenant)]
                    if tenant
                    else await tenant_service.list_tenants(session)
                )
                targets = [
                    (t.id, t.tenancy_name, effective(dict(t.settings or {}))) for t in tenants
                ]
            for tenant_id, name, settings in targets:
                async with session_scope(env.db.writer) as session:
                    report = await vault.purge(
                        session,
                        tenant_id,
                        image_days=settings.imageRetentionDays,
                        record_days=settings.recordRetentionDays,
                    )
                reports.append(
                    {
                        "tenant": name,
                        "imagesDeleted": report.images_deleted,
                        "recordsDeleted": report.records_deleted,
                    }
                )
        return reports

    emit(
        run(body),
        as_json,
        lambda rows: [
            f"{r['tenant']}: {r['imagesDeleted']} images, {r['recordsDeleted']} records deleted"
            for r in rows
        ],
    )


review_app = typer.Typer(help="Manual review of verifications (compliance).", no_args_is_help=True)
app.add_typer(review_app, name="review")


def _officer() -> tuple[str, audit.Actor]:
    login = getpass.getuser()
    return f"cli:{login}", audit.Actor(kind="cli", id=login)


async def _tenant_id(session: AsyncSession, name: str) -> uuid.UUID:
    return (await tenant_service.get_tenant(session, name)).id


def _item_lines(item: dict[str, Any]) -> list[str]:
    who = item.get("phoneNumber") or "no user"
    return [
        f"{item['transactionId']}  {item['state']:<8}  {who}  {','.join(item['reasons']) or '-'}"
        f"  {item['creationTime']}"
    ]


@review_app.command("list")
def review_list(
    tenant: str = typer.Option(..., "--tenant"),
    state: str = typer.Option(review.PENDING, "--state", help="pending, approved or rejected"),
    limit: int = typer.Option(100, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Verifications in a review state (pending: oldest first)."""

    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            items, _ = await review_service.list_reviews(
                session, await _tenant_id(session, tenant), state, skip=0, limit=limit
            )
        return [item.model_dump(mode="json", by_alias=True) for item in items]

    emit(run(body), as_json, lambda rows: [line for r in rows for line in _item_lines(r)])


def _decide(tenant: str, transaction_id: str, approve: bool, reason: str, as_json: bool) -> None:
    async def body() -> dict[str, Any]:
        officer, actor = _officer()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await review_service.find(
                session, await _tenant_id(session, tenant), transaction_id
            )
            item = await review_service.decide(
                session, row, approve=approve, reason=reason, officer=officer, actor=actor
            )
        return item.model_dump(mode="json", by_alias=True)

    emit(run(body), as_json, _item_lines)


@review_app.command("approve")
def review_approve(
    transaction_id: str = typer.Argument(..., help="the transaction id"),
    tenant: str = typer.Option(..., "--tenant"),
    reason: str = typer.Option(..., "--reason", help="why (kept in the audit trail)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve a pending verification: the user becomes Verified."""
    _decide(tenant, transaction_id, True, reason, as_json)


@review_app.command("reject")
def review_reject(
    transaction_id: str = typer.Argument(..., help="the transaction id"),
    tenant: str = typer.Option(..., "--tenant"),
    reason: str = typer.Option(..., "--reason", help="why (kept in the audit trail)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Reject a pending verification."""
    _decide(tenant, transaction_id, False, reason, as_json)


@app.command("approve")
def approve_user(
    phone: str = typer.Argument(..., help="the user's phone number, in any local form"),
    tenant: str = typer.Option(..., "--tenant"),
    reason: str = typer.Option("approved from the command line", "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Verify a user: approve their latest pending verification, or record a manual one."""

    async def body() -> dict[str, Any]:
        officer, actor = _officer()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            regions = effective(dict(row.settings or {})).allowedPhoneRegions
            try:
                number = normalize_phone(phone, regions)
            except PhoneRejected:
                raise ApiError(ErrorCode.PHONE_INVALID) from None
            user = await EndUserRepository(session, row.id).get_by_phone(number)
            if user is None or not user.is_active:
                raise ApiError(ErrorCode.USER_NOT_FOUND)
            item = await review_service.approve_user(
                session, row.id, user, reason=reason, officer=officer, actor=actor
            )
            out = item.model_dump(mode="json", by_alias=True)
            out["userStatus"] = user.status
        return out

    emit(run(body), as_json, lambda item: [f"{phone}: {item['userStatus']}", *_item_lines(item)])
