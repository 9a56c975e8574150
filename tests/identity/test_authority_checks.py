"""The authority checks (NTRA, CSO) behind services.SRC: when the tenant requires them, Verified
depends on them. The default installation reaches no authority, so the user stays Validated and
the verification waits for review; an installation with a real integration (here a test double
behind the same Protocol) verifies the user when the authority confirms."""

from __future__ import annotations

from fastapi import FastAPI

from hawiya.db.session import session_scope
from hawiya.identity.authority import AuthorityQuery, AuthorityResult
from hawiya.tenants import service as tenant_service
from tests.http.routes import Caller, ensure_user, new_caller, verify_user
from tests.http.support import assert_success, scanned


class ConfirmingAuthority:
    def __init__(self) -> None:
        self.queries: list[AuthorityQuery] = []

    async def verify(self, query: AuthorityQuery) -> AuthorityResult:
        self.queries.append(query)
        return AuthorityResult(is_valid=True)


async def _require_checks(app: FastAPI, c: Caller) -> None:
    async with session_scope(app.state.db.writer) as session:
        row = await tenant_service.get_tenant(session, c.tenant.name)
        row.settings = {**(row.settings or {}), "requireAuthorityChecks": True}


async def test_unavailable_checks_keep_the_user_validated(app: FastAPI) -> None:
    async with scanned(app) as http:
        c = await ensure_user(await new_caller(app, http))
        await _require_checks(app, c)
        data = await verify_user(c)
        assert data["isVerificationProcessCompleted"] is True
        assert data["isDigitalIdentityVerified"] is False
        (item,) = assert_success(await http.get("/api/hawiya/IdentityReviews", headers=c.admin()))
        assert item["reasons"] == ["authorityChecks"]


async def test_a_confirming_authority_verifies_the_user(app: FastAPI) -> None:
    authority = ConfirmingAuthority()
    previous = app.state.authority
    app.state.authority = authority
    try:
        async with scanned(app) as http:
            c = await ensure_user(await new_caller(app, http))
            await _require_checks(app, c)
            data = await verify_user(c)
            assert data["isDigitalIdentityVerified"] is True
            (query,) = authority.queries
            assert query.phone_number == c.user_phone and query.id_number
            assert query.full_name
            pending = await http.get("/api/hawiya/IdentityReviews", headers=c.admin())
            assert assert_success(pending) == []
    finally:
        app.state.authority = previous
