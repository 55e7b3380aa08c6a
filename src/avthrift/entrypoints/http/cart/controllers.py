"""`/api/v1/cart/` (signed-in users) and `/api/v1/cart/guest/` (guests): reference §1.8, contract §7.

Every change of a line holds stock for `CART_RESERVATION_TTL_MINUTES` and renews the holds of the
other lines; not enough stock is `400 "Unable to update cart."` (`insufficient_stock`, with
`available`, the most units the line can hold now) and changes nothing. An item of any cart but the
caller's active one is `404 "Not found."`. Reads are counted in the `cart` rate scope, everything else
in `cart_write`. Staff routes: `staff_controllers.py`.
"""

from typing import Annotated, Any, Final

from dishka import FromDishka
from litestar import Controller, Request, delete, get, patch, post
from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter, JSONBody, PathParameter

from avthrift.domain.cart.model import SESSION_ID_PATTERN, CartOwner, guest_session_id
from avthrift.domain.cart.use_cases.merge import MergeGuestCart
from avthrift.domain.cart.use_cases.shopping import (
    AbandonCart,
    AddItem,
    ClearCart,
    GetCart,
    RemoveItem,
    UpdateItem,
)
from avthrift.entrypoints.http.auth import BEARER_SECURITY, authenticated, principal
from avthrift.entrypoints.http.cart import staff_controllers
from avthrift.entrypoints.http.cart.schemas import (
    AddItemIn,
    CartLineOut,
    CartOut,
    GuestAddItemIn,
    GuestUpdateItemIn,
    StatusOut,
    UpdateItemIn,
    cart_out,
    line_out,
)
from avthrift.entrypoints.http.idempotency import GUEST, IDEMPOTENT
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

READ: Final = {RATE_SCOPE: "cart"}
USER_WRITE: Final = {IDEMPOTENT: True}
GUEST_WRITE: Final = {IDEMPOTENT: GUEST}
_SESSION: Final = (
    "The guest's session id, a secret the client makes up once: 32 to 64 characters of "
    "`[A-Za-z0-9_-]` (a UUIDv4 qualifies). Absent: `400 missing_session_id` "
    '("Missing X-Session-Id."); malformed: `400 invalid_session_id` ("Invalid X-Session-Id.").'
)
# A header is a string or absent, never `null`: the schema says so (Litestar would write `oneOf`
# string/null for the optional Python type).
_SESSION_SCHEMA: Final = {
    "oneOf": None,
    "type": OpenAPIType.STRING,
    "pattern": SESSION_ID_PATTERN,
    "minLength": 32,
    "maxLength": 64,
}

SessionHeader = Annotated[
    str | None,
    HeaderParameter(name="X-Session-Id", required=True, description=_SESSION, schema_extra=_SESSION_SCHEMA),
]
OptionalSessionHeader = Annotated[
    str | None,
    HeaderParameter(
        name="X-Session-Id",
        required=False,
        description=f"{_SESSION} It may come as the body's `session_id` instead; the header wins.",
        schema_extra=_SESSION_SCHEMA,
    ),
]
ItemId = Annotated[int, PathParameter(ge=1, description="The cart item's id.")]


def _user(request: Request[Any, Any, Any]) -> CartOwner:
    return CartOwner.user(principal(request).id)


def _guest(header: str | None, body: str | None = None) -> CartOwner:
    return CartOwner.guest(guest_session_id(header, body))


