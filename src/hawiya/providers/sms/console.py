"""The embedded development SMS gateway: messages go to the development inbox, not to phones."""

from __future__ import annotations

import logging
from pathlib import Path

from hawiya.providers.outbox import deliver
from hawiya.providers.sms.base import SmsMessage, SmsReceipt, check_message, mask_number

log = logging.getLogger("hawiya.providers.sms")


class ConsoleSmsGateway:
    """Delivers to the development inbox, <outbox_dir>/sms.jsonl (read it with
    `hawiya outbox list`).

    Every message becomes one JSON line there: id, UTC timestamp, to, text, sender. The file is
    created mode 0600 and each line is one atomic append. The log gets one line per message with
    the number masked to its last four digits and without the text: an OTP must never reach logs.
    """

    def __init__(self, outbox_dir: Path) -> None:
        self.name = "console"
        self.outbox_dir = outbox_dir

    def __repr__(self) -> str:
        return f"ConsoleSmsGateway(outbox_dir={str(self.outbox_dir)!r})"

    async def send(self, message: SmsMessage) -> SmsReceipt:
        check_message(self.name, message)
        message_id, path = await deliver(
            self.outbox_dir,
            "sms",
            self.name,
            {"to": message.to, "text": message.text, "sender": message.sender},
        )
        log.info(
            "sms delivered to the development outbox",
            extra={
                "sms_gateway": self.name,
                "sms_to": mask_number(message.to),
                "sms_id": message_id,
                "outbox_file": str(path),
            },
        )
        return SmsReceipt(gateway=self.name, message_id=message_id)
