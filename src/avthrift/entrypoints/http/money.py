"""Money on the wire: decimal strings with two places (`"10.00"`), never JSON numbers (contract §1)."""

from decimal import Decimal


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def optional_money(value: Decimal | None) -> str | None:
    return None if value is None else money(value)
