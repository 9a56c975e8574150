"""`hawiya identity`: housekeeping of digital-identity data."""

from __future__ import annotations

from typing import Any

import typer

from hawiya.cli.common import emit, open_env, run
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.identity.image_store import ImageVault, blob_store
from hawiya.secrets_store import load_master_secret
from hawiya.tenants import service as tenant_service
from hawiya.tenants.settings import effective

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
