"""Who is calling: resolved once per request from the ApiKey (and bearer), then passed down."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    tenant_id: uuid.UUID
    tenancy_name: str
    is_sandbox: bool
    api_key_id: uuid.UUID | None
    client_ip: str
    user_agent: str
    request_id: str | None


@dataclass(frozen=True, slots=True)
class AdminContext:
    """A request authenticated with the ApiKey and a tenant administrator's access token."""

    request: RequestContext
    admin_id: uuid.UUID
    family_id: uuid.UUID
    email: str
    user_name: str

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.request.tenant_id


@dataclass(frozen=True, slots=True)
class UserContext:
    """A request authenticated with the ApiKey and an end user's access token."""

    request: RequestContext
    user_id: int
    family_id: uuid.UUID

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.request.tenant_id
