"""GET /api/Transactions/GetTransactionById (spec §2.9): the old admin "Get Verify Data" shape,
with the JSON types a strict decoder needs; the viewing is audited; another tenant's
transaction answers exactly like a missing one."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.http.routes import FRONT_FIELDS, ensure_user, new_caller, ocr_transaction
from tests.http.support import assert_error, assert_success, random_id, scanned

PATH = "/api/Transactions/GetTransactionById"


async def test_shape_of_a_transaction(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        tid = await ocr_transaction(c)
        linked = await http.post(
            "/api/DigitalIdentity/LinkUserWithExistingTransaction",
            json={"transactionId": tid},
            headers=c.user(),
        )
        assert linked.status_code == 200
        response = await http.get(PATH, params={"id": tid.upper()}, headers=c.admin())
        data = assert_success(response)
        tx, items = data["transaction"], data["transactionItems"]
        assert tx["id"] == tid and tx["stepsCount"] == 1 and tx["creatorUserId"] == c.user_id
        assert tx["fullName"] == FRONT_FIELDS["name"]
        assert tx["idNumber"] == FRONT_FIELDS["idNumber"]
        assert tx["isMatched"] is False and tx["isVerified"] is False
        assert isinstance(tx["creationTime"], str) and tx["clientTransactionId"] is None
        assert items["phoneNumber"] == c.user_phone and items["hasOtherSteps"] is False
        assert items["lazyLoadImages"] is True and items["deviceInfo"] is None
        assert items["isDigitalIdentityVerified"] is False
        assert items["digitalIdentityData"] == [
            {"name": "FullName", "value": FRONT_FIELDS["name"]},
            {"name": "IdNumber", "value": FRONT_FIELDS["idNumber"]},
            {"name": "PhoneNumber", "value": c.user_phone},
        ]
        (step,) = items["steps"]
        assert step["stepName"] == "IdFront" and step["status"] == "passed"
        assert step["transactionId"] == tid and step["errors"] == []
        events = await http.get("/api/hawiya/AuditEvents", headers=c.admin())
        actions = [e["action"] for e in assert_success(events)]
        assert "identity.transaction_viewed" in actions


async def test_foreign_and_missing_transactions_look_the_same(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        tid = await ocr_transaction(a)

        async def as_b(value: str) -> httpx.Response:
            return await http.get(PATH, params={"id": value}, headers=b.admin())

        baseline = await as_b(random_id())
        assert_error(baseline, 5004)
        for value in (tid, tid.upper(), "nope"):
            response = await as_b(value)
            assert (response.status_code, response.content) == (
                baseline.status_code,
                baseline.content,
            )
        refused = await http.get(PATH, params={"id": tid}, headers=a.key())
        assert refused.status_code == 401
