"""An image over 5 MB (the iOS SDK sends ID photos at full quality) is answered with 5002 in
services.Validations and HTTP 200, as the SDKs look codes up there; it is not a schema error."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from hawiya.identity.images import MAX_BASE64_CHARS
from tests.http.routes import new_caller
from tests.http.support import scanned

BIG = "/9j/" + "A" * (MAX_BASE64_CHARS + 4)  # a JPEG header, then more than 5 MB


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ocr/id/front", {"image": BIG}),
        ("/v1/ocr/id/back", {"image": f"data:image/jpeg;base64,{BIG}"}),
        ("/v1/ocr/classification", {"image": BIG}),
    ],
)
async def test_over_five_megabytes_is_5002(app: FastAPI, path: str, body: dict[str, str]) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        response = await http.post(path, json=body, headers=c.key())
        assert response.status_code == 200
        answer = response.json()
        assert answer["error_code"] is None
        # The SDK routes answer data as the real server does: not completed, nothing read.
        assert answer["data"] is None or answer["data"]["isVerificationProcessCompleted"] is False
        (entry,) = answer["services"]["Validations"]["validation_errors"]
        assert entry["field"] == "image" and entry["errors"][0]["code"] == 5002
