"""How fast can the load generator go? Drive a stub server that answers instantly, over loopback.

    .venv/bin/python bench/calibrate.py --concurrency 32 --duration 5

The stub (this script with `--serve`) answers every request with a canned 15-byte JSON body, so
the req/s printed is the ceiling of `bench/load.py` on this machine, with the stub's own cost
included. If AVThrift's figures are far below it, the client is not what limits them.
"""

import argparse
import asyncio
import subprocess
import sys
import time
from pathlib import Path
from typing import Final, cast

from http1 import HOST
from load import loop_factory
from server import answers_health, free_port

LOAD_SCRIPT: Final = Path(__file__).with_name("load.py")
STUB_LIFETIME_SECONDS: Final = 300.0
CANNED: Final = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n\r\n" + b'{"status":"ok"}'
)


class StubProtocol(asyncio.Protocol):
    """Answers each complete request head (GET, no body) with the canned response."""

    def __init__(self) -> None:
        self._buffer = b""
        self._transport: asyncio.WriteTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.WriteTransport, transport)  # a TCP transport (uvloop's is no subclass)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        complete = self._buffer.count(b"\r\n\r\n")
        if complete and self._transport is not None:
            self._buffer = self._buffer.rsplit(b"\r\n\r\n", 1)[1]
            self._transport.write(CANNED * complete)


async def serve_stub(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(StubProtocol, HOST, port)
    async with server:
        await asyncio.sleep(STUB_LIFETIME_SECONDS)  # bounded: the stub goes away on its own


def start_stub(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, __file__, "--serve", f"--port={port}"]
    stub = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not answers_health(port):
        if stub.poll() is not None or time.monotonic() > deadline:
            stub.kill()
            raise SystemExit("calibrate: the stub server did not start")
        time.sleep(0.05)
    return stub


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve_stub(args.port), loop_factory=loop_factory())
        return 0
    port = free_port()
    stub = start_stub(port)
    try:
        load = [sys.executable, str(LOAD_SCRIPT), f"--port={port}", "--scenario=health"]
        load += [f"--concurrency={args.concurrency}", f"--duration={args.duration}", "--warmup=1"]
        done = subprocess.run(load, capture_output=True, text=True, timeout=args.duration + 60, check=False)
    finally:
        stub.terminate()
        stub.wait(timeout=10)
    print(done.stdout.strip() or done.stderr.strip())
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
