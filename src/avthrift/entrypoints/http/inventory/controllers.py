"""`/api/v1/inventory/`: staff only (the reference exposes it to anyone, unthrottled: §7.2 item 6).

Reads as reference §1.7 (filters, pagination, ordering) plus the writes of contract §6: creating a
variant's stock row and recording movements. Every route is counted in the `inventory` scope.
"""

from datetime import datetime
from typing import Annotated, Any, Final

import msgspec
from dishka import FromDishka
from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from avthrift.domain.inventory.model import HoldState, MovementType
from avthrift.domain.inventory.read_models import Movement, Reservation, StockItem
from avthrift.domain.inventory.use_cases import (
    CreateStockItem,
    ListMovements,
    ListReservations,
    ListStockItems,
    RecordMovement,
)
from avthrift.domain.shared.errors import field_error
from avthrift.domain.shared.ids import MAX_ID
from avthrift.domain.shared.pagination import DEFAULT_PAGE_SIZE
from avthrift.entrypoints.http.auth import BEARER_SECURITY, staff_only
from avthrift.entrypoints.http.inventory.schemas import (
    Endpoint,
    HoldStateName,
    InventoryHealth,
    InventoryIndex,
    MovementIn,
    MovementOut,
    MovementTypeName,
    ReservationOut,
    StockItemIn,
    StockItemOut,
)
from avthrift.entrypoints.http.pagination import PageNumber, PageSize, Paginated, page_request, paginated
from avthrift.entrypoints.http.patterns import NO_NUL
from avthrift.entrypoints.http.problems import problem_responses
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

PREFIX: Final = "/api/v1/inventory"
READ_PROBLEMS: Final = problem_responses(400, 401, 403, 404, 429)


_TIME: Final = " ISO-8601; without an offset, UTC. Unparsable: `400`."
_ORDERING: Final = "`-` descends; unknown fields are ignored; `id` breaks ties."

ProductIdParam = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="Stock of this product's variants.")
]
VariantIdParam = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="Exact variant id.")]
StockItemParam = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="Exact stock item id.")]
SkuParam = Annotated[
    str | None,
    QueryParameter(pattern=NO_NUL, max_length=64, description="The variant's SKU, case-insensitive exact."),
]
# Times are read as strings and parsed here: a `datetime` parameter would also take a bare number
# as a Unix timestamp (`?updated_after=0.5`), which the schema's `date-time` format rules out.
_DATE_TIME: Final = {"format": "date-time"}
UpdatedAfterParam = Annotated[
    str | None,
    QueryParameter(
        max_length=64, schema_extra=_DATE_TIME, description=f"Rows updated at or after this time.{_TIME}"
    ),
]
CreatedAfterParam = Annotated[
    str | None,
    QueryParameter(
        max_length=64,
        schema_extra=_DATE_TIME,
        description=f"Movements recorded at or after this time.{_TIME}",
    ),
]
ExpiresBeforeParam = Annotated[
    str | None,
    QueryParameter(
        max_length=64, schema_extra=_DATE_TIME, description=f"Holds expiring at or before this time.{_TIME}"
    ),
]
MovementTypeParam = Annotated[MovementTypeName | None, QueryParameter(description="Exact movement type.")]
# `state` is a reserved parameter name in Litestar (the application state).
StateParam = Annotated[HoldStateName | None, QueryParameter(name="state", description="Exact hold state.")]
StockOrdering = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Comma-separated fields among `id`, `variant`, `sku`, `quantity`, `reserved`, "
        f"`available`, `updated_at`; {_ORDERING} Default `-updated_at,id`.",
    ),
]
MovementOrdering = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Comma-separated fields among `id`, `stock_item`, `movement_type`, `quantity`, "
        f"`created_at`; {_ORDERING} Default `-created_at,id`.",
    ),
]
ReservationOrdering = Annotated[
    str | None,
    QueryParameter(
        max_length=200,
        description="Comma-separated fields among `id`, `variant`, `quantity`, `reference`, `state`, "
        f"`expires_at`, `created_at`; {_ORDERING} Default `-created_at,id`.",
    ),
]


def _moment(name: str, raw: str | None) -> datetime | None:
    """An RFC 3339 time from the query string; anything else is a `400` naming `name`."""
    if raw is None:
        return None
    try:
        return msgspec.convert(raw, datetime)
    except msgspec.ValidationError:
        raise field_error(name, "Enter a valid ISO-8601 date and time.") from None


def _stock_item(item: StockItem) -> StockItemOut:
    return StockItemOut(
        id=item.id,
        variant=item.variant_id,
        sku=item.sku,
        quantity=item.on_hand,
        reserved=item.reserved,
        available=item.available,
        updated_at=item.updated_at,
    )


def _movement(movement: Movement) -> MovementOut:
    return MovementOut(
        id=movement.id,
        stock_item=movement.stock_item_id,
        movement_type=movement.movement_type.value,
        quantity=movement.quantity,
        reason=movement.reason,
        reference=movement.reference,
        created_at=movement.created_at,
    )


def _reservation(hold: Reservation) -> ReservationOut:
    return ReservationOut(
        id=hold.id,
        variant=hold.variant_id,
        quantity=hold.quantity,
        reference=hold.reference,
        state=hold.state.value,
        expires_at=hold.expires_at,
        created_at=hold.created_at,
    )


