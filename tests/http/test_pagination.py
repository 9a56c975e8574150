"""SkipCount / MaxResultCount on the list endpoints (spec §1.5, RES-4): any casing, correct counts,
clamped at 100, invalid values refused with 9001; ids lowercase UUIDv4 and times in UTC ("Z")."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI

from hawiya.audit import service as audit_service
from hawiya.auth import service as auth_service
from hawiya.db.session import session_scope
from hawiya.errors import ErrorCode
from tests.http.routes import Caller, new_caller
from tests.http.support import assert_error, assert_ids_and_times, assert_success, scanned

LISTS = ["/api/hawiya/ApiKeys", "/api/hawiya/AuditEvents"]
EXTRA_KEYS = 105  # more than the 100 a page may hold


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def crowded(app: FastAPI) -> Caller:
    """A tenant with more API keys (and so audit events) than one page can hold. Shared by the
    module: the tests here only read."""
    async with scanned(app) as http:
        caller = await new_caller(app, http)
    async with session_scope(app.state.db.writer) as session:
        for i in range(EXTRA_KEYS):
            await auth_service.create_api_key(
                session, uuid.UUID(caller.tenant.id), name=f"page-{i:03}", actor=audit_service.CLI
            )
    return caller


async def _page(http: httpx.AsyncClient, c: Caller, path: str, query: str = "") -> dict[str, Any]:
    response = await http.get(f"{path}{query}", headers=c.admin())
    assert_success(response)
    body: dict[str, Any] = response.json()
    assert body["returnedCount"] == len(body["data"])
    assert_ids_and_times(body)
    return body


@pytest.mark.parametrize("path", LISTS)
async def test_paging_counts_and_casing(app: FastAPI, crowded: Caller, path: str) -> None:
    async with scanned(app) as http:
        first = await _page(http, crowded, path)
        total = first["totalCount"]
        assert total > 100 and first["returnedCount"] == 20  # default page size
        everything: list[dict[str, Any]] = []
        for skip in range(0, total, 40):
            page = await _page(http, crowded, path, f"?SkipCount={skip}&MaxResultCount=40")
            assert page["totalCount"] == total
            assert page["returnedCount"] == min(40, total - skip)
            everything.extend(page["data"])
        ids = [row["id"] for row in everything]
        assert len(ids) == total == len(set(ids))  # no row twice, none missing
        for query in (
            "?SkipCount=3&MaxResultCount=2",
            "?skipCount=3&maxResultCount=2",
            "?skipcount=3&maxresultcount=2",
            "?SKIPCOUNT=3&MAXRESULTCOUNT=2",
        ):
            page = await _page(http, crowded, path, query)
            assert [row["id"] for row in page["data"]] == ids[3:5], query
            assert (page["totalCount"], page["returnedCount"]) == (total, 2), query
        beyond = await _page(http, crowded, path, f"?SkipCount={total}")
        assert beyond["data"] == [] and beyond["returnedCount"] == 0
        assert beyond["totalCount"] == total


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("size", ["100000", "101", "2147483648"])
async def test_page_size_is_clamped_to_100(
    app: FastAPI, crowded: Caller, path: str, size: str
) -> None:
    async with scanned(app) as http:
        for name in ("MaxResultCount", "maxresultcount"):
            page = await _page(http, crowded, path, f"?{name}={size}")
            assert page["returnedCount"] == 100 and page["totalCount"] > 100


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "query",
    [
        "SkipCount=-1",
        "skipcount=-1",
        "MaxResultCount=0",
        "MaxResultCount=-5",
        "maxResultCount=-5",
        "SkipCount=abc",
        "skipCount=abc",
        "MaxResultCount=1.5",
        "maxresultcount=1e3",
        "MaxResultCount=",
        "SkipCount=99999999999999999999",
    ],
)
async def test_invalid_paging_values_are_refused(
    app: FastAPI, crowded: Caller, path: str, query: str
) -> None:
    async with scanned(app) as http:
        response = await http.get(f"{path}?{query}", headers=crowded.admin())
        body = assert_error(response, ErrorCode.VALIDATION_FAILED)
        assert body["error_descriptions"], body
