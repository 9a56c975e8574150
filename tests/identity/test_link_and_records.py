"""LinkUserWithExistingTransaction (spec §2.4, flow §3.4 step 6) and the cumulative verification
answer: a transaction captured before login is attached to the user, its data comes back in the
SDKs' exact shape and types, and another user's or tenant's transaction answers 5004 like an
unknown one."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity import records
from hawiya.identity.repository import TransactionRepository
from tests.http.routes import FRONT_FIELDS, ensure_user, new_caller, ocr_transaction
from tests.http.support import assert_success, scanned

LINK = "/api/DigitalIdentity/LinkUserWithExistingTransaction"


def _codes(body: dict[str, Any]) -> list[int]:
    return [
        e["code"]
        for entry in body["services"]["Validations"]["validation_errors"]
        for e in entry["errors"]
    ]


async def test_link_attaches_and_answers_in_the_sdk_shape(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        tid = await ocr_transaction(c)
        response = await http.post(
            LINK, json={"transactionId": tid.upper(), "getExtractedData": True}, headers=c.user()
        )
        body = response.json()
        assert response.status_code == 200 and body["error_code"] is None
        assert body["error_message"] is None
        assert body["services"]["Validations"] == {"validation_errors": []}
        assert body["services"]["validations"] == {"validation_errors": []}
        assert body["services"]["classification"] == {"doc_type": "national_id"}
        data = body["data"]
        assert data["isVerificationProcessCompleted"] is False
        assert data["isDigitalIdentityVerified"] is False
        assert data["transaction_id"] == tid
        front = data["idFrontData"]
        assert front["name"] == FRONT_FIELDS["name"] and front["transaction_id"] == tid
        assert isinstance(front["idNumber"], str) and front["idNumber"] == "29901232112331"
        assert front["dateOfBirth"] == "1999-01-23" and data["idBackData"] is None
        assert data["user"]["id"] == c.user_id and isinstance(data["user"]["id"], int)
        assert data["user"]["idNumber"] == "29901232112331"
        # Without getExtractedData the fields stay home.
        again = await http.post(
            LINK, json={"transactionId": tid, "getExtractedData": False}, headers=c.user()
        )
        assert assert_success(again)["idFrontData"] is None
    async with session_scope(app.state.db.reader) as session:
        row = await TransactionRepository(session, uuid.UUID(c.tenant.id)).by_transaction_id(
            uuid.UUID(tid)
        )
        assert row is not None and row.user_id == c.user_id


async def test_foreign_unknown_and_malformed_transactions_answer_alike(app: FastAPI) -> None:
    async with scanned(app) as http:
        a = await ensure_user(await new_caller(app, http))
        b = await ensure_user(await new_caller(app, http))
        mine = await ocr_transaction(a)
        assert_success(await http.post(LINK, json={"transactionId": mine}, headers=a.user()))
        other_user = await ensure_user(await new_caller(app, http))
        answers = []
        for caller, tid in (
            (b, mine),  # another tenant
            (b, str(uuid.uuid4())),  # unknown
            (b, "not-a-uuid"),  # malformed
        ):
            response = await http.post(LINK, json={"transactionId": tid}, headers=caller.user())
            answers.append((response.status_code, response.content))
            body = response.json()
            assert _codes(body) == [5004]
            assert body["data"]["isVerificationProcessCompleted"] is False
            assert body["data"]["user"] is None and body["data"]["idFrontData"] is None
            assert body["error_code"] is None  # a business failure, as the SDKs expect
        assert len(set(answers)) == 1
        # Another user of the same tenant cannot take A's transaction either.
        taken = await http.post(LINK, json={"transactionId": mine}, headers=other_user.user())
        assert _codes(taken.json()) == [5004]


async def test_mismatched_sides_are_3101_and_errors_accumulate(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        tid = await ocr_transaction(c)
    async with session_scope(app.state.db.writer) as session:
        row = await TransactionRepository(session, uuid.UUID(c.tenant.id)).by_transaction_id(
            uuid.UUID(tid)
        )
        assert row is not None
        kept = await records.record_side(
            session,
            app.state.data_keys,
            row,
            "back",
            {"idNumber": "29901232112349", "job": "مهندس"},
            [],
        )
        assert [e.code for e in kept] == [3101]
        assert row.back_state == records.FAILED and row.front_state == records.PASSED
        answer = await records.answer(
            session, app.state.data_keys, row, steps=records.SIDES, language="ar", user=None
        )
    entries = answer.services.Validations.validation_errors
    assert [(e.field, e.errors[0].code) for e in entries] == [("idNumber", 3101)]
    assert entries[0].errors[0].message and answer.data is not None
    assert answer.data.idBackData is not None and answer.data.idBackData.job == "مهندس"
