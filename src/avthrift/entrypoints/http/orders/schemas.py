"""Wire types of `/api/v1/orders/` and `/api/v1/admin/orders/` (reference §1.9; contract §9). Money is
a two-place decimal string everywhere (the peer sent JSON numbers on first responses)."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from avthrift.domain.orders.model import Order
from avthrift.domain.orders.use_cases.pay import PaymentStarted
from avthrift.domain.shared.money import CURRENCY
from avthrift.entrypoints.http.catalog.public_schemas import Money
from avthrift.entrypoints.http.money import money

OrderStatusText = Annotated[
    str, msgspec.Meta(description="`pending` (awaiting payment), `paid` or `cancelled`.")
]


class OrderItemOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    variant_id: int
    product_title: Annotated[str, msgspec.Meta(description="The product's title at checkout.")]
    variant_sku: Annotated[str, msgspec.Meta(description="The variant's SKU at checkout.")]
    quantity: int
    unit_price: Annotated[Money, msgspec.Meta(description="The price paid per unit, fixed at checkout.")]
    line_total: Money


class OrderOut(msgspec.Struct, frozen=True, kw_only=True):
    """An order with the totals stored at checkout (no request can change them)."""

    id: int
    number: Annotated[str, msgspec.Meta(description="`ORD-` and the id, zero-padded to 6 digits.")]
    status: OrderStatusText
    email: Annotated[str, msgspec.Meta(description="The buyer's email at checkout.")]
    currency: Annotated[str, msgspec.Meta(description='Always `"NGN"`.')]
    created_at: datetime
    items: Annotated[list[OrderItemOut], msgspec.Meta(description="The lines, in id order.")]
    subtotal: Money
    shipping: Money
    tax: Money
    discount: Money
    total: Annotated[Money, msgspec.Meta(description="`subtotal + shipping + tax - discount`.")]
    paid_at: Annotated[datetime | None, msgspec.Meta(description="When the payment was confirmed.")]
    cancelled_at: Annotated[datetime | None, msgspec.Meta(description="When the order was cancelled.")]


class PaymentOut(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """A payment the gateway started: the order stays `pending` until the payment is confirmed (by
    staff for the `manual` gateway, or by the gateway's signed webhook)."""

    status: Annotated[Literal["pending"], msgspec.Meta(description="The order's status: still `pending`.")]
    gateway: Annotated[str, msgspec.Meta(description="The gateway that takes the payment: `manual`.")]
    reference: Annotated[
        str, msgspec.Meta(description="The reference to quote with the payment (the order number).")
    ]
    instructions: Annotated[str, msgspec.Meta(description="What the customer does next, for people.")]
    redirect_url: Annotated[
        str | None,
        msgspec.Meta(
            description="Where to send the customer to pay, for gateways that host a payment page "
            "(absent for `manual`)."
        ),
    ] = None
    order: OrderOut


class PaymentEventIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    order_id: Annotated[int, msgspec.Meta(ge=1, description="The paid order's id.")]
    event: Annotated[
        str,
        msgspec.Meta(
            description="`payment_succeeded` (or `payment.succeeded`, any case); other events are "
            "`400 unsupported_event`."
        ),
    ]


class PaymentConfirmedOut(msgspec.Struct, frozen=True, kw_only=True):
    status: Annotated[Literal["paid"], msgspec.Meta(description="Always `paid`.")]
    order_id: int


def order_out(order: Order) -> OrderOut:
    totals = order.totals
    return OrderOut(
        id=order.id,
        number=order.number,
        status=order.status.value,
        email=order.email,
        currency=CURRENCY,
        created_at=order.created_at,
        items=[
            OrderItemOut(
                id=line.id,
                variant_id=line.variant_id,
                product_title=line.product_title,
                variant_sku=line.variant_sku,
                quantity=line.quantity,
                unit_price=money(line.unit_price),
                line_total=money(line.line_total),
            )
            for line in order.lines
        ],
        subtotal=money(totals.subtotal),
        shipping=money(totals.shipping),
        tax=money(totals.tax),
        discount=money(totals.discount),
        total=money(totals.total),
        paid_at=order.paid_at,
        cancelled_at=order.cancelled_at,
    )


def payment_out(started: PaymentStarted) -> PaymentOut:
    payment = started.payment
    return PaymentOut(
        status="pending",
        gateway=payment.gateway,
        reference=payment.reference,
        instructions=payment.instructions,
        redirect_url=payment.redirect_url,
        order=order_out(started.order),
    )
