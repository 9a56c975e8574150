"""`hawiya webhook`, run as real subprocesses. The forms are a fixed contract:
`webhook add URL --tenant NAME --event App.BusinessRequestStatusChange --json` prints one JSON
object, the subscription with its `secret`; `list`, `deliveries` and `redeliver` take `--json`."""

from __future__ import annotations

import json

from fastapi import FastAPI

from tests.fixtures.cli import Cli
from tests.fixtures.factories import create_tenant
from tests.webhooks.support import EVENT, emit

URL = "https://93.184.215.14/hawiya/hook"


async def test_the_fixed_scripting_form(cli: Cli, cli_app: FastAPI) -> None:
    tenant = await create_tenant(cli_app)
    added = cli.json("webhook", "add", URL, "--tenant", tenant.name, "--event", EVENT, "--json")
    assert added["url"] == URL and added["events"] == [EVENT] and added["isActive"] is True
    assert added["secret"].startswith("whsec_") and len(added["secret"]) == 50
    listed = cli.run("webhook", "list", "--tenant", tenant.name, "--json").stdout
    assert added["secret"] not in listed
    (row,) = json.loads(listed)
    assert row["id"] == added["id"] and "secret" not in row

    await emit(cli_app, tenant.id)
    (pending,) = cli.json("webhook", "deliveries", added["id"], "--tenant", tenant.name, "--json")
    assert pending["status"] == "pending" and pending["webhookEvent"] == EVENT
    again = cli.json("webhook", "redeliver", pending["id"], "--tenant", tenant.name, "--json")
    assert again["id"] == pending["id"] and again["status"] == "pending"

    rotated = cli.json("webhook", "rotate-secret", added["id"], "--tenant", tenant.name, "--json")
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != added["secret"]
    assert rotated["rotationEndTime"] is not None

    cli.run("webhook", "remove", added["id"], "--tenant", tenant.name)
    assert cli.json("webhook", "list", "--tenant", tenant.name, "--json") == []


async def test_refusals_exit_non_zero(cli: Cli, cli_app: FastAPI) -> None:
    tenant = await create_tenant(cli_app)
    results = cli.run_many(
        ("webhook", "add", "http://127.0.0.1:9/hook", "--tenant", tenant.name, "--json"),
        ("webhook", "add", "https://169.254.169.254/", "--tenant", tenant.name, "--json"),
        ("webhook", "add", URL, "--tenant", tenant.name, "--event", "App.Nope", "--json"),
        ("webhook", "remove", "00000000-0000-4000-8000-000000000000", "--tenant", tenant.name),
    )
    for result in results:
        assert result.returncode == 1, result
        assert result.stdout == "" and result.stderr.startswith("error: ")
    assert "webhook URL is refused" in results[0].stderr
    assert "Unknown webhook event" in results[2].stderr
    assert "not found" in results[3].stderr
    assert cli.json("webhook", "list", "--tenant", tenant.name, "--json") == []
