"""HDR-1 (security headers on every response), HDR-2 (a crash is the envelope, with the request id
and no stack trace) and HDR-3 (only documented methods; TRACE refused everywhere)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from hawiya.app import create_app
from hawiya.config import HttpSettings, Settings
from hawiya.errors import ErrorCode
from tests.conftest import client_for, make_settings
from tests.http.routes import (
    NOT_JSON,
    auth_kind,
    case_for,
    concrete,
    new_caller,
    other_method,
    route_for,
    route_keys,
)
from tests.http.support import (
    JSON_CSP,
    JSON_TYPE,
    assert_error,
    assert_security_headers,
    scanned,
    variant_app,
)

E = ErrorCode
ROUTES = route_keys()


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_every_route_sends_the_security_headers(app: FastAPI, method: str, path: str) -> None:
    route = route_for(method, path)
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        responses = [
            await case_for(method, path).success(caller),
            await http.request(other_method(route), concrete(path)),
        ]
        if auth_kind(route) != "public":
            responses.append(await http.request(method, concrete(path)))  # no ApiKey
        for response in responses:
            assert_security_headers(response)
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["content-security-policy"] == JSON_CSP
            if (method, path) not in NOT_JSON or response.status_code != 200:
                assert response.headers["content-type"] == JSON_TYPE


async def test_headers_on_responses_made_outside_the_routes(app: FastAPI) -> None:
    async with scanned(app) as http:
        made_by_middleware = [
            await http.request("TRACE", "/health"),
            await http.post(
                "/api/credentials/Login", content=b"x", headers={"Content-Type": "text/plain"}
            ),
            await http.post(
                "/api/credentials/Login",
                content=b" " * 1_048_577,
                headers={"Content-Type": "application/json"},
            ),
            await http.post(
                "/api/credentials/Login",
                content=b"[" * 1000,
                headers={"Content-Type": "application/json"},
            ),
            await http.get("/nope"),
            await http.get("/docs/nope"),
        ]
        for response in made_by_middleware:
            assert_security_headers(response)
            assert response.headers["content-type"] == JSON_TYPE
            assert response.headers["content-security-policy"] == JSON_CSP
        schema = await http.get("/openapi.json")
        assert schema.status_code == 200
        assert schema.headers["content-type"].startswith("application/json")
        assert schema.headers["content-security-policy"] == JSON_CSP
        docs = await http.get("/docs")
        assert docs.status_code == 200 and docs.headers["content-type"].startswith("text/html")
        assert_security_headers(docs)  # the docs page gets a CSP it can render under


async def test_hsts_only_when_configured(app: FastAPI, settings: Settings) -> None:
    async with scanned(app) as http:
        assert "strict-transport-security" not in (await http.get("/health")).headers
    hsts = HttpSettings(hsts=True)
    async with variant_app(settings, http=hsts) as secure, scanned(secure) as http:
        for response in (await http.get("/health"), await http.get("/nope")):
            assert response.headers["strict-transport-security"] == (
                "max-age=63072000; includeSubDomains"
            )


def _crashing_app(database_url: str, data_dir: Path) -> FastAPI:
    application = create_app(make_settings(database_url, data_dir), run_worker=False)

    async def explode() -> None:
        raise RuntimeError("boom secret")

    application.add_api_route("/test/explode", explode, methods=["GET", "POST"])
    return application


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_crash_is_the_envelope_without_a_trace(
    database_url: str, data_dir: Path, language: str
) -> None:
    crashing = _crashing_app(database_url, data_dir)  # no database needed: no lifespan
    async with client_for(crashing) as http:
        for request_id in ("crash-test-1", None):
            headers = {"Accept-Language": language}
            if request_id:
                headers["X-Request-Id"] = request_id
            for method in ("GET", "POST"):
                response = await http.request(method, "/test/explode", headers=headers, json={})
                body = assert_error(response, E.INTERNAL_ERROR)
                assert response.status_code == 500
                text = response.text
                assert "Traceback" not in text and 'File "' not in text
                assert "boom" not in text and "RuntimeError" not in text
                echoed = response.headers["x-request-id"]
                assert echoed == (request_id or echoed)
                assert f"request id {echoed}" in body["error_message"]
                assert_security_headers(response)


async def test_crash_in_strict_mode(database_url: str, data_dir: Path) -> None:
    settings = make_settings(database_url, data_dir, http_errors="strict")
    crashing = create_app(settings, run_worker=False)

    async def explode() -> None:
        raise ValueError("boom secret")

    crashing.add_api_route("/test/explode", explode)
    async with client_for(crashing) as http:
        response = await http.get("/test/explode")
        assert_error(response, E.INTERNAL_ERROR, strict=True)
        assert "boom" not in response.text


@pytest.mark.parametrize(
    "path", ["/health", "/api/credentials/Login", "/api/hawiya/ApiKeys", "/nope", "/docs", "/"]
)
async def test_trace_is_refused_everywhere(app: FastAPI, path: str) -> None:
    async with scanned(app) as http:
        response = await http.request("TRACE", path, headers={"X-Secret-Probe": "echo-me"})
        assert_error(response, E.METHOD_NOT_ALLOWED)
        assert "echo-me" not in response.text


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
async def test_undocumented_methods_get_405_with_allow(
    app: FastAPI, method: str, path: str
) -> None:
    documented = {m for m, p in ROUTES if p == path}
    async with scanned(app) as http:
        for other in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
            if other in documented:
                continue
            response: httpx.Response = await http.request(other, concrete(path))
            assert_error(response, E.METHOD_NOT_ALLOWED)
            assert set(response.headers["allow"].split(", ")) == documented, other
