"""`hawiya aml import|lists|remove`, run as real subprocesses; what they stored is checked in the
database and through the screening read-back of an app on the same database.

The forms are a fixed contract: `aml import FORMAT PATH [--tenant NAME] [--name LISTNAME]
[--json]` prints one JSON object with at least listId, read, imported, skipped and replaced;
`aml lists [--tenant NAME] --json` a JSON array; `aml remove LIST_ID [--tenant NAME]`."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import select

from hawiya.db.session import session_scope
from hawiya.identity.aml.store import screening_entries
from hawiya.models import AmlEntry, AuditEvent
from tests.fixtures.cli import Cli
from tests.fixtures.factories import create_tenant, unique_name
from tests.identity.aml import samples
from tests.identity.aml.samples import NID_1, NID_2


def imported(cli: Cli, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = cli.json("aml", "import", *args, "--json")
    return report


async def test_import_replace_list_and_remove_a_public_list(
    cli: Cli, cli_app: FastAPI, tmp_path: Path
) -> None:
    name = unique_name("un")
    first_file = samples.write(tmp_path / "first.xml", samples.un_xml())
    first = imported(cli, "un", str(first_file), "--name", name)
    assert (first["read"], first["imported"], first["skippedCount"]) == (4, 3, 1)
    assert first["skipped"] == {"no name": {"count": 1, "examples": ["QDi.992"]}}
    assert first["source"] == "UN" and first["tenantId"] is None and first["replaced"] is None
    assert (first["names"], first["idNumbers"], first["persons"], first["entities"]) == (8, 2, 2, 1)

    second_file = samples.write(
        tmp_path / "second.xml", samples.un_xml(samples.un_people(2, "B"), "")
    )
    second = imported(cli, "un", str(second_file), "--name", name)
    assert second["replaced"] == first["listId"] and second["imported"] == 2

    listed = [row for row in cli.json("aml", "lists", "--json") if row["name"] == name]
    assert [(r["id"], r["scope"], r["status"], r["entries"]) for r in listed] == [
        (second["listId"], "global", "active", 2)
    ]
    tenant = await create_tenant(cli_app)
    async with session_scope(cli_app.state.db.reader) as session:
        entries = await screening_entries(
            session, uuid.UUID(tenant.id), keyring=cli_app.state.data_keys
        )
    assert sorted(e.metadata["caseNo"] for e in entries if e.metadata["listName"] == name) == [
        "QDi.B0",
        "QDi.B1",
    ]

    removed = cli.run("aml", "remove", second["listId"])
    assert removed.stdout.strip() == f"removed UN list {name!r} (2 entries)"
    assert name not in {row["name"] for row in cli.json("aml", "lists", "--json")}
    async with session_scope(cli_app.state.db.reader) as session:
        actions = (
            await session.execute(
                select(AuditEvent.action, AuditEvent.actor_kind).where(
                    AuditEvent.target.in_([first["listId"], second["listId"]])
                )
            )
        ).all()
    assert sorted(actions) == [
        ("aml.list_imported", "cli"),
        ("aml.list_imported", "cli"),
        ("aml.list_removed", "cli"),
    ]


async def test_tenant_blacklist_from_the_cli(cli: Cli, cli_app: FastAPI, tmp_path: Path) -> None:
    a, b = await create_tenant(cli_app), await create_tenant(cli_app)
    path = samples.write(tmp_path / "blacklist.csv", samples.blacklist_csv())

    refused = cli.run("aml", "import", "blacklist", str(path), check=False)
    assert refused.returncode == 1 and "belongs to a tenant" in refused.stderr

    report = imported(cli, "blacklist", str(path), "--tenant", a.name)
    assert (report["read"], report["imported"], report["skippedCount"]) == (7, 4, 3)
    assert report["skipped"]["no name or national ID"]["examples"] == ["line 6"]
    assert report["tenantId"] == a.id
    human = cli.run("aml", "import", "blacklist", str(path), "--tenant", a.name)
    assert "invalid national ID (check digit): 1 (e.g. line 4: " in human.stdout
    assert "replaced" in human.stdout
    listed = cli.json("aml", "lists", "--tenant", a.name, "--json")
    (own,) = [r for r in listed if r["scope"] == "tenant"]
    assert own["source"] == "BLACKLIST" and own["entries"] == 4
    assert not [r for r in cli.json("aml", "lists", "--tenant", b.name, "--json") if r["tenantId"]]

    # Another tenant, or the global scope, cannot remove it.
    for scope in (("--tenant", b.name), ()):
        refused = cli.run("aml", "remove", own["id"], *scope, check=False)
        assert refused.returncode == 1 and "no list" in refused.stderr

    async with session_scope(cli_app.state.db.reader) as session:
        rows = list(
            (
                await session.execute(
                    select(AmlEntry).where(AmlEntry.list_id == uuid.UUID(own["id"]))
                )
            ).scalars()
        )
        mine = await screening_entries(session, uuid.UUID(a.id), keyring=cli_app.state.data_keys)
        theirs = await screening_entries(session, uuid.UUID(b.id), keyring=cli_app.state.data_keys)
    assert len(rows) == 4
    for row in rows:
        text = json.dumps([row.names, row.id_numbers, row.details, row.case_no])
        assert NID_1 not in text and NID_2 not in text
        assert row.id_numbers == []
    assert {NID_1, NID_2} <= {e.metadata["idNumber"] for e in mine if e.source == "BLACKLIST"}
    assert not [e for e in theirs if e.source == "BLACKLIST"]

    cli.run("aml", "remove", own["id"], "--tenant", a.name)
    assert not [r for r in cli.json("aml", "lists", "--tenant", a.name, "--json") if r["tenantId"]]


def test_unsafe_or_wrong_files_are_refused(cli: Cli, tmp_path: Path) -> None:
    name = unique_name("eu")
    xxe = samples.write(
        tmp_path / "xxe.xml",
        '<?xml version="1.0"?><!DOCTYPE export [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<export><sanctionEntity><nameAlias wholeName='&x;'/></sanctionEntity></export>",
    )
    wrong = samples.write(tmp_path / "un.xml", samples.un_xml())
    results = cli.run_many(
        ("aml", "import", "eu", str(xxe), "--name", name),
        ("aml", "import", "eu", str(wrong), "--name", name),
        ("aml", "import", "csv", str(wrong)),
        ("aml", "import", "eu", str(tmp_path / "missing.xml")),
    )
    assert [r.returncode for r in results] == [1, 1, 2, 2]
    assert "refused: the file declares a DOCTYPE" in results[0].stderr
    assert "root element is <CONSOLIDATED_LIST>" in results[1].stderr
    assert "unknown format 'csv'" in results[2].stderr
    assert "no such file" in results[3].stderr
    assert name not in {row["name"] for row in cli.json("aml", "lists", "--json")}


def test_ofac_csv_directory_takes_alt_csv(cli: Cli, tmp_path: Path) -> None:
    samples.write(tmp_path / "sdn.csv", samples.OFAC_SDN_CSV)
    samples.write(tmp_path / "alt.csv", samples.OFAC_ALT_CSV)
    name = unique_name("ofac")
    report = imported(cli, "ofac-csv", str(tmp_path), "--name", name)
    assert (report["imported"], report["names"]) == (2, 5)
    cli.run("aml", "remove", report["listId"])
