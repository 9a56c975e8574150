"""The events a tenant may subscribe to, the delivery body, and payload discipline (WH-3).

Deliveries are thin: the event, its time and the ids and status of what changed. The body is at
most 20 KB, and never carries an image or a full national ID number; emit() refuses a payload
that would (a programming error in the caller, not something to strip silently).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any

BUSINESS_REQUEST_STATUS_CHANGE = "App.BusinessRequestStatusChange"

# Every event name a subscription may list (spec §5 knows this one).
EVENTS: tuple[str, ...] = (BUSINESS_REQUEST_STATUS_CHANGE,)

MAX_BODY_BYTES = 20 * 1024  # WH-3
_LARGEST_ATTEMPT = 999_999  # the body is sized with the widest Attempt number it may carry

# A full Egyptian national ID: 14 digits, century digit 2 or 3 (a masked one passes).
_NATIONAL_ID = re.compile(r"(?<!\d)[23]\d{13}(?!\d)")
# Images: data URIs, and base64 that starts like JPEG, PNG, GIF, WebP or PDF.
_IMAGE = re.compile(r"data:[a-z]+/[a-z0-9.+-]+;base64,|^(/9j/|iVBORw0KGgo|R0lGOD|UklGR|JVBERi0)")
_LONG_BASE64 = re.compile(r"^[A-Za-z0-9+/=_-]{512,}$")
_IMAGE_KEYS = re.compile(r"image|photo|selfie|portrait|picture", re.I)
_ID_KEYS = re.compile(r"^(national_?id|id_?number|nid|ssn)$", re.I)


class PayloadRefused(ValueError):
    """The payload breaks WH-3 (too large, an image, a full national ID, not JSON)."""


def _walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [(key, value)]
    while stack:
        name, item = stack.pop()
        found.append((name, item))
        if isinstance(item, dict):
            stack.extend((str(k), v) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((name, v) for v in item)
    return found


def check_payload(data: dict[str, Any]) -> None:
    """Raise PayloadRefused unless `data` may travel in a delivery (WH-3)."""
    if not isinstance(data, dict):
        raise PayloadRefused("the payload must be a JSON object")
    for name, value in _walk(data):
        if name and _IMAGE_KEYS.search(name):
            raise PayloadRefused(f"field {name!r} looks like an image: send ids, not pictures")
        if name and _ID_KEYS.match(name):
            raise PayloadRefused(f"field {name!r} would carry a national ID number")
        if isinstance(value, str):
            if _IMAGE.search(value) or _LONG_BASE64.match(value):
                raise PayloadRefused(f"field {name!r} carries an image or a large binary blob")
            if _NATIONAL_ID.search(value):
                raise PayloadRefused(f"field {name!r} carries a full national ID number")
        elif (
            isinstance(value, int)
            and not isinstance(value, bool)
            and _NATIONAL_ID.fullmatch(str(abs(value)))
        ):
            raise PayloadRefused(f"field {name!r} carries a full national ID number")
    size = len(body(uuid.uuid4(), "x" * 128, _LARGEST_ATTEMPT, data, datetime.now(UTC)))
    if size > MAX_BODY_BYTES:
        raise PayloadRefused(f"the delivery would be {size} bytes; at most {MAX_BODY_BYTES}")


def creation_time(at: datetime) -> str:
    # .NET's round-trip form, as the spec's example shows (seven fractional digits, Z).
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


def body(
    event_id: uuid.UUID, event: str, attempt: int, data: dict[str, Any], created: datetime
) -> bytes:
    """The exact bytes sent (and signed) for one attempt, in the spec's key order."""
    payload = {
        "Id": str(event_id),
        "WebhookEvent": event,
        "Attempt": attempt,
        "Data": data,
        "CreationTimeUtc": creation_time(created),
    }
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise PayloadRefused(f"the payload is not plain JSON: {exc}") from None
    return text.encode()
