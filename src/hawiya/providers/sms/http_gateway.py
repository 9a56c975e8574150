"""Any SMS gateway with a plain HTTP API (Vodafone, Cequens, Victory Link ...), by configuration.

The request body is a template with the placeholders {to} (E.164, "+2012..."), {to_digits}
("2012...", no "+"), {text} and {sender}. Values are escaped for the template's content type:
JSON-string-escaped for application/json (put placeholders inside string literals:
`{"to": "{to_digits}", "text": "{text}"}`), percent-encoded for
application/x-www-form-urlencoded (`to={to_digits}&msg={text}`). Substitution is one pass over
the template, so a value can never add fields, close a string or expand another placeholder.
With method GET the form-encoded template becomes the query string.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from typing import Any, Final, Literal, get_args
from urllib.parse import quote_plus

import httpx

from hawiya.providers._http import DEFAULT_TIMEOUT, exchange, json_or_none, raise_for_status
from hawiya.providers.errors import ProviderRejected
from hawiya.providers.sms.base import SmsMessage, SmsReceipt, check_message, to_digits

ContentType = Literal["application/json", "application/x-www-form-urlencoded"]
CONTENT_TYPES: Final = get_args(ContentType)
METHODS: Final = ("POST", "PUT", "GET")
PLACEHOLDERS: Final = frozenset({"to", "to_digits", "text", "sender"})
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Filled in at construction to prove a JSON template stays JSON whatever the values are.
_PROBE = {"to": "+201234567890", "to_digits": "201234567890", "text": 'a "b" \\ {c}', "sender": "S"}


class GenericHttpSmsGateway:
    """A configured HTTP SMS gateway: any 2xx is success, 429/5xx/network failures are
    ProviderUnavailable, any other 4xx is ProviderRejected.

    message_id_path: dotted path into a JSON response for the gateway's message id
    ("data.id", "messages.0.messageId"); none found means message_id None.
    success_values: for gateways that answer 200 even when they refuse: the value at
    success_path (or, with no path, the whole stripped response body) must be one of these,
    otherwise ProviderRejected.
    sender: the {sender} used when a message names none (empty when neither does).
    """

    def __init__(
        self,
        name: str,
        url: str,
        *,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        body_template: str,
        content_type: str = "application/json",
        message_id_path: str | None = None,
        success_path: str | None = None,
        success_values: Collection[str] | None = None,
        sender: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        if not name:
            raise ValueError("http gateway: name is empty")
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{name}: url must start with http:// or https://")
        method = method.upper()
        if method not in METHODS:
            raise ValueError(f"{name}: method must be one of {', '.join(METHODS)}")
        if content_type not in CONTENT_TYPES:
            raise ValueError(f"{name}: content_type must be one of {', '.join(CONTENT_TYPES)}")
        if method == "GET" and content_type == "application/json":
            raise ValueError(f"{name}: a GET request carries a form-encoded query, not JSON")
        unknown = {m.group(1) for m in _PLACEHOLDER.finditer(body_template)} - PLACEHOLDERS
        if unknown:
            raise ValueError(
                f"{name}: unknown placeholder(s) {', '.join(sorted(unknown))} in body_template; "
                f"known: {', '.join(sorted(PLACEHOLDERS))}"
            )
        if success_path is not None and not success_values:
            raise ValueError(f"{name}: success_path needs success_values")
        if timeout <= 0:
            raise ValueError(f"{name}: timeout must be positive")
        self.name = name
        self.url = url
        self.method = method
        self.content_type = content_type
        self.body_template = body_template
        self.message_id_path = message_id_path
        self.success_path = success_path
        self.success_values = frozenset(success_values) if success_values else None
        self.sender = sender
        self.timeout = timeout
        self._headers = dict(headers or {})
        self._client = client
        if content_type == "application/json":
            try:
                json.loads(self._render(_PROBE))
            except ValueError as exc:
                raise ValueError(
                    f"{name}: body_template is not valid JSON once filled in "
                    "(placeholders belong inside string literals)"
                ) from exc

    def __repr__(self) -> str:
        # Headers usually hold the credential: never shown.
        return f"GenericHttpSmsGateway(name={self.name!r}, method={self.method!r}, url=...)"

    def _render(self, values: Mapping[str, str]) -> str:
        if self.content_type == "application/json":

            def escape(value: str) -> str:
                return json.dumps(value, ensure_ascii=False)[1:-1]

        else:

            def escape(value: str) -> str:
                return quote_plus(value, safe="")

        def substitute(match: re.Match[str]) -> str:
            return escape(values[match.group(1)])

        return _PLACEHOLDER.sub(substitute, self.body_template)

    def render(self, message: SmsMessage) -> str:
        """The request body (or, for GET, the query string) for a message."""
        return self._render(
            {
                "to": message.to,
                "to_digits": to_digits(message.to),
                "text": message.text,
                "sender": message.sender or self.sender or "",
            }
        )

    async def send(self, message: SmsMessage) -> SmsReceipt:
        check_message(self.name, message)
        rendered = self.render(message)
        headers = dict(self._headers)
        url = self.url
        content: bytes | None = None
        if self.method == "GET":
            if rendered:
                url = f"{url}{'&' if '?' in url else '?'}{rendered}"
        else:
            content = rendered.encode()
            if not any(key.lower() == "content-type" for key in headers):
                headers["Content-Type"] = self.content_type
        response = await exchange(
            self.name,
            self._client,
            self.method,
            url,
            headers=headers,
            content=content,
            seconds=self.timeout,
        )
        raise_for_status(self.name, response)
        payload = json_or_none(response)
        self._check_success(response, payload)
        message_id = lookup(payload, self.message_id_path) if self.message_id_path else None
        if isinstance(message_id, dict | list) or message_id is None:
            return SmsReceipt(gateway=self.name, message_id=None)
        return SmsReceipt(gateway=self.name, message_id=str(message_id))

    def _check_success(self, response: httpx.Response, payload: Any) -> None:
        if self.success_values is None:
            return
        if self.success_path is None:
            # The whole body is the verdict ("0", "OK" ...); it is not quoted in the reason,
            # since a gateway may echo the message (an OTP) back.
            if response.text.strip() not in self.success_values:
                raise ProviderRejected(self.name, "gateway reported a failure")
            return
        value = lookup(payload, self.success_path)
        verdict = _scalar_text(value)
        if verdict is None or verdict not in self.success_values:
            shown = f" ({verdict})" if verdict is not None and len(verdict) <= 32 else ""
            raise ProviderRejected(self.name, f"gateway reported a failure{shown}")


def lookup(payload: Any, path: str | None) -> Any:
    """Follow a dotted path ("data.messages.0.id") through dicts and lists; None if absent."""
    if path is None:
        return None
    current = payload
    for part in path.split("."):
        if isinstance(current, dict):
            if part not in current:
                return None
            current = current[part]
        elif isinstance(current, list):
            try:
                current = current[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
    return current


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    return None
