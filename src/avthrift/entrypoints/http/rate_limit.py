"""Per-scope rate limiting (contract §1), with the IETF httpapi ratelimit-headers draft's fields.

Every route handler names its scope in `opt["rate_scope"]`; the rates come from `Settings`. The
caller is the authenticated user when there is one, else the client address.
"""

import logging
import math

from dishka import AsyncContainer
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avthrift.config import Rate, Settings
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.ports import RateLimitStore
from avthrift.entrypoints.http.client_ip import client_ip

logger = logging.getLogger(__name__)

RATE_SCOPE = "rate_scope"


def caller_identity(scope: Scope, settings: Settings) -> str:
    user_id = getattr(scope.get("user"), "id", None)
    return f"user:{user_id}" if user_id is not None else f"ip:{client_ip(scope, settings.trusted_proxies)}"


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings, container: AsyncContainer) -> None:
        self._settings = settings
        self._container = container
        self._store: RateLimitStore | None = None

    async def _get_store(self) -> RateLimitStore:
        if self._store is None:
            store: RateLimitStore = await self._container.get(RateLimitStore)
            self._store = store
            return store
        return self._store

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        name: str | None = scope["route_handler"].opt.get(RATE_SCOPE)
        rate = self._settings.throttle_rates.get(name) if name else None
        if name is None or rate is None:
            await next_app(scope, receive, send)
            return
        store = await self._get_store()
        try:
            count, reset_after = await store.hit(
                f"{name}:{caller_identity(scope, self._settings)}", rate.period_seconds
            )
        except ServiceUnavailableError:
            # Fail open: an outage of the counter store must not take the API down with it.
            logger.warning("rate-limit store unavailable; request let through", extra={"scope": name})
            await next_app(scope, receive, send)
            return
        headers = _headers(name, rate, count, reset_after)
        if count > rate.limit:
            retry_after = str(max(1, math.ceil(reset_after)))
            raise TooManyRequestsException(
                detail=f"Request was throttled. Expected available in {retry_after} seconds.",
                headers=headers | {"Retry-After": retry_after},
            )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message).update(headers)
            await send(message)

        await next_app(scope, receive, send_with_headers)


def _headers(name: str, rate: Rate, count: int, reset_after: float) -> dict[str, str]:
    remaining = max(0, rate.limit - count)
    return {
        "RateLimit-Policy": f'"{name}";q={rate.limit};w={rate.period_seconds}',
        "RateLimit": f'"{name}";r={remaining};t={max(0, math.ceil(reset_after))}',
    }
