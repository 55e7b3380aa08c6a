"""Refusals of checkout and orders; the kept messages of contract §1."""

from collections.abc import Sequence

from avthrift.domain.shared.errors import ConflictError, InvalidInputError


class CartEmptyError(InvalidInputError):
    """Checkout of a cart without lines (reference §7.2 #8: the peer made empty orders)."""

    code = "cart_empty"
    default_detail = "Cart is empty."


class ReservationLapsedError(ConflictError):
    """Lines whose hold lapsed and whose units are gone; nothing changed. `lines` names the cart
    items (ids), `variants` their variants."""

    code = "reservation_lapsed"
    default_detail = "The reservation of some cart lines lapsed and the stock is no longer available."

    def __init__(self, lines: Sequence[int], variants: Sequence[int]) -> None:
        super().__init__(None, lines=list(lines), variants=list(variants))


class OrderUpdateError(InvalidInputError):
    """A move the order's status does not allow (pay or mark paid a cancelled order, cancel a paid
    one)."""

    code = "order_not_updatable"
    default_detail = "Unable to update order."
