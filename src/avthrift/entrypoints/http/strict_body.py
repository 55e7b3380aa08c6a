"""JSON request bodies are decoded strictly: the OpenAPI schema is the contract (contract §1).

Litestar converts bodies in msgspec's lax mode, which is meant for query strings: it takes `0` or
`"true"` for a boolean and `"5"` or `5.0` for an integer. JSON has real types, so a body value of the
wrong JSON type is refused like any other invalid body (`400 validation_error`, naming the field).
"""

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ValidationException


async def check_strict_json(request: Request[Any, Any, Any]) -> None:
    """Raise `ValidationException` when the body does not match the handler's body type strictly.

    Malformed JSON and a missing body are left to the framework, which reports them as it always does.
    """
    field = request.route_handler.parsed_data_field
    if field is None:
        return
    body = await request.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=field.annotation, strict=True)
    except msgspec.ValidationError as error:
        # Shaped like Litestar's own body errors: problems.py derives the field path from the message.
        raise ValidationException(
            detail="Validation failed", extra=[{"key": "data", "message": str(error), "source": "body"}]
        ) from None
    except msgspec.DecodeError:
        return
