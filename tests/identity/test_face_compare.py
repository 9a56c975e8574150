"""/v1/ocr/face/compare: one person matches across frames, two people do not, each decision is
explained (BIO-1), a picture without a usable face is a business failure in
services.Validations, and an empty or "null" bearer is ignored as the SDKs send it."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from fastapi import FastAPI
from PIL import Image

from tests.http.routes import face_pictures, new_caller
from tests.http.support import assert_success, scanned

PATH = "/v1/ocr/face/compare"


def _codes(body: dict[str, Any]) -> list[int]:
    entries = body["services"]["Validations"]["validation_errors"]
    return [e["code"] for entry in entries for e in entry["errors"]]


def _blank() -> str:
    out = io.BytesIO()
    Image.new("RGB", (480, 640), (200, 200, 200)).save(out, format="JPEG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize("bearer", ["Bearer ", "Bearer null", "Bearer not.a.token"])
async def test_same_person_matches_and_another_does_not(app: FastAPI, bearer: str) -> None:
    faces = face_pictures()
    async with scanned(app) as http:
        c = await new_caller(app, http)
        same = await http.post(
            PATH,
            json={
                "face_1": faces["astronaut"],
                "face_2": faces["astronaut_blink"],
                "client_transaction_id": "ref-1",
            },
            headers=c.key(Authorization=bearer),
        )
        data = assert_success(same)
        assert data["isMatched"] is True and data["client_transaction_id"] == "ref-1"
        assert data["score"] > data["threshold"] == 50.0
        assert data["distanceThreshold"] == 0.6 and data["distance"] < 0.6
        assert "dlib" in data["modelVersion"]
        assert same.json()["services"]["Validations"] == {"validation_errors": []}
        other = await http.post(
            PATH,
            json={"face_1": faces["astronaut"], "face_2": faces["hopper"]},
            headers=c.key(Authorization=bearer),
        )
        different = assert_success(other)
        assert different["isMatched"] is False and different["distance"] > 0.6


async def test_unusable_pictures_are_business_failures(app: FastAPI) -> None:
    faces = face_pictures()
    async with scanned(app) as http:
        c = await new_caller(app, http)
        no_face = await http.post(
            PATH, json={"face_1": faces["astronaut"], "face_2": _blank()}, headers=c.key()
        )
        assert no_face.status_code == 200 and no_face.json()["data"] is None
        assert _codes(no_face.json()) == [4207]
        not_an_image = await http.post(
            PATH, json={"face_1": "bm90IGFuIGltYWdl", "face_2": faces["hopper"]}, headers=c.key()
        )
        body = not_an_image.json()
        assert _codes(body) == [5001]
        assert body["services"]["Validations"]["validation_errors"][0]["field"] == "face_1"
