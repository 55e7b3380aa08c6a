"""`/api/v1/admin/carts/`: staff list and read carts and clear, abandon or merge the cart they
select (reference §5.1, whose admin acts on the owner's current cart instead: §7.2 #15). Staff only
(anonymous `401`, others `403`), counted in the `cart_write` scope."""

from typing import Annotated, Any, Final

from dishka import FromDishka
from litestar import Controller, Request, get, post
from litestar.params import PathParameter, QueryParameter

from avthrift.domain.cart.model import CartQuery, CartStatus
from avthrift.domain.cart.use_cases.staff import (
    AbandonCartById,
    ClearCartById,
    GetCartById,
    ListCarts,
    MergeCartInto,
)
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.auth import BEARER_SECURITY, staff_only
from avthrift.entrypoints.http.cart.schemas import (
    AdminCartOut,
    AdminCartSummaryOut,
    StatusOut,
    admin_cart_out,
    summary_out,
)
from avthrift.entrypoints.http.idempotency import IDEMPOTENT
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

CartId = Annotated[int, PathParameter(ge=1, description="The cart's id.")]
UserId = Annotated[
    int, PathParameter(ge=1, description="The id of the user whose active cart receives the lines.")
]
StatusFilter = Annotated[CartStatus | None, QueryParameter(description="Only carts in this status.")]
UserFilter = Annotated[int | None, QueryParameter(ge=1, description="Only carts of this user.")]


class AdminCartController(Controller):
    """Staff only (anonymous `401`, others `403`). Actions act on the cart named in the path, which
    must be active (`409 cart_not_active` otherwise)."""

    path = "/api/v1/admin/carts"
    tags = ["cart"]  # noqa: RUF012
    opt = {RATE_SCOPE: "cart_write"}  # noqa: RUF012 - every operation here, OPTIONS included
    guards = [staff_only]  # noqa: RUF012
    security = BEARER_SECURITY

    @get(summary="Carts", responses=problem_responses(400, 401, 403, 404, 429))
    async def list_carts(
        self,
        request: Request[Any, Any, Any],
        list_carts: FromDishka[ListCarts],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        status: StatusFilter = None,
        user_id: UserFilter = None,
    ) -> Paginated[AdminCartSummaryOut]:
        """Newest first; user and guest carts in every status."""
        query = CartQuery(status=status, user_id=user_id, page=page_request(page, page_size))
        return paginated(request, await list_carts(query), summary_out)

    @get("/{cart_id:int}", summary="A cart", responses=problem_responses(400, 401, 403, 404, 429))
    async def get_cart(self, cart_id: CartId, get_cart: FromDishka[GetCartById]) -> AdminCartOut:
        return admin_cart_out(await get_cart(cart_id))

    @post(
        "/{cart_id:int}/clear",
        opt={IDEMPOTENT: True},
        status_code=200,
        summary="Empty a cart",
        responses=problem_responses(400, 401, 403, 404, 409, 429),
    )
    async def clear(self, cart_id: CartId, clear_cart: FromDishka[ClearCartById]) -> StatusOut:
        """`{"status": "cleared"}`: the cart's items removed and their stock released; it stays active."""
        await clear_cart(cart_id)
        return StatusOut(status="cleared")

    @post(
        "/{cart_id:int}/abandon",
        opt={IDEMPOTENT: True},
        status_code=200,
        summary="Abandon a cart",
        responses=problem_responses(400, 401, 403, 404, 409, 429),
    )
    async def abandon(self, cart_id: CartId, abandon_cart: FromDishka[AbandonCartById]) -> StatusOut:
        """`{"status": "abandoned"}`: the cart's stock released, its items removed, its status `abandoned`."""
        await abandon_cart(cart_id)
        return StatusOut(status="abandoned")

    @post(
        "/{cart_id:int}/merge-into/{user_id:int}",
        opt={IDEMPOTENT: True},
        status_code=200,
        summary="Merge a cart into a user's cart",
        responses=problem_responses(400, 401, 403, 404, 409, 429),
    )
    async def merge_into(
        self, cart_id: CartId, user_id: UserId, merge_into: FromDishka[MergeCartInto]
    ) -> StatusOut:
        """`{"status": "merged"}`: the cart (a guest's or a user's) is moved into the user's active cart
        (made when missing) and deleted. An unknown cart or user is `404`. Quantities add up per variant
        (line limits apply to the sums) and the stock holds move with the lines, so a cart holding the
        last unit merges it. All or nothing: a refusal is `400 merge_failed` ("Unable to merge cart.",
        with `variant_id` and `available` when stock is short) and changes nothing."""
        await merge_into(cart_id, user_id)
        return StatusOut(status="merged")


HANDLERS: Final = (AdminCartController,)
