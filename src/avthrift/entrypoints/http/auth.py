"""Bearer-token authentication (contract §1): the middleware reads the access JWT, guards decide.

No cookies and no sessions, so no CSRF. A missing or invalid token on a protected route is `401`
with `WWW-Authenticate: Bearer`; a signed-in caller without the right is `403`.
"""

from dataclasses import dataclass
from typing import Any

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from avthrift.domain.identity.errors import InvalidTokenError
from avthrift.domain.identity.ports import TokenIssuer
from avthrift.domain.shared.ports import Clock

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}
BEARER_SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller, as the access token states it."""

    id: int
    is_staff: bool


class BearerAuthMiddleware(ASGIMiddleware):
    """Sets `scope["user"]` to a `Principal` or `None`; `scope["auth"]` keeps a token error for the guards."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, container: AsyncContainer) -> None:
        self._container = container
        self._issuer: TokenIssuer | None = None
        self._clock: Clock | None = None

    async def _dependencies(self) -> tuple[TokenIssuer, Clock]:
        if self._issuer is None or self._clock is None:
            issuer: TokenIssuer = await self._container.get(TokenIssuer)
            clock: Clock = await self._container.get(Clock)
            self._issuer, self._clock = issuer, clock
            return issuer, clock
        return self._issuer, self._clock

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        scope["user"], scope["auth"] = None, None
        token = _bearer_token(scope)
        if token is not None:
            issuer, clock = await self._dependencies()
            try:
                claims = issuer.read(token, clock.now(), expected="access")
                scope["user"] = Principal(claims.user_id, claims.is_staff)
            except InvalidTokenError as error:
                scope["auth"] = error
        await next_app(scope, receive, send)


def _bearer_token(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" and token.strip() else ""
    return None


def authenticated(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        error = connection.scope.get("auth")
        detail = error.detail if isinstance(error, InvalidTokenError) else None
        raise NotAuthorizedException(
            detail=detail or "Authentication credentials were not provided.", headers=CHALLENGE
        )


def staff_only(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    authenticated(connection, handler)
    if not connection.scope["user"].is_staff:
        raise PermissionDeniedException(detail="You do not have permission to perform this action.")


def principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The caller of a route guarded by `authenticated`."""
    user: Principal = connection.scope["user"]
    return user


def optional_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user: Principal | None = connection.scope.get("user")
    return user
