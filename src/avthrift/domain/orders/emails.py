"""Order emails (reference §3.7, contract §9): "order received" at checkout, "order confirmed" when
paid. Sent only after the transaction that decided them has committed."""

from avthrift.domain.orders.model import Order, OrderPolicy
from avthrift.domain.shared.email import EmailMessage
from avthrift.domain.shared.money import CURRENCY


def _link(order: Order, policy: OrderPolicy) -> str:
    return f"{policy.frontend_url}/orders/{order.id}"


def order_received(order: Order, policy: OrderPolicy) -> EmailMessage:
    lines = "\n".join(
        f"- {line.product_title} ({line.variant_sku}) x {line.quantity}: {line.line_total} {CURRENCY}"
        for line in order.lines
    )
    body = (
        "Thank you for your order!\n\n"
        f"Order: {order.number}\nStatus: {order.status}\n\n{lines}\n\n"
        f"Total: {order.totals.total} {CURRENCY}\n\n"
        f"It is reserved for you until it is paid. You can view your order here: {_link(order, policy)}\n"
    )
    return EmailMessage(to=order.email, subject=f"We received your order {order.number}", body=body)


def order_confirmed(order: Order, policy: OrderPolicy) -> EmailMessage:
    body = (
        "Thank you for your purchase!\n\n"
        f"Order: {order.number}\nStatus: paid\n\n"
        f"You can view your order here: {_link(order, policy)}\n"
    )
    return EmailMessage(to=order.email, subject=f"Your order {order.number} is confirmed", body=body)
