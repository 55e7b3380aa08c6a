"""Refusals of the payment webhook (contract §9)."""

from avthrift.domain.shared.errors import DomainError, InvalidInputError


class InvalidSignatureError(DomainError):
    """`X-Signature` is missing or is not the HMAC of the body (the peer's webhook was open to
    anyone, reference §7.2 #2)."""

    code = "invalid_signature"
    default_detail = "Missing or invalid X-Signature."


class UnsupportedEventError(InvalidInputError):
    code = "unsupported_event"
    default_detail = "Unsupported event"
