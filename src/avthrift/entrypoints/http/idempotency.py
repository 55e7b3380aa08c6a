"""`Idempotency-Key` (contract §8, IETF httpapi idempotency-key draft) on the routes that opt in:
`opt={IDEMPOTENT: True}`, or `opt={IDEMPOTENT: GUEST}` on guest routes.

A request with the header claims its key before its handler runs, scoped to the caller
(`guest:<X-Session-Id>` on guest routes, else `user:<id>` when signed in, else
`anon:<client address>`), the method and the concrete path without a trailing slash; its body is
fingerprinted (SHA-256 of the raw bytes). A repeat of a finished request gets the stored status,
body and content type byte for byte with `Idempotency-Replayed: true`; one still running is
`409 idempotency_in_progress` with `Retry-After`; the same key with another body is
`422 idempotency_key_reused`; a malformed key is `400 invalid_idempotency_key`. The handler's answer
is captured: below 500 it is recorded (by a use case, in its own transaction: only use cases commit)
before it is sent; a 5xx or an exception releases the key, so a retry runs again. The request's work
is committed by then, so a failure to record or release is logged and the handler's answer still
goes out (an unrecorded claim blocks its key with `409` until its lease ends; an unreleased one
frees itself then). A guarded route without a signed-in caller is left to its guard (`401`), and a
guest route without a usable session id to its handler (`400`): nothing is recorded for them.

A use case that records its answer inside its own transaction (checkout, when the store joins it)
takes the claim from `pending_record(request)`; the middleware's later recording then changes
nothing.
"""

import dataclasses
import logging
from typing import Any, Final

import msgspec
from dishka import AsyncContainer
from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.openapi.spec import (
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avthrift.config import Settings
from avthrift.domain.cart.model import guest_session_id
from avthrift.domain.shared.errors import InvalidInputError
from avthrift.domain.shared.idempotency import (
    IdempotencyKey,
    InvalidIdempotencyKeyError,
    PendingRecord,
    Replay,
    StoredResponse,
    valid_key,
)
from avthrift.domain.shared.idempotency_use_cases import (
    ClaimIdempotencyKey,
    RecordIdempotentResponse,
    ReleaseIdempotencyKey,
)
from avthrift.entrypoints.http.auth import optional_principal
from avthrift.entrypoints.http.client_ip import client_ip
from avthrift.entrypoints.http.headers import header
from avthrift.entrypoints.http.problems import PROBLEM_JSON

logger = logging.getLogger(__name__)

IDEMPOTENT: Final = "idempotent"
GUEST: Final = "guest"
HEADER: Final = "Idempotency-Key"
REPLAYED: Final = "Idempotency-Replayed"
MAX_CALLER_LENGTH: Final = 80
_STATE_KEY: Final = "idempotency_record"
_SERVER_ERROR: Final = 500


def pending_record(connection: ASGIConnection[Any, Any, Any, Any]) -> PendingRecord | None:
    """The key this request claimed, for a use case that records its own answer; `None` without an
    `Idempotency-Key` (or on a route that does not opt in)."""
    record = connection.state.get(_STATE_KEY)
    return record if isinstance(record, PendingRecord) else None


def _guest_session(scope: Scope, body: bytes) -> str | None:
    """The session id the guest handlers will use (header first, else the body's `session_id`), or
    `None` when there is no usable one (the handler answers `400`)."""
    from_body: str | None = None
    from_header = header(scope, b"x-session-id")
    if not from_header:
        try:
            decoded = msgspec.json.decode(body) if body else None
        except msgspec.DecodeError:
            decoded = None
        value = decoded.get("session_id") if isinstance(decoded, dict) else None
        from_body = value if isinstance(value, str) else None
    try:
        return guest_session_id(from_header, from_body)
    except InvalidInputError:
        return None


def _caller(
    request: Request[Any, Any, Any], mode: object, body: bytes, proxies: tuple[str, ...]
) -> str | None:
    scope = request.scope
    if mode == GUEST:
        session = _guest_session(scope, body)
        return None if session is None else f"guest:{session}"
    user = optional_principal(request)
    if user is not None:
        return f"user:{user.id}"
    if scope["route_handler"].resolve_guards():
        return None
    # Unsigned callers (the payment webhook, signed by its body) are told apart by address.
    return f"anon:{client_ip(scope, proxies)}"[:MAX_CALLER_LENGTH]


def _route(scope: Scope) -> str:
    return scope["path"].rstrip("/") or "/"


async def _send_replay(send: Send, response: StoredResponse) -> None:
    headers = [(b"content-length", str(len(response.body)).encode()), (REPLAYED.lower().encode(), b"true")]
    if response.content_type:
        headers.append((b"content-type", response.content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body, "more_body": False})


def _captured(messages: list[Message]) -> StoredResponse | None:
    """The answer the handler sent, or `None` when it sent none."""
    status: int | None = None
    content_type = ""
    chunks: list[bytes] = []
    for message in messages:
        if message["type"] == "http.response.start":
            status = message["status"]
            for name, value in message.get("headers", ()):
                if name.lower() == b"content-type":
                    content_type = value.decode("latin-1")
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
    return (
        None
        if status is None
        else StoredResponse(status=status, body=b"".join(chunks), content_type=content_type)
    )


class IdempotencyMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    def __init__(self, settings: Settings) -> None:
        self._proxies = settings.trusted_proxies

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        mode = scope["route_handler"].opt.get(IDEMPOTENT)
        raw_key = header(scope, HEADER.lower().encode()) if mode else None
        if raw_key is None:
            await next_app(scope, receive, send)
            return
        if not valid_key(raw_key):
            raise InvalidIdempotencyKeyError
        request: Request[Any, Any, Any] = Request(scope, receive)
        body = await request.body()  # kept for the handler; over the size limit it is `413`
        caller = _caller(request, mode, body, self._proxies)
        if caller is None:
            await next_app(scope, receive, send)
            return
        key = IdempotencyKey(caller=caller, method=request.method, route=_route(scope), key=raw_key)
        container: AsyncContainer = request.state.dishka_container
        claim_key = await container.get(ClaimIdempotencyKey)
        claim = await claim_key(key, body)
        if isinstance(claim, Replay):
            await _send_replay(send, claim.response)
            return
        request.state[_STATE_KEY] = claim
        await self._run(claim, container, scope, receive, send, next_app)

    async def _run(
        self,
        record: PendingRecord,
        container: AsyncContainer,
        scope: Scope,
        receive: Receive,
        send: Send,
        next_app: ASGIApp,
    ) -> None:
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await next_app(scope, receive, capture)
        except BaseException:
            await _release(container, record)
            raise
        response = _captured(messages)
        if response is None or response.status >= _SERVER_ERROR:
            await _release(container, record)
        else:
            try:
                record_response = await container.get(RecordIdempotentResponse)
                await record_response(record, response)
            except Exception:
                # Whatever failed, the request's own work is done (and committed): answer it. The
                # claim stays until its lease ends, so a retry meanwhile gets `409`, not a second run.
                logger.warning("idempotent answer not recorded", exc_info=True)
        for message in messages:
            await send(message)


async def _release(container: AsyncContainer, record: PendingRecord) -> None:
    try:
        release = await container.get(ReleaseIdempotencyKey)
        await release(record)
    except Exception:
        # Never hides the request's own answer or error: the claim frees itself when its lease ends.
        logger.warning("idempotency key not released; it frees itself when its lease ends", exc_info=True)


# --- OpenAPI ---------------------------------------------------------------------------------------

# No space first or last: HTTP strips those from a header value, so they never reach the server.
KEY_PATTERN: Final = r"^[!-~]([ -~]{0,253}[!-~])?$"
_KEY_DOC: Final = (
    "Optional: makes a retry of this request safe (IETF httpapi idempotency-key draft). 1 to 255 "
    "printable ASCII characters (a UUID will do), scoped to the caller, the method and the path. A "
    "repeat with the same key and the same body gets the first answer again, byte for byte, with "
    "`Idempotency-Replayed: true`, for `IDEMPOTENCY_TTL_HOURS` (default 24); while the first still "
    "runs, `409 idempotency_in_progress` with `Retry-After`; with another body, "
    "`422 idempotency_key_reused`; a malformed key is `400 invalid_idempotency_key`. Answers of 500 "
    "and above are not kept: a retry runs again."
)
_PROBLEM: Final = {PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref="#/components/schemas/Problem"))}
_EXTRA_RESPONSES: Final = {
    "400": "The request is malformed, or its `Idempotency-Key` is (`invalid_idempotency_key`).",
    "409": "The first request with this `Idempotency-Key` is still running (`idempotency_in_progress`).",
    "422": "The `Idempotency-Key` was used with a different body (`idempotency_key_reused`).",
}


