"""The response envelope {data, error_code, error_message, error_descriptions} and every handler
that
turns an exception into it. Nothing else in the code builds an error response."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from hawiya.errors import ERRORS, ApiError, ErrorCode, message_for
from hawiya.i18n import pick_language
from hawiya.logs import request_id_var

T = TypeVar("T")
log = logging.getLogger("hawiya.errors")


class EnvelopeResponse(JSONResponse):
    media_type = "application/json; charset=utf-8"


class Envelope(BaseModel, Generic[T]):
    model_config = ConfigDict(populate_by_name=True)

    data: T | None = None
    error_code: int | None = None
    error_message: str | None = None
    error_descriptions: Any = None


class ErrorEnvelope(BaseModel):
    """What every failure looks like on the wire (documents the OpenAPI default response)."""

    data: None = None
    error_code: int
    error_message: str
    error_descriptions: list[dict[str, Any]] | None = None


class Page(Envelope[list[T]], Generic[T]):
    totalCount: int = Field(default=0)
    returnedCount: int = Field(default=0)


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)


def page(items: Sequence[T], total: int) -> Page[T]:
    return Page[T](data=list(items), totalCount=total, returnedCount=len(items))


def error_body(
    code: ErrorCode, language: str, message: str | None = None, descriptions: Any = None
) -> dict[str, Any]:
    return {
        "data": None,
        "error_code": int(code),
        "error_message": message or message_for(code, language),
        "error_descriptions": descriptions,
    }


def error_response(
    code: ErrorCode,
    *,
    language: str = "en",
    strict: bool = False,
    message: str | None = None,
    descriptions: Any = None,
    headers: dict[str, str] | None = None,
) -> EnvelopeResponse:
    return EnvelopeResponse(
        error_body(code, language, message, descriptions),
        status_code=ERRORS[code].http_status(strict),
        headers=headers,
    )


def _strict(request: Request) -> bool:
    return bool(getattr(request.app.state, "strict_errors", False))


def _respond(request: Request, code: ErrorCode, **kwargs: Any) -> EnvelopeResponse:
    return error_response(
        code, language=pick_language(request.headers), strict=_strict(request), **kwargs
    )


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Pydantic's "input" and "ctx" may echo what was sent (a password, an image): never returned.
    return [
        {
            "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or None,
            "code": err.get("type"),
            "message": err.get("msg"),
        }
        for err in exc.errors()
    ]


_DB_DOWN = (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError, OSError)


def _database_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, _DB_DOWN) or type(exc).__module__.startswith("asyncpg")


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route answers on this path (HDR-3). Starlette's 405 names only the methods
    of the first route whose path matched, so GET and POST on one path would say "Allow: GET"."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    )


def crash_response(request: Request, exc: Exception) -> EnvelopeResponse:
    """The answer to an unexpected exception: 503 when the database is unreachable, otherwise a
    500 that names the request id and nothing else (HDR-2). RequestMiddleware calls this while the
    request id is still bound, so the response also gets the security headers (HDR-1)."""
    request_id = request_id_var.get()
    if _database_unavailable(exc):
        log.warning(
            "database unavailable: %s: %s", type(exc).__name__, str(exc).splitlines()[0][:200]
        )
        return _respond(request, ErrorCode.SERVICE_UNAVAILABLE, headers={"Retry-After": "5"})
    log.exception("unhandled error", exc_info=exc, extra={"error_type": type(exc).__name__})
    language = pick_language(request.headers)
    message = f"{message_for(ErrorCode.INTERNAL_ERROR, language)} (request id {request_id})"
    return _respond(request, ErrorCode.INTERNAL_ERROR, message=message)


def install_error_handlers(app: FastAPI) -> None:
    async def on_api_error(request: Request, exc: Exception) -> EnvelopeResponse:
        if not isinstance(exc, ApiError):  # pragma: no cover - registered for ApiError only
            raise exc
        return _respond(
            request,
            exc.code,
            message=exc.message,
            descriptions=exc.descriptions,
            headers=exc.headers,
        )

    async def on_validation(request: Request, exc: Exception) -> EnvelopeResponse:
        if not isinstance(exc, RequestValidationError):  # pragma: no cover
            raise exc
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            return _respond(request, ErrorCode.MALFORMED_JSON)
        return _respond(request, ErrorCode.VALIDATION_FAILED, descriptions=_field_errors(exc))

    async def on_http(request: Request, exc: Exception) -> EnvelopeResponse:
        if not isinstance(exc, StarletteHTTPException):  # pragma: no cover
            raise exc
        code = {
            400: ErrorCode.MALFORMED_JSON,
            401: ErrorCode.UNAUTHORIZED,
            403: ErrorCode.FORBIDDEN,
            404: ErrorCode.ROUTE_NOT_FOUND,
            405: ErrorCode.METHOD_NOT_ALLOWED,
            413: ErrorCode.BODY_TOO_LARGE,
            415: ErrorCode.UNSUPPORTED_CONTENT_TYPE,
            429: ErrorCode.RATE_LIMITED,
            503: ErrorCode.SERVICE_UNAVAILABLE,
        }.get(
            exc.status_code,
            ErrorCode.BAD_REQUEST if exc.status_code < 500 else ErrorCode.INTERNAL_ERROR,
        )
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return _respond(request, code, headers=headers)

    async def on_crash(request: Request, exc: Exception) -> EnvelopeResponse:
        # Reached only without RequestMiddleware (which answers crashes itself, see there).
        return crash_response(request, exc)

    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(Exception, on_crash)
