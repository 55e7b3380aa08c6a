import asyncio
import email.message
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

from avthrift.adapters.email.smtp import to_mime
from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.domain.shared.errors import ServiceUnavailableError


class FileEmailSender(EmailSender):
    """Writes each message as one `.eml` file (the bytes SMTP would carry) into `directory`."""

    def __init__(self, directory: str, sender: str) -> None:
        self._directory = Path(directory)
        self._sender = sender

    async def send(self, message: EmailMessage) -> None:
        mime = to_mime(message, self._sender)
        try:
            await asyncio.to_thread(self._write, mime)
        except OSError as error:
            raise ServiceUnavailableError("The mail directory is not writable.") from error

    def _write(self, mime: email.message.EmailMessage) -> None:
        self._directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self._directory / f"{stamp}-{uuid.uuid4().hex}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(bytes(mime))
        # a reader polling the directory for *.eml never sees a half-written message
        os.replace(partial, path)
