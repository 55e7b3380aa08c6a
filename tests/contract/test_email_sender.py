"""One contract, run against every EmailSender adapter (SMTP against a real local SMTP server)."""

import asyncio
import io
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from avthrift.adapters.email.console import SEPARATOR, ConsoleEmailSender
from avthrift.adapters.email.file import FileEmailSender
from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.adapters.email.smtp import SmtpEmailSender
from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.domain.shared.errors import ServiceUnavailableError
from tests.mail import SmtpServer, decoded_body, links, parse

SENDER = "AVThrift <noreply@avthrift.example>"
# longer than a quoted-printable line (76), and full of "=" that quoted-printable escapes
RESET_LINK = "http://localhost:3000/reset-password?uid=MQ&token=abc-123-" + "0123456789abcdef" * 4
MESSAGE = EmailMessage(
    to="alice@example.com",
    subject="Café ✓ — reset your password",
    body=f"Hello Alice,\n\nCafé ✓ says: follow this link within the hour:\n\n{RESET_LINK}\n\n— AVThrift",
)


@dataclass(frozen=True, slots=True)
class Received:
    to: str
    subject: str
    sender: str
    body: str


@dataclass(frozen=True, slots=True)
class Channel:
    """An adapter, and how to read back what it delivered."""

    sender: EmailSender
    read: Callable[[], list[Received]]


def _received(raw: bytes) -> Received:
    message = parse(raw)
    body = decoded_body(message).removesuffix("\n")
    return Received(str(message["To"]), str(message["Subject"]), str(message["From"]), body)


def _read_console(stream: io.StringIO) -> list[Received]:
    received = []
    for block in stream.getvalue().split(f"{SEPARATOR}\n")[:-1]:
        head, _, body = block.partition("\n\n")
        headers = dict(line.split(": ", 1) for line in head.splitlines())
        received.append(Received(headers["To"], headers["Subject"], headers["From"], body.removesuffix("\n")))
    return received


def _read_memory(sender: MemoryEmailSender) -> list[Received]:
    return [Received(m.to, m.subject, SENDER, m.body) for m in sender.outbox]


def _read_files(directory: Path) -> list[Received]:
    return [_received(path.read_bytes()) for path in sorted(directory.glob("*.eml"))]


def _read_smtp(server: SmtpServer) -> list[Received]:
    return [_received(message.as_bytes()) for message in server.messages]


def _smtp_sender(server: SmtpServer, username: str = "", password: str = "") -> SmtpEmailSender:
    return SmtpEmailSender(
        host=server.host,
        port=server.port,
        username=username,
        password=password,
        use_tls=False,
        use_ssl=False,
        sender=SENDER,
        timeout=5.0,
    )


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture(params=["console", "file", "memory", "smtp"])
def channel(request: pytest.FixtureRequest, tmp_path: Path) -> Channel:
    match request.param:
        case "console":
            stream = io.StringIO()
            return Channel(ConsoleEmailSender(SENDER, stream), lambda: _read_console(stream))
        case "file":
            directory = tmp_path / "mail" / "outbox"
            return Channel(FileEmailSender(str(directory), SENDER), lambda: _read_files(directory))
        case "memory":
            memory = MemoryEmailSender()
            return Channel(memory, lambda: _read_memory(memory))
        case _:
            server: SmtpServer = request.getfixturevalue("smtp_server")
            return Channel(_smtp_sender(server), lambda: _read_smtp(server))


async def test_a_message_arrives_once_with_its_recipient_subject_sender_and_body(channel: Channel) -> None:
    await channel.sender.send(MESSAGE)
    assert channel.read() == [Received(MESSAGE.to, MESSAGE.subject, SENDER, MESSAGE.body)]


async def test_a_long_link_survives_intact(channel: Channel) -> None:
    await channel.sender.send(MESSAGE)
    [received] = channel.read()
    assert links(received.body) == [RESET_LINK]


async def test_two_messages_arrive_as_two(channel: Channel) -> None:
    second = EmailMessage(to="bob@example.com", subject="Verify your email", body="Plain ASCII body.")
    await asyncio.gather(channel.sender.send(MESSAGE), channel.sender.send(second))
    received = sorted(channel.read(), key=lambda r: r.to)
    assert [(r.to, r.subject, r.body) for r in received] == [
        (MESSAGE.to, MESSAGE.subject, MESSAGE.body),
        (second.to, second.subject, second.body),
    ]


