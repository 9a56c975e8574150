"""The envelope on every route (spec §1.3, HDR-2): a walk over hawiya.api.api_routes() that drives
each route through its error paths and one success, plus an unknown path and a wrong method.

Every error is {data: null, error_code: <int in the catalogue>, error_message, error_descriptions}
with the HTTP status the catalogue gives and content type application/json; charset=utf-8. Every
success has error_code and error_message null (never 0 or "").
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from hawiya.errors import ERRORS, ErrorCode
from tests.http.routes import (
    CASES,
    NOT_JSON,
    auth_kind,
    case_for,
    concrete,
    ensure_user,
    headers_for,
    new_caller,
    other_method,
    route_for,
    route_keys,
    takes_body,
)
from tests.http.support import assert_error, assert_success, scanned

E = ErrorCode
ROUTES = route_keys()
CAP = 1_048_576  # the default HttpSettings.max_body_bytes


def test_every_route_has_a_case_and_every_case_a_route() -> None:
    assert ROUTES, "api_routes() is empty"
    missing = [key for key in ROUTES if key not in CASES]
    stale = [key for key in CASES if key not in ROUTES]
    assert not missing, f"routes without a case in tests/http/routes.py: {missing}"
    assert not stale, f"cases for routes that no longer exist: {stale}"


def test_catalogue_is_complete() -> None:
    assert set(ERRORS) == set(ErrorCode)
    for code, spec in ERRORS.items():
        assert spec.en and spec.ar and spec.en != spec.ar, code


async def _chunks(size: int, piece: int = 65_536) -> AsyncIterator[bytes]:
    sent = 0
    while sent < size:
        chunk = b" " * min(piece, size - sent)
        sent += len(chunk)
        yield chunk


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_route_answers_the_envelope_on_every_path(
    app: FastAPI, method: str, path: str
) -> None:
    case = case_for(method, path)
    route = route_for(method, path)
    kind = auth_kind(route)
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        url = concrete(path)
        body = case.body(caller) if case.body else None
        full = await headers_for(caller, kind)
        if kind == "apikey" and path.endswith("/Login"):
            full = caller.key(TenancyName=caller.tenant.name)

        async def call(headers: dict[str, str], **kwargs: object) -> httpx.Response:
            kwargs.setdefault("json", body)
            return await http.request(method, url, headers=headers, **kwargs)  # type: ignore[arg-type]

        if kind != "public":
            assert_error(await call({}), E.API_KEY_MISSING)
            assert_error(await call({"ApiKey": "hwk_" + "x" * 43}), E.API_KEY_INVALID)
            assert_error(await call({"ApiKey": "garbage"}), E.API_KEY_INVALID)
            assert_error(await call({"ApiKey": ""}), E.API_KEY_MISSING)
            keyed = await http.request(method, url, params={"apikey": caller.tenant.api_key})
            assert_error(keyed, E.API_KEY_IN_QUERY)
        if kind in ("admin", "user"):
            await ensure_user(caller)
            token, refresh = (
                (caller.token, caller.refresh)
                if kind == "admin"
                else (caller.user_token, caller.user_refresh)
            )
            other_kind = caller.user_token if kind == "admin" else caller.token
            wrong_kind = await call(caller.key(Authorization=f"Bearer {other_kind}"))
            assert_error(wrong_kind, E.TOKEN_KIND_WRONG)  # user and admin tokens never mix
            assert wrong_kind.status_code == 403
            assert_error(await call(caller.key()), E.BEARER_MISSING)
            assert_error(await call(caller.key(Authorization="Bearer null")), E.BEARER_MISSING)
            assert_error(await call(caller.key(Authorization="Basic abc")), E.BEARER_MISSING)
            garbage = caller.key(Authorization="Bearer not.a.jwt")
            assert_error(await call(garbage), E.TOKEN_INVALID)
            tampered = caller.key(Authorization=f"Bearer {token[:-4]}AAAA")
            assert_error(await call(tampered), E.TOKEN_INVALID)
            refresh_as_access = caller.key(Authorization=f"Bearer {refresh}")
            refused = await call(refresh_as_access)  # a refresh token is no access token
            assert refused.json()["error_code"] in (E.TOKEN_INVALID, E.TOKEN_KIND_WRONG)
            assert_error(refused, refused.json()["error_code"])
        if method == "POST":
            json_type = {"Content-Type": "application/json"}
            malformed = await call({**full, **json_type}, json=None, content=b'{"name": ')
            if takes_body(route):
                assert_error(malformed, E.MALFORMED_JSON)
            else:  # a route without a body ignores what is sent (the body is never parsed)
                assert malformed.json()["error_code"] != E.MALFORMED_JSON
            text = await call({**full, "Content-Type": "text/plain"}, json=None, content=b"hi")
            assert_error(text, E.UNSUPPORTED_CONTENT_TYPE)
            form = {**full, "Content-Type": "application/x-www-form-urlencoded"}
            assert_error(await call(form, json=None, content=b"a=1"), E.UNSUPPORTED_CONTENT_TYPE)
            http_settings = app.state.settings.http
            cap = (
                http_settings.max_image_body_bytes
                if path.startswith(tuple(http_settings.image_path_prefixes))
                else CAP
            )
            big = await call({**full, **json_type}, json=None, content=b" " * (cap + 1))
            assert_error(big, E.BODY_TOO_LARGE)
            assert big.request.headers["content-length"] == str(cap + 1)
            chunked = await call({**full, **json_type}, json=None, content=_chunks(cap + 1))
            assert_error(chunked, E.BODY_TOO_LARGE)
            assert "content-length" not in chunked.request.headers
            deep = await call({**full, **json_type}, json=None, content=b"[" * 100_000)
            assert_error(deep, E.JSON_TOO_COMPLEX)
        wrong = await http.request(other_method(route), url, headers=full)
        assert_error(wrong, E.METHOD_NOT_ALLOWED)
        on_path = {m for m, p in ROUTES if p == path}
        assert set(wrong.headers["allow"].split(", ")) == on_path  # HDR-3: all of them

        success = await case.success(caller)
        if (method, path) in NOT_JSON:
            assert success.status_code == 200
            assert not success.headers["content-type"].startswith("application/json")
        else:
            assert_success(success)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
async def test_unknown_path_is_the_envelope(app: FastAPI, method: str) -> None:
    async with scanned(app) as http:
        for path in ("/nope", "/api/credentials/Nope", "/v1/ocr/id/side", "/api/hawiya/ApiKeys/x"):
            body = assert_error(await http.request(method, path), E.ROUTE_NOT_FOUND)
            assert body["error_descriptions"] is None


async def test_wrong_method_and_trace(app: FastAPI) -> None:
    async with scanned(app) as http:
        response = await http.delete("/api/credentials/Login")
        assert_error(response, E.METHOD_NOT_ALLOWED)
        assert response.headers["allow"] == "POST"
        both = await http.put("/api/hawiya/ApiKeys")  # two routes share this path
        assert_error(both, E.METHOD_NOT_ALLOWED)
        assert both.headers["allow"] == "GET, POST"
        for path in ("/health", "/api/credentials/Login", "/nope", "/docs"):
            assert_error(await http.request("TRACE", path), E.METHOD_NOT_ALLOWED)


async def test_success_has_null_error_fields(app: FastAPI) -> None:
    async with scanned(app) as http:
        response = await http.get("/health")
        raw = response.text
        assert '"error_code":null' in raw.replace(" ", "")
        assert '"error_message":null' in raw.replace(" ", "")
        assert_success(response)


async def test_validation_failure_is_200_with_field_descriptions(app: FastAPI) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        response = await http.post("/api/hawiya/ApiKeys", json={"name": ""}, headers=caller.admin())
        body = assert_error(response, E.VALIDATION_FAILED)
        (problem,) = body["error_descriptions"]
        assert problem["field"] == "name"
        assert set(problem) == {"field", "code", "message"}  # never the input echoed back
