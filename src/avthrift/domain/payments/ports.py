"""Taking payment for an order (contract §9): the API asks a gateway to start a payment and never
marks an order paid by itself; a payment is confirmed by staff or by a signed gateway webhook."""

from dataclasses import dataclass
from typing import Protocol

from avthrift.domain.orders.model import Order


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentStart:
    """What the customer does next: `instructions` to read, or a `redirect_url` to follow."""

    gateway: str
    reference: str
    instructions: str
    redirect_url: str | None = None


class PaymentGateway(Protocol):
    """Starts a payment for a pending order. Raises `ServiceUnavailableError` when the provider does
    not answer. Idempotent per order: asking twice starts (or shows) the same payment. Called with
    no database transaction open."""

    async def start(self, order: Order) -> PaymentStart: ...
