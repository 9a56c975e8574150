"""Wire models for /api/credentials (spec §2.1) and the project's admin endpoints (/api/hawiya)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from hawiya.schemas import ApiModel, RequestModel


class LoginInput(RequestModel):
    tenancy_name: str = Field(max_length=256)
    user_name_or_email_address: str = Field(max_length=256)
    # PW-2: inputs above 4 KiB are refused before hashing (the policy itself allows up to 128).
    password: str = Field(max_length=4096)
    # ASP.NET Boilerplate clients send these with the same model; accepted and ignored.
    remember_client: bool | None = None
    two_factor_verification_code: str | None = Field(default=None, max_length=64)
    single_sign_in: bool | None = None
    return_url: str | None = Field(default=None, max_length=2048)


class LoginOutput(ApiModel):
    access_token: str
    encrypted_access_token: str
    expire_in_seconds: int
    refresh_token: str
    refresh_token_expire_in_seconds: int
    user_id: str


class RefreshInput(RequestModel):
    refresh_token: str | None = Field(default=None, max_length=4096)


class RefreshOutput(LoginOutput):
    # spec §2.1 names both refreshToken and newRefreshToken; both carry the rotated token
    # (the React Native SDK reads refreshToken).
    new_refresh_token: str


class TenantInfo(ApiModel):
    id: uuid.UUID
    tenancy_name: str
    is_sandbox: bool


class AdminInfo(ApiModel):
    id: uuid.UUID
    email: str
    user_name: str


class SessionOutput(ApiModel):
    tenant: TenantInfo
    admin: AdminInfo


class ApiKeyRead(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str
    creation_time: datetime
    revocation_time: datetime | None
    expiration_time: datetime | None


class ApiKeyCreate(RequestModel):
    name: str = Field(min_length=1, max_length=128)


class ApiKeyRotate(RequestModel):
    grace_seconds: int = Field(default=0, ge=0, le=30 * 86_400)


class ApiKeyCreated(ApiModel):
    id: uuid.UUID
    name: str
    prefix: str
    api_key: str  # shown once


class ChangePasswordInput(RequestModel):
    current_password: str = Field(max_length=4096)
    new_password: str = Field(max_length=4096)


class AuditEventRead(ApiModel):
    id: uuid.UUID
    seq: int
    action: str
    actor_kind: str
    actor_id: str | None
    client_ip: str | None
    target: str | None
    creation_time: datetime
    hash: str
