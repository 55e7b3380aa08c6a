from avthrift.domain.shared.errors import ConflictError, InvalidInputError


class InsufficientStockError(InvalidInputError):
    """Not enough free stock for a hold (contract §7: `400 "Unable to update cart."`, with the units
    that are `available`). Raised with nothing changed."""

    code = "insufficient_stock"
    default_detail = "Unable to update cart."

    def __init__(self, variant_id: int, available: int, detail: str | None = None) -> None:
        super().__init__(detail, variant_id=variant_id, available=available)
        self.variant_id, self.available = variant_id, available


class StockBelowReservedError(ConflictError):
    """A movement would leave less on hand than is reserved (contract §6: `409`)."""

    code = "stock_below_reserved"
    default_detail = "The movement would leave less stock on hand than is reserved."


class StockItemExistsError(ConflictError):
    """The variant already has its stock row (contract §6: `409`)."""

    code = "stock_item_exists"
    default_detail = "This variant already has a stock item."