class InventoryController(Controller):
    path = PREFIX
    tags = ["inventory"]  # noqa: RUF012
    opt = {RATE_SCOPE: "inventory"}  # noqa: RUF012 - every operation here, OPTIONS included
    security = BEARER_SECURITY
    guards = [staff_only]  # noqa: RUF012

    @get(
        "/",
        summary="Inventory endpoints",
        description="Staff only. The inventory API's list endpoints.",
        responses=problem_responses(401, 403, 429),
    )
    async def index(self) -> InventoryIndex:
        paths = ("stock-items", "movements", "reservations")
        return InventoryIndex(
            endpoints=[Endpoint(path=f"{PREFIX}/{path}/", status="available") for path in paths]
        )

    @get(
        "/health",
        summary="Inventory health",
        description='Staff only. `{"status": "ok", "app": "inventory"}`; touches no backing service.',
        responses=problem_responses(401, 403, 429),
    )
    async def health(self) -> InventoryHealth:
        return InventoryHealth(status="ok", app="inventory")

    @get(
        "/stock-items",
        summary="List stock items",
        description='Staff only. One stock row per variant. Paginated; `404 "Invalid page."` past the '
        "last page. Bad filter values (ids, times) are `400`.",
        responses=READ_PROBLEMS,
    )
    async def list_stock_items(
        self,
        request: Request[Any, Any, Any],
        list_stock_items: FromDishka[ListStockItems],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        product_id: ProductIdParam = None,
        variant_id: VariantIdParam = None,
        sku: SkuParam = None,
        updated_after: UpdatedAfterParam = None,
        ordering: StockOrdering = None,
    ) -> Paginated[StockItemOut]:
        found = await list_stock_items(
            product_id=product_id,
            variant_id=variant_id,
            sku=sku,
            updated_after=_moment("updated_after", updated_after),
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, _stock_item)

    @post(
        "/stock-items",
        summary="Create a stock item",
        description="Staff only. `201` with the new stock row of the variant, `quantity` units on "
        "hand, recorded as an inbound movement when positive. `409 stock_item_exists` when the "
        "variant already has one; `400` naming `variant_id` for an unknown variant.",
        responses=problem_responses(400, 401, 403, 409, 429),
    )
    async def create_stock_item(
        self, data: JSONBody[StockItemIn], create: FromDishka[CreateStockItem]
    ) -> StockItemOut:
        return _stock_item(await create(data.variant_id, data.quantity))

    @get(
        "/movements",
        summary="List stock movements",
        description="Staff only. The ledger: on-hand stock is the sum of its movements. Paginated; "
        '`404 "Invalid page."` past the last page. Bad filter values (ids, types, times) are `400`.',
        responses=READ_PROBLEMS,
    )
    async def list_movements(
        self,
        request: Request[Any, Any, Any],
        list_movements: FromDishka[ListMovements],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        stock_item: StockItemParam = None,
        movement_type: MovementTypeParam = None,
        created_after: CreatedAfterParam = None,
        ordering: MovementOrdering = None,
    ) -> Paginated[MovementOut]:
        found = await list_movements(
            stock_item_id=stock_item,
            movement_type=None if movement_type is None else MovementType(movement_type),
            created_after=_moment("created_after", created_after),
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, _movement)

    @post(
        "/movements",
        summary="Record a stock movement",
        description="Staff only. `201` with the movement. `in` is positive, `out` negative, `adjust` "
        "either sign but not 0 (`400` naming `quantity`); `400` naming `stock_item` for an unknown "
        "stock item; `409 stock_below_reserved` when on-hand would fall below what carts hold.",
        responses=problem_responses(400, 401, 403, 409, 429),
    )
    async def record_movement(
        self, data: JSONBody[MovementIn], record: FromDishka[RecordMovement]
    ) -> MovementOut:
        movement = await record(
            data.stock_item, data.movement_type, data.quantity, reason=data.reason, reference=data.reference
        )
        return _movement(movement)

    @get(
        "/reservations",
        summary="List stock reservations",
        description="Staff only. The holds carts take on stock; a lapsed hold stays `active` until it "
        'is reclaimed or expired. Paginated; `404 "Invalid page."` past the last page. Bad filter '
        "values (ids, states, times) are `400`.",
        responses=READ_PROBLEMS,
    )
    async def list_reservations(
        self,
        request: Request[Any, Any, Any],
        list_reservations: FromDishka[ListReservations],
        page: PageNumber = 1,
        page_size: PageSize = DEFAULT_PAGE_SIZE,
        variant_id: VariantIdParam = None,
        state_filter: StateParam = None,
        expires_before: ExpiresBeforeParam = None,
        ordering: ReservationOrdering = None,
    ) -> Paginated[ReservationOut]:
        found = await list_reservations(
            variant_id=variant_id,
            state=None if state_filter is None else HoldState(state_filter),
            expires_before=_moment("expires_before", expires_before),
            ordering=ordering,
            page=page_request(page, page_size),
        )
        return paginated(request, found, _reservation)


HANDLERS: Final = (InventoryController,)
