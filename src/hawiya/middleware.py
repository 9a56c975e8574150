"""ASGI middleware: request ids, security headers, access log and metrics (outer), then the body
rules (inner): TRACE refused, JSON content types normalised, body caps enforced before buffering."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from hawiya.config import Settings
from hawiya.envelope import crash_response, error_body
from hawiya.errors import ERRORS, ErrorCode
from hawiya.i18n import pick_language
from hawiya.kit.jsonshape import check_shape
from hawiya.logs import request_id_var, tenant_id_var
from hawiya.ops.metrics import Metrics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("hawiya.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Pages that are not JSON keep their own content type and a CSP that lets them render.
_HTML_PATHS = ("/docs", "/redoc")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
]
JSON_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOCS_CSP = (
    b"content-security-policy",
    b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def send_envelope(
    send: Send,
    scope: Scope,
    code: ErrorCode,
    strict: bool,
    extra_headers: list[tuple[bytes, bytes]] | None = None,
    descriptions: Any = None,
) -> None:
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
    body = json.dumps(
        error_body(code, pick_language(headers), descriptions=descriptions), ensure_ascii=False
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": ERRORS[code].http_status(strict),
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *(extra_headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics
        self.hsts = settings.http.hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = _header(scope, b"x-request-id")
        request_id = supplied if supplied and _REQUEST_ID.match(supplied) else str(uuid.uuid4())
        id_token = request_id_var.set(request_id)
        tenant_token = tenant_id_var.set(None)
        started = time.perf_counter()
        status = 500
        responded = False
        path: str = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            nonlocal status, responded
            if message["type"] == "http.response.start":
                status = message["status"]
                responded = True
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in (b"server",)
                ]
                # JSON always says its charset (HDR-1), including what FastAPI sends itself.
                headers = [
                    (k, b"application/json; charset=utf-8")
                    if k.lower() == b"content-type" and v == b"application/json"
                    else (k, v)
                    for k, v in headers
                ]
                present = {k.lower() for k, _ in headers}
                # The CSP follows what is sent: an error on a docs path is JSON like any other.
                html = path.startswith(_HTML_PATHS) and any(
                    k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers
                )
                for name, value in (*SECURITY_HEADERS, DOCS_CSP if html else JSON_CSP):
                    if name not in present:
                        headers.append((name, value))
                headers.append((b"x-request-id", request_id.encode()))
                if self.hsts:
                    headers.append(
                        (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
                    )
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            # Starlette answers unhandled exceptions in its outermost middleware, after this one
            # has unbound the request id and without the headers above (HDR-1, HDR-2). Answer here
            # instead; a response already under way can only be cut short.
            if responded:
                raise
            response = crash_response(Request(scope), exc)
            await response(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(scope["method"], template, status, elapsed)
            access_log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": path,
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            tenant_id_var.reset(tenant_token)
            request_id_var.reset(id_token)


_JSON_TYPES = ("application/json", "text/json")
_SHAPE_MESSAGES = {
    "depth": "arrays and objects are nested more than {} deep",
    "items": "an array or object has more than {} items",
    "structure": "the body has more than {} brackets and commas",
}


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


class BodyMiddleware:
    """Reads and caps the body before the app sees it, so an oversized upload costs at most the cap
    in memory and is refused with 413 as soon as it crosses it (RES-1)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.strict = settings.http_errors == "strict"
        self.default_cap = settings.http.max_body_bytes
        self.image_cap = settings.http.max_image_body_bytes
        self.image_prefixes = tuple(settings.http.image_path_prefixes)
        self.json_depth = settings.http.max_json_depth
        self.json_items = settings.http.max_json_items
        self.json_structure = settings.http.max_json_structure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "TRACE":  # HDR-3: never echo a request back
            await send_envelope(send, scope, ErrorCode.METHOD_NOT_ALLOWED, self.strict)
            return
        if method not in ("POST", "PUT", "PATCH", "DELETE"):
            await self.app(scope, receive, send)
            return
        cap = self.image_cap if scope["path"].startswith(self.image_prefixes) else self.default_cap
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > cap:
            await send_envelope(
                send, scope, ErrorCode.BODY_TOO_LARGE, self.strict, [(b"connection", b"close")]
            )
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                await send_envelope(
                    send, scope, ErrorCode.BODY_TOO_LARGE, self.strict, [(b"connection", b"close")]
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        content_type = _header(scope, b"content-type")
        if body.strip():
            if content_type is not None and not _is_json(content_type):
                await send_envelope(send, scope, ErrorCode.UNSUPPORTED_CONTENT_TYPE, self.strict)
                return
            # RES-3: FastAPI parses the body (as JSON when no content type is given) before any
            # dependency runs, so the shape limits are checked here, on the raw bytes.
            violation = check_shape(
                body,
                max_depth=self.json_depth,
                max_items=self.json_items,
                max_structure=self.json_structure,
            )
            if violation is not None:
                description = {
                    "field": None,
                    "code": f"json_{violation.kind}",
                    "message": _SHAPE_MESSAGES[violation.kind].format(violation.limit),
                }
                await send_envelope(
                    send, scope, ErrorCode.JSON_TOO_COMPLEX, self.strict, descriptions=[description]
                )
                return
            # FastAPI parses only application/json and */*+json; text/json is JSON too (spec §1.2).
            if (content_type or "").split(";", 1)[0].strip().lower() == "text/json":
                scope["headers"] = [
                    (k, b"application/json" if k == b"content-type" else v)
                    for k, v in scope["headers"]
                ]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)
