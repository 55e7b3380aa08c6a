"""The payment webhook's signature check (contract §9). An app middleware that acts on routes with
`opt={SIGNED_BODY: True}` only, placed before the `Idempotency-Key` middleware: an unsigned or
wrongly signed request is `401` before anything else happens, so it can neither claim a key nor get
a stored answer replayed, and nothing is read from the database for it."""

from typing import Any, Final

from litestar import Request
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from avthrift.domain.payments.errors import InvalidSignatureError
from avthrift.domain.payments.signatures import valid_signature

SIGNATURE_HEADER: Final = "X-Signature"
SIGNED_BODY: Final = "signed_body"


class SignedBodyMiddleware(ASGIMiddleware):
    """`X-Signature` must be the lowercase hex HMAC-SHA256 of the raw body keyed with
    `PAYMENT_WEBHOOK_SECRET` (compared in constant time; an empty secret refuses everything). The
    body read here is kept in the scope: the handler parses the very bytes that were verified."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, secret: str) -> None:
        self._secret = secret

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if not scope["route_handler"].opt.get(SIGNED_BODY):
            await next_app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        body = await request.body()
        if not valid_signature(self._secret, body, request.headers.get(SIGNATURE_HEADER)):
            raise InvalidSignatureError
        await next_app(scope, receive, send)
