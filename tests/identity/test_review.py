"""Manual review (issue 4 §9): failed or doubtful verifications wait for an officer, who sees
what was read and approves or rejects with a reason; an approval verifies the user exactly as
the automatic path does; every decision is audited with the officer; the CLI does the same."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity import review
from hawiya.models import EndUser, IdentityTransaction
from hawiya.users.repository import EndUserRepository
from tests.fixtures.cli import cli_for
from tests.http.routes import (
    FRONT_FIELDS,
    Caller,
    ensure_user,
    new_caller,
    pending_review,
    random_phone,
    register_user,
)
from tests.http.support import assert_error, assert_success, scanned

REVIEWS = "/api/hawiya/IdentityReviews"


async def _user(app: FastAPI, c: Caller) -> EndUser:
    async with session_scope(app.state.db.reader) as session:
        user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get(c.user_id)
    assert user is not None
    return user


async def _events(http: Any, c: Caller) -> list[dict[str, Any]]:
    response = await http.get("/api/hawiya/AuditEvents?MaxResultCount=100", headers=c.admin())
    rows: list[dict[str, Any]] = assert_success(response)
    return rows


async def _link(http: Any, c: Caller, tid: str) -> None:
    response = await http.post(
        "/api/DigitalIdentity/LinkUserWithExistingTransaction",
        json={"transactionId": tid},
        headers=c.user(),
    )
    assert response.status_code == 200, response.text


async def test_an_officer_sees_a_failed_verification_and_approves_it(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        tid = await pending_review(c)
        await _link(http, c, tid)
        assert (await _user(app, c)).status == "Registered"
        listed = assert_success(await http.get(REVIEWS, headers=c.admin()))
        (item,) = [row for row in listed if row["transactionId"] == tid]
        assert item["state"] == "pending" and item["reasons"] == ["frontFailed"]
        assert item["phoneNumber"] == c.user_phone and item["userId"] == c.user_id
        detail = assert_success(await http.get(f"{REVIEWS}/{tid}", headers=c.admin()))
        assert detail["idFrontData"]["idNumber"] == FRONT_FIELDS["idNumber"]
        assert detail["problems"] == [
            {
                "step": "front",
                "code": 3010,
                "field": "idExpiry",
                "message": detail["problems"][0]["message"],
            }
        ]
        assert "expired" in detail["problems"][0]["message"].lower()
        approved = assert_success(
            await http.post(
                f"{REVIEWS}/{tid}/Approve",
                json={"reason": "renewed card seen on a video call"},
                headers=c.admin(),
            )
        )
        assert approved["state"] == "approved" and approved["reviewedBy"].startswith("admin:")
        assert approved["reviewReason"] == "renewed card seen on a video call"
        user = await _user(app, c)
        assert user.status == "Verified" and user.is_digital_identity_verified
        # Decided once: a second decision either way is refused.
        for verb in ("Approve", "Reject"):
            again = await http.post(
                f"{REVIEWS}/{tid}/{verb}", json={"reason": "again"}, headers=c.admin()
            )
            assert_error(again, 1305)
        assert tid not in {
            r["transactionId"] for r in assert_success(await http.get(REVIEWS, headers=c.admin()))
        }
        decided = assert_success(
            await http.get(REVIEWS, params={"state": "approved"}, headers=c.admin())
        )
        assert [r["transactionId"] for r in decided] == [tid]
        events = await _events(http, c)
        (approval,) = [e for e in events if e["action"] == "identity.review_approved"]
        assert approval["actorKind"] == "admin" and approval["target"] == f"transaction:{tid}"
        assert any(e["action"] == "identity.transaction_viewed" for e in events)


async def test_a_rejection_leaves_the_user_unverified(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        tid = await pending_review(c)
        await _link(http, c, tid)
        missing_reason = await http.post(f"{REVIEWS}/{tid}/Reject", json={}, headers=c.admin())
        assert_error(missing_reason, 9001)
        rejected = assert_success(
            await http.post(
                f"{REVIEWS}/{tid}/Reject", json={"reason": "photo of a photo"}, headers=c.admin()
            )
        )
        assert rejected["state"] == "rejected"
        user = await _user(app, c)
        assert user.status == "Registered" and not user.is_digital_identity_verified
        bad_state = await http.get(REVIEWS, params={"state": "maybe"}, headers=c.admin())
        assert_error(bad_state, 9001)


async def test_an_approval_before_the_user_is_known_verifies_them_at_link(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await pending_review(c)
        await http.post(f"{REVIEWS}/{tid}/Approve", json={"reason": "ok"}, headers=c.admin())
        await ensure_user(c)
        await _link(http, c, tid)
        assert (await _user(app, c)).status == "Verified"


def test_what_waits_for_review() -> None:
    row = IdentityTransaction(errors={}, results={}, is_completed=False, review_state="none")
    review.flag(row)
    assert row.review_state == "none"
    row.errors = {"liveness": [{"code": 4210, "field": "face"}]}
    review.flag(row)
    assert (row.review_state, review.reasons(row)) == ("pending", ["livenessFailed"])
    row.errors = {"liveness": []}
    row.is_completed, row.results = True, {"verified": True}
    review.flag(row)
    assert row.review_state == "none"  # a retry that passed needs no look
    row.results = {"verified": False}  # the tenant requires authority checks
    review.flag(row)
    assert review.reasons(row) == ["authorityChecks"] and row.review_state == "pending"
    row.results = {"verified": False, "aml": {"matched": True}}
    assert review.reasons(row) == ["amlMatch"]
    row.review_state = "rejected"
    row.results, row.errors = {"verified": True}, {}
    review.flag(row)
    assert row.review_state == "rejected"  # an officer's decision stands


async def test_the_review_commands(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        cli = cli_for(app.state.settings)
        name = c.tenant.name
        tid = await pending_review(c)
        listed = cli.json("identity", "review", "list", "--tenant", name, "--json")
        assert [row["transactionId"] for row in listed] == [tid]
        rejected = cli.json(
            "identity", "review", "reject", tid, "--tenant", name, "--reason", "blurred", "--json"
        )
        assert rejected["state"] == "rejected" and rejected["reviewedBy"].startswith("cli:")
        again = cli.run(
            "identity", "review", "approve", tid, "--tenant", name, "--reason", "x", check=False
        )
        assert again.returncode == 1 and "not waiting" in again.stderr
        # The scripting form verifies a user who never sent a picture (a manual verification).
        phone = random_phone()
        await register_user(app, http, c.tenant, phone)
        approved = cli.json("identity", "approve", phone, "--tenant", name, "--json")
        assert approved["userStatus"] == "Verified" and approved["state"] == "approved"
        assert approved["reasons"] == []
        unknown = cli.run("identity", "approve", "+201099999999", "--tenant", name, check=False)
        assert unknown.returncode == 1 and "not found" in unknown.stderr
        events = await _events(http, c)
        actors = {
            e["action"]: e["actorKind"] for e in events if e["action"].startswith("identity.review")
        }
        assert actors == {"identity.review_rejected": "cli", "identity.review_approved": "cli"}
