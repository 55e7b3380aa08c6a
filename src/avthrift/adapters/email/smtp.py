import asyncio
import email.message
import email.utils
import smtplib
import ssl
from datetime import UTC, datetime

from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.domain.shared.errors import ServiceUnavailableError


def to_mime(message: EmailMessage, sender: str) -> email.message.EmailMessage:
    """The RFC 5322 message an SMTP server would receive (the file backend stores the same bytes)."""
    mime = email.message.EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = email.utils.format_datetime(datetime.now(UTC))
    domain = email.utils.parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    mime["Message-ID"] = email.utils.make_msgid(domain=domain)
    # Quoted-printable keeps the body 7-bit clean with lines under 78 characters (RFC 5322 §2.1.1), so
    # it crosses relays that do not offer 8BITMIME (RFC 6152) and long links are soft-wrapped, not cut.
    mime.set_content(message.body, charset="utf-8", cte="quoted-printable")
    return mime


class SmtpEmailSender(EmailSender):
    """Delivers through an SMTP relay, one connection per message, in a worker thread."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        username: str,
        password: str,
        use_tls: bool,
        use_ssl: bool,
        sender: str,
        timeout: float = 10.0,
    ) -> None:
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._use_tls = use_tls
        self._use_ssl = use_ssl
        self._sender = sender
        self._timeout = timeout
        # smtplib's own default context verifies no certificate; this one checks chain and host name
        self._tls_context = ssl.create_default_context() if use_tls or use_ssl else None

    async def send(self, message: EmailMessage) -> None:
        mime = to_mime(message, self._sender)
        try:
            await asyncio.to_thread(self._deliver, mime)
        # SMTPException and TimeoutError are OSErrors; UnicodeError: non-ASCII credentials
        except (smtplib.SMTPException, OSError, UnicodeError) as error:
            raise ServiceUnavailableError("The mail server is unavailable.") from error

    def _deliver(self, mime: email.message.EmailMessage) -> None:
        with self._connect() as smtp:
            if self._use_tls:
                smtp.starttls(context=self._tls_context)
            if self._username:
                smtp.login(self._username, self._password)
            smtp.send_message(mime)

    def _connect(self) -> smtplib.SMTP:
        if self._use_ssl:
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=self._tls_context)
        return smtplib.SMTP(self._host, self._port, timeout=self._timeout)
