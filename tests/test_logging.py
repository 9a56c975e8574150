"""LOG-1: the JSON log lines written while credentials are used carry the request id (and the
tenant id once the ApiKey is known) and never a secret: no password, no JWT, no refresh token, no
API key."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from fastapi import FastAPI

from hawiya.logs import JsonFormatter
from tests.fixtures.factories import PASSWORD
from tests.fixtures.logs import JsonLines
from tests.http.routes import login_body, new_caller
from tests.http.support import assert_error, assert_success, scanned

WRONG_PASSWORD = "Wrong-Horse-Battery-Staple-99"


async def test_credential_flows_log_no_secrets(app: FastAPI, captured: JsonLines) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        tenant = caller.tenant
        ids: dict[str, str | None] = {}  # request id -> tenant expected on its access line

        async def track(response: Any, tenant_id: str | None) -> Any:
            ids[response.headers["x-request-id"]] = tenant_id
            return response

        login_headers = caller.key(TenancyName=tenant.name)
        login = await track(
            await http.post(
                "/api/credentials/Login", json=login_body(tenant), headers=login_headers
            ),
            tenant.id,
        )
        tokens = assert_success(login)
        refresh = await track(
            await http.post(
                "/api/credentials/RefreshToken",
                json={"refreshToken": tokens["refreshToken"]},
                headers=caller.key(),
            ),
            tenant.id,
        )
        refreshed = assert_success(refresh)
        failed = await track(
            await http.post(
                "/api/credentials/Login",
                json={**login_body(tenant), "password": WRONG_PASSWORD},
                headers=login_headers,
            ),
            tenant.id,
        )
        assert_error(failed, 1110)
        auth = caller.key(Authorization=f"Bearer {refreshed['accessToken']}")
        created = await track(
            await http.post("/api/hawiya/ApiKeys", json={"name": "logged"}, headers=auth),
            tenant.id,
        )
        new_key = assert_success(created)["apiKey"]
        spent = await track(
            await http.post(
                "/api/credentials/RefreshToken",
                json={"refreshToken": tokens["refreshToken"]},  # reuse: revokes the family
                headers=caller.key(),
            ),
            tenant.id,
        )
        assert_error(spent, 1112)
        anonymous = await track(
            await http.get("/api/hawiya/ApiKeys", headers={"ApiKey": "hwk_" + "n" * 43}), None
        )
        assert_error(anonymous, 1102)
        in_query = await track(await http.get(f"/health?apikey={tenant.api_key}"), None)
        assert in_query.status_code == 200

    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "access token": tokens["accessToken"],
        "encrypted access token": tokens["encryptedAccessToken"],
        "refresh token": tokens["refreshToken"],
        "rotated refresh token": refreshed["refreshToken"],
        "tenant API key": tenant.api_key,
        "new API key": new_key,
    }
    assert captured.lines, "nothing was logged"
    for line in captured.lines:
        assert "eyJ" not in line, line
        assert "$argon2" not in line, line
        assert not re.search(r"hwk_[A-Za-z0-9_-]{20,}", line), line
        for what, value in secrets.items():
            assert value not in line, (what, line)

    records = captured.records()
    access = [r for r in records if r["logger"] == "hawiya.access"]
    by_request = {r["request_id"]: r for r in access}
    assert set(ids) <= set(by_request), "every request has its access line"
    for request_id, tenant_id in ids.items():
        entry = by_request[request_id]
        assert entry["tenant_id"] == tenant_id, entry
        assert entry["ts"].endswith("Z") and entry["status"] and entry["route"]
    for record in access:
        assert record["request_id"], record
    for record in records:  # any server line written once the ApiKey was resolved
        if record["logger"].startswith("hawiya") and ids.get(record["request_id"]):
            assert record["tenant_id"] == ids[record["request_id"]], record


def test_formatter_redacts_secret_fields_and_values() -> None:
    record = logging.makeLogRecord(
        {
            "name": "hawiya.test",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "token %s key %s",
            "args": ("eyJhbGciOi.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", "hwk_" + "k" * 43),
            "password": PASSWORD,
            "refresh_token": "opaque",
            "details": {"apiKey": "hwk_" + "z" * 43, "name": "kept"},
        }
    )
    line = JsonFormatter().format(record)
    for secret in ("eyJ", "hwk_", PASSWORD, "opaque"):
        assert secret not in line
    assert json.loads(line)["details"]["name"] == "kept"
