"""/v1/ocr/face/match: a face against the photo on the ID front of a transaction (spec §2.5
row 7). The holder matches, a stranger is 1302 with the decision still explained (BIO-1), a
transaction without a read front is 1304, and another tenant's transaction does not exist."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from tests.http.routes import face_pictures, front_transaction, holder_frames, new_caller
from tests.http.support import assert_success, random_id, scanned

PATH = "/v1/ocr/face/match"


def _codes(body: dict[str, Any]) -> list[int]:
    entries = body["services"]["Validations"]["validation_errors"]
    return [e["code"] for entry in entries for e in entry["errors"]]


async def test_holder_matches_the_card_and_a_stranger_does_not(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await front_transaction(c)
        holder = await http.post(
            PATH,
            json={"transaction_id": tid.upper(), "image": holder_frames()[0], "request_id": "r1"},
            headers=c.key(Authorization="Bearer null"),
        )
        data = assert_success(holder)
        assert data["isMatched"] is True and data["transaction_id"] == tid
        assert data["request_id"] == "r1"
        assert data["distance"] < data["distanceThreshold"] == 0.6
        assert _codes(holder.json()) == []
        stranger = await http.post(
            PATH,
            json={"transaction_id": tid, "image": face_pictures()["hopper"]},
            headers=c.key(),
        )
        body = stranger.json()
        assert stranger.status_code == 200 and body["error_code"] is None
        assert body["data"]["isMatched"] is False and body["data"]["distance"] > 0.6
        assert _codes(body) == [1302]
        view = await http.get(
            "/api/Transactions/GetTransactionById", params={"id": tid}, headers=c.admin()
        )
        steps = {s["stepName"]: s for s in assert_success(view)["transactionItems"]["steps"]}
        assert steps["FaceMatch"]["status"] == "failed"
        assert steps["FaceMatch"]["images"] == ["faceMatchImage"]
        image = await http.get(
            "/api/DigitalIdentity/GetStepImage",
            params={"TransactionId": tid, "FileName": "faceMatchImage.jpg"},
            headers=c.admin(),
        )
        assert len(assert_success(image)["image"]) > 1000


async def test_needs_a_read_front_and_an_own_transaction(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        face = holder_frames()[0]
        tid = await front_transaction(a)
        for body, code in (
            ({"transaction_id": tid, "image": face}, 5004),  # A's transaction, asked by B
            ({"transaction_id": random_id(), "image": face}, 5004),
            ({"transaction_id": "not-a-uuid", "image": face}, 5004),
            ({"transaction_id": tid, "image": "bm90IGFuIGltYWdl"}, 5001),
        ):
            response = await http.post(PATH, json=body, headers=b.key())
            assert response.status_code == 200 and response.json()["data"] is None
            assert _codes(response.json()) == [code], body
        back_only = random_id()
        from tests.http.routes import card_pictures

        await http.post(
            "/v1/ocr/id/back",
            json={"transaction_id": back_only, "image": card_pictures()["back"]},
            headers=a.key(),
        )
        missing = await http.post(
            PATH, json={"transaction_id": back_only, "image": face}, headers=a.key()
        )
        assert _codes(missing.json()) == [1304]
