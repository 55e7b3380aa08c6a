"""`/api/v1/orders/`: the signed-in user's orders (reference §1.9; contract §9), and the payment
gateway's webhook. Reads are counted in the `orders` rate scope, writes in `orders_write`. Staff
routes: `staff_controllers.py`."""

from typing import Annotated, Any, Final

from dishka import FromDishka
from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from avthrift.domain.orders.model import OrderQuery, OrderStatus
from avthrift.domain.orders.use_cases.cancel import CancelOrder
from avthrift.domain.orders.use_cases.confirm import ConfirmPayment
from avthrift.domain.orders.use_cases.pay import PaymentStarted, PayOrder
from avthrift.domain.orders.use_cases.reads import GetOrder, ListOrders
from avthrift.domain.payments.events import require_success
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.auth import BEARER_SECURITY, authenticated, principal
from avthrift.entrypoints.http.idempotency import IDEMPOTENT
from avthrift.entrypoints.http.orders import staff_controllers
from avthrift.entrypoints.http.orders.filters import DATE_FORMAT, created_bound
from avthrift.entrypoints.http.orders.schemas import (
    OrderOut,
    PaymentConfirmedOut,
    PaymentEventIn,
    PaymentOut,
    order_out,
    payment_out,
)
from avthrift.entrypoints.http.orders.signature import SIGNATURE_HEADER, SIGNED_BODY
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

READ: Final = {RATE_SCOPE: "orders"}
WRITE: Final = {IDEMPOTENT: True}

OrderId = Annotated[int, PathParameter(ge=1, description="The order's id.")]
StatusFilter = Annotated[
    OrderStatus | None, QueryParameter(description="Only orders in this status (another value: `400`).")
]
NumberFilter = Annotated[
    str | None, QueryParameter(description="Only the order with this number (`ORD-000042`).")
]
StartFilter = Annotated[
    str | None,
    QueryParameter(description=f"Only orders placed at or after this moment. {DATE_FORMAT} Invalid: `400`."),
]
EndFilter = Annotated[
    str | None,
    QueryParameter(
        description=f"Only orders placed at or before this moment (a bare date: until the end of that "
        f"day). {DATE_FORMAT} Invalid: `400`."
    ),
]
SignatureHeader = Annotated[
    str | None,
    HeaderParameter(
        name=SIGNATURE_HEADER,
        required=True,
        description="The lowercase hex HMAC-SHA256 of the raw request body, keyed with "
        "`PAYMENT_WEBHOOK_SECRET`. Missing or wrong: `401 invalid_signature`.",
        schema_extra={"oneOf": None, "type": "string", "pattern": "^[0-9a-f]{64}$"},
    ),
]
PAY_RESPONSES: Final = {
    202: ResponseSpec(
        data_container=PaymentOut, description="A payment was started: the order is still `pending`."
    ),
    200: ResponseSpec(
        data_container=OrderOut, description="The order was already paid: it is returned unchanged."
    ),
}


class OrderController(Controller):
    """The caller's own orders; another user's order is `404 "Not found."`."""

    path = "/api/v1/orders"
    tags = ["orders"]  # noqa: RUF012
    opt = {RATE_SCOPE: "orders_write"}  # noqa: RUF012 - reads name their own scope
    guards = [authenticated]  # noqa: RUF012
    security = BEARER_SECURITY

    @get(opt=READ, summary="My orders", responses=problem_responses(400, 401, 404, 429))
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        list_orders: FromDishka[ListOrders],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        status: StatusFilter = None,
        number: NumberFilter = None,
        start: StartFilter = None,
        end: EndFilter = None,
    ) -> Paginated[OrderOut]:
        """Newest first. Totals are the ones stored at checkout: there are no `tax`, `shipping` or
        `discount` parameters (unknown parameters are ignored)."""
        query = OrderQuery(
            user_id=principal(request).id,
            status=status,
            number=number or None,
            start=created_bound("start", start),
            end=created_bound("end", end, end=True),
            page=page_request(page, page_size),
        )
        return paginated(request, await list_orders(query), order_out)

    @get(
        "/{order_id:int}",
        opt=READ,
        summary="One of my orders",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def get_order(
        self, request: Request[Any, Any, Any], order_id: OrderId, get_order: FromDishka[GetOrder]
    ) -> OrderOut:
        """The order with its stored totals (query parameters never change them)."""
        return order_out(await get_order(principal(request).id, order_id))

    @post(
        "/{order_id:int}/pay",
        opt=WRITE,
        status_code=202,
        summary="Pay one of my orders",
        responses=problem_responses(400, 401, 404, 409, 422, 429) | PAY_RESPONSES,
    )
    async def pay(
        self, request: Request[Any, Any, Any], order_id: OrderId, pay_order: FromDishka[PayOrder]
    ) -> Response[PaymentOut | OrderOut]:
        """Asks the configured payment gateway (`PAYMENT_GATEWAY`) to start a payment: `202` with what to
        do next (the `manual` gateway: bank-transfer instructions quoting the order number). The order
        stays `pending` until the payment is confirmed, by staff (`manual`) or by the gateway's signed
        webhook; this call never marks it paid. Already paid: `200` with the order, unchanged.
        Cancelled: `400 order_not_updatable` ("Unable to update order.")."""
        result = await pay_order(principal(request).id, order_id)
        if isinstance(result, PaymentStarted):
            return Response(payment_out(result), status_code=202)
        return Response(order_out(result), status_code=200)

    @post(
        "/{order_id:int}/cancel",
        opt=WRITE,
        status_code=200,
        summary="Cancel one of my orders",
        responses=problem_responses(400, 401, 404, 409, 422, 429),
    )
    async def cancel(
        self, request: Request[Any, Any, Any], order_id: OrderId, cancel_order: FromDishka[CancelOrder]
    ) -> OrderOut:
        """A pending order is cancelled and its stock put back on hand (recorded as movements
        referencing `order:<id>`). Already cancelled: the order, unchanged. Paid: `400
        order_not_updatable` ("Unable to update order."). A payment confirmed at the same moment and
        this cancel never both succeed."""
        return order_out(await cancel_order(principal(request).id, order_id))


class PaymentWebhookController(Controller):
    """Anonymous, but signed: `X-Signature` is checked before anything else."""

    path = "/api/v1/orders/webhooks"
    tags = ["orders"]  # noqa: RUF012
    opt = {RATE_SCOPE: "orders_write", SIGNED_BODY: True}  # noqa: RUF012

    @post(
        "/payment",
        opt=WRITE,
        status_code=200,
        summary="Payment gateway webhook",
        responses=problem_responses(400, 401, 404, 409, 422, 429),
    )
    async def payment(
        self,
        data: JSONBody[PaymentEventIn],
        confirm_payment: FromDishka[ConfirmPayment],
        x_signature: SignatureHeader = None,
    ) -> PaymentConfirmedOut:
        """A successful payment of an order: it is marked paid exactly once, and the "order confirmed"
        email goes out once, however often the event is delivered (each delivery answers `200`). The
        signature (`X-Signature`) is checked first: missing or wrong, `401 invalid_signature`. Then: an
        event other than `payment_succeeded`/`payment.succeeded` is `400 unsupported_event`; an unknown
        order `404`; a cancelled order `400 order_not_updatable`."""
        require_success(data.event)
        order = await confirm_payment(data.order_id)
        return PaymentConfirmedOut(status="paid", order_id=order.id)


HANDLERS: Final = (OrderController, PaymentWebhookController, *staff_controllers.HANDLERS)
