"""The same behaviour checks against every email sender that can run offline: the console sender
(development inbox) and SMTP (plain and STARTTLS) against a local server. `delivered()` reads what
arrived at the far end, so the checks compare what the recipient would get."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from hawiya.providers.email import (
    ConsoleEmailSender,
    EmailMessage,
    EmailReceipt,
    EmailSender,
    SmtpEmailSender,
)
from hawiya.providers.errors import ProviderRejected
from hawiya.providers.outbox import read_outbox
from tests.providers.receivers import SelfSigned, SmtpReceiver

TO = "omar.farouk@example.com"
SUBJECT = "تأكيد البريد الإلكتروني — رمز 551204"
TEXT = "مرحبا عمر،\nرمز التحقق هو 551204.\n\nفريق هوية"
HTML = "<p dir='rtl'>رمز التحقق هو <strong>551204</strong></p>"

Delivery = tuple[str, str, str, str | None]  # (to, subject, text, html)


@dataclass
class Subject:
    sender: EmailSender
    delivered: Callable[[], list[Delivery]]


def _smtp_deliveries(server: SmtpReceiver) -> list[Delivery]:
    out: list[Delivery] = []
    for received in server.received:
        message = received.message()
        plain = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",)) if message.is_multipart() else None
        assert plain is not None
        out.append(
            (
                str(message["To"]),
                str(message["Subject"]),
                plain.get_content().replace("\r\n", "\n").removesuffix("\n"),
                html.get_content().replace("\r\n", "\n").removesuffix("\n") if html else None,
            )
        )
    return out


@pytest_asyncio.fixture(params=["console", "smtp-plain", "smtp-starttls"])
async def subject(
    request: pytest.FixtureRequest, outbox_dir: Path, tls_cert: SelfSigned
) -> AsyncIterator[Subject]:
    if request.param == "console":
        yield Subject(
            ConsoleEmailSender(outbox_dir),
            lambda: [
                (r["to"], r["subject"], r["text"], r["html"])
                for r in read_outbox(outbox_dir, "email")
            ],
        )
        return
    starttls = request.param == "smtp-starttls"
    server = await SmtpReceiver(starttls=tls_cert.server_context() if starttls else None).start()
    try:
        sender = SmtpEmailSender(
            "127.0.0.1",
            server.port,
            "starttls" if starttls else "none",
            from_address="no-reply@hawiya.example",
            timeout=5,
            ca_file=tls_cert.cert_file,
        )
        yield Subject(sender, lambda: _smtp_deliveries(server))
    finally:
        await server.stop()


def test_is_an_email_sender(subject: Subject) -> None:
    assert isinstance(subject.sender, EmailSender)
    assert isinstance(subject.sender.name, str)
    assert subject.sender.name


async def test_delivers_arabic_subject_and_text_intact(subject: Subject) -> None:
    receipt = await subject.sender.send(EmailMessage(TO, SUBJECT, TEXT))

    assert isinstance(receipt, EmailReceipt)
    assert receipt.sender == subject.sender.name
    assert isinstance(receipt.message_id, str)
    assert receipt.message_id
    assert subject.delivered() == [(TO, SUBJECT, TEXT, None)]


async def test_delivers_the_html_alternative(subject: Subject) -> None:
    await subject.sender.send(EmailMessage(TO, SUBJECT, TEXT, HTML))

    assert subject.delivered() == [(TO, SUBJECT, TEXT, HTML)]


async def test_each_message_gets_its_own_id(subject: Subject) -> None:
    first = await subject.sender.send(EmailMessage(TO, "one", "1"))
    second = await subject.sender.send(EmailMessage("b@example.org", "two", "2"))

    assert first.message_id != second.message_id
    assert subject.delivered() == [(TO, "one", "1", None), ("b@example.org", "two", "2", None)]


@pytest.mark.parametrize(
    "message",
    [
        EmailMessage(TO, "hi\nBcc: victim@example.com", TEXT),
        EmailMessage(TO + "\r\nBcc: victim@example.com", SUBJECT, TEXT),
        EmailMessage(f"{TO}, victim@example.com", SUBJECT, TEXT),
        EmailMessage("@example.com", SUBJECT, TEXT),
        EmailMessage("a..b@example.com", SUBJECT, TEXT),
        EmailMessage("", SUBJECT, TEXT),
        EmailMessage(TO, SUBJECT, ""),
    ],
    ids=[
        "subject-lf",
        "to-crlf",
        "two-recipients",
        "no-local-part",
        "double-dot",
        "empty-to",
        "empty-text",
    ],
)
async def test_malformed_messages_are_rejected_before_anything_is_sent(
    subject: Subject, message: EmailMessage
) -> None:
    with pytest.raises(ProviderRejected) as caught:
        await subject.sender.send(message)

    assert caught.value.provider == subject.sender.name
    assert subject.delivered() == []
