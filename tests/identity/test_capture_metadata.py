"""Checklist BIO-4: capture metadata is recorded with each step, and a client's own claim that
liveness passed is never taken: an extra body flag is refused, a header changes nothing."""

from __future__ import annotations

from fastapi import FastAPI

from tests.http.routes import face_pictures, front_transaction, holder_frames, new_caller
from tests.http.support import assert_error, assert_success, scanned


async def test_capture_metadata_is_kept_and_client_claims_are_ignored(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await front_transaction(c)
        claims = {"X-Sdk-Version": "vlens-ios 2026.02", "X-Capture-Mode": "camera"}
        stranger = await http.post(
            "/v1/ocr/face/match",
            json={"transaction_id": tid, "image": face_pictures()["hopper"]},
            headers=c.key(**claims, **{"X-Liveness-Passed": "true", "User-Agent": "VLensLib/1"}),
        )
        codes = stranger.json()["services"]["Validations"]["validation_errors"][0]["errors"]
        assert [e["code"] for e in codes] == [1302]
        detail = assert_success(
            await http.get(f"/api/hawiya/IdentityReviews/{tid}", headers=c.admin())
        )
        assert detail["results"]["capture"]["faceMatch"] == {
            "userAgent": "VLensLib/1",
            "sdkVersion": "vlens-ios 2026.02",
            "captureMode": "camera",
        }
        faces = holder_frames()
        for flag in ("liveness", "isLive", "livenessPassed"):
            claimed = await http.post(
                "/v1/ocr/liveness/multi",
                json={
                    "transaction_id": tid,
                    "face_1": faces[0],
                    "face_2": faces[0],
                    "face_3": faces[0],
                    flag: True,
                },
                headers=c.key(),
            )
            assert_error(claimed, 9001)
