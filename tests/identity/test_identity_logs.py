"""LOG-1 for digital identity: the log lines written while cards are read, faces checked,
customers screened and verifications reviewed hold no image (no base64 run over 1 KB) and no
full national ID number (Latin or Eastern-Arabic digits), and no token."""

from __future__ import annotations

import re
from datetime import date

from fastapi import FastAPI

from hawiya.identity.synthetic.dataset import make_sample
from tests.fixtures.logs import JsonLines
from tests.http.routes import (
    card_pictures,
    ensure_user,
    front_transaction,
    holder_frames,
    new_caller,
    pending_review,
    verify_user,
)
from tests.http.support import scanned

BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{1024,}")
ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{14}(?![0-9])|[٠-٩]{14}")


async def test_identity_flows_log_no_images_and_no_id_numbers(
    app: FastAPI, captured: JsonLines
) -> None:
    number = make_sample(7, today=date.today()).person.id_number  # the card of card_pictures()
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        await verify_user(c)  # front, back, liveness (with AML screening)
        tid = await front_transaction(c)
        await http.post(
            "/v1/ocr/face/match",
            json={"transaction_id": tid, "image": holder_frames()[1]},
            headers=c.key(),
        )
        await http.post(
            "/v1/ocr/aml/validate",
            json={"name": "Mohamed Ahmed", "idNumber": number},
            headers=c.key(),
        )
        await http.get(
            "/api/Transactions/GetTransactionById", params={"id": tid}, headers=c.admin()
        )
        pending = await pending_review(c)
        await http.get(f"/api/hawiya/IdentityReviews/{pending}", headers=c.admin())
        # Refused bodies: a malformed field next to an image, an image that is no image.
        await http.post(
            "/v1/ocr/id/front",
            json={"image": card_pictures()["front"], "country": "XX"},
            headers=c.key(),
        )
        await http.post(
            "/v1/ocr/aml/validate", json={"name": "", "idNumber": number}, headers=c.key()
        )
    assert captured.lines, "nothing was logged"
    for line in captured.lines:
        assert not BASE64_RUN.search(line), line[:300]
        assert not ID_NUMBER.search(line), line
        assert number not in line and "eyJ" not in line, line
