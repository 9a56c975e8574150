"""Shared pieces of the HTTP-surface tests.

* assert_error / assert_success: the envelope of spec §1.3, the status the error catalogue gives
  and the exact JSON content type.
* assert_security_headers: HDR-1.
* scanned(app): a client whose every response is checked for HDR-1 and scanned for secrets that
  must never leave the server (TEN-8): password hashes, API-key and refresh-token hashes, passwords,
  and plaintext API keys or JWTs outside the one response that hands them out. Keys, tokens and
  passwords are learned from the requests and responses themselves, so nothing has to be
  registered by hand.
* variant_app: an app on the same database with some settings changed (same master secret, or it
  could not unseal the JWT signing key the session app created).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from hawiya.app import create_app
from hawiya.auth.security import api_key_hash
from hawiya.config import Settings
from hawiya.errors import ERRORS, ErrorCode
from tests.conftest import client_for
from tests.fixtures.factories import PASSWORD, TenantFixture, admin_token, create_tenant

ENVELOPE_KEYS = {"data", "error_code", "error_message", "error_descriptions"}
PAGE_KEYS = ENVELOPE_KEYS | {"totalCount", "returnedCount"}
VERIFICATION_KEYS = ENVELOPE_KEYS | {"services"}  # spec §1.4: the verification calls
JSON_TYPE = "application/json; charset=utf-8"
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
KNOWN_CODES = {int(code) for code in ERRORS}

UUID_ANY = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
PLAIN_API_KEY = re.compile(r"hwk_[A-Za-z0-9_-]{20,}")
# Field names that would mean a secret is being serialised (TEN-8).
SECRET_FIELD = re.compile(r"password|passwd|secret|private|sealed|(key|token|otp)_?hash", re.I)

LOGIN = "/api/credentials/Login"
REFRESH = "/api/credentials/RefreshToken"
# The only responses allowed to carry a plaintext API key (shown once) or a JWT.
SHOWS_API_KEY = re.compile(r"^/api/hawiya/ApiKeys(/[^/]+/Rotate)?$")
SHOWS_TOKENS = {
    LOGIN,
    REFRESH,
    "/api/DigitalIdentity/RefreshToken",
    "/api/DigitalIdentity/Login",
    "/api/DigitalIdentity/Register",
    "/api/DigitalIdentity/Register/StepCreate",
}


def assert_error(response: httpx.Response, code: int, *, strict: bool = False) -> dict[str, Any]:
    """The error envelope with this code, at the status the catalogue gives it."""
    assert response.headers.get("content-type") == JSON_TYPE, response.headers
    body: dict[str, Any] = response.json()
    assert set(body) == ENVELOPE_KEYS, body
    assert body["data"] is None, body
    assert type(body["error_code"]) is int, body
    assert body["error_code"] in KNOWN_CODES, body
    assert body["error_code"] == code, body
    assert isinstance(body["error_message"], str) and body["error_message"], body
    assert response.status_code == ERRORS[ErrorCode(code)].http_status(strict), (
        response.status_code,
        body,
    )
    return body


def assert_success(response: httpx.Response) -> Any:
    """A success envelope: error fields are null, never 0 or ""; returns data."""
    assert response.status_code == 200, response.text
    assert response.headers.get("content-type") == JSON_TYPE, response.headers
    body = response.json()
    keys = set(body)
    assert keys >= ENVELOPE_KEYS, body
    assert keys <= PAGE_KEYS or keys <= VERIFICATION_KEYS, body
    assert body["error_code"] is None, body
    assert body["error_message"] is None, body
    assert body["error_descriptions"] is None, body
    assert body["data"] is not None, body
    return body["data"]


def assert_security_headers(response: httpx.Response) -> None:
    headers = response.headers
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("cache-control") == "no-store", where
    assert headers.get("referrer-policy") == "no-referrer", where
    assert "server" not in headers, where
    assert "x-powered-by" not in headers, where
    assert headers.get("x-request-id"), where
    csp = headers.get("content-security-policy", "")
    if headers.get("content-type", "").startswith("text/html"):
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp, where
    else:
        assert csp == JSON_CSP, where


def walk_json(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Yield (key, value) for every member of every object, depth first."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield k, v
            yield from walk_json(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from walk_json(item, key)


def assert_ids_and_times(payload: Any) -> int:
    """TEN-3 and spec §1.6 on one response body: every id field is a lowercase UUIDv4, every
    time field ISO 8601 UTC ending in Z. Returns how many id fields were checked."""
    checked = 0
    for key, value in walk_json(payload):
        if (key == "id" or key.endswith("Id")) and isinstance(value, str) and key != "actorId":
            assert UUID4.match(value), (key, value)
            checked += 1
        if key == "actorId" and value is not None:
            assert UUID4.match(value), (key, value)  # admins and API keys are the actors here
        if key.endswith("Time") and value is not None:
            assert UTC_TIME.match(value), (key, value)
    return checked


class SecretScanner:
    """Checks one response at a time; learns every secret the run has seen so far."""

    def __init__(self) -> None:
        self.api_keys: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.passwords: set[str] = {PASSWORD}
        self.responses = 0

    def learn_request(self, request: httpx.Request) -> None:
        key = request.headers.get("apikey")
        if key and key.startswith("hwk_"):
            self.api_keys.add(key.strip())
        body = request.content if isinstance(request.stream, httpx.ByteStream) else b""
        if not body or len(body) > 65_536:
            return  # the bodies that carry secrets are small; the big ones are padding
        try:
            sent = json.loads(body)
        except (ValueError, RecursionError):
            return
        for name, value in walk_json(sent):
            if isinstance(value, str) and "password" in name.lower() and len(value) >= 8:
                self.passwords.add(value)
            if isinstance(value, str) and name.lower() == "refreshtoken" and value:
                self.refresh_tokens.add(value)

    def check(self, response: httpx.Response) -> None:
        self.responses += 1
        request = response.request
        path = request.url.path
        self.learn_request(request)
        text = response.text
        where = f"{request.method} {path}"
        shown: set[str] = set()
        payload: Any = None
        if response.headers.get("content-type", "").startswith("application/json"):
            payload = response.json()
        if isinstance(payload, dict) and "error_code" in payload:  # an envelope, not the schema
            for name, value in walk_json(payload):
                assert not SECRET_FIELD.search(name), (where, name)
                if name == "apiKey" and isinstance(value, str):
                    shown.add(value)
                if name in ("refreshToken", "newRefreshToken") and isinstance(value, str):
                    self.refresh_tokens.add(value)
        if shown:
            assert request.method == "POST" and SHOWS_API_KEY.match(path), (where, "apiKey")
            self.api_keys |= shown
        assert "$argon2" not in text, where
        for match in PLAIN_API_KEY.findall(text):
            assert match in shown, (where, "plaintext API key")
        if path not in SHOWS_TOKENS:
            assert not JWT.search(text), (where, "JWT")
        for key in self.api_keys:
            assert api_key_hash(key) not in text, (where, "API key hash")
        for token in self.refresh_tokens:
            assert hashlib.sha256(token.encode()).hexdigest() not in text, (where, "token hash")
        for password in self.passwords:
            assert password not in text, (where, "password")
        for found in UUID_ANY.findall(text):
            assert found == found.lower(), (where, found)


SCANNER = SecretScanner()


def scanned(app: FastAPI, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """client_for(app, address) whose every response is checked (HDR-1) and scanned (TEN-8)."""
    http = client_for(app, address)

    async def inspect(response: httpx.Response) -> None:
        await response.aread()
        assert_security_headers(response)
        SCANNER.check(response)

    http.event_hooks = {"request": [], "response": [inspect]}
    return http


def variant_settings(settings: Settings, **overrides: Any) -> Settings:
    return settings.model_copy(update=overrides)


@asynccontextmanager
async def variant_app(settings: Settings, **overrides: Any) -> AsyncIterator[FastAPI]:
    """An app on the session database with some settings changed, its lifespan running."""
    application = create_app(variant_settings(settings, **overrides), run_worker=False)
    async with application.router.lifespan_context(application):
        yield application


async def tenant_with_admin(app: FastAPI, http: httpx.AsyncClient) -> tuple[TenantFixture, str]:
    """A fresh tenant (tests that change state make their own) and its admin's access token."""
    tenant = await create_tenant(app)
    return tenant, await admin_token(http, tenant)


def random_id() -> str:
    return str(uuid.uuid4())
