"""Per-scope rate limiting (contract §1), with the IETF httpapi ratelimit-headers draft's fields.

Every route handler names its scope in `opt["rate_scope"]`; the rates come from `Settings`. The
caller is the authenticated user when there is one, else the client address.
"""

import logging
import math

from dishka import AsyncContainer, Provider, provide
from dishka import Scope as DIScope
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


class RateLimiter:
    """The one rate-limit mechanism: the middleware counts per route scope and caller, and
    handlers add per-account limits (sign-in, password reset) through the same counters."""

    def __init__(self, settings: Settings, store: RateLimitStore) -> None:
        self._rates = settings.throttle_rates
        self._store = store

    async def hit(self, name: str, identity: str) -> dict[str, str]:
        """Count one request; return the `RateLimit*` headers, or raise `429` past the rate."""
        rate = self._rates[name]
        try:
            count, reset_after = await self._store.hit(f"{name}:{identity}", rate.period_seconds)
        except ServiceUnavailableError:
            # Fail open: an outage of the counter store must not take the API down with it.
            logger.warning("rate-limit store unavailable; request let through", extra={"scope": name})
            return {}
        headers = _headers(name, rate, count, reset_after)
        if count > rate.limit:
            retry_after = str(max(1, math.ceil(reset_after)))
            raise TooManyRequestsException(
                detail=f"Request was throttled. Expected available in {retry_after} seconds.",
                headers=headers | {"Retry-After": retry_after},
            )
        return headers


class RateLimitMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings, container: AsyncContainer) -> None:
        self._settings = settings
        self._container = container
        self._limiter: RateLimiter | None = None

    async def _get_limiter(self) -> RateLimiter:
        if self._limiter is None:
            limiter: RateLimiter = await self._container.get(RateLimiter)
            self._limiter = limiter
        return self._limiter

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        name: str | None = scope["route_handler"].opt.get(RATE_SCOPE)
        if name is None:
            await next_app(scope, receive, send)
            return
        limiter = await self._get_limiter()
        headers = await limiter.hit(name, caller_identity(scope, self._settings))

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


class RateLimitProvider(Provider):
    limiter = provide(RateLimiter, scope=DIScope.APP)
