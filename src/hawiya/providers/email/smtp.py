"""Email over SMTP with the standard library, run in a worker thread.

security: "starttls" (plain connection upgraded with STARTTLS, port 587 by convention), "tls"
(TLS from the first byte, port 465) or "none" (plain text, port 25; for a local relay). With
TLS the server certificate is verified against the system trust store, or against ca_file when
given; verify_tls=False skips verification and is only ever taken from explicit configuration.
A server that does not offer STARTTLS when it is configured is a failure, never a silent
downgrade; logging in over a plain connection needs allow_insecure_auth.
"""

from __future__ import annotations

import email.policy
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage as MimeMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Final, Literal, get_args

import anyio.to_thread

from hawiya.providers.email.base import EmailMessage, EmailReceipt, check_message, valid_address
from hawiya.providers.errors import ProviderError, ProviderRejected, ProviderUnavailable

Security = Literal["starttls", "tls", "none"]
SECURITY_MODES: Final = get_args(Security)
DEFAULT_PORTS: Final[dict[str, int]] = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_TIMEOUT = 10.0

# Bodies go out 7-bit clean (base64 or quoted-printable for UTF-8 text, RFC 2047 for a UTF-8
# subject): any server relays them, with or without 8BITMIME or SMTPUTF8.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")


class SmtpEmailSender:
    def __init__(
        self,
        host: str,
        port: int | None = None,
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        from_address: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        *,
        ca_file: Path | str | None = None,
        verify_tls: bool = True,
        allow_insecure_auth: bool = False,
        name: str = "smtp",
    ) -> None:
        if not host:
            raise ValueError("smtp: host is empty")
        if security not in SECURITY_MODES:
            raise ValueError(f"smtp: security must be one of {', '.join(SECURITY_MODES)}")
        if port is not None and not 0 < port < 65536:
            raise ValueError("smtp: port must be between 1 and 65535")
        if (username is None) != (password is None):
            raise ValueError("smtp: username and password go together")
        if username is not None and security == "none" and not allow_insecure_auth:
            raise ValueError(
                "smtp: refusing to send a password over an unencrypted connection; use "
                "security starttls or tls (or set allow_insecure_auth for a trusted local relay)"
            )
        if timeout <= 0:
            raise ValueError("smtp: timeout must be positive")
        display, bare = parseaddr(from_address)
        if "\r" in from_address or "\n" in from_address or not valid_address(bare):
            raise ValueError(f"smtp: from_address {from_address!r} is not a usable address")
        self.name = name
        self.host = host
        self.port = port or DEFAULT_PORTS[security]
        self.security = security
        self.username = username
        self.timeout = timeout
        self.from_address = from_address
        self._display_name = display
        self._envelope_from = bare
        self._password = password
        self._tls = _tls_context(ca_file, verify_tls) if security != "none" else None

    def __repr__(self) -> str:
        return (
            f"SmtpEmailSender(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"username={self.username!r}, password=...)"
        )

    def build(self, message: EmailMessage) -> MimeMessage:
        """The MIME message: text/plain, or multipart/alternative with an HTML part."""
        mime = MimeMessage(policy=_POLICY)
        mime["From"] = Address(self._display_name, addr_spec=self._envelope_from)
        mime["To"] = message.to
        mime["Subject"] = message.subject
        mime["Date"] = formatdate(usegmt=True)
        mime["Message-ID"] = make_msgid(domain=self._envelope_from.rpartition("@")[2])
        mime.set_content(message.text, charset="utf-8")
        if message.html is not None:
            mime.add_alternative(message.html, subtype="html", charset="utf-8")
        return mime

    async def send(self, message: EmailMessage) -> EmailReceipt:
        check_message(self.name, message)
        try:
            mime = self.build(message)
        except (ValueError, TypeError) as exc:
            raise ProviderRejected(self.name, f"cannot build the message: {exc}") from exc
        try:
            await anyio.to_thread.run_sync(self._deliver, mime, message.to)
        except ProviderError:
            raise
        except Exception as exc:
            raise _classify(self.name, exc) from exc
        return EmailReceipt(sender=self.name, message_id=str(mime["Message-ID"]))

    def _deliver(self, mime: MimeMessage, recipient: str) -> None:
        """One SMTP session (blocking; runs in a worker thread)."""
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=self._tls)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=self._tls)
                smtp.ehlo()
            if self.username is not None and self._password is not None:
                smtp.login(self.username, self._password)
            refused = smtp.send_message(mime, from_addr=self._envelope_from, to_addrs=[recipient])
        if refused:  # only when some of several recipients were refused: not with one
            raise ProviderRejected(self.name, "recipient refused")


def _tls_context(ca_file: Path | str | None, verify: bool) -> ssl.SSLContext:
    if not verify:
        # Explicitly configured only: encryption without knowing who is at the other end.
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if ca_file is not None and not Path(ca_file).is_file():
        raise ValueError(f"smtp: ca_file {str(ca_file)!r} does not exist")
    return ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = " ".join(text.split())
    return f"{code} {text[:160]}".strip()


def _by_code(provider: str, code: int, what: str) -> ProviderError:
    """SMTP's own verdict: 5xx is permanent (rejected), anything else transient."""
    if 500 <= code < 600:
        return ProviderRejected(provider, what)
    return ProviderUnavailable(provider, what)


def _classify(provider: str, exc: BaseException) -> ProviderError:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        replies = list(exc.recipients.values())
        code = min((c for c, _ in replies), default=550)
        detail = _reply(*replies[0]) if replies else ""
        return _by_code(provider, code, f"recipient refused: {detail}")
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return _by_code(
            provider, exc.smtp_code, f"sender refused: {_reply(exc.smtp_code, exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return _by_code(
            provider,
            exc.smtp_code,
            f"authentication failed: {_reply(exc.smtp_code, exc.smtp_error)}",
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return ProviderUnavailable(
            provider, f"connection refused by the server: {_reply(exc.smtp_code, exc.smtp_error)}"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return _by_code(provider, exc.smtp_code, _reply(exc.smtp_code, exc.smtp_error))
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return ProviderUnavailable(provider, f"server lacks a required extension: {exc}")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ProviderUnavailable(provider, f"server disconnected: {exc}")
    if isinstance(exc, smtplib.SMTPException):
        return ProviderUnavailable(provider, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, ssl.SSLError):
        return ProviderUnavailable(provider, f"TLS failure: {exc.reason or exc}")
    if isinstance(exc, TimeoutError):
        return ProviderUnavailable(provider, "timed out")
    if isinstance(exc, OSError):
        return ProviderUnavailable(provider, f"connection failed: {exc.strerror or exc}")
    return ProviderUnavailable(provider, f"{type(exc).__name__}: {exc}")
