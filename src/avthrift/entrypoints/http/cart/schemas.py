"""Wire types of `/api/v1/cart/` and `/api/v1/admin/carts/` (reference §1.8; contract §7)."""

from datetime import datetime
from typing import Annotated

import msgspec

from avthrift.domain.cart.model import (
    SESSION_ID_PATTERN,
    CartOwner,
    CartSummary,
    CartView,
    LineView,
)
from avthrift.domain.shared.money import CURRENCY
from avthrift.entrypoints.http.catalog.public_schemas import Money
from avthrift.entrypoints.http.money import money

VariantId = Annotated[
    int, msgspec.Meta(ge=1, description="The variant's id (an active variant of a published product).")
]
Quantity = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        description="Units, at least 1 and at most `CART_MAX_LINE_QUANTITY` (default 10) per line "
        "(`400 quantity_limit` above it).",
    ),
]
BodySessionId = Annotated[
    str,
    msgspec.Meta(
        description="The guest session id, when the `X-Session-Id` header is not sent (the header wins "
        "when both are). 32 to 64 characters of `[A-Za-z0-9_-]`; a UUIDv4 qualifies.",
        extra_json_schema={"extra": {"pattern": SESSION_ID_PATTERN}},
    ),
]
ReservedUntil = Annotated[
    datetime | None,
    msgspec.Meta(
        description="Until when the line's stock is held for this cart (every change of the cart "
        "renews it); `null` when the hold lapsed: see `warnings`."
    ),
]


class AddItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    variant_id: VariantId
    quantity: Quantity


class GuestAddItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    variant_id: VariantId
    quantity: Quantity
    session_id: BodySessionId | None = None


class UpdateItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    quantity: Quantity


class GuestUpdateItemIn(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    quantity: Quantity
    session_id: BodySessionId | None = None


class CartLineOut(msgspec.Struct, frozen=True, kw_only=True):
    """The line that was added or updated."""

    id: int
    variant_id: int
    quantity: int
    unit_price: Money
    line_total: Money
    reserved_until: ReservedUntil


class CartItemOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    variant_id: int
    product_title: str
    variant_sku: str
    quantity: int
    unit_price: Annotated[
        Money, msgspec.Meta(description="The variant's price at the last add, update or merge of the line.")
    ]
    line_total: Money
    reserved_until: ReservedUntil


class CartWarningOut(msgspec.Struct, frozen=True, kw_only=True):
    item_id: int
    code: Annotated[
        str, msgspec.Meta(description="`reservation_lapsed`: the line's stock is no longer held.")
    ]
    detail: str


CartStatusText = Annotated[str, msgspec.Meta(description="`active`, `ordered` or `abandoned`.")]
Items = Annotated[list[CartItemOut], msgspec.Meta(description="The lines, in id order.")]
ItemCount = Annotated[int, msgspec.Meta(description="Units in the cart: the sum of the quantities.")]
Total = Annotated[Money, msgspec.Meta(description="Equals `subtotal`.")]
Warnings = Annotated[
    list[CartWarningOut],
    msgspec.Meta(
        description="One entry per line whose stock hold has lapsed (`reservation_lapsed`): the line "
        "stays in the cart, shows `reserved_until: null`, and its stock is checked again at checkout "
        "(or held again by any change of the line). Empty when every line holds its stock."
    ),
]


class CartOut(msgspec.Struct, frozen=True, kw_only=True):
    """A cart. `id` is `null` for a guest cart that does not exist yet (reading one creates nothing)."""

    id: Annotated[
        int | None,
        msgspec.Meta(description="`null` for a guest cart not created yet (the first write creates it)."),
    ]
    status: CartStatusText
    currency: Annotated[str, msgspec.Meta(description='Always `"NGN"`.')]
    items: Items
    item_count: ItemCount
    subtotal: Money
    total: Total
    warnings: Warnings


class StatusOut(msgspec.Struct, frozen=True, kw_only=True):
    status: Annotated[str, msgspec.Meta(description="`cleared`, `abandoned` or `merged`.")]


class CartOwnerOut(msgspec.Struct, frozen=True, kw_only=True):
    """A user's id, or `guest: true` (a guest session id is a secret and never shown)."""

    user_id: int | None
    guest: bool


class AdminCartOut(msgspec.Struct, frozen=True, kw_only=True):
    """A cart as staff see it: the shopper's body plus its owner and times."""

    id: int
    status: CartStatusText
    owner: CartOwnerOut
    currency: str
    items: Items
    item_count: ItemCount
    subtotal: Money
    total: Total
    warnings: Warnings
    lines_changed_at: Annotated[
        datetime | None,
        msgspec.Meta(description="The last change of any line (stale carts are judged by it)."),
    ]
    created_at: datetime | None


class AdminCartSummaryOut(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    status: CartStatusText
    owner: CartOwnerOut
    currency: str
    line_count: Annotated[int, msgspec.Meta(description="Lines (distinct variants).")]
    item_count: ItemCount
    subtotal: Money
    lines_changed_at: datetime
    created_at: datetime | None


def line_out(found: LineView) -> CartLineOut:
    line = found.line
    return CartLineOut(
        id=line.id,
        variant_id=line.variant_id,
        quantity=line.quantity,
        unit_price=money(line.unit_price),
        line_total=money(line.line_total),
        reserved_until=found.reserved_until,
    )


def _items(cart: CartView) -> list[CartItemOut]:
    return [
        CartItemOut(
            id=view.line.id,
            variant_id=view.line.variant_id,
            product_title=view.line.product_title,
            variant_sku=view.line.variant_sku,
            quantity=view.line.quantity,
            unit_price=money(view.line.unit_price),
            line_total=money(view.line.line_total),
            reserved_until=view.reserved_until,
        )
        for view in cart.lines
    ]


def _warnings(cart: CartView) -> list[CartWarningOut]:
    return [CartWarningOut(item_id=w.item_id, code=w.code, detail=w.detail) for w in cart.warnings]


def cart_out(cart: CartView) -> CartOut:
    return CartOut(
        id=cart.id,
        status=cart.status.value,
        currency=CURRENCY,
        items=_items(cart),
        item_count=cart.item_count,
        subtotal=money(cart.subtotal),
        total=money(cart.total),
        warnings=_warnings(cart),
    )


def owner_out(owner: CartOwner | None) -> CartOwnerOut:
    if owner is None or owner.user_id is None:
        return CartOwnerOut(user_id=None, guest=True)
    return CartOwnerOut(user_id=owner.user_id, guest=False)


def admin_cart_out(cart: CartView) -> AdminCartOut:
    return AdminCartOut(
        id=cart.id or 0,
        status=cart.status.value,
        owner=owner_out(cart.owner),
        currency=CURRENCY,
        items=_items(cart),
        item_count=cart.item_count,
        subtotal=money(cart.subtotal),
        total=money(cart.total),
        warnings=_warnings(cart),
        lines_changed_at=cart.lines_changed_at,
        created_at=cart.created_at,
    )


def summary_out(summary: CartSummary) -> AdminCartSummaryOut:
    return AdminCartSummaryOut(
        id=summary.id,
        status=summary.status.value,
        owner=owner_out(summary.owner),
        currency=CURRENCY,
        line_count=summary.line_count,
        item_count=summary.item_count,
        subtotal=money(summary.subtotal),
        lines_changed_at=summary.lines_changed_at,
        created_at=summary.created_at,
    )
