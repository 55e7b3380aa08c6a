"""Outgoing email: the message value and the port that delivers it."""

import logging
from dataclasses import dataclass
from typing import Protocol

from avthrift.domain.shared.errors import ServiceUnavailableError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class EmailMessage:
    to: str
    subject: str
    body: str


class EmailSender(Protocol):
    """Delivers one plain-text message from the configured sender address.

    Raises `ServiceUnavailableError` when the mail system refuses or cannot be reached. Not
    transactional: call it only after the transaction that decided to send has committed.
    """

    async def send(self, message: EmailMessage) -> None: ...


async def send_after_commit(sender: EmailSender, message: EmailMessage) -> None:
    """Send a message whose transaction already committed: a mail failure is logged, never raised,
    so it can neither undo the work nor turn a success into an error (contract §3)."""
    try:
        await sender.send(message)
    except ServiceUnavailableError:
        logger.warning("email %r to %s not sent", message.subject, message.to, exc_info=True)
