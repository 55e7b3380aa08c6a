"""The outermost ASGI layer: runs for every HTTP request, matched route or not.

It checks the Host header, assigns the request id, adds the security headers, and writes one
access-log line per request.
"""

import re
import time
import uuid
from typing import Any

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from avthrift.config import Settings
from avthrift.entrypoints.http.client_ip import peer_is_trusted_proxy
from avthrift.entrypoints.http.headers import header
from avthrift.entrypoints.http.problems import PROBLEM_JSON, problem_response

_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

access_log = structlog.get_logger("avthrift.access")


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    # Django's ALLOWED_HOSTS semantics: exact names, ".example.com" for a domain and its subdomains, "*".
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower()
    for allowed_name in allowed:
        pattern = allowed_name.lower()
        if pattern in ("*", name):
            return True
        if pattern.startswith(".") and (name.endswith(pattern) or name == pattern[1:]):
            return True
    return False


def _needs_https(scope: Scope, proxies: tuple[str, ...]) -> bool:
    if scope["path"].startswith("/health"):
        return False  # load-balancer probes speak plain HTTP
    scheme = scope.get("scheme", "http")
    if peer_is_trusted_proxy(scope, proxies):
        scheme = header(scope, b"x-forwarded-proto") or scheme
    return scheme != "https"


async def _send_problem(send: Send, status: int, code: str, detail: str) -> None:
    response = problem_response(status, code, detail)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(response.content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": response.content, "more_body": False})


async def _send_redirect(send: Send, scope: Scope, host: str) -> None:
    query = scope.get("query_string", b"").decode("latin-1")
    location = f"https://{host}{scope['path']}" + (f"?{query}" if query else "")
    await send(
        {
            "type": "http.response.start",
            "status": 301,
            "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b"", "more_body": False})


def request_context(app: ASGIApp, settings: Settings) -> ASGIApp:
    security_headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
    }
    if settings.secure_hsts_seconds:
        security_headers["Strict-Transport-Security"] = (
            f"max-age={settings.secure_hsts_seconds}; includeSubDomains; preload"
        )

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        offered = header(scope, b"x-request-id")
        request_id = offered if offered and _SANE_REQUEST_ID.match(offered) else uuid.uuid4().hex
        state: dict[str, Any] = {"status": 500}
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                headers = MutableScopeHeaders.from_message(message)
                headers["X-Request-Id"] = request_id
                for name, value in security_headers.items():
                    headers.setdefault(name, value)
            await send(message)

        host = header(scope, b"host") or ""
        try:
            if not _host_allowed(host, settings.allowed_hosts):
                await _send_problem(send_with_headers, 400, "invalid_host", "The Host header is not allowed.")
            elif settings.secure_ssl_redirect and _needs_https(scope, settings.trusted_proxies):
                await _send_redirect(send_with_headers, scope, host)
            else:
                await app(scope, receive, send_with_headers)
        finally:
            access_log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                route=scope.get("path_template"),
                status=state["status"],
                latency_ms=round((time.perf_counter() - started) * 1000, 2),
                user_id=getattr(scope.get("user"), "id", None),
            )
            structlog.contextvars.unbind_contextvars("request_id")

    return middleware
