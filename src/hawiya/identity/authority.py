"""The authority checks behind `services.SRC` (spec §6.3): NTRA (the phone number belongs to the
holder of the national ID) and CSO (the civil registry confirms the card's data). They are
external government services an installation reaches only under its own agreement, so they sit
behind a Protocol: `DisabledAuthorityChecks` is the default and answers "unavailable". Whether
Verified needs them is the tenant setting `requireAuthorityChecks`: when it does and they are
unavailable or fail, the user stays Validated and the transaction waits for manual review.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class AuthorityQuery:
    tenant_id: uuid.UUID
    id_number: str | None
    full_name: str | None
    phone_number: str | None


@dataclass(frozen=True, slots=True)
class AuthorityResult:
    is_valid: bool
    error_key: str | None = None  # e.g. "authority_checks_unavailable", "ntra_mismatch"
    error_code: int | None = None
    error_message: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class AuthorityChecks(Protocol):
    async def verify(self, query: AuthorityQuery) -> AuthorityResult: ...


UNAVAILABLE = AuthorityResult(
    is_valid=False,
    error_key="authority_checks_unavailable",
    error_message="The authority checks (NTRA, CSO) are not configured on this installation.",
)


class DisabledAuthorityChecks:
    """The default: no authority is reachable, so nothing can be confirmed."""

    async def verify(self, query: AuthorityQuery) -> AuthorityResult:
        return UNAVAILABLE
