"""build_sms_gateway / build_email_sender: configuration in, a working provider out, and a clear
ValueError naming the key for anything missing, misspelt or mistyped."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from hawiya.providers.email import (
    ConsoleEmailSender,
    EmailSender,
    SmtpEmailSender,
    build_email_sender,
)
from hawiya.providers.sms import (
    SMS_PROVIDER_CODES,
    ConsoleSmsGateway,
    GenericHttpSmsGateway,
    InfobipSmsGateway,
    SmsGateway,
    SmsMessage,
    build_sms_gateway,
    sms_provider_name,
)
from tests.providers.receivers import HttpReceiver, Reply, SelfSigned

HTTP_CONFIG: dict[str, Any] = {
    "name": "vodafone",
    "url": "https://sms.example/send",
    "body_template": '{"to": "{to_digits}", "text": "{text}"}',
}


def test_sms_provider_codes_match_the_vlens_enum() -> None:
    assert SMS_PROVIDER_CODES == {
        1: "infobip",
        2: "vodafone",
        3: "cequens",
        4: "victorylink",
        5: "broadnet",
        6: "ezagel",
        7: "orange",
    }
    assert sms_provider_name(0) is None
    assert sms_provider_name(None) is None
    assert sms_provider_name(4) == "victorylink"
    with pytest.raises(ValueError, match="smsProviders value 8"):
        sms_provider_name(8)


def test_builds_each_sms_kind(outbox_dir: Path) -> None:
    console = build_sms_gateway("console", {}, outbox_dir=outbox_dir)
    infobip = build_sms_gateway(
        "infobip",
        {
            "base_url": "abcd.api.infobip.com",
            "api_key": SecretStr("k-1"),
            "sender": "Hawiya",
            "timeout": 5,
        },
        outbox_dir=outbox_dir,
    )
    http = build_sms_gateway(
        "http", {**HTTP_CONFIG, "method": "put", "timeout": 2.5}, outbox_dir=outbox_dir
    )

    assert isinstance(console, ConsoleSmsGateway)
    assert console.outbox_dir == outbox_dir
    assert isinstance(infobip, InfobipSmsGateway)
    assert infobip.url == "https://abcd.api.infobip.com/sms/2/text/advanced"
    assert (infobip.sender, infobip.timeout) == ("Hawiya", 5.0)
    assert isinstance(http, GenericHttpSmsGateway)
    assert (http.name, http.method, http.timeout) == ("vodafone", "PUT", 2.5)
    assert all(isinstance(g, SmsGateway) for g in (console, infobip, http))


async def test_a_configured_http_gateway_sends(
    outbox_dir: Path, http_receiver: HttpReceiver
) -> None:
    gateway = build_sms_gateway(
        "http",
        {
            "kind": "http",  # a stored configuration may carry its kind
            "name": "broadnet",
            "url": http_receiver.url + "/api",
            "headers": {"X-Token": "t-1"},
            "body_template": "to={to}&text={text}&from={sender}",
            "content_type": "application/x-www-form-urlencoded",
            "message_id_path": "id",
            "success_path": "ok",
            "success_values": ["true"],
            "sender": "Hawiya",
        },
        outbox_dir=outbox_dir,
    )
    http_receiver.script(Reply(200, {"ok": True, "id": 77}))

    receipt = await gateway.send(SmsMessage("+201234567890", "مرحبا"))

    assert (receipt.gateway, receipt.message_id) == ("broadnet", "77")
    [request] = http_receiver.requests
    assert request.headers["x-token"] == "t-1"
    assert request.body == b"to=%2B201234567890&text=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7&from=Hawiya"


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("infobip", {"api_key": "k"}, "missing required configuration key 'base_url'"),
        (
            "infobip",
            {"base_url": "x.api.infobip.com"},
            "missing required configuration key 'api_key'",
        ),
        ("infobip", {"base_url": "x", "api_key": "k", "apikey": "k"}, "unknown configuration key"),
        (
            "infobip",
            {"base_url": "x", "api_key": "k", "timeout": "10"},
            "'timeout' must be a positive",
        ),
        ("infobip", {"base_url": 5, "api_key": "k"}, "'base_url' must be a string"),
        (
            "http",
            {"url": "https://x", "body_template": "{}"},
            "missing required configuration key 'name'",
        ),
        ("http", {**HTTP_CONFIG, "body_template": None}, "'body_template'"),
        ("http", {**HTTP_CONFIG, "headers": {"X": 1}}, "'headers' must be a mapping of strings"),
        ("http", {**HTTP_CONFIG, "success_values": "0"}, "'success_values' must be a list"),
        ("http", {**HTTP_CONFIG, "method": "PATCH"}, "'method' must be one of"),
        ("http", {**HTTP_CONFIG, "content_type": "text/xml"}, "'content_type' must be one of"),
        ("console", {"path": "var/outbox"}, "unknown configuration key"),
        ("twilio", {}, "unknown SMS gateway kind 'twilio'"),
    ],
)
def test_bad_sms_configuration(
    outbox_dir: Path, kind: str, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        build_sms_gateway(kind, config, outbox_dir=outbox_dir)


def test_builds_each_email_kind(outbox_dir: Path, tls_cert: SelfSigned) -> None:
    console = build_email_sender("console", {}, outbox_dir=outbox_dir)
    starttls = build_email_sender(
        "smtp",
        {
            "host": "mail.example",
            "from_address": "Hawiya <no-reply@hawiya.example>",
            "username": "u",
            "password": SecretStr("pw-Secret-9"),
            "ca_file": str(tls_cert.cert_file),
        },
        outbox_dir=outbox_dir,
    )
    tls = build_email_sender(
        "smtp",
        {"host": "mail.example", "security": "tls", "from_address": "a@hawiya.example"},
        outbox_dir=outbox_dir,
    )
    relay = build_email_sender(
        "smtp",
        {"host": "127.0.0.1", "port": 2525, "security": "none", "from_address": "a@b.example"},
        outbox_dir=outbox_dir,
    )

    assert isinstance(console, ConsoleEmailSender)
    assert isinstance(starttls, SmtpEmailSender)
    assert (starttls.port, starttls.security, starttls.username) == (587, "starttls", "u")
    assert "pw-Secret-9" not in repr(starttls)
    assert starttls._password == "pw-Secret-9"  # unwrapped from the SecretStr
    assert isinstance(tls, SmtpEmailSender)
    assert (tls.port, tls.security) == (465, "tls")
    assert isinstance(relay, SmtpEmailSender)
    assert (relay.port, relay.security) == (2525, "none")
    assert all(isinstance(s, EmailSender) for s in (console, starttls, tls, relay))


SMTP_BASE: dict[str, Any] = {"host": "mail.example", "from_address": "a@hawiya.example"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"from_address": "a@b.example"}, "missing required configuration key 'host'"),
        ({"host": "mail.example"}, "missing required configuration key 'from_address'"),
        ({**SMTP_BASE, "security": "ssl"}, "'security' must be one of"),
        ({**SMTP_BASE, "port": 0}, "'port' must be an integer"),
        ({**SMTP_BASE, "port": "25"}, "'port' must be an integer"),
        ({**SMTP_BASE, "username": "u"}, "username and password go together"),
        ({**SMTP_BASE, "security": "none", "username": "u", "password": "p"}, "unencrypted"),
        ({**SMTP_BASE, "verify_tls": "no"}, "'verify_tls' must be true or false"),
        ({**SMTP_BASE, "ca_file": "/nonexistent/ca.pem"}, "does not exist"),
        ({**SMTP_BASE, "from_address": "not an address"}, "not a usable address"),
        ({**SMTP_BASE, "from_address": "a@b.example\r\nBcc: x@y.example"}, "not a usable address"),
        ({**SMTP_BASE, "tls": True}, "unknown configuration key"),
    ],
)
def test_bad_email_configuration(outbox_dir: Path, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_email_sender("smtp", config, outbox_dir=outbox_dir)


def test_unknown_email_kind(outbox_dir: Path) -> None:
    with pytest.raises(ValueError, match="unknown email sender kind 'ses'"):
        build_email_sender("ses", {}, outbox_dir=outbox_dir)


def test_insecure_options_only_when_explicit(outbox_dir: Path) -> None:
    plain_auth = build_email_sender(
        "smtp",
        {
            **SMTP_BASE,
            "security": "none",
            "username": "u",
            "password": "p",
            "allow_insecure_auth": True,
        },
        outbox_dir=outbox_dir,
    )
    unverified = build_email_sender(
        "smtp", {**SMTP_BASE, "verify_tls": False}, outbox_dir=outbox_dir
    )
    verified = build_email_sender("smtp", SMTP_BASE, outbox_dir=outbox_dir)

    assert isinstance(plain_auth, SmtpEmailSender)
    assert isinstance(unverified, SmtpEmailSender)
    assert isinstance(verified, SmtpEmailSender)
    assert unverified._tls is not None and unverified._tls.verify_mode == ssl.CERT_NONE
    assert verified._tls is not None and verified._tls.verify_mode == ssl.CERT_REQUIRED
    assert verified._tls.check_hostname
