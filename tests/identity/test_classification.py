"""/v1/ocr/classification (spec §2.5 row 11): services.classification.doc_type names the
document; the side of a national ID is in data.side; a photo of something else is "unknown"."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
from fastapi import FastAPI
from PIL import Image

from hawiya.identity.faces import synthetic
from hawiya.identity.ocr.classify import classify
from hawiya.identity.synthetic.dataset import make_sample
from tests.http.routes import card_pictures, face_pictures, new_caller
from tests.http.support import assert_success, scanned

PATH = "/v1/ocr/classification"


async def test_sides_of_the_card_and_other_pictures(app: FastAPI) -> None:
    cards = card_pictures()
    async with scanned(app) as http:
        c = await new_caller(app, http)
        for image, doc_type, side in (
            (cards["front"], "national_id", "front"),
            (f"data:image/jpeg;base64,{cards['back']}", "national_id", "back"),
            (face_pictures()["hopper"], "unknown", None),
        ):
            response = await http.post(
                PATH,
                json={"image": image, "client_transaction_id": "c-9"},
                headers=c.key(Authorization="Bearer "),
            )
            data = assert_success(response)
            services = response.json()["services"]
            assert services["classification"] == {"doc_type": doc_type}
            assert data["side"] == side and data["client_transaction_id"] == "c-9"
            assert services["Validations"] == {"validation_errors": []}
        bad = await http.post(PATH, json={"image": "bm90IGFuIGltYWdl"}, headers=c.key())
        entries = bad.json()["services"]["Validations"]["validation_errors"]
        assert bad.status_code == 200 and entries[0]["errors"][0]["code"] == 5001


def test_every_side_of_forty_photographed_cards_is_told_apart() -> None:
    """Normal-difficulty photos (perspective, blur, glare): the side is never confused."""
    for seed in range(300, 320):
        sample = make_sample(seed, today=date(2026, 11, 22))
        for side, scene in (("front", sample.front_photo), ("back", sample.back_photo)):
            pixels = np.asarray(Image.open(io.BytesIO(scene.jpeg)).convert("RGB"))
            found = classify(pixels)
            assert (found.doc_type, found.side) == ("national_id", side), (seed, side)


def test_faces_and_blank_pictures_are_not_cards() -> None:
    for picture in (synthetic.astronaut(), synthetic.grace_hopper()):
        assert classify(np.asarray(picture.convert("RGB"))).doc_type == "unknown"
    assert classify(np.full((600, 900, 3), 200, np.uint8)).doc_type == "unknown"
