"""Reading a request header straight from the ASGI scope, for the middlewares that run before (or
around) Litestar's `Request`."""

from litestar.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of header `name` (lower-case bytes, as ASGI delivers names), or `None`."""
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None
