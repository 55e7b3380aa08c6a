"""Wire types of `/api/v1/inventory/` (reference §1.7, contract §6).

`quantity` is the reference's name for on-hand stock; `available` is on-hand minus reserved. Times
are ISO-8601 UTC with `Z`.
"""

from datetime import datetime
from typing import Annotated, Final, Literal

import msgspec

from avthrift.domain.shared.ids import MAX_ID
from avthrift.entrypoints.http.patterns import NO_NUL

MAX_QUANTITY: Final = 2**31 - 1

MovementTypeName = Literal["in", "out", "adjust"]
HoldStateName = Literal["active", "released", "converted"]


def _text(max_length: int, description: str) -> msgspec.Meta:
    return msgspec.Meta(
        max_length=max_length, description=description, extra_json_schema={"extra": {"pattern": NO_NUL}}
    )


class InventoryHealth(msgspec.Struct, frozen=True, kw_only=True):
    status: Literal["ok"]
    app: Literal["inventory"]


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    path: str
    status: Literal["available"]


class InventoryIndex(msgspec.Struct, frozen=True, kw_only=True):
    endpoints: list[Endpoint]


class StockItemOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    variant: int
    sku: str
    quantity: Annotated[int, msgspec.Meta(description="Units on hand.")]
    reserved: Annotated[int, msgspec.Meta(description="Units held by carts (lapsed holds included).")]
    available: Annotated[int, msgspec.Meta(description="`quantity - reserved`.")]
    updated_at: datetime


class MovementOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    stock_item: int
    movement_type: MovementTypeName
    quantity: Annotated[int, msgspec.Meta(description="Signed: positive in, negative out.")]
    reason: str
    reference: str
    created_at: datetime


class ReservationOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    variant: int
    quantity: int
    reference: Annotated[str, msgspec.Meta(description='The holder, e.g. `"cart:12"`.')]
    state: HoldStateName
    expires_at: datetime | None
    created_at: datetime


class StockItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    variant_id: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="The variant to stock.")]
    quantity: Annotated[
        int,
        msgspec.Meta(ge=0, le=MAX_QUANTITY, description="Opening units on hand (an `in` movement when > 0)."),
    ]


class MovementIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    stock_item: Annotated[int, msgspec.Meta(ge=1, le=MAX_ID, description="The stock item's id.")]
    movement_type: MovementTypeName
    quantity: Annotated[
        int,
        msgspec.Meta(
            ge=-MAX_QUANTITY,
            le=MAX_QUANTITY,
            description="Signed units: positive for `in`, negative for `out`, either (not 0) for `adjust`.",
        ),
    ]
    reason: Annotated[str, _text(200, "Why the stock moved.")] = ""
    reference: Annotated[str, _text(120, "An outside reference (delivery note, order…).")] = ""
