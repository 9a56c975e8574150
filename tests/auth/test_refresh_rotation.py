"""TOK-3: refresh rotation with reuse detection, sequential and racing."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from tests.auth.helpers import audit_actions, current_session, login_ok, refresh
from tests.conftest import client_for
from tests.fixtures.factories import create_tenant

REUSE = "auth.refresh_reuse_detected"


def refused(response: httpx.Response, code: int) -> bool:
    return response.status_code == 401 and response.json()["error_code"] == code


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    tenant = await create_tenant(app)
    first = await login_ok(client, tenant)
    r1, a1 = first["refreshToken"], first["accessToken"]

    rotated = await refresh(client, tenant, r1)
    assert rotated.status_code == 200 and rotated.json()["error_code"] is None
    r2, a2 = rotated.json()["data"]["refreshToken"], rotated.json()["data"]["accessToken"]
    assert r2 != r1
    assert (await current_session(client, tenant, a2)).status_code == 200
    assert REUSE not in await audit_actions(app, tenant)

    assert refused(await refresh(client, tenant, r1), 1112)  # reuse of R1
    assert refused(await refresh(client, tenant, r2), 1112)  # R2 died with its family
    assert refused(await current_session(client, tenant, a2), 1106)  # so did the access tokens
    assert refused(await current_session(client, tenant, a1), 1106)
    assert REUSE in await audit_actions(app, tenant)

    # Another login starts a new, unaffected family.
    again = await login_ok(client, tenant)
    assert (await current_session(client, tenant, again["accessToken"])).status_code == 200


async def test_reuse_only_revokes_its_own_family(app: FastAPI, client: httpx.AsyncClient) -> None:
    tenant = await create_tenant(app)
    laptop, phone = await login_ok(client, tenant), await login_ok(client, tenant)
    assert (await refresh(client, tenant, laptop["refreshToken"])).status_code == 200
    assert refused(await refresh(client, tenant, laptop["refreshToken"]), 1112)
    assert (await current_session(client, tenant, phone["accessToken"])).status_code == 200
    assert (await refresh(client, tenant, phone["refreshToken"])).status_code == 200


@pytest.mark.parametrize("racers", [2, 10])
async def test_simultaneous_refreshes_one_wins_then_the_family_is_revoked(
    app: FastAPI, racers: int
) -> None:
    tenant = await create_tenant(app)
    async with client_for(app) as http:
        r1 = (await login_ok(http, tenant))["refreshToken"]

    async def race() -> httpx.Response:
        async with client_for(app) as racer:
            return await refresh(racer, tenant, r1)

    responses = await asyncio.gather(*(race() for _ in range(racers)))
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    assert len(winners) == 1, [r.text for r in responses]
    assert winners[0].json()["error_code"] is None
    assert all(refused(r, 1112) for r in losers), [r.text for r in losers]

    # Documented race behaviour: a loser presented an already-spent token, which is reuse, so the
    # family is revoked and the winner's fresh tokens are refused as well.
    won = winners[0].json()["data"]
    async with client_for(app) as http:
        assert refused(await refresh(http, tenant, won["refreshToken"]), 1112)
        assert refused(await current_session(http, tenant, won["accessToken"]), 1106)
    actions = await audit_actions(app, tenant)
    assert 1 <= actions.count(REUSE) <= racers - 1
    assert actions.count("auth.token_refreshed") == 1
