"""Infobip's public HTTP SMS API ("Send SMS message", POST /sms/2/text/advanced)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from hawiya.providers._http import DEFAULT_TIMEOUT, exchange, json_or_none, raise_for_status
from hawiya.providers.errors import ProviderRejected, ProviderUnavailable
from hawiya.providers.sms.base import SmsMessage, SmsReceipt, check_message, to_digits

PATH = "/sms/2/text/advanced"
# Status groups of a message Infobip has refused outright (the send response is otherwise an
# acceptance, typically PENDING; the final outcome comes later in a delivery report).
REFUSED_GROUPS = frozenset({"REJECTED", "UNDELIVERABLE"})


class InfobipSmsGateway:
    """Infobip SMS over its HTTP API.

    base_url is the account's personal base URL ("xxxxx.api.infobip.com"; https:// is assumed
    when no scheme is given); api_key goes out as `Authorization: App <api_key>`. sender is the
    default sender id, overridden by SmsMessage.sender; with neither, Infobip's account default.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        sender: str | None = None,
        client: httpx.AsyncClient | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        name: str = "infobip",
    ) -> None:
        if not base_url.strip():
            raise ValueError("infobip: base_url is empty")
        if not api_key:
            raise ValueError("infobip: api_key is empty")
        if timeout <= 0:
            raise ValueError("infobip: timeout must be positive")
        base = base_url.strip().rstrip("/")
        if "://" not in base:
            base = f"https://{base}"
        self.name = name
        self.url = base + PATH
        self.sender = sender
        self.timeout = timeout
        self._api_key = api_key
        self._client = client

    def __repr__(self) -> str:
        return f"InfobipSmsGateway(url={self.url!r}, sender={self.sender!r}, api_key=...)"

    async def send(self, message: SmsMessage) -> SmsReceipt:
        check_message(self.name, message)
        entry: dict[str, Any] = {"destinations": [{"to": to_digits(message.to)}]}
        sender = message.sender or self.sender
        if sender:
            entry["from"] = sender
        entry["text"] = message.text
        body = json.dumps({"messages": [entry]}, ensure_ascii=False).encode()
        response = await exchange(
            self.name,
            self._client,
            "POST",
            self.url,
            headers={
                "Authorization": f"App {self._api_key}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            content=body,
            seconds=self.timeout,
        )
        payload = json_or_none(response)
        raise_for_status(self.name, response, _service_error(payload))
        return self._receipt(payload)

    def _receipt(self, payload: Any) -> SmsReceipt:
        try:
            first = payload["messages"][0]
            message_id = first.get("messageId")
            status = first.get("status") or {}
        except (TypeError, KeyError, IndexError, AttributeError):
            # Accepted (2xx) but unreadable: report it rather than claim a delivery.
            raise ProviderUnavailable(self.name, "unreadable send response") from None
        if not isinstance(status, dict):
            status = {}
        group = status.get("groupName")
        if isinstance(group, str) and group.upper() in REFUSED_GROUPS:
            name = status.get("name")
            raise ProviderRejected(self.name, f"{group}" + (f" ({name})" if name else ""))
        return SmsReceipt(
            gateway=self.name, message_id=str(message_id) if message_id is not None else None
        )


def _service_error(payload: Any) -> str | None:
    """Infobip's error code for a refused request ("UNAUTHORIZED", "BAD_REQUEST" ...).

    Only the code: the accompanying text may quote the request back.
    """
    try:
        code = payload["requestError"]["serviceException"]["messageId"]
    except (TypeError, KeyError):
        return None
    return str(code)[:64] if code is not None else None
