"""Email senders: the development outbox (console) and SMTP."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from hawiya.providers._config import ConfigReader
from hawiya.providers.email.base import EmailMessage, EmailReceipt, EmailSender
from hawiya.providers.email.console import ConsoleEmailSender
from hawiya.providers.email.smtp import DEFAULT_TIMEOUT, SECURITY_MODES, SmtpEmailSender

__all__ = [
    "EMAIL_SENDER_KINDS",
    "ConsoleEmailSender",
    "EmailMessage",
    "EmailReceipt",
    "EmailSender",
    "SmtpEmailSender",
    "build_email_sender",
]

EMAIL_SENDER_KINDS: Final = ("console", "smtp")


def build_email_sender(kind: str, config: Mapping[str, Any], *, outbox_dir: Path) -> EmailSender:
    """Build a sender from its kind and configuration; ValueError names what is wrong.

    console: no keys (writes to <outbox_dir>/email.jsonl).
    smtp: host, from_address (required); port (default 587/465/25 by security), security
          ("starttls" default, "tls", "none"), username + password, timeout, ca_file,
          verify_tls (default true), allow_insecure_auth (default false), name.
    """
    if kind == "console":
        ConfigReader("email console", config, ())
        return ConsoleEmailSender(outbox_dir)
    if kind == "smtp":
        c = ConfigReader(
            "email smtp",
            config,
            (
                "host",
                "port",
                "security",
                "username",
                "password",
                "from_address",
                "timeout",
                "ca_file",
                "verify_tls",
                "allow_insecure_auth",
                "name",
            ),
        )
        port = c.integer("port") if c.config.get("port") is not None else None
        return SmtpEmailSender(
            c.string("host"),
            port,
            c.choice("security", SECURITY_MODES, "starttls"),
            c.optional_string("username"),
            c.optional_secret("password"),
            c.string("from_address"),
            c.number("timeout", DEFAULT_TIMEOUT),
            ca_file=c.optional_string("ca_file"),
            verify_tls=c.boolean("verify_tls", True),
            allow_insecure_auth=c.boolean("allow_insecure_auth", False),
            name=c.optional_string("name", "smtp") or "smtp",
        )
    raise ValueError(f"unknown email sender kind {kind!r}; expected one of {EMAIL_SENDER_KINDS}")
