import sys
from typing import TextIO

from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.domain.shared.errors import ServiceUnavailableError

SEPARATOR = "-" * 79


class ConsoleEmailSender(EmailSender):
    """Prints each message with its body as plain text (no quoted-printable), so a developer can
    follow its links: the dev default.

    Without a `stream` it writes to whatever `sys.stdout` is at send time (test capture, a redirected
    server log), not to the stdout of import time.
    """

    def __init__(self, sender: str, stream: TextIO | None = None) -> None:
        self._sender = sender
        self._stream = stream

    async def send(self, message: EmailMessage) -> None:
        body = message.body if message.body.endswith("\n") else message.body + "\n"
        text = f"From: {self._sender}\nTo: {message.to}\nSubject: {message.subject}\n\n{body}{SEPARATOR}\n"
        stream = sys.stdout if self._stream is None else self._stream
        try:
            # one write per message, so concurrent sends never interleave their lines
            stream.write(text)
            stream.flush()
        except (OSError, ValueError) as error:  # ValueError: the stream was closed
            raise ServiceUnavailableError("The console is unavailable for mail.") from error
