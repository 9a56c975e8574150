"""`hawiya webhook`: a tenant's webhook subscriptions and their deliveries (docs/webhooks.md).

Fixed scripting form: `hawiya webhook add URL --tenant NAME --event App.BusinessRequestStatusChange
--json` prints the subscription as one JSON object with its `secret` (shown this once).
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

import hawiya.webhooks.tasks  # noqa: F401 - registers webhooks.deliver for `hawiya worker`
from hawiya.audit import service as audit
from hawiya.cli.common import emit, open_env, run
from hawiya.datakeys.service import DataKeyring
from hawiya.db.session import session_scope
from hawiya.kit.ids import parse_uuid
from hawiya.secrets_store import load_master_secret
from hawiya.tenants import service as tenant_service
from hawiya.webhooks import delivery
from hawiya.webhooks import service as webhook_service
from hawiya.webhooks.events import BUSINESS_REQUEST_STATUS_CHANGE, EVENTS
from hawiya.webhooks.schemas import DeliveryRead, WebhookRead

app = typer.Typer(help="Webhook subscriptions and deliveries.", no_args_is_help=True)
EVENTS_HELP = ", ".join(EVENTS)


def _operator() -> tuple[str, audit.Actor]:
    login = getpass.getuser()
    return f"cli:{login}", audit.Actor(kind="cli", id=login)


def _read(row: Any) -> dict[str, Any]:
    return WebhookRead.of(row).model_dump(mode="json", by_alias=True)


def _lines(item: dict[str, Any]) -> list[str]:
    state = "active" if item["isActive"] else f"disabled ({item.get('disabledReason') or '-'})"
    lines = [f"{item['id']}  {state}  {item['url']}  {','.join(item['events'])}"]
    if item.get("secret"):
        lines.append(f"secret: {item['secret']}  (shown once: keep it)")
    return lines


def _delivery_lines(item: dict[str, Any]) -> list[str]:
    return [
        f"{item['id']}  {item['status']:<9}  attempts={item['attempts']}  "
        f"last={item['lastStatusCode'] or '-'}  {item['webhookEvent']}  {item['creationTime']}"
        + (f"  error: {item['lastError']}" if item.get("lastError") else "")
    ]


@app.command("add")
def add(
    url: str = typer.Argument(..., help="the receiver's https URL"),
    tenant: str = typer.Option(..., "--tenant"),
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help=f"an event to send (repeatable; {EVENTS_HELP})"),
    ] = None,
    description: str | None = typer.Option(None, "--description"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Subscribe a URL; prints the subscription and its secret (shown this once)."""

    async def body() -> dict[str, Any]:
        label, actor = _operator()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            config = env.settings.webhooks
            sub, secret = await webhook_service.create(
                session,
                DataKeyring.build(load_master_secret(env.settings)),
                delivery.guard_for(config),
                row.id,
                url=url,
                events=event or [BUSINESS_REQUEST_STATUS_CHANGE],
                description=description,
                max_subscriptions=config.max_subscriptions,
                created_by=label,
                actor=actor,
            )
            return {**_read(sub), "secret": secret}

    emit(run(body), as_json, _lines)


