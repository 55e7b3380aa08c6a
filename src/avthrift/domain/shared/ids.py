"""Ids are positive 64-bit integers on both engines (contract §1): a larger one names nothing and
must never reach a driver (it would overflow it)."""

from typing import Final

MAX_ID: Final = 2**63 - 1


def usable_id(value: int) -> bool:
    return 0 < value <= MAX_ID
