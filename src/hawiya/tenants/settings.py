"""The per-tenant settings the flows honour. Unknown keys are refused; values are type-checked.

Later capabilities add their keys here (OTP policy, SMS gateway ...).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    field_validator,
    model_serializer,
)

from hawiya.providers.oidc import OAuthClient, Provider


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OAuthProviderSettings(BaseModel):
    """A tenant's OAuth client at one provider: one value of the `oauthProviders` setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    clientId: str = Field(min_length=1, max_length=256, pattern=r"^\S+$")
    # The provider's public key set unless given (private deployments, tests).
    jwksUrl: str | None = Field(default=None, min_length=1, max_length=2048)
    # Exact issuer, replacing the provider's rules.
    issuer: str | None = Field(default=None, min_length=1, max_length=512)
    # Microsoft tenant ids (GUIDs) whose users may sign in; empty: any tenant.
    allowedTenants: list[str] = Field(default_factory=list, max_length=100)

    @field_validator("jwksUrl")
    @classmethod
    def _jwks_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        _ = parts.port  # raises ValueError on a bad port
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("jwksUrl must be an absolute https URL")
        if parts.username is not None or parts.password is not None:
            raise ValueError("jwksUrl must not carry credentials")
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError("jwksUrl must use https (plain http only on the loopback interface)")
        return value

    @field_validator("allowedTenants")
    @classmethod
    def _tenant_ids(cls, value: list[str]) -> list[str]:
        normalized: list[str] = []
        for tid in value:
            try:
                canonical = str(uuid.UUID(tid))
            except ValueError:
                raise ValueError(f"allowedTenants: {tid!r} is not a tenant id (a GUID)") from None
            if canonical not in normalized:
                normalized.append(canonical)
        return normalized


OAUTH_PROVIDERS_TEXT = (
    "OAuth clients for Register/StepVerifyOAuthToken and VerifyOAuthToken (spec §2.2, §3.3): a "
    "JSON object from provider (`Google`, `Microsoft`) to `{clientId, jwksUrl?, issuer?, "
    "allowedTenants?}`. Tokens must be RS256-signed by the provider's key set (or `jwksUrl`, "
    "https or loopback http), carry its issuer (or exactly `issuer`) and have `aud` = "
    "`clientId`; `allowedTenants` (Microsoft only) lists the Entra tenant ids accepted, empty "
    "for any. Set one provider with `hawiya tenant oauth NAME --provider P --client-id ID`."
)


class TenantSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # spec §1.7 portal settings
    isEmailConfirmationRequired: bool = False
    isPhoneNumberConfirmationRequired: bool = True
    autoApproveBusinessRequests: bool = False
    requireAuthorityChecks: bool = False
    locationThresholdKm: float = Field(default=80.0, gt=0, le=20_000)
    defaultLanguage: str = Field(default="ar", pattern="^(ar|en)$")
    oauthProviders: dict[Provider, OAuthProviderSettings] = Field(
        default_factory=dict, description=OAUTH_PROVIDERS_TEXT
    )
    # Registration (spec §2.2)
    allowedPhoneRegions: list[str] = Field(
        default_factory=lambda: ["EG"],
        min_length=1,
        description="ISO 3166 regions whose mobile numbers may register (default: Egypt only).",
    )
    defaultSmsGateway: str = Field(
        default="console",
        max_length=32,
        description="Gateway used when a request sends smsProviders 0 or none: 'console' (the "
        "development outbox) or a name configured in smsGateways.",
    )
    smsGateways: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description='Named SMS gateways, e.g. {"infobip": {"kind": "infobip", '
        '"base_url": …, "api_key": …}}; smsProviders 1-7 select infobip, vodafone, '
        "cequens, victorylink, broadnet, ezagel, orange.",
    )
    emailSender: dict[str, Any] = Field(
        default_factory=lambda: {"kind": "console"},
        description='{"kind": "console"} (development outbox) or {"kind": "smtp", '
        '"host": …, "from_address": …, …}.',
    )
    loginCodeChannel: Literal["sms", "email"] = Field(
        default="sms",
        description="How a login from a new device gets its one-time code: 'sms', or 'email' "
        "(to the user's confirmed email; users without one still get an SMS). Email avoids the "
        "SIM-swap and interception risks of SMS (checklist OTP-9).",
    )
    passwordResetUrl: str | None = Field(
        default=None,
        max_length=1024,
        description="Link that SendPasswordResetCode emails, with {userId} and {resetCode} "
        "filled in, e.g. https://app.example/reset?u={userId}&c={resetCode} or an app deep "
        "link; without it the email carries the user id and the code.",
    )
    faceMatchThreshold: float = Field(
        default=0.6,
        ge=0.3,
        le=0.8,
        description="Largest distance between two face embeddings still called the same person "
        "(dlib's ResNet model; its documented operating point is 0.6, lower is stricter; "
        "checklist BIO-1).",
    )
    # Retention (checklist PRV-2): images and selfies, then the KYC record itself.
    imageRetentionDays: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Days after a verification's decision (or start, when undecided) that its "
        "ID and face images are kept; `hawiya identity purge` deletes them after that.",
    )
    recordRetentionDays: int = Field(
        default=1825,
        ge=1,
        le=36500,
        description="Days a verification record (extracted fields, decision, scores) is kept "
        "before `hawiya identity purge` deletes it (default 5 years, FRA AML).",
    )
    # OTP policy overrides within the safe bounds (checklist OTP-2, OTP-4, OTP-5); null = default.
    otpSmsTtlSeconds: int | None = Field(default=None, ge=60, le=600)
    otpEmailTtlSeconds: int | None = Field(default=None, ge=60, le=86_400)
    otpMaxAttempts: int | None = Field(default=None, ge=1, le=10)
    otpLockAfterFailures: int | None = Field(default=None, ge=3, le=100)
    otpLockSeconds: int | None = Field(default=None, ge=60, le=86_400)
    otpResendCooldownSeconds: int | None = Field(default=None, ge=30, le=3600)
    otpSendsPerHour: int | None = Field(default=None, ge=1, le=10)
    otpSendsPerDay: int | None = Field(default=None, ge=1, le=50)
    otpSendsPerAddressPerHour: int | None = Field(default=None, ge=1, le=1000)
    otpSendsPerTenantPerDay: int | None = Field(default=None, ge=1, le=10_000_000)

    @field_validator("allowedPhoneRegions")
    @classmethod
    def _regions(cls, value: list[str]) -> list[str]:
        regions = [r.strip().upper() for r in value]
        if any(len(r) != 2 or not r.isalpha() for r in regions):
            raise ValueError("use two-letter ISO 3166 region codes, e.g. EG")
        return regions

    @field_validator("passwordResetUrl")
    @classmethod
    def _reset_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if "{resetCode}" not in value:
            raise ValueError("passwordResetUrl must contain {resetCode}")
        parts = urlsplit(value.replace("{userId}", "1").replace("{resetCode}", "x"))
        if not parts.scheme or (parts.scheme == "http" and not _loopback(parts.hostname or "")):
            raise ValueError("passwordResetUrl must be https, loopback http or an app scheme")
        if parts.scheme in ("javascript", "data", "file"):
            raise ValueError(f"passwordResetUrl must not use the {parts.scheme} scheme")
        return value

    @field_validator("smsGateways")
    @classmethod
    def _gateways(cls, value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        from pathlib import Path

        from hawiya.providers.sms import build_sms_gateway

        for name, config in value.items():
            entry = dict(config)
            kind = str(entry.pop("kind", ""))
            build_sms_gateway(kind, entry, outbox_dir=Path("outbox"))  # ValueError names the fault
            if not name.isidentifier():
                raise ValueError(f"gateway name {name!r}: use letters, digits and _")
        return value

    @field_validator("emailSender")
    @classmethod
    def _email(cls, value: dict[str, Any]) -> dict[str, Any]:
        from pathlib import Path

        from hawiya.providers.email import build_email_sender

        entry = dict(value)
        build_email_sender(str(entry.pop("kind", "")), entry, outbox_dir=Path("outbox"))
        return value

    @field_validator("oauthProviders")
    @classmethod
    def _microsoft_only_tenants(
        cls, value: dict[Provider, OAuthProviderSettings]
    ) -> dict[Provider, OAuthProviderSettings]:
        google = value.get("Google")
        if google is not None and google.allowedTenants:
            raise ValueError("allowedTenants applies to Microsoft only")
        return dict(sorted(value.items()))

    @model_serializer(mode="wrap")
    def _omit_unset_oauth(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Tenants that never configured OAuth keep the settings they were stored with: the key
        # appears once it is set (and stays, as {}, after the last provider is removed).
        data: dict[str, Any] = handler(self)
        if not self.oauthProviders and "oauthProviders" not in self.model_fields_set:
            data.pop("oauthProviders", None)
        return data


class SettingError(ValueError):
    pass


def parse_assignment(raw: str) -> tuple[str, Any]:
    """`key=value` from the CLI; the value is JSON when it parses as JSON, else a string."""
    import json

    if "=" not in raw:
        raise SettingError(f"expected key=value, got {raw!r}")
    key, value = raw.split("=", 1)
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def apply(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Validated merge of changes into the stored settings; raises SettingError with the reason."""
    known = set(TenantSettings.model_fields)
    unknown = sorted(set(changes) - known)
    if unknown:
        raise SettingError(
            f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    try:
        merged = TenantSettings.model_validate({**current, **changes})
    except ValidationError as exc:
        raise SettingError("; ".join(_describe(e["loc"], e["msg"]) for e in exc.errors())) from None
    return merged.model_dump()


def _describe(loc: tuple[int | str, ...], message: str) -> str:
    """`oauthProviders.Microsoft.clientId: Field required` (a dict key's own error ends in
    `[key]`, which is dropped)."""
    path = ".".join(str(part) for part in loc if part != "[key]")
    return f"{path}: {message}"


def effective(stored: Mapping[str, Any]) -> TenantSettings:
    return TenantSettings.model_validate(dict(stored))


def oauth_clients(stored: Mapping[str, Any]) -> dict[Provider, OAuthClient]:
    """The tenant's OAuth clients by provider name, from its stored settings (Tenant.settings)."""
    return {
        provider: OAuthClient(
            provider=provider,
            client_id=entry.clientId,
            jwks_url=entry.jwksUrl,
            issuer=entry.issuer,
            allowed_tenants=tuple(entry.allowedTenants),
        )
        for provider, entry in effective(stored).oauthProviders.items()
    }


def oauth_client(stored: Mapping[str, Any], provider: str) -> OAuthClient | None:
    """The tenant's client for a provider named in a request ("Google", "Microsoft"; exact
    spelling), or None when the name is unknown or the tenant has not configured it."""
    for name, client in oauth_clients(stored).items():
        if name == provider:
            return client
    return None
