"""The embedded development email sender: messages go to the development inbox, not out."""

from __future__ import annotations

import logging
from pathlib import Path

from hawiya.providers.email.base import EmailMessage, EmailReceipt, check_message, mask_address
from hawiya.providers.outbox import deliver

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
        message_id, path = await deliver(
            self.outbox_dir,
            "email",
            self.name,
            {
                "to": message.to,
                "subject": message.subject,
                "text": message.text,
                "html": message.html,
            },
        )
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
