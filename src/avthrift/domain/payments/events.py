"""Payment events a gateway's webhook may report (reference §1.9)."""

from typing import Final

from avthrift.domain.payments.errors import UnsupportedEventError

SUCCEEDED: Final = frozenset({"payment_succeeded", "payment.succeeded"})


def require_success(event: str) -> None:
    """Accept a successful payment event (any case); `UnsupportedEventError` otherwise."""
    if event.lower() not in SUCCEEDED:
        raise UnsupportedEventError
