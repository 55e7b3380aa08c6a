"""The `manual` payment gateway (contract §9): the customer pays by bank transfer, quoting the order
number, and staff confirm the payment (`POST /api/v1/admin/orders/{id}/mark-paid/`). No provider is
called, so starting a payment never fails and asking twice shows the same instructions."""

from avthrift.domain.orders.model import Order
from avthrift.domain.payments.ports import PaymentGateway, PaymentStart
from avthrift.domain.shared.money import CURRENCY


class ManualPaymentGateway(PaymentGateway):
    name = "manual"

    async def start(self, order: Order) -> PaymentStart:
        instructions = (
            f"Pay {order.totals.total:.2f} {CURRENCY} by bank transfer and quote {order.number} as the "
            "payment reference. Staff will confirm your payment, and we will email you when the order "
            "is paid."
        )
        return PaymentStart(gateway=self.name, reference=order.number, instructions=instructions)
