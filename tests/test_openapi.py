"""The published OpenAPI document: every route is in it under its handler's name (the operationId
the SDKs will use, so a rename must be deliberate), every 200 response is an envelope, and /docs
serves."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from hawiya.api import api_routes
from tests.http.routes import methods_of
from tests.http.support import ENVELOPE_KEYS, scanned

# Snapshot: renaming a handler renames an SDK method. Update this list only on purpose.
OPERATION_IDS = [
    "approve_identity_review",
    "cancel_verified_digital_identity",
    "cancel_verified_digital_identity_for_admin",
    "change_password",
    "check_existence_of_email_or_phone",
    "create_api_key",
    "create_webhook",
    "delete_webhook",
    "disable_webhook",
    "enable_webhook",
    "forget_password_by_phone_send_phone_otp",
    "forget_password_by_phone_validate_phone_otp",
    "forget_password_reset",
    "forget_password_send_email_otp",
    "forget_password_validate_email_otp",
    "forget_password_validate_phone_otp",
    "get_current_session",
    "get_health",
    "get_identity_review",
    "get_ready",
    "get_step_image",
    "get_transaction_by_id",
    "get_user_digital_identity_images",
    "get_webhook",
    "link_user_with_existing_transaction",
    "list_api_keys",
    "list_audit_events",
    "list_identity_reviews",
    "list_webhook_deliveries",
    "list_webhooks",
    "login",
    "login_user",
    "ocr_aml_validate",
    "ocr_classification",
    "ocr_face_compare",
    "ocr_face_match",
    "ocr_id_back",
    "ocr_id_front",
    "ocr_liveness_multi",
    "redeliver_webhook",
    "refresh_token",
    "refresh_user_token",
    "register",
    "register_step_create",
    "register_step_verify_email",
    "register_step_verify_oauth_token",
    "register_step_verify_phone",
    "reject_identity_review",
    "revoke_api_key",
    "rotate_api_key",
    "rotate_webhook_secret",
    "send_password_reset_code",
    "update_email_request",
    "update_phone_number_request",
    "validate_update_email_request_otp",
    "validate_update_phone_number_request_otp",
    "verify_email",
    "verify_id_back",
    "verify_id_front",
    "verify_liveness_multi",
    "verify_oauth_token",
]
# Routes left out of the schema on purpose, and why.
NOT_IN_SCHEMA = {"/metrics": "Prometheus text for scrapers, not part of the API"}


async def _schema(app: FastAPI) -> dict[str, Any]:
    async with scanned(app) as http:
        response = await http.get("/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = schema["components"]["schemas"][name]
    return node


async def test_every_route_is_listed_under_its_handler_name(app: FastAPI) -> None:
    schema = await _schema(app)
    operations = {
        (method.upper(), path): operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    }
    for route in api_routes():
        for method in methods_of(route):
            if not route.include_in_schema:
                assert route.path in NOT_IN_SCHEMA, f"{route.path} is hidden without a reason"
                continue
            operation = operations.get((method, route.path))
            assert operation is not None, f"{method} {route.path} missing from /openapi.json"
            assert operation["operationId"] == route.name, route.path
    ids = sorted(op["operationId"] for op in operations.values())
    assert ids == OPERATION_IDS
    assert len(ids) == len(set(ids))


async def test_every_200_response_is_an_envelope(app: FastAPI) -> None:
    schema = await _schema(app)
    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            content = operation["responses"]["200"]["content"]
            json_types = [t for t in content if t.startswith("application/json")]
            assert json_types, (method, path, list(content))
            for media in json_types:
                body = _resolve(schema, content[media]["schema"])
                assert set(body["properties"]) >= ENVELOPE_KEYS, (method, path)
                extra = set(body["properties"]) - ENVELOPE_KEYS
                assert extra in (set(), {"totalCount", "returnedCount"}, {"services"}), extra
                checked += 1
    assert checked == len(OPERATION_IDS)


async def test_list_operations_document_paging(app: FastAPI) -> None:
    schema = await _schema(app)
    for path in ("/api/hawiya/ApiKeys", "/api/hawiya/AuditEvents"):
        operation = schema["paths"][path]["get"]
        names = {p["name"] for p in operation.get("parameters", [])}
        assert {"SkipCount", "MaxResultCount"} <= names, path
        body = _resolve(
            schema,
            operation["responses"]["200"]["content"][
                next(iter(operation["responses"]["200"]["content"]))
            ]["schema"],
        )
        assert {"totalCount", "returnedCount"} <= set(body["properties"])


async def test_docs_page(app: FastAPI) -> None:
    async with scanned(app) as http:
        response = await http.get("/docs")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert "/openapi.json" in response.text
        assert (await http.get("/redoc")).status_code == 404  # turned off


async def test_errors_are_documented_as_the_envelope_and_no_422_is_advertised(app: FastAPI) -> None:
    # Validation failures are envelopes (200 with 9001, or 400/413/415), never FastAPI's 422 body.
    async with scanned(app) as http:
        response = await http.get("/openapi.json")
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    schema = response.json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    error = schema["components"]["schemas"]["ErrorEnvelope"]
    assert set(error["properties"]) == ENVELOPE_KEYS
    assert set(error["required"]) >= {"error_code", "error_message"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "422" not in operation["responses"], (method, path)
            default = operation["responses"]["default"]["content"]["application/json"]["schema"]
            assert default == {"$ref": "#/components/schemas/ErrorEnvelope"}, (method, path)
