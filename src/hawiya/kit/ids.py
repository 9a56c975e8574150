"""Identifiers: lowercase UUIDv4 strings on the wire (spec §1.6, TEN-3)."""

from __future__ import annotations

import uuid


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def parse_uuid(value: str) -> uuid.UUID | None:
    """Parse a UUID in any case; None for anything else (callers answer not-found)."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None
