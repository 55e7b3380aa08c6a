"""One simulated client: a keep-alive connection, its scenario state, and the shared recorder."""

import asyncio
import math
import time
from collections import Counter
from typing import Any, Final

from http1 import TRANSPORT_ERRORS, Connection, Request, Response

MAX_ERROR_SAMPLES: Final = 5
TRANSPORT_BACKOFF_SECONDS: Final = 0.01  # keeps a dead server from turning the loop into a busy spin


class SetupError(Exception):
    """A scenario's untimed setup request failed; the scenario cannot run."""


class Recorder:
    """Latencies and outcomes of the timed requests started inside the measurement window."""

    def __init__(self) -> None:
        self.measure_from = math.inf
        self.latencies: list[float] = []
        self.statuses: Counter[int] = Counter()
        self.unexpected = 0
        self.transport_errors = 0
        self.error_samples: list[str] = []
        self.exchanges = 0  # every exchange, warm-up and setup included: the server's whole workload

    def response(self, started: float, latency: float, request: Request, response: Response) -> None:
        self.exchanges += 1
        if started < self.measure_from:
            return
        self.latencies.append(latency)
        self.statuses[response.status] += 1
        if response.status not in request.expect:
            self.unexpected += 1
            body = response.body[:200].decode("utf-8", "replace")
            self._sample(f"{request.method} {request.path} -> {response.status}: {body}")

    def transport_error(self, started: float, request: Request, error: BaseException) -> None:
        self.exchanges += 1
        if started < self.measure_from:
            return
        self.transport_errors += 1
        self._sample(f"{request.method} {request.path} -> {type(error).__name__}: {error}")

    @property
    def errors(self) -> int:
        return self.unexpected + self.transport_errors

    def _sample(self, text: str) -> None:
        if len(self.error_samples) < MAX_ERROR_SAMPLES and text not in self.error_samples:
            self.error_samples.append(text)


class Session:
    """What a scenario sees: `call` for untimed setup, `request` for timed load, `state` to keep ids in."""

    def __init__(self, index: int, connection: Connection, recorder: Recorder) -> None:
        self.index = index
        self.state: dict[str, Any] = {}
        self._connection = connection
        self._recorder = recorder

    async def call(self, request: Request) -> Response:
        """Send an untimed request (scenario setup); raise `SetupError` unless its status is expected."""
        self._recorder.exchanges += 1
        try:
            response = await self._send(request, self._encode(request))
        except TRANSPORT_ERRORS as error:
            raise SetupError(f"{request.method} {request.path}: {type(error).__name__}: {error}") from error
        if response.status not in request.expect:
            body = response.body[:300].decode("utf-8", "replace")
            raise SetupError(f"{request.method} {request.path} -> {response.status}: {body}")
        return response

    async def request(self, request: Request) -> Response | None:
        """Send a timed request; `None` after a transport error (counted, and the connection reopened)."""
        raw = self._encode(request)
        started = time.perf_counter()
        try:
            response = await self._send(request, raw)
        except TRANSPORT_ERRORS as error:
            self._recorder.transport_error(started, request, error)
            await asyncio.sleep(TRANSPORT_BACKOFF_SECONDS)
            return None
        self._recorder.response(started, time.perf_counter() - started, request, response)
        return response

    def close(self) -> None:
        self._connection.close()

    def _encode(self, request: Request) -> bytes:
        return request.encode(self._connection.authority)

    async def _send(self, request: Request, raw: bytes) -> Response:
        return await self._connection.exchange(raw, head_request=request.method == "HEAD")
