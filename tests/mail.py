"""A real SMTP server for tests: receive the mail the app sends and follow the links in it.

    with SmtpServer() as mail:
        ...  # configure the app with EMAIL_BACKEND=smtp, EMAIL_HOST=mail.host, EMAIL_PORT=mail.port
        [message] = await mail.wait_for(1)
        reset_url = links(message)[0]

The server (aiosmtpd) runs in its own thread and event loop, so it answers even while the test blocks.
"""

import asyncio
import email.message
import email.policy
import re
import time
from dataclasses import dataclass
from email.parser import BytesParser
from types import TracebackType
from typing import Any, Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One accepted transaction: the SMTP envelope and the message it carried."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: email.message.EmailMessage


def parse(raw: bytes) -> email.message.EmailMessage:
    """Parse RFC 5322 bytes (a DATA payload, an .eml file) into a modern `EmailMessage`."""
    message = BytesParser(policy=email.policy.default).parsebytes(raw)
    assert isinstance(message, email.message.EmailMessage)
    return message


def decoded_body(message: email.message.EmailMessage) -> str:
    """The plain-text body with its transfer encoding (quoted-printable, base64) undone."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text/plain part"
    content = part.get_content()
    assert isinstance(content, str)
    return content.replace("\r\n", "\n")


def links(message: email.message.EmailMessage | str) -> list[str]:
    """Every http(s) URL in the decoded body (or in a text), in order of appearance."""
    text = message if isinstance(message, str) else decoded_body(message)
    return [url.rstrip(".,;:!?)") for url in _URL.findall(text)]


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self._server = server

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTP, session: Session, envelope: Envelope, address: str, mail_options: list[str]
    ) -> str:
        if self._server.credentials is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        if self._server.reject_with is not None:
            return self._server.reject_with
        content = envelope.original_content
        assert isinstance(content, bytes)
        assert envelope.mail_from is not None
        delivery = Delivery(envelope.mail_from, tuple(envelope.rcpt_tos), parse(content))
        self._server.deliveries.append(delivery)
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self._server.logins.append(login)
        # handled=False: aiosmtpd then answers a failure with 535 itself (True would leave it silent)
        return AuthResult(success=login == self._server.credentials, handled=False)


class _Controller(Controller):
    def _trigger_server(self) -> None:
        # Bound to port 0: learn the port the kernel chose before aiosmtpd's readiness probe connects.
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


class SmtpServer:
    """A local SMTP server on 127.0.0.1 and a free port that records what it accepts.

    `credentials` makes it offer AUTH (PLAIN, LOGIN) without TLS and refuse MAIL until the client
    authenticates with exactly that pair; `reject_with` (e.g. "550 5.7.1 Rejected") refuses every DATA.
    """

    host = "127.0.0.1"

    def __init__(self, *, credentials: tuple[str, str] | None = None, reject_with: str | None = None) -> None:
        self.credentials = credentials
        self.reject_with = reject_with
        self.deliveries: list[Delivery] = []
        self.logins: list[tuple[str, str]] = []
        handler = _Handler(self)
        auth: dict[str, Any] = {}
        if credentials is not None:
            # AUTH is required by the handler's MAIL hook, not by aiosmtpd's `auth_required`, which
            # warns (rightly, outside tests) when AUTH is required over a connection without TLS.
            auth = {"auth_require_tls": False, "authenticator": handler.authenticate}
        # server_hostname: skips aiosmtpd's socket.getfqdn(), a DNS lookup that can stall
        self._controller = _Controller(
            handler, hostname=self.host, port=0, server_hostname="localhost", **auth
        )

    @property
    def port(self) -> int:
        return int(self._controller.port)

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [delivery.message for delivery in self.deliveries]

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[email.message.EmailMessage]:
        """Wait until at least `count` messages arrived; return them all (in arrival order)."""
        deadline = time.monotonic() + timeout
        while len(self.deliveries) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} message(s), received {len(self.deliveries)}")
            await asyncio.sleep(0.01)
        return self.messages
