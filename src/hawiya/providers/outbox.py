"""The development outbox: where the console SMS gateway and the console email sender deliver.

Each channel is one JSON-lines file under the outbox directory (<data_dir>/outbox by default):
sms.jsonl and email.jsonl, mode 0600, one message per line. A line is written with a single
append-mode write, so concurrent writers (threads or processes) never interleave inside a line.
The full message is stored, OTP included: the outbox is a development inbox that a developer reads
with `hawiya outbox list`, and must never be the gateway of a production deployment.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import anyio.to_thread

from hawiya.kit.clock import utcnow
from hawiya.providers.errors import ProviderUnavailable

CHANNELS: Final = ("sms", "email")
FILE_MODE: Final = 0o600
DIR_MODE: Final = 0o700


def outbox_dir_for(data_dir: Path) -> Path:
    """Where the development outbox lives for a given data directory."""
    return data_dir / "outbox"


def outbox_file(outbox_dir: Path, channel: str) -> Path:
    if channel not in CHANNELS:
        raise ValueError(f"unknown outbox channel {channel!r}; expected one of {CHANNELS}")
    return outbox_dir / f"{channel}.jsonl"


def timestamp() -> str:
    """UTC now as ISO 8601 with a Z suffix, microsecond precision (sortable as text)."""
    return utcnow().isoformat(timespec="microseconds").replace("+00:00", "Z")


def append_record(outbox_dir: Path, channel: str, record: Mapping[str, Any]) -> Path:
    """Append one record as one JSON line; blocking (call it from a worker thread)."""
    path = outbox_file(outbox_dir, channel)
    outbox_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    line = (json.dumps(dict(record), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        # The file may predate us with a wider mode (or the umask may have narrowed ours
        # differently): it holds OTPs, so it is always owner-only.
        if os.stat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
        # One write() of the whole line with O_APPEND: other appenders cannot land inside it.
        written = os.write(fd, line)
        if written != len(line):  # pragma: no cover - only on a full disk
            raise OSError(f"short write to {path}: {written} of {len(line)} bytes")
    finally:
        os.close(fd)
    return path


async def deliver(
    outbox_dir: Path, channel: str, provider: str, fields: Mapping[str, Any]
) -> tuple[str, Path]:
    """Append one message (given fields plus a fresh id and timestamp) to the development outbox,
    off the event loop; a write failure is ProviderUnavailable. Returns the id and the file."""
    message_id = str(uuid.uuid4())
    record = {"id": message_id, "ts": timestamp(), **fields}
    try:
        path = await anyio.to_thread.run_sync(append_record, outbox_dir, channel, record)
    except OSError as exc:
        raise ProviderUnavailable(
            provider, f"cannot write the development outbox: {exc.strerror or exc}"
        ) from exc
    return message_id, path


def read_outbox(
    outbox_dir: Path, channel: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Messages in the development outbox, oldest first and newest last.

    `channel` keeps only "sms" or "email"; `limit` keeps the newest N. Lines that are not a JSON
    object (a write cut short by a crash) are skipped. Every record carries its "channel".
    """
    if limit is not None and limit < 0:
        raise ValueError("limit must not be negative")
    channels = CHANNELS if channel is None else (channel,)
    records: list[tuple[str, int, dict[str, Any]]] = []
    for name in channels:
        path = outbox_file(outbox_dir, name)
        try:
            raw = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            continue
        for index, line in enumerate(raw.splitlines()):
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if not isinstance(record, dict):
                continue
            record["channel"] = name
            records.append((str(record.get("ts", "")), index, record))
    # Timestamps are fixed-width UTC text, so they sort as strings; ties keep file order.
    records.sort(key=lambda item: (item[0], item[1]))
    result = [record for _, _, record in records]
    if limit is not None:
        result = result[len(result) - limit :] if limit else []
    return result
