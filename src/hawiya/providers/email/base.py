"""What an email sender is: a message in, a receipt out, or ProviderUnavailable/ProviderRejected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hawiya.providers.errors import ProviderRejected

# Deliberately plain: ASCII, one "@", nothing that could end a header or start another address.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class EmailMessage:
    to: str  # one bare address, "user@example.com"
    subject: str
    text: str
    html: str | None = None  # when given, sent as the multipart/alternative HTML part


@dataclass(frozen=True)
class EmailReceipt:
    sender: str  # the name of the EmailSender that sent it
    message_id: str | None


@runtime_checkable
class EmailSender(Protocol):
    """Sends one email.

    `send` returns a receipt once the message has been accepted for delivery. It raises
    ProviderUnavailable (connection failure, timeout, TLS failure, a 4xx reply: retrying may
    help) or ProviderRejected (a malformed message, a 5xx reply, a refused sender or recipient);
    a failure is never swallowed. Neither the subject nor the body ever reaches a log line.
    """

    name: str

    async def send(self, message: EmailMessage) -> EmailReceipt: ...


def valid_address(address: str) -> bool:
    return bool(_ADDRESS.fullmatch(address)) and ".." not in address


def check_message(sender: str, message: EmailMessage) -> None:
    """Refuse what no sender could deliver (or what would inject headers), before any I/O."""
    if not valid_address(message.to):
        raise ProviderRejected(sender, f"not a plain email address: {mask_address(message.to)}")
    if "\r" in message.subject or "\n" in message.subject:
        raise ProviderRejected(sender, "line break in the subject")
    if not message.text:
        raise ProviderRejected(sender, "empty text")


def mask_address(address: str) -> str:
    """The address with its local part masked: "amira@example.com" -> "a****@example.com"."""
    local, at, domain = address.rpartition("@")
    if not at or not local:
        return "*" * min(len(address), 12)
    domain = "".join(ch if ch.isalnum() or ch in ".-" else "*" for ch in domain)
    return local[0] + "*" * max(len(local) - 1, 3) + "@" + domain
