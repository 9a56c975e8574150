"""The development outbox reader and `hawiya outbox list`, the latter run as a real subprocess
with HAWIYA_DATA_DIR pointing at a data dir the console providers wrote to."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hawiya.kit.clock import Clock
from hawiya.providers.email import ConsoleEmailSender, EmailMessage
from hawiya.providers.outbox import outbox_dir_for, read_outbox
from hawiya.providers.sms import ConsoleSmsGateway, SmsMessage
from tests.fixtures.cli import HAWIYA, clean_env

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


async def fill(outbox_dir: Path, clock: Clock) -> None:
    """sms at t0, email at t0+1s, sms at t0+2s, email at t0+3s."""
    sms = ConsoleSmsGateway(outbox_dir)
    mail = ConsoleEmailSender(outbox_dir)
    clock.freeze(T0)
    await sms.send(SmsMessage("+201000000001", "رمز 111111", sender="Hawiya"))
    clock.freeze(T0 + timedelta(seconds=1))
    await mail.send(EmailMessage("one@example.com", "رمز البريد", "222222"))
    clock.freeze(T0 + timedelta(seconds=2))
    await sms.send(SmsMessage("+201000000002", "code 333333"))
    clock.freeze(T0 + timedelta(seconds=3))
    await mail.send(EmailMessage("two@example.com", "second", "444444", "<b>444444</b>"))
    clock.unfreeze()


def texts(rows: list[dict[str, Any]]) -> list[str]:
    return [str(r["text"]) for r in rows]


async def test_reader_merges_channels_newest_last(outbox_dir: Path, frozen_clock: Clock) -> None:
    await fill(outbox_dir, frozen_clock)

    rows = read_outbox(outbox_dir)

    assert texts(rows) == ["رمز 111111", "222222", "code 333333", "444444"]
    assert [r["channel"] for r in rows] == ["sms", "email", "sms", "email"]
    assert texts(read_outbox(outbox_dir, "sms")) == ["رمز 111111", "code 333333"]
    assert texts(read_outbox(outbox_dir, "email", limit=1)) == ["444444"]
    assert texts(read_outbox(outbox_dir, limit=3)) == ["222222", "code 333333", "444444"]
    assert read_outbox(outbox_dir, limit=0) == []


def test_reader_on_a_missing_or_damaged_outbox(tmp_path: Path) -> None:
    assert read_outbox(tmp_path / "nowhere") == []
    (tmp_path / "sms.jsonl").write_text(
        '{"id": "a", "ts": "2026-01-01T00:00:00.000000Z", "text": "ok"}\n'
        '{"id": "b", "ts": "2026-01-01T00:00:01.0\n'  # a line cut short by a crash
        "[1, 2]\n"
        '{"id": "c", "ts": "2026-01-01T00:00:02.000000Z", "text": "also ok"}\n'
    )

    assert [r["id"] for r in read_outbox(tmp_path)] == ["a", "c"]
    with pytest.raises(ValueError, match="channel"):
        read_outbox(tmp_path, "fax")
    with pytest.raises(ValueError, match="limit"):
        read_outbox(tmp_path, limit=-1)


def hawiya(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HAWIYA), *args],
        env=clean_env(HAWIYA_DATA_DIR=str(data_dir), HAWIYA_LOG_LEVEL="WARNING"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_cli_lists_the_outbox(tmp_path: Path, frozen_clock: Clock) -> None:
    await fill(outbox_dir_for(tmp_path), frozen_clock)

    listed = hawiya(tmp_path, "outbox", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert texts(rows) == ["رمز 111111", "222222", "code 333333", "444444"]
    assert rows[0] == {
        "id": rows[0]["id"],
        "ts": "2026-05-01T09:00:00.000000Z",
        "to": "+201000000001",
        "text": "رمز 111111",
        "sender": "Hawiya",
        "channel": "sms",
    }
    assert rows[3]["subject"] == "second"
    assert rows[3]["html"] == "<b>444444</b>"

    filtered = hawiya(tmp_path, "outbox", "list", "--json", "--channel", "email", "--limit", "1")
    assert filtered.returncode == 0, filtered.stderr
    assert texts(json.loads(filtered.stdout)) == ["444444"]

    human = hawiya(tmp_path, "outbox", "list", "--channel", "sms")
    assert human.returncode == 0, human.stderr
    assert human.stdout.splitlines() == [
        "2026-05-01T09:00:00.000000Z  sms    to +201000000001 from Hawiya",
        "    رمز 111111",
        "2026-05-01T09:00:02.000000Z  sms    to +201000000002",
        "    code 333333",
    ]


def test_cli_on_an_empty_data_dir_and_a_bad_channel(tmp_path: Path) -> None:
    empty = hawiya(tmp_path, "outbox", "list", "--json")
    assert (empty.returncode, empty.stdout.strip()) == (0, "[]")

    bad = hawiya(tmp_path, "outbox", "list", "--channel", "fax")
    assert bad.returncode == 2
    assert "fax" in bad.stderr
