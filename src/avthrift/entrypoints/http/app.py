"""The Litestar application factory."""

from collections.abc import Sequence
from importlib.metadata import version
from typing import Any

from dishka import AsyncContainer
from dishka.integrations.litestar import DishkaRouter, LitestarProvider, setup_dishka
from litestar import Litestar, Request
from litestar.config.cors import CORSConfig
from litestar.exceptions import HTTPException
from litestar.types import ControllerRouterHandler

from avthrift.bootstrap import make_container
from avthrift.config import Settings, load_settings
from avthrift.entrypoints.http.auth import BearerAuthMiddleware
from avthrift.entrypoints.http.cart import checkout
from avthrift.entrypoints.http.cart import controllers as cart
from avthrift.entrypoints.http.catalog import public_controllers as public_catalog
from avthrift.entrypoints.http.catalog import staff_controllers as staff_catalog
from avthrift.entrypoints.http.customers.controllers import (
    AddressController,
    AddressesController,
    CustomerProfileController,
)
from avthrift.entrypoints.http.health.controllers import HealthController
from avthrift.entrypoints.http.idempotency import IdempotencyMiddleware, document_idempotent_routes
from avthrift.entrypoints.http.identity.controllers import AccountController, AuthController
from avthrift.entrypoints.http.inventory import controllers as inventory
from avthrift.entrypoints.http.openapi import StrictStructSchemaPlugin, openapi_config, swagger_assets
from avthrift.entrypoints.http.orders import controllers as orders
from avthrift.entrypoints.http.orders.signature import SignedBodyMiddleware
from avthrift.entrypoints.http.problems import EXCEPTION_HANDLERS
from avthrift.entrypoints.http.rate_limit import RateLimitMiddleware, RateLimitProvider
from avthrift.entrypoints.http.request_context import request_context
from avthrift.entrypoints.http.strict_body import check_strict_json
from avthrift.entrypoints.logging import configure_logging

MAX_BODY_BYTES = 1024 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Session-Id", "X-Request-Id"]
_RESPONSE_HEADERS = ["X-Request-Id", "RateLimit", "RateLimit-Policy", "Retry-After", "Idempotency-Replayed"]


async def _require_json(request: Request[Any, Any, Any]) -> None:
    """`415` for a body that is not JSON (`application/json` or any `+json` type); `400` for JSON
    values of the wrong type (`strict_body`)."""
    if request.method not in _BODY_METHODS:
        return
    length = request.headers.get("content-length")
    if length == "0" or (length is None and "transfer-encoding" not in request.headers):
        return
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(status_code=415)
    await check_strict_json(request)


def _fix_options_allow(app: Litestar) -> None:
    """Litestar's automatic OPTIONS handler lists the methods of the route object it was created
    with; when a router's routes are merged into the app's, that object misses methods registered
    later (GET + PATCH on one path answer `Allow: GET, OPTIONS`). Point each at its final route."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            closure: tuple[Any, ...] = getattr(handler.fn, "__closure__", None) or ()
            if handler.handler_name == "options_handler" and len(closure) == 1:
                closure[0].cell_contents = route


def create_app(
    settings: Settings | None = None,
    container: AsyncContainer | None = None,
    extra_route_handlers: Sequence[ControllerRouterHandler] = (),
) -> Litestar:
    """Build the app; with no arguments it reads the settings from the environment (Granian's factory).

    `container` replaces the default one (tests swap adapters through providers);
    `extra_route_handlers` are mounted beside the API, with dependency injection.
    """
    settings = settings or load_settings()
    configure_logging(settings.log_level, settings.log_format)
    container = container or make_container(settings, LitestarProvider(), RateLimitProvider())
    api = DishkaRouter(
        "/",
        route_handlers=[
            HealthController,
            AuthController,
            AccountController,
            CustomerProfileController,
            AddressesController,
            AddressController,
            *public_catalog.HANDLERS,
            *staff_catalog.HANDLERS,
            *inventory.HANDLERS,
            *cart.HANDLERS,
            *checkout.HANDLERS,
            *orders.HANDLERS,
            *extra_route_handlers,
        ],
    )
    app = Litestar(
        route_handlers=[api, swagger_assets],
        openapi_config=openapi_config(version("avthrift")),
        exception_handlers=EXCEPTION_HANDLERS,
        middleware=[
            BearerAuthMiddleware(container),
            RateLimitMiddleware(settings, container),
            SignedBodyMiddleware(settings.payment_webhook_secret),  # before any idempotent replay
            IdempotencyMiddleware(settings),
        ],
        plugins=[StrictStructSchemaPlugin()],
        before_request=_require_json,
        request_max_body_size=MAX_BODY_BYTES,
        cors_config=CORSConfig(
            allow_origins=["*"] if settings.cors_allow_all_origins else list(settings.cors_allowed_origins),
            allow_headers=[
                "Authorization",
                "Content-Type",
                "Idempotency-Key",
                "X-Session-Id",
                "X-Request-Id",
            ],
            expose_headers=[
                "X-Request-Id",
                "RateLimit",
                "RateLimit-Policy",
                "Retry-After",
                "Idempotency-Replayed",
            ],
            allow_credentials=False,
        ),
        logging_config=None,
        on_shutdown=[container.close],
        debug=settings.debug,
    )
    _fix_options_allow(app)
    document_idempotent_routes(app)
    setup_dishka(container, app)
    app.asgi_handler = request_context(app.asgi_handler, settings)
    return app