async def test_smtp_sends_a_well_formed_message_to_the_envelope_recipient(smtp_server: SmtpServer) -> None:
    await _smtp_sender(smtp_server).send(MESSAGE)
    [message] = await smtp_server.wait_for(1)
    [delivery] = smtp_server.deliveries
    assert (delivery.mail_from, delivery.rcpt_tos) == ("noreply@avthrift.example", (MESSAGE.to,))
    assert message["Date"] is not None
    assert str(message["Message-ID"]).endswith("@avthrift.example>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert links(message) == [RESET_LINK]


async def test_smtp_logs_in_with_the_configured_credentials() -> None:
    with SmtpServer(credentials=("mailer", "s3cret pass")) as server:
        await _smtp_sender(server, "mailer", "s3cret pass").send(MESSAGE)
        await server.wait_for(1)
    assert server.logins == [("mailer", "s3cret pass")]


@pytest.mark.parametrize(
    ("username", "password"), [("", ""), ("mailer", "wrong")], ids=["no-login", "wrong-password"]
)
async def test_smtp_refused_authentication_is_unavailable(username: str, password: str) -> None:
    with SmtpServer(credentials=("mailer", "s3cret")) as server:
        with pytest.raises(ServiceUnavailableError) as caught:
            await _smtp_sender(server, username, password).send(MESSAGE)
        assert server.deliveries == []
    assert caught.value.__cause__ is not None


async def test_smtp_rejected_message_is_unavailable() -> None:
    rejected = pytest.raises(ServiceUnavailableError, match=r"^The mail server is unavailable\.$")
    with SmtpServer(reject_with="550 5.7.1 Message rejected") as server, rejected:
        await _smtp_sender(server).send(MESSAGE)
    assert server.deliveries == []


async def test_smtp_closed_port_is_unavailable_quickly() -> None:
    sender = SmtpEmailSender(
        host="127.0.0.1", port=1, username="", password="", use_tls=False, use_ssl=False, sender=SENDER
    )
    started = time.monotonic()
    with pytest.raises(ServiceUnavailableError) as caught:
        await sender.send(MESSAGE)
    assert time.monotonic() - started < 2
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


async def test_smtp_silent_server_times_out() -> None:
    # the kernel completes the TCP handshake from the backlog, but nobody ever sends a greeting
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        sender = SmtpEmailSender(
            host="127.0.0.1",
            port=port,
            username="",
            password="",
            use_tls=False,
            use_ssl=False,
            sender=SENDER,
            timeout=0.3,
        )
        started = time.monotonic()
        with pytest.raises(ServiceUnavailableError) as caught:
            await sender.send(MESSAGE)
    assert time.monotonic() - started < 2
    # smtplib reports the read timeout as SMTPServerDisconnected("... timed out")
    assert "timed out" in str(caught.value.__cause__)


@pytest.mark.parametrize(("use_tls", "use_ssl"), [(True, False), (False, True)], ids=["starttls", "ssl"])
async def test_smtp_never_falls_back_to_plain_text_when_tls_is_asked(
    smtp_server: SmtpServer, use_tls: bool, use_ssl: bool
) -> None:
    sender = SmtpEmailSender(
        host=smtp_server.host,
        port=smtp_server.port,
        username="",
        password="",
        use_tls=use_tls,
        use_ssl=use_ssl,
        sender=SENDER,
        timeout=5.0,
    )
    with pytest.raises(ServiceUnavailableError):
        await sender.send(MESSAGE)
    assert smtp_server.deliveries == []


async def test_file_sender_under_a_regular_file_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    with pytest.raises(ServiceUnavailableError) as caught:
        await FileEmailSender(str(blocker / "mail"), SENDER).send(MESSAGE)
    assert isinstance(caught.value.__cause__, OSError)


async def test_file_sender_leaves_only_complete_eml_files(tmp_path: Path) -> None:
    sender = FileEmailSender(str(tmp_path), SENDER)
    await asyncio.gather(*(sender.send(MESSAGE) for _ in range(5)))
    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 5
    assert all(name.endswith(".eml") for name in names)


async def test_console_sender_on_a_closed_stream_is_unavailable() -> None:
    stream = io.StringIO()
    stream.close()
    with pytest.raises(ServiceUnavailableError):
        await ConsoleEmailSender(SENDER, stream).send(MESSAGE)


async def test_console_sender_writes_to_the_current_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    await ConsoleEmailSender(SENDER).send(MESSAGE)
    assert links(capsys.readouterr().out) == [RESET_LINK]


async def test_memory_sender_fails_once_when_told_to() -> None:
    sender = MemoryEmailSender()
    sender.fail_next = True
    with pytest.raises(ServiceUnavailableError):
        await sender.send(MESSAGE)
    await sender.send(MESSAGE)
    assert sender.outbox == [MESSAGE]
