"""RFC 9457 problem details: the one place where errors become HTTP responses.

Every 4xx/5xx answer of the API goes through `problem_response`; domain errors are mapped to a
status by `DOMAIN_STATUS` (the most specific class in the error's MRO wins).
"""

import logging
import re
from http import HTTPStatus
from typing import Any, Final

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, SerializationException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.types import ExceptionHandlersMap

from avthrift.domain.identity.errors import InvalidTokenError
from avthrift.domain.payments.errors import InvalidSignatureError
from avthrift.domain.shared.errors import (
    ConflictError,
    DomainError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    ServiceUnavailableError,
)
from avthrift.domain.shared.idempotency import IdempotencyInProgressError, IdempotencyKeyReusedError

logger = logging.getLogger(__name__)

PROBLEM_JSON: Final = "application/problem+json"

DOMAIN_STATUS: Final[dict[type[DomainError], int]] = {
    InvalidInputError: 400,
    InvalidTokenError: 401,
    InvalidSignatureError: 401,
    PermissionDeniedError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    IdempotencyKeyReusedError: 422,
    ServiceUnavailableError: 503,
}

# Stable codes and the reference's kept messages for errors raised by the framework itself.
_HTTP_CODES: Final = {
    400: ("bad_request", "The request is malformed."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("payload_too_large", "The request body exceeds 1 MiB."),
    415: ("unsupported_media_type", "Request bodies must be application/json."),
    429: ("throttled", "Request was throttled."),
    500: ("internal_error", "An unexpected error occurred."),
    503: ("service_unavailable", "A backing service is unavailable."),
}


class InvalidParam(msgspec.Struct, frozen=True):
    name: str
    reason: str


class Problem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """An RFC 9457 problem document with this API's `code` extension member."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    invalid_params: list[InvalidParam] | None = None


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
    invalid_params: list[InvalidParam] | None = None,
) -> Response[bytes]:
    problem = Problem(
        type=f"urn:avthrift:problem:{code}",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        invalid_params=invalid_params,
    )
    body = msgspec.to_builtins(problem)
    if extra:
        body |= {key: value for key, value in extra.items() if key not in body}
    return Response(
        content=msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def status_for(error: DomainError) -> int:
    for cls in type(error).__mro__:
        if cls in DOMAIN_STATUS:
            return DOMAIN_STATUS[cls]
    return 400


def handle_domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[bytes]:
    if isinstance(error, ServiceUnavailableError):
        logger.warning("service unavailable: %s", error.detail, exc_info=error.__cause__)
    status = status_for(error)
    # RFC 9110 §15.5.2: every 401 names a scheme; a webhook signs its body instead of sending a token.
    scheme = "Signature" if isinstance(error, InvalidSignatureError) else "Bearer"
    headers = {"WWW-Authenticate": f'{scheme} realm="api"'} if status == 401 else None  # noqa: PLR2004
    if isinstance(error, IdempotencyInProgressError):
        headers = {"Retry-After": str(error.retry_after_seconds)}
    return problem_response(status, error.code, error.detail, extra=error.extra, headers=headers)


def handle_http_exception(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    status = error.status_code
    code, default_detail = _HTTP_CODES.get(status, ("http_error", HTTPStatus(status).phrase))
    headers = dict(error.headers or {})
    if isinstance(error, ValidationException):
        return problem_response(
            400,
            "validation_error",
            "The request body or parameters are invalid.",
            headers=headers,
            invalid_params=_invalid_params(error),
        )
    if isinstance(error.__cause__, SerializationException):
        return problem_response(400, "malformed_json", f"JSON parse error - {error.detail}", headers=headers)
    detail = error.detail if error.detail and error.detail != HTTPStatus(status).phrase else default_detail
    if status >= 500:  # noqa: PLR2004 - never echo a server-side message
        detail = default_detail
    return problem_response(status, code, detail, headers=headers)


def handle_unexpected(_: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    logger.error("unhandled exception", exc_info=error)
    code, detail = _HTTP_CODES[500]
    return problem_response(500, code, detail)


_FIELD = re.compile(r"field `([^`]+)`")
_PATH = re.compile(r" - at `\$\.?([^`]*)`$")


def _param_name(key: str, message: str) -> str:
    """The field path: Litestar names the whole body `data`; msgspec's message names the field."""
    if key not in ("", "data"):
        return key
    path = _PATH.search(message)
    field = _FIELD.search(message)
    parts = [part for part in ((path[1] if path else ""), (field[1] if field else "")) if part]
    return ".".join(parts) or "body"


def _invalid_params(error: ValidationException) -> list[InvalidParam]:
    items = error.extra if isinstance(error.extra, list) else []
    params = [
        InvalidParam(
            name=_param_name(str(item.get("key") or ""), str(item.get("message", ""))),
            reason=_PATH.sub("", str(item.get("message", ""))) or "invalid",
        )
        for item in items
        if isinstance(item, dict)
    ]
    return params or [InvalidParam(name="body", reason=str(error.detail))]


EXCEPTION_HANDLERS: Final[ExceptionHandlersMap] = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI response entries documenting the problem documents an operation may answer with."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description=_HTTP_CODES.get(status, ("", HTTPStatus(status).phrase))[1],
        )
        for status in statuses
    }
