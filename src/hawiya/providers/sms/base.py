"""What an SMS gateway is: a message in, a receipt out, or ProviderUnavailable/ProviderRejected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hawiya.providers.errors import ProviderRejected

_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


@dataclass(frozen=True)
class SmsMessage:
    to: str  # E.164, e.g. "+201234567890"
    text: str
    sender: str | None = None  # sender id / number; None = the gateway's configured default


@dataclass(frozen=True)
class SmsReceipt:
    gateway: str
    message_id: str | None  # the gateway's id for the message, when it gives one


@runtime_checkable
class SmsGateway(Protocol):
    """Sends one SMS.

    `send` returns a receipt once the gateway has accepted the message. It raises
    ProviderUnavailable (network error, timeout, 5xx, 429: retrying may help) or ProviderRejected
    (malformed number or text, other 4xx, a rejection the gateway reports: it will not help);
    a failure is never swallowed. Neither the text nor the full number ever reaches a log line or
    an error reason: the text is usually an OTP.
    """

    name: str

    async def send(self, message: SmsMessage) -> SmsReceipt: ...


def check_message(gateway: str, message: SmsMessage) -> None:
    """Refuse what no gateway could deliver, before any I/O."""
    if not _E164.fullmatch(message.to):
        raise ProviderRejected(gateway, f"not an E.164 number: {mask_number(message.to)}")
    if not message.text:
        raise ProviderRejected(gateway, "empty text")
    if message.sender is not None and not message.sender.strip():
        raise ProviderRejected(gateway, "empty sender")


def to_digits(number: str) -> str:
    """The number without its "+": "+201234567890" -> "201234567890"."""
    return number.removeprefix("+")


def mask_number(number: str) -> str:
    """Every digit but the last four masked: "+201234567890" -> "+********7890".

    Numbers too short to be real keep no digit at all; characters that are neither digits nor the
    leading "+" are masked too (a malformed "number" may be anything).
    """
    digits = sum(ch.isdigit() for ch in number)
    keep_from = digits - 4 if digits >= 8 else digits
    out: list[str] = []
    seen = 0
    for ch in number:
        if ch.isdigit():
            out.append(ch if seen >= keep_from else "*")
            seen += 1
        else:
            out.append(ch if ch == "+" else "*")
    return "".join(out)
