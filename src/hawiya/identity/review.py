"""Which verifications wait for a compliance officer (manual review, docs/identity.md).

A transaction is "pending" while a step's latest attempt failed (ID front, back, liveness, face
match), the AML screening found the customer on a list, or it completed without the authority
checks the tenant requires. It is "none" when nothing needs a look. An officer's decision
("approved" or "rejected") is final: later steps no longer move the transaction back to pending.
"""

from __future__ import annotations

from hawiya.models import IdentityTransaction

NONE, PENDING, APPROVED, REJECTED = "none", "pending", "approved", "rejected"
DECIDED = (APPROVED, REJECTED)
STEPS = ("front", "back", "liveness", "faceMatch")


def reasons(row: IdentityTransaction) -> list[str]:
    """Why the transaction needs a look, as stable names (listed by the review endpoints)."""
    out = [f"{step}Failed" for step in STEPS if row.errors.get(step)]
    if (row.results.get("aml") or {}).get("matched"):
        out.append("amlMatch")
    if row.is_completed and not row.results.get("verified") and "amlMatch" not in out:
        out.append("authorityChecks")
    return out


def flag(row: IdentityTransaction) -> None:
    """Recompute the review state after a step, unless an officer has decided."""
    if row.review_state in DECIDED:
        return
    row.review_state = PENDING if reasons(row) else NONE
