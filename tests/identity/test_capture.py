"""The ID front and back calls end to end on synthetic cards (vlens-clients.md §3.3, §3.4, §7):
both paths, front and back posted together on one transaction, the back's answer carrying both
sides in the SDKs' types, and card-reading failures as validation errors with HTTP 200."""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import uuid
from datetime import date
from typing import Any

from fastapi import FastAPI
from PIL import Image

from hawiya.identity.synthetic.dataset import Sample, make_sample
from hawiya.identity.synthetic.scene import EASY
from tests.http.routes import ensure_user, new_caller
from tests.http.support import scanned

TODAY = date.today()


@functools.cache
def sample(seed: int) -> Sample:
    from hawiya.identity.faces import synthetic

    face = synthetic.prepare(synthetic.astronaut()).image
    return make_sample(seed, today=TODAY, difficulty=EASY, photo=face)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def codes(body: dict[str, Any]) -> list[int]:
    return [
        e["code"]
        for entry in body["services"]["Validations"]["validation_errors"]
        for e in entry["errors"]
    ]


async def test_front_and_back_together_on_the_ocr_path(app: FastAPI) -> None:
    s = sample(101)
    tid = str(uuid.uuid4())
    async with scanned(app) as http:
        c = await new_caller(app, http)
        headers = c.key(Authorization="Bearer null")  # what RN sends without a token

        async def post(path: str, image: bytes) -> dict[str, Any]:
            body = {"transaction_id": tid.upper(), "image": b64(image), "getExtractedData": True}
            response = await http.post(path, json=body, headers=headers)
            assert response.status_code == 200, response.text
            payload: dict[str, Any] = response.json()
            return payload

        front, back = await asyncio.gather(
            post("/v1/ocr/id/front", s.front_photo.jpeg), post("/v1/ocr/id/back", s.back_photo.jpeg)
        )
    for answer in (front, back):
        assert answer["error_code"] is None and answer["error_message"] is None
        assert isinstance(answer["services"]["Validations"]["validation_errors"], list)
    truth = s.truth()
    data = back["data"]
    # The back's answer carries both sides, whichever finished first (IOS+ requires it).
    assert data["idFrontData"] is not None and data["idBackData"] is not None
    assert data["transaction_id"] == tid
    assert data["idFrontData"]["idNumber"] == truth["front"]["idNumber"]
    assert data["idBackData"]["idNumber"] == truth["back"]["idNumber"]
    assert data["idFrontData"]["name"] and isinstance(data["idFrontData"]["name"], str)
    assert data["idFrontData"]["dateOfBirth"] == truth["front"]["dateOfBirth"]
    assert data["isVerificationProcessCompleted"] is False
    assert back["services"]["classification"] == {"doc_type": "national_id"}
    assert 3101 not in codes(back)


async def test_the_digital_identity_path_attaches_the_user(app: FastAPI) -> None:
    s = sample(102)
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        response = await http.post(
            "/api/DigitalIdentity/verify/id/front",
            json={"image": b64(s.front_photo.jpeg), "getExtractedData": True},
            headers=c.user(TenancyName=c.tenant.name),
        )
    body = response.json()
    assert response.status_code == 200 and body["error_code"] is None
    data = body["data"]
    uuid.UUID(data["transaction_id"])  # made by the server when the client sends none
    assert data["user"]["id"] == c.user_id
    assert data["idFrontData"]["transaction_id"] == data["transaction_id"]


async def test_no_card_and_bad_images_are_validation_errors(app: FastAPI) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 40, 40)).save(blank, format="JPEG")
    async with scanned(app) as http:
        c = await new_caller(app, http)
        no_card = await http.post(
            "/v1/ocr/id/front", json={"image": b64(blank.getvalue())}, headers=c.key()
        )
        body = no_card.json()
        assert no_card.status_code == 200 and body["error_code"] is None
        assert codes(body) == [3011]
        assert body["data"]["isVerificationProcessCompleted"] is False
        assert body["data"]["idFrontData"] is None
        for image, code in (("bm90IGFuIGltYWdl", 5001), ("!!", 5001)):
            bad = await http.post("/v1/ocr/id/back", json={"image": image}, headers=c.key())
            assert codes(bad.json()) == [code]
            assert bad.json()["data"]["isVerificationProcessCompleted"] is False
        bad_tid = await http.post(
            "/v1/ocr/id/front",
            json={"image": b64(blank.getvalue()), "transaction_id": "nope"},
            headers=c.key(),
        )
        assert codes(bad_tid.json()) == [5004]


async def test_a_back_that_arrives_first_waits_for_the_front(app: FastAPI) -> None:
    s = sample(101)
    tid = str(uuid.uuid4())
    async with scanned(app) as http:
        c = await new_caller(app, http)

        async def post(path: str, image: bytes, delay: float) -> dict[str, Any]:
            await asyncio.sleep(delay)
            body = {"transaction_id": tid, "image": b64(image)}
            payload: dict[str, Any] = (await http.post(path, json=body, headers=c.key())).json()
            return payload

        back, front = await asyncio.gather(
            post("/v1/ocr/id/back", s.back_photo.jpeg, 0.0),
            post("/v1/ocr/id/front", s.front_photo.jpeg, 0.8),
        )
    assert back["data"]["idFrontData"] is not None, back  # waited for the front
    assert back["data"]["idFrontData"]["idNumber"] == s.truth()["front"]["idNumber"]
    assert front["data"]["idBackData"] is not None
