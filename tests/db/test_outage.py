"""DUR-3: with the database unreachable the API answers 503 with the envelope (never a 500 with a
traceback), and it recovers on its own within 10 s of the database returning, without a restart.

The outage is a TCP proxy between the app and PostgreSQL that is stopped (open connections are
aborted, new ones refused) and started again on the same port."""

from __future__ import annotations

import asyncio
import logging
import time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from hawiya.app import create_app
from hawiya.config import DatabaseSettings, Settings
from tests.conftest import client_for
from tests.fixtures.cli import variant
from tests.fixtures.factories import admin_token, create_tenant
from tests.fixtures.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres_only

RECOVERY_SECONDS = 10


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers.get("retry-after") == "5"
    assert response.json() == {
        "data": None,
        "error_code": 9010,
        "error_message": "The service is temporarily unavailable; retry shortly.",
        "error_descriptions": None,
    }
    assert "Traceback" not in response.text and "asyncpg" not in response.text


async def test_outage_answers_503_and_recovers_without_restart(
    app: FastAPI, settings: Settings, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    tenant = await create_tenant(app)
    target = make_url(database_url)
    proxy = TcpProxy(target.host or "127.0.0.1", target.port or 5432)
    await proxy.start()
    proxied = target.set(host=proxy.host, port=proxy.port).render_as_string(hide_password=False)
    application = create_app(
        variant(settings, database=DatabaseSettings(url=proxied)), run_worker=False
    )
    try:
        async with (
            application.router.lifespan_context(application),
            client_for(application) as http,
        ):
            token = await admin_token(http, tenant)
            headers = tenant.headers(token)
            login_body = {
                "tenancyName": tenant.name,
                "userNameOrEmailAddress": tenant.admin_email,
                "password": tenant.admin_password,
            }
            assert (await http.get("/ready")).status_code == 200
            assert (
                await http.get("/api/hawiya/Session/Current", headers=headers)
            ).status_code == 200
            created = await http.post(
                "/api/hawiya/ApiKeys", json={"name": "before-outage"}, headers=headers
            )
            assert created.status_code == 200 and created.json()["error_code"] is None
            created_id = created.json()["data"]["id"]

            await proxy.stop()
            caplog.clear()
            with caplog.at_level(logging.INFO):
                assert_unavailable(await http.get("/ready"))
                assert_unavailable(await http.get("/api/hawiya/Session/Current", headers=headers))
                assert_unavailable(await http.get("/api/hawiya/ApiKeys", headers=headers))
                assert_unavailable(
                    await http.post("/api/credentials/Login", json=login_body, headers=headers)
                )
            # Logged as an outage, not as a crash with a stack trace.
            app_records = [r for r in caplog.records if r.name.startswith("hawiya")]
            assert not [r for r in app_records if r.exc_info], app_records
            assert any("database unavailable" in r.getMessage() for r in app_records)

            await proxy.start()
            returned = time.monotonic()
            statuses: tuple[int, ...] = ()
            while time.monotonic() - returned < RECOVERY_SECONDS:
                ready = await http.get("/ready")
                session = await http.get("/api/hawiya/Session/Current", headers=headers)
                statuses = (ready.status_code, session.status_code)
                if statuses == (200, 200):
                    break
                await asyncio.sleep(0.2)
            assert statuses == (200, 200), f"not recovered {RECOVERY_SECONDS} s after the return"
            assert session.json()["data"]["tenant"]["tenancyName"] == tenant.name

            # What got a 2xx before the outage is still there, and writes work again.
            listed = await http.get("/api/hawiya/ApiKeys", headers=headers)
            assert created_id in [key["id"] for key in listed.json()["data"]]
            assert (
                await http.post("/api/credentials/Login", json=login_body, headers=headers)
            ).json()["error_code"] is None
    finally:
        await proxy.stop()
