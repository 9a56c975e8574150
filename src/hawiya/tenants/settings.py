"""The per-tenant settings the flows honour. Unknown keys are refused; values are type-checked.

Later capabilities add their keys here (OTP policy, SMS gateway, OAuth clients ...).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class TenantSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    # spec §1.7 portal settings
    isEmailConfirmationRequired: bool = False
    isPhoneNumberConfirmationRequired: bool = True
    autoApproveBusinessRequests: bool = False
    requireAuthorityChecks: bool = False
    locationThresholdKm: float = Field(default=80.0, gt=0, le=20_000)
    defaultLanguage: str = Field(default="ar", pattern="^(ar|en)$")


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
        raise SettingError("; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())) from None
    return merged.model_dump()


def effective(stored: dict[str, Any]) -> TenantSettings:
    return TenantSettings.model_validate(stored)
