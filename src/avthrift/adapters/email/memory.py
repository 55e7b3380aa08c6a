from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.domain.shared.errors import ServiceUnavailableError


class MemoryEmailSender(EmailSender):
    """Keeps every sent message in `outbox`: the `memory` backend and the fake for tests.

    Setting `fail_next` makes the next send fail like an unreachable mail server, once.
    """

    def __init__(self) -> None:
        self.outbox: list[EmailMessage] = []
        self.fail_next = False

    async def send(self, message: EmailMessage) -> None:
        if self.fail_next:
            self.fail_next = False
            raise ServiceUnavailableError("The mail server is unavailable.")
        self.outbox.append(message)
