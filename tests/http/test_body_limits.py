"""RES-1: body caps enforced before the body is buffered, on Content-Length and on a streaming
count (chunked bodies); cap + 1 byte is 413 / 9004, exactly the cap is not refused for size. The
image cap applies to the image path prefixes only."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from hawiya.config import HttpSettings, Settings
from hawiya.errors import ErrorCode
from tests.http.routes import Caller, login_body, new_caller
from tests.http.support import assert_error, assert_success, scanned, variant_app

E = ErrorCode
DEFAULT_CAP = HttpSettings().max_body_bytes
SMALL, IMAGE = 2048, 8192


def padded(payload: dict[str, Any], size: int) -> bytes:
    """Valid JSON of exactly `size` bytes (trailing whitespace is allowed)."""
    raw = json.dumps(payload).encode()
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


class Chunked:
    """A streamed (chunked) body that records how much of it the server pulled."""

    def __init__(self, body: bytes, piece: int = 1000) -> None:
        self.body, self.piece, self.pulled = body, piece, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.body), self.piece):
            chunk = self.body[start : start + self.piece]
            self.pulled += len(chunk)
            yield chunk


async def _post(
    http: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str], *, chunked: bool
) -> httpx.Response:
    headers = {**headers, "Content-Type": "application/json"}
    if not chunked:
        return await http.post(path, content=body, headers=headers)
    stream = Chunked(body)
    response = await http.post(path, content=stream, headers=headers)
    assert "content-length" not in response.request.headers
    if len(body) > DEFAULT_CAP and response.status_code == 413:
        assert stream.pulled < DEFAULT_CAP + 2 * stream.piece  # stopped at the cap
    return response


def _too_large(response: httpx.Response) -> None:
    assert_error(response, E.BODY_TOO_LARGE)
    assert response.status_code == 413
    assert response.headers["connection"] == "close"


async def _login_ok(http: httpx.AsyncClient, c: Caller, size: int, *, chunked: bool) -> None:
    body = padded(login_body(c.tenant), size)
    response = await _post(
        http, "/api/credentials/Login", body, c.key(TenancyName=c.tenant.name), chunked=chunked
    )
    assert assert_success(response)["accessToken"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_default_cap(app: FastAPI, chunked: bool) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        await _login_ok(http, caller, DEFAULT_CAP, chunked=chunked)
        over = padded(login_body(caller.tenant), DEFAULT_CAP + 1)
        for path in ("/api/credentials/Login", "/api/hawiya/ApiKeys", "/nope"):
            _too_large(await _post(http, path, over, caller.admin(), chunked=chunked))
        much_more = Chunked(b" " * (8 * DEFAULT_CAP), piece=65_536)
        response = await http.post(
            "/api/credentials/Login",
            content=much_more,
            headers={"Content-Type": "application/json"},
        )
        _too_large(response)
        assert much_more.pulled <= DEFAULT_CAP + 65_536


async def test_declared_length_is_refused_before_reading(app: FastAPI) -> None:
    async with scanned(app) as http:
        body = Chunked(b"{}")
        response = await http.post(
            "/api/credentials/Login",
            content=body,
            headers={"Content-Type": "application/json", "Content-Length": str(10**12)},
        )
        _too_large(response)
        assert body.pulled == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_configured_caps_and_image_prefixes(
    app: FastAPI, settings: Settings, chunked: bool
) -> None:
    caps = HttpSettings(
        max_body_bytes=SMALL,
        max_image_body_bytes=IMAGE,
        image_path_prefixes=["/api/credentials/"],
    )
    async with variant_app(settings, http=caps) as small, scanned(small) as http:
        caller = await new_caller(small, http)
        # A normal route: the small cap.
        created = await _post(
            http,
            "/api/hawiya/ApiKeys",
            padded({"name": "at-cap"}, SMALL),
            caller.admin(),
            chunked=chunked,
        )
        assert assert_success(created)["name"] == "at-cap"
        over = padded({"name": "over"}, SMALL + 1)
        _too_large(await _post(http, "/api/hawiya/ApiKeys", over, caller.admin(), chunked=chunked))
        # An image-prefixed route: bodies between the two caps pass, the image cap holds.
        await _login_ok(http, caller, SMALL + 1, chunked=chunked)
        await _login_ok(http, caller, IMAGE, chunked=chunked)
        over_image = padded(login_body(caller.tenant), IMAGE + 1)
        headers = caller.key(TenancyName=caller.tenant.name)
        _too_large(
            await _post(http, "/api/credentials/Login", over_image, headers, chunked=chunked)
        )
        listed = await http.get("/api/hawiya/ApiKeys?MaxResultCount=100", headers=caller.admin())
        names = [row["name"] for row in assert_success(listed)]
        assert "at-cap" in names and "over" not in names  # the refused body changed nothing
