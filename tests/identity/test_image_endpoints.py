"""GetUserDigitalIdentityImages and GetStepImage (spec §2.4): administrators see a user's stored
images, every viewing is audited, and another tenant's users and transactions answer exactly
like missing ones (TEN-1)."""

from __future__ import annotations

import base64
import io
import uuid

from fastapi import FastAPI
from PIL import Image

from hawiya.errors import ErrorCode
from tests.http.routes import new_caller, random_phone, stored_verification
from tests.http.support import assert_error, assert_success, scanned

E = ErrorCode
DI = "/api/DigitalIdentity"


async def test_an_administrator_lists_and_views_a_users_images(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await stored_verification(c)
        listed = await http.get(
            f"{DI}/GetUserDigitalIdentityImages",
            params={"emailOrPhoneNumber": c.user_phone},
            headers=c.admin(),
        )
        data = assert_success(listed)
        assert data["idFrontImage"] == "idFrontImage.jpg" and data["transactionId"] == tid
        assert data["idBackImage"] is None and data["livenessFace01Image"] is None
        shown = await http.get(
            f"{DI}/GetStepImage",
            params={"TransactionId": tid.upper(), "FileName": data["idFrontImage"]},
            headers=c.admin(),
        )
        image = Image.open(io.BytesIO(base64.b64decode(assert_success(shown)["image"])))
        assert image.size == (400, 300)
        events = assert_success(await http.get("/api/hawiya/AuditEvents", headers=c.admin()))
        viewed = [e for e in events if e["action"] == "identity.image_viewed"]
        assert viewed and viewed[0]["actorKind"] == "admin"
        assert viewed[0]["target"] == f"transaction:{tid}"
        # A user token is no administrator's.
        as_user = await http.get(
            f"{DI}/GetStepImage",
            params={"TransactionId": tid, "FileName": "idFrontImage.jpg"},
            headers=c.user(),
        )
        assert_error(as_user, E.TOKEN_KIND_WRONG)


async def test_other_tenants_users_and_transactions_look_missing(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        tid = await stored_verification(a)
        missing = await http.get(
            f"{DI}/GetStepImage",
            params={"TransactionId": str(uuid.uuid4()), "FileName": "idFrontImage.jpg"},
            headers=b.admin(),
        )
        assert_error(missing, E.TRANSACTION_OR_TOKEN_INVALID)
        for value in (tid, tid.upper(), "not-a-uuid"):
            foreign = await http.get(
                f"{DI}/GetStepImage",
                params={"TransactionId": value, "FileName": "idFrontImage.jpg"},
                headers=b.admin(),
            )
            assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
        unknown_user = await http.get(
            f"{DI}/GetUserDigitalIdentityImages",
            params={"emailOrPhoneNumber": random_phone()},
            headers=b.admin(),
        )
        assert_error(unknown_user, E.USER_NOT_FOUND)
        foreign_user = await http.get(
            f"{DI}/GetUserDigitalIdentityImages",
            params={"emailOrPhoneNumber": a.user_phone},
            headers=b.admin(),
        )
        assert foreign_user.content == unknown_user.content


async def test_images_never_stored_are_1301(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await new_caller(app, http)
        tid = await stored_verification(c)
        for name in ("idBackImage.jpg", "../../secret.key", "livenessFace09Image.jpg"):
            response = await http.get(
                f"{DI}/GetStepImage",
                params={"TransactionId": tid, "FileName": name},
                headers=c.admin(),
            )
            assert_error(response, E.IDENTITY_IMAGE_NOT_FOUND)
