"""`hawiya outbox list`: the development inbox the console SMS and email providers write to."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from hawiya.cli.common import emit
from hawiya.config import get_settings
from hawiya.providers.outbox import outbox_dir_for, read_outbox

app = typer.Typer(
    help="The development outbox: SMS and email sent through the console providers.",
    no_args_is_help=True,
)


class Channel(StrEnum):
    sms = "sms"
    email = "email"


def _lines(rows: list[dict[str, Any]]) -> list[str]:
    if not rows:
        return ["(the outbox is empty)"]
    out: list[str] = []
    for row in rows:
        if row["channel"] == "sms":
            sender = f" from {row['sender']}" if row.get("sender") else ""
            out.append(f"{row.get('ts', '?')}  sms    to {row.get('to')}{sender}")
        else:
            out.append(f"{row.get('ts', '?')}  email  to {row.get('to')}: {row.get('subject')}")
        out.extend(f"    {line}" for line in str(row.get("text", "")).splitlines() or [""])
    return out


@app.command("list")
def list_messages(
    channel: Annotated[
        Channel | None, typer.Option("--channel", help="only sms or only email")
    ] = None,
    limit: Annotated[
        int, typer.Option("--limit", min=1, max=10_000, help="the newest N messages")
    ] = 20,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Messages in <data_dir>/outbox, oldest first and newest last."""
    directory = outbox_dir_for(get_settings().data_dir)
    rows = read_outbox(directory, channel.value if channel else None, limit)
    emit(rows, as_json, _lines)
