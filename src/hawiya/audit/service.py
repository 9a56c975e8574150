"""Recording and verifying the audit chains.

record() appends in the caller's transaction, so an event exists exactly when the change it
describes was committed. Details are redacted before hashing: secrets never enter the chain.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hawiya.audit.repository import AuditChainRepository, TenantAuditRepository
from hawiya.context import RequestContext
from hawiya.kit.clock import utcnow
from hawiya.kit.redact import redact
from hawiya.models import AuditEvent

GENESIS = "0" * 64
PLATFORM_CHAIN = "platform"


class AuditAction(StrEnum):
    LOGIN_SUCCEEDED = "auth.login_succeeded"
    LOGIN_FAILED = "auth.login_failed"
    LOGIN_THROTTLED = "auth.login_throttled"
    TOKEN_REFRESHED = "auth.token_refreshed"  # noqa: S105
    REFRESH_REUSE_DETECTED = "auth.refresh_reuse_detected"
    PASSWORD_CHANGED = "auth.password_changed"  # noqa: S105
    PASSWORD_REHASHED = "auth.password_rehashed"  # noqa: S105
    ADMIN_CREATED = "auth.admin_created"
    API_KEY_CREATED = "auth.api_key_created"
    API_KEY_REVOKED = "auth.api_key_revoked"
    API_KEY_ROTATED = "auth.api_key_rotated"
    TENANCY_MISMATCH = "auth.tenancy_mismatch"
    FOREIGN_TENANT_TOKEN = "auth.foreign_tenant_token"  # noqa: S105
    OTP_LOCKED = "otp.identifier_locked"
    USER_REGISTERED = "registration.user_registered"
    USER_LOGGED_IN = "auth.user_logged_in"
    NEW_DEVICE_CODE_SENT = "auth.new_device_code_sent"
    OAUTH_EMAIL_CONFIRMED = "registration.oauth_email_confirmed"
    PASSWORD_RESET_REQUESTED = "account.password_reset_requested"  # noqa: S105
    PASSWORD_RESET = "account.password_reset"  # noqa: S105
    EMAIL_CONFIRMED = "account.email_confirmed"
    EMAIL_CHANGED = "account.email_changed"
    PHONE_CHANGED = "account.phone_changed"
    IDENTITY_CANCELLED = "identity.verification_cancelled"
    IDENTITY_IMAGE_VIEWED = "identity.image_viewed"
    IDENTITY_LINKED = "identity.transaction_linked"
    IDENTITY_CHECKED = "identity.liveness_checked"
    IDENTITY_FACE_MATCHED = "identity.face_matched"
    IDENTITY_VIEWED = "identity.transaction_viewed"
    IDENTITY_APPROVED = "identity.review_approved"
    IDENTITY_REJECTED = "identity.review_rejected"
    AML_SCREENED = "identity.aml_screened"
    AML_LIST_IMPORTED = "aml.list_imported"
    AML_LIST_REMOVED = "aml.list_removed"
    SIGNING_KEY_ROTATED = "platform.signing_key_rotated"
    TENANT_CREATED = "tenant.created"
    SETTINGS_CHANGED = "tenant.settings_changed"
    WEBHOOK_CREATED = "webhook.subscription_created"
    WEBHOOK_DELETED = "webhook.subscription_deleted"
    WEBHOOK_ENABLED = "webhook.subscription_enabled"
    WEBHOOK_DISABLED = "webhook.subscription_disabled"
    WEBHOOK_SECRET_ROTATED = "webhook.secret_rotated"  # noqa: S105
    WEBHOOK_REDELIVERED = "webhook.delivery_replayed"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # admin | user | api_key | cli | system | anonymous
    id: str | None = None
    client_ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


def actor_for(ctx: RequestContext, kind: str, actor_id: str | None = None) -> Actor:
    """Who acted in a request: the kind and id, with the request's address, agent and id."""
    return Actor(
        kind=kind,
        id=actor_id,
        client_ip=ctx.client_ip,
        user_agent=ctx.user_agent,
        request_id=ctx.request_id,
    )


CLI = Actor(kind="cli")
SYSTEM = Actor(kind="system")


def chain_for(tenant_id: uuid.UUID | None) -> str:
    return f"tenant:{tenant_id}" if tenant_id else PLATFORM_CHAIN


def event_hash(event: AuditEvent) -> str:
    canonical = json.dumps(
        {
            "chain": event.chain,
            "seq": event.seq,
            "tenant_id": str(event.tenant_id) if event.tenant_id else None,
            "action": event.action,
            "actor_kind": event.actor_kind,
            "actor_id": event.actor_id,
            "client_ip": event.client_ip,
            "user_agent": event.user_agent,
            "request_id": event.request_id,
            "target": event.target,
            "details": event.details,
            "created_at": event.created_at.isoformat(),
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def record(
    session: AsyncSession,
    action: AuditAction,
    *,
    tenant_id: uuid.UUID | None,
    actor: Actor,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    repo = AuditChainRepository(session)
    chain = chain_for(tenant_id)
    head = await repo.lock_head(chain, GENESIS)
    event = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        tenant_id=tenant_id,
        action=str(action),
        actor_kind=actor.kind,
        actor_id=actor.id,
        client_ip=actor.client_ip,
        user_agent=(actor.user_agent or "")[:256] or None,
        request_id=actor.request_id,
        target=target,
        details=json.loads(json.dumps(redact(details or {}), default=str)),
        created_at=utcnow(),
        prev_hash=head.last_hash,
    )
    event.hash = event_hash(event)
    head.seq = event.seq
    head.last_hash = event.hash
    return await repo.add(event)


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: str
    events: int
    ok: bool
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None


async def verify_chain(session: AsyncSession, chain: str) -> ChainReport:
    repo = AuditChainRepository(session)
    expected_prev, expected_seq, count = GENESIS, 1, 0
    async for event in repo.iterate(chain):
        count += 1
        reason = None
        if event.seq != expected_seq:
            reason = f"sequence gap: expected {expected_seq}"
        elif event.prev_hash != expected_prev:
            reason = "prev_hash does not match the previous record"
        elif event_hash(event) != event.hash:
            reason = "record content does not match its hash"
        if reason:
            return ChainReport(chain, count, False, event.seq, str(event.id), reason)
        expected_prev, expected_seq = event.hash, event.seq + 1
    head = await repo.head(chain)
    if head is not None and (head.seq != expected_seq - 1 or head.last_hash != expected_prev):
        return ChainReport(
            chain, count, False, expected_seq, None, "records missing after this point"
        )
    return ChainReport(chain, count, True)


async def verify_all(session: AsyncSession, chain: str | None = None) -> list[ChainReport]:
    chains = [chain] if chain else await AuditChainRepository(session).chains()
    return [await verify_chain(session, name) for name in chains]


async def list_events(
    session: AsyncSession, tenant_id: uuid.UUID, *, skip: int, limit: int
) -> tuple[list[AuditEvent], int]:
    repo = TenantAuditRepository(session, tenant_id)
    return await repo.list_page(skip=skip, limit=limit, order_by=[AuditEvent.seq.desc()])
