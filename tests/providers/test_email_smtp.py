"""SmtpEmailSender against a local aiosmtpd server: plain, STARTTLS and implicit TLS (a
self-signed certificate trusted through ca_file, or verification skipped only when configured),
AUTH, UTF-8 (Arabic) subject and body, the HTML alternative, and failure mapping."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from hawiya.providers.email import EmailMessage, SmtpEmailSender
from hawiya.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable
from tests.providers.conftest import SmtpFactory
from tests.providers.receivers import SelfSigned, SilentServer, closed_port

FROM = "Hawiya <no-reply@hawiya.example>"
TO = "amira@example.com"
SUBJECT = "رمز التحقق الخاص بك"
TEXT = "رمزك هو 482913\nصالح لمدة خمس دقائق."
HTML = "<html><body dir='rtl'><p>رمزك هو <b>482913</b></p></body></html>"
PASSWORD = "s3cret-pa55"


def unix(text: str) -> str:
    """MIME text travels in canonical form (CRLF line ends); compare it with \n."""
    return text.replace("\r\n", "\n")


def sender(port: int, **kwargs: object) -> SmtpEmailSender:
    options: dict[str, object] = {"security": "none", "from_address": FROM, "timeout": 5}
    options.update(kwargs)
    return SmtpEmailSender("127.0.0.1", port, **options)  # type: ignore[arg-type]


def assert_clean(error: ProviderError) -> None:
    assert PASSWORD not in str(error)
    assert "482913" not in str(error)


async def test_plain_delivery_with_arabic_subject_and_body(smtp_server: SmtpFactory) -> None:
    server = await smtp_server()

    receipt = await sender(server.port).send(EmailMessage(TO, SUBJECT, TEXT))

    [received] = server.received
    assert received.mail_from == "no-reply@hawiya.example"
    assert received.rcpt_tos == [TO]
    assert received.login is None
    assert not received.tls
    assert received.content.isascii()  # 7-bit clean: any relay passes it on unchanged
    message = received.message()
    assert message["Subject"] == SUBJECT
    assert message["To"] == TO
    assert message["From"] == FROM
    assert message["Date"]
    assert message["Message-ID"] == receipt.message_id
    assert receipt.sender == "smtp"
    assert str(receipt.message_id).endswith("@hawiya.example>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert unix(message.get_content()) == TEXT + "\n"


async def test_html_goes_as_a_multipart_alternative(smtp_server: SmtpFactory) -> None:
    server = await smtp_server()

    await sender(server.port).send(EmailMessage(TO, SUBJECT, TEXT, HTML))

    message = server.received[0].message()
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert unix(plain.get_content()) == TEXT + "\n"
    assert unix(html.get_content()) == HTML + "\n"


async def test_starttls_trusting_the_servers_ca_file(
    smtp_server: SmtpFactory, tls_cert: SelfSigned
) -> None:
    server = await smtp_server(starttls=tls_cert.server_context())

    await sender(server.port, security="starttls", ca_file=tls_cert.cert_file).send(
        EmailMessage(TO, SUBJECT, TEXT)
    )

    [received] = server.received
    assert received.tls
    assert received.message()["Subject"] == SUBJECT


async def test_starttls_refuses_an_untrusted_certificate(
    smtp_server: SmtpFactory, tls_cert: SelfSigned
) -> None:
    server = await smtp_server(starttls=tls_cert.server_context())

    with pytest.raises(ProviderUnavailable, match="TLS failure"):
        await sender(server.port, security="starttls").send(EmailMessage(TO, SUBJECT, TEXT))

    assert server.received == []


async def test_verification_is_skipped_only_when_configured(
    smtp_server: SmtpFactory, tls_cert: SelfSigned
) -> None:
    server = await smtp_server(starttls=tls_cert.server_context())

    await sender(server.port, security="starttls", verify_tls=False).send(
        EmailMessage(TO, SUBJECT, TEXT)
    )

    assert server.received[0].tls


async def test_no_silent_downgrade_when_starttls_is_not_offered(
    smtp_server: SmtpFactory, tls_cert: SelfSigned
) -> None:
    server = await smtp_server()  # no STARTTLS

    with pytest.raises(ProviderUnavailable, match="STARTTLS"):
        await sender(server.port, security="starttls", ca_file=tls_cert.cert_file).send(
            EmailMessage(TO, SUBJECT, TEXT)
        )

    assert server.received == []


async def test_implicit_tls(smtp_server: SmtpFactory, tls_cert: SelfSigned) -> None:
    server = await smtp_server(implicit_tls=tls_cert.server_context())

    await sender(server.port, security="tls", ca_file=tls_cert.cert_file).send(
        EmailMessage(TO, SUBJECT, TEXT, HTML)
    )

    [received] = server.received
    assert received.tls
    assert received.message().get_content_type() == "multipart/alternative"


async def test_auth_over_starttls(smtp_server: SmtpFactory, tls_cert: SelfSigned) -> None:
    server = await smtp_server(starttls=tls_cert.server_context(), credentials={"mailer": PASSWORD})

    await sender(
        server.port,
        security="starttls",
        ca_file=tls_cert.cert_file,
        username="mailer",
        password=PASSWORD,
    ).send(EmailMessage(TO, SUBJECT, TEXT))

    [received] = server.received
    assert received.login == "mailer"
    assert received.tls


async def test_wrong_password_is_rejected(smtp_server: SmtpFactory, tls_cert: SelfSigned) -> None:
    server = await smtp_server(starttls=tls_cert.server_context(), credentials={"mailer": PASSWORD})

    with pytest.raises(ProviderRejected, match="authentication failed: 535") as caught:
        await sender(
            server.port,
            security="starttls",
            ca_file=tls_cert.cert_file,
            username="mailer",
            password="wrong-" + PASSWORD,
        ).send(EmailMessage(TO, SUBJECT, TEXT))

    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
    assert server.auth_attempts
    assert set(server.auth_attempts) == {"mailer"}
    assert server.received == []
    assert_clean(caught.value)


async def test_plaintext_auth_needs_explicit_permission(smtp_server: SmtpFactory) -> None:
    server = await smtp_server(credentials={"mailer": PASSWORD}, auth_require_tls=False)
    with pytest.raises(ValueError, match="unencrypted"):
        sender(server.port, username="mailer", password=PASSWORD)

    await sender(server.port, username="mailer", password=PASSWORD, allow_insecure_auth=True).send(
        EmailMessage(TO, SUBJECT, TEXT)
    )

    assert server.received[0].login == "mailer"
    assert not server.received[0].tls


@pytest.mark.parametrize(
    ("hook", "reply", "error", "reason"),
    [
        ("rcpt_reply", "550 5.1.1 No such user", ProviderRejected, "recipient refused: 550"),
        (
            "rcpt_reply",
            "450 4.2.1 Mailbox busy, try later",
            ProviderUnavailable,
            "recipient refused: 450",
        ),
        ("mail_reply", "553 5.7.1 Sender not allowed", ProviderRejected, "sender refused: 553"),
        ("mail_reply", "451 4.3.0 Temporary failure", ProviderUnavailable, "sender refused: 451"),
    ],
)
async def test_refusals_by_reply_code(
    smtp_server: SmtpFactory,
    hook: str,
    reply: str,
    error: type[ProviderError],
    reason: str,
) -> None:
    server = await smtp_server()
    setattr(server, hook, reply)

    with pytest.raises(error) as caught:
        await sender(server.port).send(EmailMessage(TO, SUBJECT, TEXT))

    assert type(caught.value) is error
    assert caught.value.reason.startswith(reason)
    assert caught.value.provider == "smtp"
    assert server.received == []


async def test_connection_refused_is_unavailable() -> None:
    with pytest.raises(ProviderUnavailable, match="connection failed"):
        await sender(closed_port()).send(EmailMessage(TO, SUBJECT, TEXT))


async def test_a_server_that_never_answers_times_out(silent_server: SilentServer) -> None:
    started = time.monotonic()

    with pytest.raises(ProviderUnavailable, match="timed out"):
        await sender(silent_server.port, timeout=0.3).send(EmailMessage(TO, SUBJECT, TEXT))

    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "message",
    [
        EmailMessage(TO, "hello\r\nBcc: victim@example.com", TEXT),
        EmailMessage(f"{TO}\r\nBcc: victim@example.com", SUBJECT, TEXT),
        EmailMessage("a@example.com, b@example.com", SUBJECT, TEXT),
        EmailMessage("Amira <amira@example.com>", SUBJECT, TEXT),
        EmailMessage("no-at-sign", SUBJECT, TEXT),
        EmailMessage(TO, SUBJECT, ""),
    ],
    ids=["subject-injection", "to-injection", "two-addresses", "display-name", "no-at", "empty"],
)
async def test_malformed_messages_never_reach_the_server(
    smtp_server: SmtpFactory, message: EmailMessage
) -> None:
    server = await smtp_server()

    with pytest.raises(ProviderRejected):
        await sender(server.port).send(message)

    assert server.received == []


def test_ca_file_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        SmtpEmailSender("h", 25, "starttls", None, None, FROM, ca_file=tmp_path / "none.pem")
