"""The OpenAPI document, corrected to what the server really answers.

FastAPI advertises a 422 HTTPValidationError on every operation with parameters, but validation
failures here are envelopes (HTTP 200 with 9001, or 400/413/415 for protocol errors). Those 422s are
removed and every operation instead declares the error envelope as its default response.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from hawiya.envelope import ErrorEnvelope

_ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}


def install_openapi(app: FastAPI) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["ErrorEnvelope"] = ErrorEnvelope.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses["default"] = {
                    "description": "Error envelope: data is null and error_code names the failure "
                    "(see docs/errors.md for the HTTP status of each code)",
                    "content": {"application/json": {"schema": _ERROR_REF}},
                }
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
