"""Money: `Decimal` amounts in the business currency, two places (contract §1)."""

from decimal import Decimal
from typing import Final

CURRENCY: Final = "NGN"
CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")


def to_money(amount: Decimal) -> Decimal:
    """`amount` rounded to the cent (half-even, `Decimal`'s default)."""
    return amount.quantize(CENT)
