"""The embedded development email sender: messages go to the development inbox, not out."""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

import anyio.to_thread

from hawiya.providers.email.base import EmailMessage, EmailReceipt, check_message, mask_address
from hawiya.providers.errors import ProviderUnavailable
from hawiya.providers.outbox import append_record, timestamp

log = logging.getLogger("hawiya.providers.email")


class ConsoleEmailSender:
    """Delivers to the development inbox, <outbox_dir>/email.jsonl (read it with
    `hawiya outbox list`).

    Every message becomes one JSON line there: id, UTC timestamp, to, subject, text, html. The
    file is created mode 0600 and each line is one atomic append. The log gets one line per
    message with the address masked and neither subject nor body (they carry OTPs).
    """

    def __init__(self, outbox_dir: Path) -> None:
        self.name = "console"
        self.outbox_dir = outbox_dir

    def __repr__(self) -> str:
        return f"ConsoleEmailSender(outbox_dir={str(self.outbox_dir)!r})"

    async def send(self, message: EmailMessage) -> EmailReceipt:
        check_message(self.name, message)
        message_id = str(uuid.uuid4())
        record = {
            "id": message_id,
            "ts": timestamp(),
            "to": message.to,
            "subject": message.subject,
            "text": message.text,
            "html": message.html,
        }
        try:
            path = await anyio.to_thread.run_sync(append_record, self.outbox_dir, "email", record)
        except OSError as exc:
            raise ProviderUnavailable(
                self.name, f"cannot write the development outbox: {exc.strerror or exc}"
            ) from exc
        log.info(
            "email delivered to the development outbox",
            extra={
                "email_sender": self.name,
                "email_to": mask_address(message.to),
                "email_id": message_id,
                "outbox_file": str(path),
            },
        )
        return EmailReceipt(sender=self.name, message_id=message_id)
