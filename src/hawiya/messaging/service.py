"""Pick the gateway a request asks for (or the tenant's default), send, and turn provider failures
into error codes: SMS_GATEWAY_NOT_CONFIGURED when the tenant has no such gateway or its
configuration is wrong, SMS_/EMAIL_DELIVERY_FAILED when delivery fails (reported, never swallowed).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hawiya.errors import ApiError, ErrorCode
from hawiya.providers.email import EmailMessage, EmailSender, build_email_sender
from hawiya.providers.errors import ProviderError
from hawiya.providers.sms import SmsGateway, SmsMessage, build_sms_gateway, sms_provider_name

log = logging.getLogger("hawiya.messaging")
CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Messenger:
    outbox_dir: Path  # where the console (development) gateways write their inbox

    def sms_gateway(
        self,
        *,
        default_gateway: str,
        gateways: Mapping[str, Mapping[str, Any]],
        provider_code: int | None,
    ) -> SmsGateway:
        """The gateway a request asks for; resolved before any code is issued, so a request for
        a gateway the tenant lacks costs no code, no cooldown and no quota."""
        try:
            name = sms_provider_name(provider_code) or default_gateway
        except ValueError:
            raise ApiError(ErrorCode.SMS_GATEWAY_NOT_CONFIGURED) from None
        config = dict(gateways.get(name) or {})
        if not config and name != CONSOLE:
            raise ApiError(ErrorCode.SMS_GATEWAY_NOT_CONFIGURED)
        kind = str(config.pop("kind", CONSOLE))
        try:
            return build_sms_gateway(kind, config, outbox_dir=self.outbox_dir)
        except ValueError as exc:
            log.warning("sms gateway misconfigured", extra={"gateway": name, "reason": str(exc)})
            raise ApiError(ErrorCode.SMS_GATEWAY_NOT_CONFIGURED) from None

    async def send_sms(self, gateway: SmsGateway, *, to: str, text: str) -> None:
        try:
            await gateway.send(SmsMessage(to=to, text=text))
        except ProviderError as exc:
            log.warning(
                "sms delivery failed", extra={"gateway": gateway.name, "reason": exc.reason}
            )
            raise ApiError(ErrorCode.SMS_DELIVERY_FAILED, persist=True) from None

    def email_sender(self, sender: Mapping[str, Any]) -> EmailSender:
        config = dict(sender or {"kind": CONSOLE})
        kind = str(config.pop("kind", CONSOLE))
        try:
            return build_email_sender(kind, config, outbox_dir=self.outbox_dir)
        except ValueError as exc:
            log.warning("email sender misconfigured", extra={"reason": str(exc)})
            raise ApiError(ErrorCode.EMAIL_DELIVERY_FAILED) from None

    async def send_email(self, sender: EmailSender, *, to: str, subject: str, text: str) -> None:
        try:
            await sender.send(EmailMessage(to=to, subject=subject, text=text))
        except ProviderError as exc:
            log.warning("email delivery failed", extra={"reason": exc.reason})
            raise ApiError(ErrorCode.EMAIL_DELIVERY_FAILED, persist=True) from None
