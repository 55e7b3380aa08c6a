"""`POST /api/v1/cart/checkout/` (contract §7): the signed-in user's cart becomes a pending order.

With an `Idempotency-Key` and the database store (`IDEMPOTENCY_STORE=sql`, the default), the answer
is recorded in the checkout's own transaction: the order and its recorded answer commit together. With
the Redis store it is recorded right after the commit, like every other route's. A replay returns
exactly these bytes.
"""

from typing import Annotated, Any, Final, Literal

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, post

from avthrift.domain.orders.model import CheckoutResult
from avthrift.domain.orders.use_cases.checkout import Checkout
from avthrift.domain.shared.idempotency import StoredResponse
from avthrift.entrypoints.http.auth import BEARER_SECURITY, authenticated, principal
from avthrift.entrypoints.http.idempotency import IDEMPOTENT, pending_record
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

JSON: Final = "application/json"


class CheckoutOut(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ordered"] = "ordered"
    order_id: Annotated[int, msgspec.Meta(description="The new order's id (`GET /api/v1/orders/{id}/`).")]
    order_number: Annotated[str, msgspec.Meta(description="`ORD-` and the zero-padded id.")]


def _out(result: CheckoutResult) -> CheckoutOut:
    return CheckoutOut(order_id=result.order_id, order_number=result.order_number)


def _render(result: CheckoutResult) -> StoredResponse:
    return StoredResponse(status=200, body=msgspec.json.encode(_out(result)), content_type=JSON)


class CheckoutController(Controller):
    path = "/api/v1/cart/checkout"
    tags = ["cart"]  # noqa: RUF012
    opt = {RATE_SCOPE: "cart_write", IDEMPOTENT: True}  # noqa: RUF012
    guards = [authenticated]  # noqa: RUF012
    security = BEARER_SECURITY

    @post(
        status_code=200,
        summary="Check out my cart",
        responses=problem_responses(400, 401, 404, 409, 422, 429),
    )
    async def checkout(self, request: Request[Any, Any, Any], checkout: FromDishka[Checkout]) -> CheckoutOut:
        """`{"status": "ordered", "order_id", "order_number"}`: in one transaction the cart's holds
        become sales (stock leaves on hand, `out` movements with reference `order:<id>`), a
        `pending` order is created with its totals, and the cart is emptied and marked `ordered`.
        An empty cart is `400 cart_empty` ("Cart is empty."). A line whose hold lapsed is reserved
        again if the stock allows; otherwise `409 reservation_lapsed` names those `lines` (cart item
        ids) and `variants`, and nothing changes. Two simultaneous checkouts of one cart make one
        order: the second finds the cart ordered (`400 cart_empty`). With an `Idempotency-Key` a
        retry is answered with the same bytes; with the default database store the order and its
        recorded answer commit together. An "order received" email follows the commit."""
        result = await checkout(principal(request).id, pending_record(request), _render)
        return _out(result)


HANDLERS: Final = (CheckoutController,)
