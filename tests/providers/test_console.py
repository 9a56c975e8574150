"""The console gateways write the development inbox: one JSON line per message in a 0600 file,
whole lines under concurrency, and a log line that shows neither the text nor the number."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hawiya.kit.clock import Clock
from hawiya.logs import JsonFormatter
from hawiya.providers.email import ConsoleEmailSender, EmailMessage
from hawiya.providers.errors import ProviderUnavailable
from hawiya.providers.sms import ConsoleSmsGateway, SmsMessage

OTP_TEXT = "رمز التحقق الخاص بك هو 482913"
NUMBER = "+201234567890"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def rendered(caplog: pytest.LogCaptureFixture) -> str:
    """The captured records as the server would log them (message and extras)."""
    formatter = JsonFormatter()
    return "\n".join(formatter.format(r) + " " + r.getMessage() for r in caplog.records)


async def test_sms_outbox_line(outbox_dir: Path, frozen_clock: Clock) -> None:
    frozen_clock.freeze(datetime(2026, 5, 1, 9, 30, 15, 250_000, tzinfo=UTC))

    receipt = await ConsoleSmsGateway(outbox_dir).send(
        SmsMessage(NUMBER, OTP_TEXT, sender="Hawiya")
    )

    path = outbox_dir / "sms.jsonl"
    assert mode(path) == 0o600
    assert mode(outbox_dir) == 0o700
    assert lines(path) == [
        {
            "id": receipt.message_id,
            "ts": "2026-05-01T09:30:15.250000Z",
            "to": NUMBER,
            "text": OTP_TEXT,
            "sender": "Hawiya",
        }
    ]
    assert OTP_TEXT.encode() in path.read_bytes()  # readable UTF-8, not \\u escapes


async def test_sms_log_line_is_redacted(outbox_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hawiya.providers")

    receipt = await ConsoleSmsGateway(outbox_dir).send(SmsMessage(NUMBER, OTP_TEXT))

    assert len(caplog.records) == 1
    logged = rendered(caplog)
    assert "482913" not in logged
    assert OTP_TEXT not in logged
    assert "201234567890" not in logged
    assert "1234567890" not in logged
    assert "+********7890" in logged
    assert str(receipt.message_id) in logged


async def test_email_outbox_line_and_redacted_log(
    outbox_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="hawiya.providers")
    message = EmailMessage(
        "amira.hassan@example.com",
        "رمزك 482913",
        f"{OTP_TEXT}\nسطر ثان",
        "<p dir='rtl'>482913</p>",
    )

    receipt = await ConsoleEmailSender(outbox_dir).send(message)

    path = outbox_dir / "email.jsonl"
    assert mode(path) == 0o600
    [line] = lines(path)
    assert line == {
        "id": receipt.message_id,
        "ts": line["ts"],
        "to": "amira.hassan@example.com",
        "subject": "رمزك 482913",
        "text": f"{OTP_TEXT}\nسطر ثان",
        "html": "<p dir='rtl'>482913</p>",
    }
    assert str(line["ts"]).endswith("Z")
    assert len(caplog.records) == 1
    logged = rendered(caplog)
    assert "482913" not in logged
    assert "amira.hassan" not in logged
    assert "a***********@example.com" in logged


async def test_an_existing_wider_file_is_narrowed_to_0600(outbox_dir: Path) -> None:
    outbox_dir.mkdir()
    path = outbox_dir / "sms.jsonl"
    path.write_text('{"id": "old", "ts": "2020-01-01T00:00:00.000000Z"}\n')
    os.chmod(path, 0o644)

    await ConsoleSmsGateway(outbox_dir).send(SmsMessage(NUMBER, "x"))

    assert mode(path) == 0o600
    assert lines(path)[0]["id"] == "old"
    assert len(lines(path)) == 2


async def test_concurrent_appends_stay_whole_lines(outbox_dir: Path) -> None:
    gateway = ConsoleSmsGateway(outbox_dir)
    sender = ConsoleEmailSender(outbox_dir)
    long_text = OTP_TEXT * 400  # ~12 KB per line: far past any small-write atomicity

    sms_receipts, email_receipts = await asyncio.gather(
        asyncio.gather(*(gateway.send(SmsMessage(NUMBER, f"{i}:{long_text}")) for i in range(40))),
        asyncio.gather(
            *(
                sender.send(EmailMessage("a@example.com", "s", f"{i}:{long_text}"))
                for i in range(10)
            )
        ),
    )

    sms = lines(outbox_dir / "sms.jsonl")
    emails = lines(outbox_dir / "email.jsonl")
    assert len(sms) == 40
    assert len(emails) == 10
    assert sorted(int(str(r["text"]).split(":")[0]) for r in sms) == list(range(40))
    assert all(str(r["text"]).endswith(long_text) for r in sms + emails)
    ids = {r.message_id for r in sms_receipts} | {r.message_id for r in email_receipts}
    assert len(ids) == 50
    assert ids == {r["id"] for r in sms + emails}


async def test_an_unwritable_outbox_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")

    with pytest.raises(ProviderUnavailable, match="development outbox"):
        await ConsoleSmsGateway(blocker).send(SmsMessage(NUMBER, OTP_TEXT))
    with pytest.raises(ProviderUnavailable, match="development outbox"):
        await ConsoleEmailSender(blocker).send(EmailMessage("a@example.com", "s", "t"))