class CartController(Controller):
    path = "/api/v1/cart"
    tags = ["cart"]  # noqa: RUF012
    opt = {RATE_SCOPE: "cart_write"}  # noqa: RUF012 - reads name their own scope
    guards = [authenticated]  # noqa: RUF012
    security = BEARER_SECURITY

    @get(opt=READ, summary="My cart", responses=problem_responses(401, 429))
    async def get_cart(self, request: Request[Any, Any, Any], get_cart: FromDishka[GetCart]) -> CartOut:
        """The active cart, created on first read."""
        return cart_out(await get_cart(_user(request)))

    @post(
        "/items",
        opt=USER_WRITE,
        summary="Add an item to my cart",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def add_item(
        self, request: Request[Any, Any, Any], data: JSONBody[AddItemIn], add_item: FromDishka[AddItem]
    ) -> CartLineOut:
        """`201` with the line. A variant already in the cart gets the quantities added up. Only an active
        variant of a published product can be added (`404 "Not found."` otherwise). Not enough stock:
        `400` (`insufficient_stock`, "Unable to update cart.") with `available`, the most units the line
        can hold now; the cart and its holds stay as they were. A line holds at most
        `CART_MAX_LINE_QUANTITY` units (default 10, `400 quantity_limit`), a cart at most `CART_MAX_LINES`
        lines (default 50, `400 too_many_lines`)."""
        return line_out(await add_item(_user(request), data.variant_id, data.quantity))

    @patch(
        "/items/{item_id:int}",
        summary="Set the quantity of an item of my cart",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def update_item(
        self,
        request: Request[Any, Any, Any],
        item_id: ItemId,
        data: JSONBody[UpdateItemIn],
        update_item: FromDishka[UpdateItem],
    ) -> CartLineOut:
        """The line, with its new quantity and hold. The variant must still be on sale (`404`). Not enough
        stock: `400` (`insufficient_stock`, "Unable to update cart.") with `available`, the most units the
        line can hold now; the cart and its holds stay as they were. A line holds at most
        `CART_MAX_LINE_QUANTITY` units (default 10, `400 quantity_limit`), a cart at most `CART_MAX_LINES`
        lines (default 50, `400 too_many_lines`)."""
        return line_out(await update_item(_user(request), item_id, data.quantity))

    @delete(
        "/items/{item_id:int}/delete",
        summary="Remove an item from my cart",
        responses=problem_responses(400, 401, 404, 429),
    )
    async def remove_item(
        self, request: Request[Any, Any, Any], item_id: ItemId, remove_item: FromDishka[RemoveItem]
    ) -> None:
        """`204`; the item's stock is released. `DELETE …/items/{item_id}/` is `405`."""
        await remove_item(_user(request), item_id)

    @post(
        "/clear",
        opt=USER_WRITE,
        status_code=200,
        summary="Empty my cart",
        responses=problem_responses(401, 429),
    )
    async def clear(self, request: Request[Any, Any, Any], clear_cart: FromDishka[ClearCart]) -> StatusOut:
        """`{"status": "cleared"}`: every item removed and its stock released; the cart stays active."""
        await clear_cart(_user(request))
        return StatusOut(status="cleared")

    @post(
        "/abandon",
        opt=USER_WRITE,
        status_code=200,
        summary="Abandon my cart",
        responses=problem_responses(401, 429),
    )
    async def abandon(
        self, request: Request[Any, Any, Any], abandon_cart: FromDishka[AbandonCart]
    ) -> StatusOut:
        """`{"status": "abandoned"}`: its stock is released and its items removed; the next access starts a
        new cart."""
        await abandon_cart(_user(request))
        return StatusOut(status="abandoned")

    @post(
        "/merge-guest",
        opt=USER_WRITE,
        status_code=200,
        summary="Move my guest cart into my cart",
        responses=problem_responses(400, 401, 429),
    )
    async def merge_guest(
        self,
        request: Request[Any, Any, Any],
        merge_guest: FromDishka[MergeGuestCart],
        x_session_id: SessionHeader = None,
    ) -> StatusOut:
        """`{"status": "merged"}`: the guest cart of `X-Session-Id` is moved into your cart in one
        transaction and deleted; an unknown session is a no-op. Quantities add up per variant (line limits
        apply to the sums) and the stock holds move with the lines, so a cart holding the last unit merges
        it. All or nothing: a refusal is `400 merge_failed` ("Unable to merge cart.", with `variant_id`
        and `available` when stock is short) and changes nothing."""
        await merge_guest(principal(request).id, guest_session_id(x_session_id))
        return StatusOut(status="merged")


class GuestCartController(Controller):
    """Anonymous: an `Authorization` header is ignored here."""

    path = "/api/v1/cart/guest"
    tags = ["cart"]  # noqa: RUF012
    opt = {RATE_SCOPE: "cart_write"}  # noqa: RUF012 - reads name their own scope

    @get(opt=READ, summary="A guest's cart", responses=problem_responses(400, 429))
    async def get_cart(self, get_cart: FromDishka[GetCart], x_session_id: SessionHeader = None) -> CartOut:
        """The session's active cart; for a session without one, an empty cart with `id: null` (reading
        creates nothing)."""
        return cart_out(await get_cart(_guest(x_session_id)))

    @post(
        "/items",
        opt=GUEST_WRITE,
        summary="Add an item to a guest's cart",
        responses=problem_responses(400, 404, 429),
    )
    async def add_item(
        self,
        data: JSONBody[GuestAddItemIn],
        add_item: FromDishka[AddItem],
        x_session_id: OptionalSessionHeader = None,
    ) -> CartLineOut:
        """`201` with the line; the first write of a session creates its cart. A variant already in the cart
        gets the quantities added up. Only an active variant of a published product can be added (`404
        "Not found."` otherwise). Not enough stock: `400` (`insufficient_stock`, "Unable to update cart.")
        with `available`, the most units the line can hold now; the cart and its holds stay as they were.
        A line holds at most `CART_MAX_LINE_QUANTITY` units (default 10, `400 quantity_limit`), a cart at
        most `CART_MAX_LINES` lines (default 50, `400 too_many_lines`)."""
        return line_out(await add_item(_guest(x_session_id, data.session_id), data.variant_id, data.quantity))

    @patch(
        "/items/{item_id:int}",
        summary="Set the quantity of an item of a guest's cart",
        responses=problem_responses(400, 404, 429),
    )
    async def update_item(
        self,
        item_id: ItemId,
        data: JSONBody[GuestUpdateItemIn],
        update_item: FromDishka[UpdateItem],
        x_session_id: OptionalSessionHeader = None,
    ) -> CartLineOut:
        """An item not in the session's active cart is `404` (and nothing is created); the variant must still
        be on sale. Not enough stock: `400` (`insufficient_stock`, "Unable to update cart.") with the
        units `available`; the cart and its holds stay as they were. A line holds at most
        `CART_MAX_LINE_QUANTITY` units (default 10, `400 quantity_limit`), a cart at most `CART_MAX_LINES`
        lines (default 50, `400 too_many_lines`)."""
        return line_out(await update_item(_guest(x_session_id, data.session_id), item_id, data.quantity))

    @delete(
        "/items/{item_id:int}/delete",
        summary="Remove an item from a guest's cart",
        responses=problem_responses(400, 404, 429),
    )
    async def remove_item(
        self, item_id: ItemId, remove_item: FromDishka[RemoveItem], x_session_id: SessionHeader = None
    ) -> None:
        """`204`; the item's stock is released. An item not in the session's active cart is `404`."""
        await remove_item(_guest(x_session_id), item_id)

    @post(
        "/clear",
        opt=GUEST_WRITE,
        status_code=200,
        summary="Empty a guest's cart",
        responses=problem_responses(400, 429),
    )
    async def clear(self, clear_cart: FromDishka[ClearCart], x_session_id: SessionHeader = None) -> StatusOut:
        """`{"status": "cleared"}`: every item removed and its stock released (nothing is created for a
        session without a cart)."""
        await clear_cart(_guest(x_session_id))
        return StatusOut(status="cleared")


HANDLERS: Final = (CartController, GuestCartController, *staff_controllers.HANDLERS)
