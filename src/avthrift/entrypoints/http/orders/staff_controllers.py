"""`/api/v1/admin/orders/`: staff confirm a payment they received (the `manual` gateway) or cancel an
order (contract §9). Staff only (anonymous `401`, others `403`), counted in the `orders_write` scope."""

from typing import Annotated, Final

from dishka import FromDishka
from litestar import Controller, post
from litestar.params import PathParameter

from avthrift.domain.orders.use_cases.cancel import CancelOrder
from avthrift.domain.orders.use_cases.confirm import MarkOrderPaid
from avthrift.entrypoints.http.auth import BEARER_SECURITY, staff_only
from avthrift.entrypoints.http.idempotency import IDEMPOTENT
from avthrift.entrypoints.http.orders.schemas import OrderOut, order_out
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

OrderId = Annotated[int, PathParameter(ge=1, description="The order's id.")]


class AdminOrderController(Controller):
    path = "/api/v1/admin/orders"
    tags = ["orders"]  # noqa: RUF012
    opt = {RATE_SCOPE: "orders_write"}  # noqa: RUF012
    guards = [staff_only]  # noqa: RUF012
    security = BEARER_SECURITY

    @post(
        "/{order_id:int}/mark-paid",
        opt={IDEMPOTENT: True},
        status_code=200,
        summary="Mark an order paid",
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def mark_paid(self, order_id: OrderId, mark_paid: FromDishka[MarkOrderPaid]) -> OrderOut:
        """The payment was received: a pending order becomes `paid` and its buyer gets the "order
        confirmed" email. Already paid: the order, unchanged (no second email). Cancelled: `400
        order_not_updatable` ("Unable to update order.")."""
        return order_out(await mark_paid(order_id))

    @post(
        "/{order_id:int}/cancel",
        opt={IDEMPOTENT: True},
        status_code=200,
        summary="Cancel an order",
        responses=problem_responses(400, 401, 403, 404, 409, 422, 429),
    )
    async def cancel(self, order_id: OrderId, cancel_order: FromDishka[CancelOrder]) -> OrderOut:
        """A pending order is cancelled and its stock put back on hand, as when its owner cancels it.
        Already cancelled: the order, unchanged. Paid: `400 order_not_updatable`."""
        return order_out(await cancel_order(None, order_id))


HANDLERS: Final = (AdminOrderController,)
