"""The payment webhook's signature check (contract §9): a middleware of that route alone, so it runs
before the body is parsed or anything is looked up (an unsigned request learns nothing but `401`),
and inside the app's `Idempotency-Key` middleware, which releases its claim when the check refuses
(the refusal is raised through it, never recorded as an answer)."""

from typing import Any

from litestar import Request
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from avthrift.config import Settings
from avthrift.domain.payments.errors import InvalidSignatureError
from avthrift.domain.payments.signatures import valid_signature

SIGNATURE_HEADER = "X-Signature"


class SignedBodyMiddleware(ASGIMiddleware):
    """`X-Signature` must be the lowercase hex HMAC-SHA256 of the raw body keyed with
    `PAYMENT_WEBHOOK_SECRET` (compared in constant time; an unset secret refuses everything). The
    body read here is kept in the scope: the handler parses the very bytes that were verified."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        settings: Settings = await request.app.state.dishka_container.get(Settings)
        body = await request.body()
        if not valid_signature(settings.payment_webhook_secret, body, request.headers.get(SIGNATURE_HEADER)):
            raise InvalidSignatureError
        await next_app(scope, receive, send)