@app.command("list")
def list_(
    tenant: str = typer.Option(..., "--tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The tenant's subscriptions (never their secrets)."""

    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            row = await tenant_service.get_tenant(session, tenant)
            subs, _ = await webhook_service.list_subscriptions(session, row.id, skip=0, limit=1000)
            return [_read(sub) for sub in subs]

    emit(run(body), as_json, lambda rows: [line for r in rows for line in _lines(r)])


@app.command("remove")
def remove(
    webhook_id: str = typer.Argument(..., help="the subscription id"),
    tenant: str = typer.Option(..., "--tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Remove a subscription: nothing more is sent to it; its delivery log stays."""

    async def body() -> dict[str, Any]:
        _, actor = _operator()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            sub = await webhook_service.remove(session, row.id, parse_uuid(webhook_id), actor=actor)
            return _read(sub)

    emit(run(body), as_json, lambda item: [f"{item['id']}  removed"])


def _set_active(webhook_id: str, tenant: str, active: bool, as_json: bool) -> None:
    async def body() -> dict[str, Any]:
        label, actor = _operator()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            sub = await webhook_service.set_active(
                session, row.id, parse_uuid(webhook_id), active, by=label, actor=actor
            )
            return _read(sub)

    emit(run(body), as_json, _lines)


@app.command("enable")
def enable(
    webhook_id: str = typer.Argument(..., help="the subscription id"),
    tenant: str = typer.Option(..., "--tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Enable a subscription again (after 410 Gone or days of failures)."""
    _set_active(webhook_id, tenant, True, as_json)


@app.command("disable")
def disable(
    webhook_id: str = typer.Argument(..., help="the subscription id"),
    tenant: str = typer.Option(..., "--tenant"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Stop sending to a subscription for now."""
    _set_active(webhook_id, tenant, False, as_json)


@app.command("rotate-secret")
def rotate_secret(
    webhook_id: str = typer.Argument(..., help="the subscription id"),
    tenant: str = typer.Option(..., "--tenant"),
    grace_seconds: int = typer.Option(
        86_400, "--grace-seconds", min=0, max=7 * 86_400, help="how long the old one still signs"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A new secret (printed once); the old one keeps signing beside it for the grace period."""

    async def body() -> dict[str, Any]:
        _, actor = _operator()
        async with open_env() as env, session_scope(env.db.writer) as session:
            row = await tenant_service.get_tenant(session, tenant)
            sub, secret = await webhook_service.rotate_secret(
                session,
                DataKeyring.build(load_master_secret(env.settings)),
                row.id,
                parse_uuid(webhook_id),
                grace_seconds=grace_seconds,
                actor=actor,
            )
            return {**_read(sub), "secret": secret}

    emit(run(body), as_json, _lines)


@app.command("deliveries")
def deliveries(
    webhook_id: str = typer.Argument(..., help="the subscription id"),
    tenant: str = typer.Option(..., "--tenant"),
    status: str | None = typer.Option(None, "--status", help="pending, sending, succeeded, failed"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """A subscription's deliveries, newest first, each with its attempts."""

    async def body() -> list[dict[str, Any]]:
        async with open_env() as env, session_scope(env.db.reader) as session:
            row = await tenant_service.get_tenant(session, tenant)
            items, _ = await webhook_service.list_deliveries(
                session, row.id, parse_uuid(webhook_id), status=status, skip=0, limit=limit
            )
            return [
                DeliveryRead.of(d, attempts).model_dump(mode="json", by_alias=True)
                for d, attempts in items
            ]

    emit(run(body), as_json, lambda rows: [line for r in rows for line in _delivery_lines(r)])


@app.command("redeliver")
def redeliver(
    delivery_id: str = typer.Argument(..., help="the delivery id"),
    tenant: str = typer.Option(..., "--tenant"),
    now: bool = typer.Option(
        False, "--now", help="send it from this command and wait, instead of by the worker"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send a delivery again (same webhook-id, next Attempt number)."""

    async def body() -> dict[str, Any]:
        _, actor = _operator()
        async with open_env() as env:
            async with session_scope(env.db.writer) as session:
                row = await tenant_service.get_tenant(session, tenant)
                tenant_id = row.id
                item = await webhook_service.redeliver(
                    session, tenant_id, parse_uuid(delivery_id), actor=actor
                )
                item_id = item.id
            if now:
                runtime = delivery.DeliveryRuntime.build(
                    env.settings.webhooks, DataKeyring.build(load_master_secret(env.settings))
                )
                await delivery.deliver_now(env.db.writer, runtime, tenant_id, item_id)
            async with session_scope(env.db.reader) as session:
                found, _ = await webhook_service.get_delivery(session, tenant_id, item_id)
                attempts = await webhook_service.attempts_of(session, found)
                return DeliveryRead.of(found, attempts).model_dump(mode="json", by_alias=True)

    emit(run(body), as_json, _delivery_lines)
