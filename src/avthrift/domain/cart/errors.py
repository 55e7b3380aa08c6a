"""Refusals of the cart context. Not enough stock is the inventory's `InsufficientStockError`
(`400 "Unable to update cart."`, `code: insufficient_stock`, with `available`)."""

from typing import Any

from avthrift.domain.shared.errors import ConflictError, InvalidInputError


class MissingSessionIdError(InvalidInputError):
    code = "missing_session_id"
    default_detail = "Missing X-Session-Id."


class InvalidSessionIdError(InvalidInputError):
    """A guest session id must be 32 to 64 characters of `[A-Za-z0-9_-]` (reference §7.2 #19)."""

    code = "invalid_session_id"
    default_detail = "Invalid X-Session-Id."


class LineQuantityLimitError(InvalidInputError):
    """A line would hold more than `CART_MAX_LINE_QUANTITY` units."""

    code = "quantity_limit"

    def __init__(self, limit: int, already: int = 0) -> None:
        reason = f"Ensure the quantity of a cart line is at most {limit}"
        reason += f" ({already} already in the cart)." if already else "."
        super().__init__(reason, invalid_params=[{"name": "quantity", "reason": reason}], limit=limit)


class CartLinesLimitError(InvalidInputError):
    """A cart would hold more than `CART_MAX_LINES` lines."""

    code = "too_many_lines"

    def __init__(self, limit: int) -> None:
        reason = f"A cart holds at most {limit} different variants."
        super().__init__(reason, invalid_params=[{"name": "variant_id", "reason": reason}], limit=limit)


class MergeFailedError(InvalidInputError):
    """A merge that cannot be done as a whole; nothing changed. Carries `variant_id` and
    `available` when stock was short, `invalid_params` when a limit was exceeded."""

    code = "merge_failed"
    default_detail = "Unable to merge cart."

    def __init__(self, **extra: Any) -> None:
        super().__init__(None, **extra)


class CartNotActiveError(ConflictError):
    """Staff actions change active carts only (an ordered or abandoned cart is a record)."""

    code = "cart_not_active"
    default_detail = "The cart is not active."
