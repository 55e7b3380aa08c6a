"""A minimal HTTP/1.1 keep-alive client on raw asyncio streams, for the load generator.

It speaks only to 127.0.0.1 and only what the benchmark needs: one request at a time per
connection, `Content-Length` and chunked response bodies, `Connection: close`.
"""

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Final

HOST: Final = "127.0.0.1"
USER_AGENT: Final = "avthrift-bench/1"
MAX_HEAD_BYTES: Final = 64 * 1024
_BODYLESS_STATUSES: Final = frozenset({204, 304})
_BODY_METHODS: Final = frozenset({"POST", "PUT", "PATCH"})


class ProtocolError(Exception):
    """The server sent something that is not a well-formed HTTP/1.1 response."""


# What a failed exchange can raise: refused/reset connections and timeouts (OSError), a connection
# closed mid-response (IncompleteReadError is an EOFError), an oversized head, or a malformed response.
TRANSPORT_ERRORS: Final = (OSError, EOFError, asyncio.LimitOverrunError, ProtocolError)


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request and the statuses that count as success for it."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    expect: frozenset[int] = frozenset({200})

    def __post_init__(self) -> None:
        for text in (self.method, self.path, *(part for pair in self.headers for part in pair)):
            if "\r" in text or "\n" in text:
                raise ValueError(f"CR/LF in request line or header: {text!r}")
        if not self.path.startswith("/"):
            raise ValueError(f"the path must start with '/': {self.path!r}")

    @classmethod
    def json(
        cls,
        method: str,
        path: str,
        payload: Any,
        *,
        headers: tuple[tuple[str, str], ...] = (),
        expect: frozenset[int] = frozenset({200, 201}),
    ) -> "Request":
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(method, path, (("Content-Type", "application/json"), *headers), body, expect)

    def encode(self, authority: str) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {authority}", f"User-Agent: {USER_AGENT}"]
        lines.extend(f"{name}: {value}" for name, value in self.headers)
        if self.body or self.method in _BODY_METHODS:
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    keep_alive: bool = True

    def json(self) -> Any:
        return json.loads(self.body)


def parse_head(head: bytes) -> tuple[int, dict[str, str], bool]:
    """Status, lower-cased headers (repeats joined with ", ") and whether the connection stays open."""
    lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise ProtocolError(f"bad status line: {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ProtocolError(f"bad header line: {line!r}")
        key, value = name.lower(), value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    return int(code), headers, keep_alive


async def read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise ProtocolError(f"bad chunk size line: {size_line!r}") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailer fields, ignored
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        if await reader.readexactly(2) != b"\r\n":
            raise ProtocolError("chunk not followed by CRLF")


async def read_response(reader: asyncio.StreamReader, *, head_request: bool = False) -> Response:
    status, headers, keep_alive = parse_head(await reader.readuntil(b"\r\n\r\n"))
    if head_request or status < 200 or status in _BODYLESS_STATUSES:
        body = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        body = await read_chunked(reader)
    elif "content-length" in headers:
        length = headers["content-length"]
        if not length.isdigit():
            raise ProtocolError(f"bad Content-Length: {length!r}")
        body = await reader.readexactly(int(length))
    else:
        body, keep_alive = await reader.read(), False  # delimited by the end of the connection
    return Response(status, headers, body, keep_alive)


class Connection:
    """One keep-alive connection to 127.0.0.1:`port`; reconnects after a close or a failure."""

    def __init__(self, port: int, timeout: float) -> None:
        self.port = port
        self.authority = f"{HOST}:{port}"
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def exchange(self, raw: bytes, *, head_request: bool = False) -> Response:
        """Send one encoded request and read its response, within the timeout."""
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await self._open()
                writer.write(raw)
                await writer.drain()
                response = await read_response(reader, head_request=head_request)
        except BaseException:
            self.close()
            raise
        if not response.keep_alive:
            self.close()
        return response

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(HOST, self.port, limit=MAX_HEAD_BYTES)
        return self._reader, self._writer

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None