@dataclasses.dataclass
class IdempotentOperation(Operation):
    """The operation of an idempotent route: the `Idempotency-Key` header, `Idempotency-Replayed` on
    its answers, `Retry-After` on its `409`, and the problems the key can cause."""

    def __post_init__(self) -> None:
        key = Parameter(
            name=HEADER,
            param_in="header",
            required=False,
            description=_KEY_DOC,
            schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=255, pattern=KEY_PATTERN),
        )
        self.parameters = [*(self.parameters or []), key]
        responses = self.responses = dict(self.responses or {})
        for status, description in _EXTRA_RESPONSES.items():
            if status not in responses:
                responses[status] = OpenAPIResponse(description=description, content=dict(_PROBLEM))
        for status, response in responses.items():
            if not isinstance(response, OpenAPIResponse):
                continue
            if status.startswith("2"):
                replayed = OpenAPIHeader(
                    description="`true` when this is the stored answer of an earlier request with the key.",
                    schema=Schema(type=OpenAPIType.STRING, enum=["true"]),
                )
                response.headers = {**(response.headers or {}), REPLAYED: replayed}
            elif status == "409":
                retry = OpenAPIHeader(
                    description="With `idempotency_in_progress`: seconds to wait before retrying.",
                    schema=Schema(type=OpenAPIType.STRING, pattern=r"^[0-9]+$"),
                )
                response.headers = {**(response.headers or {}), "Retry-After": retry}


def document_idempotent_routes(app: Litestar) -> None:
    """Give every route that opts in the `Idempotency-Key` documentation (`IdempotentOperation`)."""
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and handler.opt.get(IDEMPOTENT):
                handler.operation_class = IdempotentOperation
