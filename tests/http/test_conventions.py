"""Wire conventions of spec §1.2 and §1.3: response language, request ids, the JSON content types
clients send, and the "vlens" versus "strict" HTTP status policy."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi import FastAPI

from hawiya.config import Settings
from hawiya.errors import ERRORS, ErrorCode
from tests.http.routes import login_body, new_caller
from tests.http.support import assert_error, assert_success, scanned, variant_app

E = ErrorCode


@pytest.mark.parametrize("header", ["Accept-Language", "Accept_Language"])
async def test_arabic_messages(app: FastAPI, header: str) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        ar = {header: "ar"}
        no_key = assert_error(await http.get("/api/hawiya/ApiKeys", headers=ar), E.API_KEY_MISSING)
        assert no_key["error_message"] == ERRORS[E.API_KEY_MISSING].ar
        unknown = assert_error(await http.get("/nope", headers=ar), E.ROUTE_NOT_FOUND)
        assert unknown["error_message"] == ERRORS[E.ROUTE_NOT_FOUND].ar
        # Answered by the body middleware, before routing.
        text = await http.post(
            "/api/credentials/Login", content=b"x", headers={**ar, "Content-Type": "text/plain"}
        )
        assert assert_error(text, E.UNSUPPORTED_CONTENT_TYPE)["error_message"] == (
            ERRORS[E.UNSUPPORTED_CONTENT_TYPE].ar
        )
        invalid = await http.post(
            "/api/hawiya/ApiKeys", json={"name": ""}, headers={**caller.admin(), **ar}
        )
        assert assert_error(invalid, E.VALIDATION_FAILED)["error_message"] == (
            ERRORS[E.VALIDATION_FAILED].ar
        )


@pytest.mark.parametrize(
    ("value", "language"),
    [("ar-EG,ar;q=0.9,en;q=0.8", "ar"), ("en-US,en;q=0.9", "en"), ("fr", "en"), ("", "en")],
)
async def test_language_negotiation(app: FastAPI, value: str, language: str) -> None:
    async with scanned(app) as http:
        body = assert_error(await http.get("/nope", headers={"Accept-Language": value}), 9005)
        spec = ERRORS[E.ROUTE_NOT_FOUND]
        assert body["error_message"] == (spec.ar if language == "ar" else spec.en)


async def test_request_id_is_echoed_or_generated(app: FastAPI) -> None:
    async with scanned(app) as http:
        sent = await http.get("/health", headers={"X-Request-Id": "client-req_42:a.b"})
        assert sent.headers["x-request-id"] == "client-req_42:a.b"
        error = await http.get("/nope", headers={"X-Request-Id": "client-err-1"})
        assert error.headers["x-request-id"] == "client-err-1"
        generated = {
            (await http.get("/health")).headers["x-request-id"],
            (await http.get("/nope")).headers["x-request-id"],
        }
        assert len(generated) == 2
        for value in generated:
            assert uuid.UUID(value).version == 4 and value == value.lower()
        # An id that could forge log lines or headers is replaced, never echoed.
        for unsafe in ("has spaces", "x" * 129, "a\tb", "{json}"):
            replaced = (await http.get("/health", headers={"X-Request-Id": unsafe})).headers
            assert replaced["x-request-id"] != unsafe
            assert uuid.UUID(replaced["x-request-id"]).version == 4


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/json; charset=utf-8",
        "application/json-patch+json",
        "text/json",
        "text/json; charset=utf-8",
        "application/vnd.api+json",
    ],
)
async def test_json_content_types_are_accepted(app: FastAPI, content_type: str) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        response = await http.post(
            "/api/credentials/Login",
            content=json.dumps(login_body(caller.tenant)).encode(),
            headers=caller.key(TenancyName=caller.tenant.name, **{"Content-Type": content_type}),
        )
        assert assert_success(response)["accessToken"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "multipart/form-data"])
async def test_other_content_types_are_refused(app: FastAPI, content_type: str) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        response = await http.post(
            "/api/credentials/Login",
            content=json.dumps(login_body(caller.tenant)).encode(),
            headers=caller.key(TenancyName=caller.tenant.name, **{"Content-Type": content_type}),
        )
        assert_error(response, E.UNSUPPORTED_CONTENT_TYPE)


async def test_strict_mode_turns_business_failures_into_4xx(
    app: FastAPI, settings: Settings
) -> None:
    missing_field = {"tenancyName": "x", "userNameOrEmailAddress": "y"}  # no password
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        headers = caller.key(TenancyName=caller.tenant.name)
        default = await http.post("/api/credentials/Login", json=missing_field, headers=headers)
        assert default.status_code == 200
        assert_error(default, E.VALIDATION_FAILED)
        gone = await http.post(f"/api/hawiya/ApiKeys/{uuid.uuid4()}/Revoke", headers=caller.admin())
        assert gone.status_code == 200
        assert_error(gone, E.API_KEY_NOT_FOUND)
    async with (
        variant_app(settings, http_errors="strict") as strict_app,
        scanned(strict_app) as http,
    ):
        strict = await http.post("/api/credentials/Login", json=missing_field, headers=headers)
        assert strict.status_code == 422
        assert_error(strict, E.VALIDATION_FAILED, strict=True)
        gone = await http.post(f"/api/hawiya/ApiKeys/{uuid.uuid4()}/Revoke", headers=caller.admin())
        assert gone.status_code == 404
        assert_error(gone, E.API_KEY_NOT_FOUND, strict=True)
        # Protocol errors keep their status in both policies.
        assert_error(await http.get("/api/hawiya/ApiKeys"), E.API_KEY_MISSING, strict=True)
        assert (await http.get("/api/hawiya/ApiKeys")).status_code == 401
        # Success is unchanged.
        assert_success(await http.get("/api/hawiya/ApiKeys", headers=caller.admin()))


def test_every_business_failure_has_a_4xx_in_strict_mode() -> None:
    for code, spec in ERRORS.items():
        if spec.status == 200:
            assert spec.strict_status is not None and 400 <= spec.strict_status < 500, code
