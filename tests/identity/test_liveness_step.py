"""The liveness step end to end (spec §3.4): after both ID sides, three frames of the card
holder complete the verification and, with no authority checks required, verify the user; a
stranger, a photo sent three times, or a step out of order fail as validation errors."""

from __future__ import annotations

import base64
import functools
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity.faces import synthetic
from hawiya.users.repository import EndUserRepository
from tests.http.routes import Caller, card_pictures, ensure_user, new_caller
from tests.http.support import scanned


@functools.cache
def frames(who: str) -> list[str]:
    photo = synthetic.astronaut() if who == "astronaut" else synthetic.grace_hopper()
    portrait = synthetic.prepare(photo)
    if who == "still":
        return [base64.b64encode(f).decode() for f in synthetic.same_photo_three_times(portrait)]
    pictures = synthetic.challenge_frames(portrait, ("blink", "turn_right", "smile"))
    return [base64.b64encode(synthetic.jpeg(p)).decode() for p in pictures]


def codes(body: dict[str, Any]) -> list[int]:
    return [
        e["code"]
        for entry in body["services"]["Validations"]["validation_errors"]
        for e in entry["errors"]
    ]


async def _read_card(http: httpx.AsyncClient, c: Caller, base: str, tid: str) -> None:
    headers = c.user() if base.startswith("/api") else c.key()
    for side in ("front", "back"):
        body = {"transaction_id": tid, "image": card_pictures()[side]}
        response = await http.post(f"{base}/id/{side}", json=body, headers=headers)
        assert codes(response.json()) == [], response.json()["services"]


async def _liveness(
    http: httpx.AsyncClient, c: Caller, path: str, tid: str, faces: list[str]
) -> dict[str, Any]:
    headers = c.user() if path.startswith("/api") else c.key(Authorization="Bearer ")
    body = {"transaction_id": tid, "face_1": faces[0], "face_2": faces[1], "face_3": faces[2]}
    response = await http.post(path, json=body, headers=headers)
    assert response.status_code == 200
    payload: dict[str, Any] = response.json()
    return payload


async def test_the_card_holder_is_verified(app: FastAPI) -> None:
    tid = str(uuid.uuid4())
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        await _read_card(http, c, "/api/DigitalIdentity/verify", tid)
        body = await _liveness(
            http, c, "/api/DigitalIdentity/verify/liveness/multi", tid, frames("astronaut")
        )
    assert body["error_code"] is None and codes(body) == []
    assert body["services"]["liveness"] is True and body["services"]["spoofing"] == {"fake": False}
    assert body["services"]["SRC"]["isValid"] is True
    assert body["data"]["isVerificationProcessCompleted"] is True
    assert body["data"]["isDigitalIdentityVerified"] is True
    async with session_scope(app.state.db.reader) as session:
        user = await EndUserRepository(session, uuid.UUID(c.tenant.id)).get(c.user_id)
    assert user is not None and user.is_digital_identity_verified and user.status == "Verified"


async def test_failures_are_validation_errors(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        early = await _liveness(
            http, c, "/v1/ocr/liveness/multi", str(uuid.uuid4()), frames("astronaut")
        )
        assert codes(early) == [5004]
        tid = str(uuid.uuid4())
        await _read_card(http, c, "/v1/ocr", tid)
        stranger = await _liveness(http, c, "/v1/ocr/liveness/multi", tid, frames("hopper"))
        assert codes(stranger) == [1302] and stranger["data"]["isMatched"] is False
        assert stranger["data"]["isVerificationProcessCompleted"] is False
        still = await _liveness(http, c, "/v1/ocr/liveness/multi", tid, frames("still"))
        assert codes(still) == [4210] and still["services"]["liveness"] is False
        holder = await _liveness(http, c, "/v1/ocr/liveness/multi", tid, frames("astronaut"))
        assert codes(holder) == [] and holder["data"]["isMatched"] is True
        assert holder["data"]["isDigitalIdentityVerified"] is True
