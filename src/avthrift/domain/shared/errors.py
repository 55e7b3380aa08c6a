"""Domain errors: they carry a stable machine code and data, never an HTTP status.

The HTTP layer maps each class to a status in one table (`entrypoints/http/problems.py`).
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    code: ClassVar[str] = "domain_error"
    default_detail: ClassVar[str] = "The request could not be completed."

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.default_detail
        self.extra = extra
        super().__init__(self.detail)


class InvalidInputError(DomainError):
    code = "invalid"
    default_detail = "The request is invalid."


class NotFoundError(DomainError):
    code = "not_found"
    default_detail = "Not found."


class ConflictError(DomainError):
    code = "conflict"
    default_detail = "The request conflicts with the current state."


class PermissionDeniedError(DomainError):
    code = "permission_denied"
    default_detail = "You do not have permission to perform this action."


class ServiceUnavailableError(DomainError):
    """A backing service (database, Redis, mail server) did not answer."""

    code = "service_unavailable"
    default_detail = "A backing service is unavailable."


def field_error(field: str, reason: str) -> InvalidInputError:
    """A `400` naming the offending field, shaped like framework validation errors."""
    return InvalidInputError(reason, invalid_params=[{"name": field, "reason": reason}])
