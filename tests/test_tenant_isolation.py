"""Tenant isolation: TEN-1 (cross-tenant ids answer exactly like missing ones), TEN-2 (the tenant
comes from the ApiKey only), TEN-3 (ids are lowercase UUIDv4), TEN-4 (tenant_id NOT NULL and
indexed, filtered in one place only, never without a tenant) and TEN-8 (unknown fields refused, no
secret in any response; every response of these tests also goes through the scanner in
tests/http/support.py)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import inspect

from hawiya.auth.repository import ApiKeyRepository
from hawiya.db.repository import TenantContextMissing
from hawiya.db.session import session_scope
from hawiya.errors import ErrorCode
from hawiya.models import Base
from tests.http.routes import (
    CASES,
    Caller,
    auth_kind,
    case_for,
    concrete,
    create_key,
    ensure_user,
    headers_for,
    login_body,
    new_caller,
    pending_review,
    route_for,
    route_keys,
    takes_body,
)
from tests.http.support import (
    SCANNER,
    UUID4,
    assert_error,
    assert_ids_and_times,
    assert_success,
    random_id,
    scanned,
)

E = ErrorCode
ROUTES = route_keys()
ID_ROUTES = [(m, p) for m, p in ROUTES if "{" in p]
ADMIN_ROUTES = [(m, p) for m, p in ROUTES if auth_kind(route_for(m, p)) == "admin"]
USER_ROUTES = [(m, p) for m, p in ROUTES if auth_kind(route_for(m, p)) == "user"]
WRITE_ROUTES = [(m, p) for m, p in ROUTES if m in ("POST", "PUT", "PATCH", "DELETE")]
SRC = Path(__file__).resolve().parents[1] / "src" / "hawiya"

# Tables whose tenant_id may be NULL, and why. Every other table with a tenant_id has it NOT NULL.
NULLABLE_TENANT = {
    "audit_event": "platform events (signing-key rotation) belong to no tenant",
    "job": "platform jobs (maintenance) run for no tenant",
    "aml_list": "public sanctions lists (UN, OFAC, EU ...) belong to no tenant",
    "aml_entry": "entries of the public sanctions lists belong to no tenant",
}


async def _keys(http: httpx.AsyncClient, c: Caller) -> dict[str, Any]:
    response = await http.get("/api/hawiya/ApiKeys?MaxResultCount=100", headers=c.admin())
    assert_success(response)
    body: dict[str, Any] = response.json()
    return body


async def _events(http: httpx.AsyncClient, c: Caller) -> dict[str, Any]:
    response = await http.get("/api/hawiya/AuditEvents?MaxResultCount=100", headers=c.admin())
    assert_success(response)
    body: dict[str, Any] = response.json()
    return body


# The not-found code of each family of id routes (first matching prefix); API keys otherwise.
# Routes with their own not-found code also have a TEN-1 test with the tenant's real rows
# (tests/webhooks/test_endpoints.py); here their ids are A's API keys, which are foreign too.
MISSING_CODES = [
    ("/api/hawiya/IdentityReviews/", E.TRANSACTION_OR_TOKEN_INVALID),
    ("/api/hawiya/Webhooks/Deliveries/", E.WEBHOOK_DELIVERY_NOT_FOUND),
    ("/api/hawiya/Webhooks/", E.WEBHOOK_NOT_FOUND),
]


def missing_code(path: str) -> ErrorCode:
    return next(
        (code for prefix, code in MISSING_CODES if path.startswith(prefix)), E.API_KEY_NOT_FOUND
    )


# ------------------------------------------------------------------------------------------------
# TEN-1


def test_every_id_route_is_covered() -> None:
    assert ID_ROUTES, "no route takes an id: the matrix below tests nothing"
    for key in ID_ROUTES:
        case_for(*key)  # fails with a message when a new id route has no case


@pytest.mark.parametrize(("method", "path"), ID_ROUTES, ids=[f"{m} {p}" for m, p in ID_ROUTES])
async def test_foreign_id_answers_like_a_missing_one(app: FastAPI, method: str, path: str) -> None:
    case = case_for(method, path)
    transaction = "{transactionId}" in path
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        if transaction:
            owned = {"id": await pending_review(a), "prefix": "-"}
        else:
            owned = await create_key(a, "owned-by-a")
        body = case.body(b) if case.body else None

        async def as_b(identifier: str) -> httpx.Response:
            return await http.request(
                method, concrete(path, identifier), json=body, headers=b.admin()
            )

        baseline = await as_b(random_id())
        assert_error(baseline, missing_code(path))
        for identifier in (owned["id"], owned["id"].upper(), random_id(), "not-a-uuid", "12345"):
            response = await as_b(identifier)
            assert response.status_code == baseline.status_code, identifier
            assert response.content == baseline.content, identifier
            for secret in (owned["id"], a.tenant.id, a.tenant.name, owned["prefix"]):
                assert secret.lower() not in response.text.lower()
        if transaction:  # A's verification is still waiting for A's officers
            mine = await http.get(f"/api/hawiya/IdentityReviews/{owned['id']}", headers=a.admin())
            assert assert_success(mine)["state"] == "pending"
            return
        # Nothing happened to A's key: it still authenticates and is not revoked.
        works = await http.get(
            "/api/hawiya/Session/Current",
            headers={"ApiKey": owned["apiKey"], "Authorization": f"Bearer {a.token}"},
        )
        assert assert_success(works)["tenant"]["id"] == a.tenant.id
        (row,) = [k for k in (await _keys(http, a))["data"] if k["id"] == owned["id"]]
        assert row["revocationTime"] is None and row["expirationTime"] is None


async def test_lists_never_show_another_tenants_rows(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        a_keys = {(await create_key(a, f"a-{i}"))["id"] for i in range(3)}
        await create_key(b, "b-only")
        # Attempts to point B's requests at A: every one is ignored or refused.
        await http.get("/api/hawiya/ApiKeys", headers=b.key(Authorization=f"Bearer {a.token}"))
        a_keys |= {row["id"] for row in (await _keys(http, a))["data"]}
        a_events = {row["id"] for row in (await _events(http, a))["data"]}
        b_keys_before = (await _keys(http, b))["totalCount"]
        for query in ("", f"&tenantId={a.tenant.id}", f"&tenant_id={a.tenant.id}"):
            for headers in (
                b.admin(),
                b.admin(**{"X-Tenant-Id": a.tenant.id, "Abp.TenantId": a.tenant.id}),
            ):
                for path, foreign in (
                    ("/api/hawiya/ApiKeys", a_keys),
                    ("/api/hawiya/AuditEvents", a_events),
                ):
                    response = await http.get(f"{path}?MaxResultCount=100{query}", headers=headers)
                    page = response.json()
                    assert_success(response)
                    assert not {row["id"] for row in page["data"]} & foreign, (path, query)
                    assert a.tenant.id not in response.text
                    if path.endswith("ApiKeys"):
                        assert page["totalCount"] == b_keys_before


async def test_tenancy_name_must_match_the_key(app: FastAPI) -> None:
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        mismatch = await http.get(
            "/api/hawiya/Session/Current", headers=a.admin(TenancyName=b.tenant.name)
        )
        assert_error(mismatch, E.TENANCY_NAME_MISMATCH)
        assert mismatch.status_code == 401
        login = await http.post(
            "/api/credentials/Login",
            json=login_body(a.tenant),
            headers=a.key(TenancyName=b.tenant.name),
        )
        assert_error(login, E.TENANCY_NAME_MISMATCH)
        body_mismatch = await http.post(
            "/api/credentials/Login",
            json={**login_body(a.tenant), "tenancyName": b.tenant.name},
            headers=a.key(),
        )
        assert_error(body_mismatch, E.TENANCY_NAME_MISMATCH)
        same = await http.get(
            "/api/hawiya/Session/Current", headers=a.admin(TenancyName=a.tenant.name.upper())
        )
        assert assert_success(same)["tenant"]["id"] == a.tenant.id


@pytest.mark.parametrize(
    ("method", "path"), ADMIN_ROUTES, ids=[f"{m} {p}" for m, p in ADMIN_ROUTES]
)
async def test_another_tenants_token_is_refused(app: FastAPI, method: str, path: str) -> None:
    case = case_for(method, path)
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        body = case.body(b) if case.body else None
        for identifier in (random_id(), (await create_key(a))["id"]):
            response = await http.request(
                method,
                concrete(path, identifier),
                json=body,
                headers=b.key(Authorization=f"Bearer {a.token}"),
            )
            assert_error(response, E.TOKEN_INVALID)
            assert response.status_code == 401
        refresh = await http.post(
            "/api/credentials/RefreshToken", json={"refreshToken": a.refresh}, headers=b.key()
        )
        assert_error(refresh, E.REFRESH_TOKEN_INVALID)
        # A's refresh token was not spent by the attempt.
        assert_success(
            await http.post(
                "/api/credentials/RefreshToken", json={"refreshToken": a.refresh}, headers=a.key()
            )
        )


@pytest.mark.parametrize(("method", "path"), USER_ROUTES, ids=[f"{m} {p}" for m, p in USER_ROUTES])
async def test_another_tenants_user_token_is_refused(app: FastAPI, method: str, path: str) -> None:
    case = case_for(method, path)
    async with scanned(app) as http:
        a, b = await new_caller(app, http), await new_caller(app, http)
        await ensure_user(a)
        body = case.body(b) if case.body else None
        response = await http.request(
            method, path, json=body, headers=b.key(Authorization=f"Bearer {a.user_token}")
        )
        assert_error(response, E.TOKEN_INVALID)
        assert response.status_code == 401
        refresh = await http.post(
            "/api/DigitalIdentity/RefreshToken",
            json={"refreshToken": a.user_refresh},
            headers=b.key(),
        )
        assert_error(refresh, E.REFRESH_TOKEN_INVALID)
        # A's user is untouched and its refresh token unspent.
        assert_success(
            await http.post(
                "/api/DigitalIdentity/RefreshToken",
                json={"refreshToken": a.user_refresh},
                headers=a.key(),
            )
        )


# ------------------------------------------------------------------------------------------------
# TEN-3


async def test_every_id_in_responses_is_a_lowercase_uuid4(app: FastAPI) -> None:
    checked = 0
    async with scanned(app) as http:
        for method, path in ROUTES:
            caller = await new_caller(app, http)
            response = await CASES[(method, path)].success(caller)
            if response.headers["content-type"].startswith("application/json"):
                checked += assert_ids_and_times(response.json())
        caller = await new_caller(app, http)
        for path in ("/api/hawiya/ApiKeys", "/api/hawiya/AuditEvents"):
            checked += assert_ids_and_times((await http.get(path, headers=caller.admin())).json())
    assert checked >= 10


def test_id_columns_default_to_uuid4() -> None:
    for table in Base.metadata.sorted_tables:
        column = table.columns.get("id")
        if column is None or column.default is None:
            continue
        value = column.default.arg(None)  # type: ignore[attr-defined]
        assert isinstance(value, uuid.UUID) and value.version == 4, table.name
        assert UUID4.match(str(value))


# ------------------------------------------------------------------------------------------------
# TEN-4


def _indexed(table: Any, column: str) -> bool:
    leading = [next(iter(index.columns)).name for index in table.indexes]
    leading += [
        next(iter(c.columns)).name for c in table.constraints if hasattr(c, "columns") and c.columns
    ]
    return column in leading


def test_tenant_id_is_not_null_and_indexed_in_the_models() -> None:
    scoped = [t for t in Base.metadata.sorted_tables if "tenant_id" in t.columns]
    assert len(scoped) >= 5
    for table in scoped:
        column = table.columns["tenant_id"]
        assert _indexed(table, "tenant_id"), table.name
        assert [fk.column.table.name for fk in column.foreign_keys] == ["tenant"], table.name
        if table.name in NULLABLE_TENANT:
            continue
        assert not column.nullable, f"{table.name}.tenant_id must be NOT NULL"
    assert set(NULLABLE_TENANT) <= {t.name for t in scoped}  # the allowlist holds no stale names


async def test_tenant_id_is_not_null_and_indexed_in_the_database(app: FastAPI) -> None:
    def read(connection: Any) -> dict[str, tuple[bool, list[list[str]]]]:
        inspector = inspect(connection)
        found = {}
        for table in inspector.get_table_names():
            columns = {c["name"]: c for c in inspector.get_columns(table)}
            if "tenant_id" not in columns:
                continue
            leading = [i["column_names"] for i in inspector.get_indexes(table)]
            leading += [u["column_names"] for u in inspector.get_unique_constraints(table)]
            found[table] = (bool(columns["tenant_id"]["nullable"]), leading)
        return found

    async with app.state.db.engine.connect() as connection:
        tables = await connection.run_sync(read)
    models = {t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.columns}
    assert set(tables) == models  # the migrations and the models agree on which tables
    for table, (nullable, indexes) in tables.items():
        assert any(cols and cols[0] == "tenant_id" for cols in indexes), table
        assert nullable == (table in NULLABLE_TENANT), table


def test_only_the_repository_filters_on_tenant_id() -> None:
    pattern = re.compile(r"\.tenant_id\s*==|filter_by\([^)]*tenant_id")
    allowed = SRC / "db" / "repository.py"
    offenders = []
    for source in SRC.rglob("*.py"):
        if source == allowed or "migrations" in source.parts:
            continue
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{source.relative_to(SRC)}:{number}: {line.strip()}")
    assert not offenders, "filter through TenantRepository instead:\n" + "\n".join(offenders)
    assert pattern.search(allowed.read_text(encoding="utf-8"))  # the pattern does find filters


async def test_repository_without_a_tenant_raises(app: FastAPI) -> None:
    async with session_scope(app.state.db.reader) as session:
        with pytest.raises(TenantContextMissing):
            ApiKeyRepository(session, None)
        with pytest.raises(TenantContextMissing):
            ApiKeyRepository(session, "0b0c9a3e-8a6f-4a53-9d0c-5f0e3c1d2b4a")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------
# TEN-8

FORBIDDEN_FIELDS: list[dict[str, Any]] = [
    {"tenant_id": "{other}"},
    {"tenantId": "{other}"},
    {"TenantId": "{other}"},
    {"role": "admin"},
    {"isActive": False},
    {"id": "{other}"},
    {"createdBy": "{other}"},
    {"keyHash": "0" * 64},
]


def test_every_write_route_is_covered() -> None:
    for key in WRITE_ROUTES:
        case_for(*key)


@pytest.mark.parametrize(
    ("method", "path"), WRITE_ROUTES, ids=[f"{m} {p}" for m, p in WRITE_ROUTES]
)
async def test_unknown_fields_are_refused_and_change_nothing(
    app: FastAPI, method: str, path: str
) -> None:
    route = route_for(method, path)
    case = case_for(method, path)
    async with scanned(app) as http:
        a, other = await new_caller(app, http), await new_caller(app, http)
        headers = await headers_for(a, auth_kind(route), TenancyName=a.tenant.name)
        target = (await create_key(a, "target"))["id"]
        keys_before, events_before = await _keys(http, a), await _events(http, a)
        other_keys = await _keys(http, other)
        for extra in FORBIDDEN_FIELDS:
            fields = {k: (other.tenant.id if v == "{other}" else v) for k, v in extra.items()}
            body = {**(case.body(a) if case.body else {}), **fields}
            response = await http.request(
                method, concrete(path, target), json=body, headers=headers
            )
            if takes_body(route):
                result = assert_error(response, E.VALIDATION_FAILED)
                (field,) = fields
                assert {"field": field, "code": "extra_forbidden"} in [
                    {"field": d["field"], "code": d["code"]} for d in result["error_descriptions"]
                ], result
            else:
                # No body model: the body is never read, so the fields cannot be assigned. The
                # call acts on A's own key or user, as it would without them.
                assert response.json()["error_code"] in (
                    None,
                    E.API_KEY_NOT_FOUND,
                    E.DIGITAL_IDENTITY_NOT_VERIFIED,
                    missing_code(path),
                )
                target = (await create_key(a, "target"))["id"]
        if takes_body(route):
            assert (await _keys(http, a))["data"] == keys_before["data"]
            after = await _events(http, a)
            assert after["totalCount"] == events_before["totalCount"]
        assert (await _keys(http, other))["data"] == other_keys["data"]
        # The credentials the refused calls carried still work as before.
        assert_success(await case.success(a))


async def test_api_keys_are_shown_once(app: FastAPI) -> None:
    async with scanned(app) as http:
        caller = await new_caller(app, http)
        created = await create_key(caller, "once")
        assert created["apiKey"].startswith("hwk_") and len(created["apiKey"]) >= 40
        assert created["prefix"] == created["apiKey"][:12]
        listed = await _keys(http, caller)
        assert created["apiKey"] not in str(listed)
        row = next(r for r in listed["data"] if r["id"] == created["id"])
        assert set(row) == {
            "id",
            "name",
            "prefix",
            "creationTime",
            "revocationTime",
            "expirationTime",
        }
        rotated = await http.post(
            f"/api/hawiya/ApiKeys/{created['id']}/Rotate", json={}, headers=caller.admin()
        )
        fresh = assert_success(rotated)
        assert fresh["apiKey"] != created["apiKey"] and fresh["id"] != created["id"]
        session = await http.get("/api/hawiya/Session/Current", headers=caller.admin())
        assert set(assert_success(session)["admin"]) == {"id", "email", "userName"}
    assert SCANNER.responses > 0
