"""SMS gateways: the development outbox (console), Infobip, and any plain HTTP API (http).

A tenant configures gateways under names; the `smsProviders` integer of the Vlens API picks one
by name through SMS_PROVIDER_CODES (0, or no value, means the tenant's default gateway). Which
kind of gateway stands behind a name is configuration: "infobip" is normally kind "infobip",
the others kind "http" with that gateway's URL and body template.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from hawiya.providers._config import ConfigReader
from hawiya.providers._http import DEFAULT_TIMEOUT
from hawiya.providers.sms.base import SmsGateway, SmsMessage, SmsReceipt
from hawiya.providers.sms.console import ConsoleSmsGateway
from hawiya.providers.sms.http_gateway import CONTENT_TYPES, METHODS, GenericHttpSmsGateway
from hawiya.providers.sms.infobip import InfobipSmsGateway

__all__ = [
    "SMS_GATEWAY_KINDS",
    "SMS_PROVIDER_CODES",
    "ConsoleSmsGateway",
    "GenericHttpSmsGateway",
    "InfobipSmsGateway",
    "SmsGateway",
    "SmsMessage",
    "SmsReceipt",
    "build_sms_gateway",
    "sms_provider_name",
]

# The Vlens `smsProviders` values (spec §2.2) and the names a tenant configures gateways under.
SMS_PROVIDER_CODES: Final[dict[int, str]] = {
    1: "infobip",
    2: "vodafone",
    3: "cequens",
    4: "victorylink",
    5: "broadnet",
    6: "ezagel",
    7: "orange",
}

SMS_GATEWAY_KINDS: Final = ("console", "infobip", "http")


def sms_provider_name(code: int | None) -> str | None:
    """The gateway name for an `smsProviders` value; None for 0 or no value (tenant default).

    An unknown value is a ValueError (the caller answers it as a validation error).
    """
    if code is None or code == 0:
        return None
    try:
        return SMS_PROVIDER_CODES[code]
    except KeyError:
        raise ValueError(f"unknown smsProviders value {code}") from None


def build_sms_gateway(kind: str, config: Mapping[str, Any], *, outbox_dir: Path) -> SmsGateway:
    """Build a gateway from its kind and configuration; ValueError names what is wrong.

    console: no keys (writes to <outbox_dir>/sms.jsonl).
    infobip: base_url, api_key (required); sender, timeout, name (optional).
    http: name, url, body_template (required); method, headers, content_type, message_id_path,
          success_path, success_values, sender, timeout (optional).
    """
    if kind == "console":
        ConfigReader("sms console", config, ())
        return ConsoleSmsGateway(outbox_dir)
    if kind == "infobip":
        c = ConfigReader(
            "sms infobip", config, ("base_url", "api_key", "sender", "timeout", "name")
        )
        return InfobipSmsGateway(
            c.string("base_url"),
            c.secret("api_key"),
            c.optional_string("sender"),
            timeout=c.number("timeout", DEFAULT_TIMEOUT),
            name=c.optional_string("name", "infobip") or "infobip",
        )
    if kind == "http":
        c = ConfigReader(
            "sms http",
            config,
            (
                "name",
                "url",
                "method",
                "headers",
                "body_template",
                "content_type",
                "message_id_path",
                "success_path",
                "success_values",
                "sender",
                "timeout",
            ),
        )
        return GenericHttpSmsGateway(
            c.string("name"),
            c.string("url"),
            method=c.choice("method", METHODS, "POST", upper=True),
            headers=c.string_map("headers"),
            body_template=c.string("body_template"),
            content_type=c.choice("content_type", CONTENT_TYPES, "application/json"),
            message_id_path=c.optional_string("message_id_path"),
            success_path=c.optional_string("success_path"),
            success_values=c.string_list("success_values"),
            sender=c.optional_string("sender"),
            timeout=c.number("timeout", DEFAULT_TIMEOUT),
        )
    raise ValueError(f"unknown SMS gateway kind {kind!r}; expected one of {SMS_GATEWAY_KINDS}")
