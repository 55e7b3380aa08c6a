"""Real `avthrift serve` processes on free loopback ports, for end-to-end tests.

Each server runs in its own process group with a clean environment (none of the caller's AVThrift
settings leak in), a temporary working directory (so no `.env` is read) and its output in files.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

STARTUP_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0
WARM_UP_TIMEOUT_SECONDS = 180.0

# Variables the settings read; the caller's values never reach a server under test.
_SETTINGS_PREFIXES = (
    "AVTHRIFT_",
    "DATABASE_",
    "REDIS_",
    "THROTTLE_",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "CORS_",
    "SECURE_",
    "TRUSTED_PROXIES",
    "FRONTEND_URL",
    "CART_",
    "ORDER_",
    "PAYMENT_",
    "IDEMPOTENCY_",
    "EMAIL_",
    "DEFAULT_FROM_EMAIL",
    "SQLITE_",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_environment(env: Mapping[str, str], bytecode_cache: Path) -> dict[str, str]:
    """The process environment without any AVThrift setting, plus `env`.

    Bytecode goes to `bytecode_cache` (never next to the sources): compiling the dependencies again in
    every server process would cost seconds per start.
    """
    clean = {name: value for name, value in os.environ.items() if not name.startswith(_SETTINGS_PREFIXES)}
    clean.pop("PYTHONDONTWRITEBYTECODE", None)
    return clean | {"PYTHONPYCACHEPREFIX": str(bytecode_cache)} | dict(env)


def serve_command(port: int, workers: int = 1) -> list[str]:
    return [
        sys.executable,
        "-m",
        "avthrift",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]


@dataclass
class Server:
    """A running `avthrift serve` process."""

    process: subprocess.Popen[bytes]
    port: int
    cwd: Path
    stdout_path: Path
    stderr_path: Path
    _stopped: bool = field(default=False, init=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def get(self, path: str, headers: Mapping[str, str] | None = None) -> httpx.Response:
        return httpx.get(f"{self.base_url}{path}", headers=headers, timeout=10.0)

    def wait_until_ready(self, path: str) -> None:
        """Poll `path` until the server answers anything; fail with its output if it never does."""
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"server exited with {self.process.returncode} before answering:\n"
                    f"--- stderr ---\n{self.stderr()}\n--- stdout ---\n{self.stdout()}"
                )
            try:
                httpx.get(f"{self.base_url}{path}", timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.1)
            else:
                return
        self.stop()
        pytest.fail(
            f"server did not answer GET {path} within {STARTUP_TIMEOUT_SECONDS:.0f} s:\n"
            f"--- stderr ---\n{self.stderr()}\n--- stdout ---\n{self.stdout()}"
        )

    def stop(self) -> None:
        """SIGTERM, then SIGKILL to the whole process group (Granian's workers included)."""
        if self._stopped:
            return
        self._stopped = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STOP_TIMEOUT_SECONDS)
        with contextlib.suppress(ProcessLookupError):  # a worker left behind by a killed main process
            os.killpg(self.process.pid, signal.SIGKILL)


type StartServer = Callable[..., Server]


@pytest.fixture(scope="session")
def bytecode_cache() -> Path:
    """A bytecode cache shared by the servers of this and later runs, filled before the first start.

    The environment may forbid writing bytecode (`PYTHONDONTWRITEBYTECODE`): without a cache every
    server process compiles its dependencies again, which takes longer than the start-up deadline on a
    busy machine. Python checks each cached file against its source, so a stale entry is never used.
    """
    cache = Path(tempfile.gettempdir()) / f"avthrift-e2e-pycache-{os.getuid()}"
    warm_up = "import avthrift.entrypoints.cli.app, avthrift.entrypoints.http.app, granian"
    result = subprocess.run(
        [sys.executable, "-c", warm_up],
        env=server_environment({}, cache),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=WARM_UP_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"importing the server failed:\n{result.stderr}")
    return cache


@pytest.fixture
def start_server(tmp_path: Path, bytecode_cache: Path) -> Iterator[StartServer]:
    """`start_server(env, workers=1, ready_path="/health/")` starts a server and waits until it answers
    (`wait=False`: the caller calls `wait_until_ready` itself, to start several servers at once).

    Every server started through the fixture is stopped at teardown, whatever the test did.
    """
    servers: list[Server] = []

    def start(
        env: Mapping[str, str], *, workers: int = 1, ready_path: str = "/health/", wait: bool = True
    ) -> Server:
        index = len(servers)
        cwd = tmp_path / f"server-{index}"
        cwd.mkdir()
        port = free_port()
        stdout_path, stderr_path = cwd / "stdout.log", cwd / "stderr.log"
        with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                serve_command(port, workers),
                cwd=cwd,
                env=server_environment(env, bytecode_cache),
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )
        server = Server(process, port, cwd, stdout_path, stderr_path)
        servers.append(server)
        if wait:
            server.wait_until_ready(ready_path)
        return server

    yield start
    for server in servers:
        server.stop()


type RunServe = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_serve(tmp_path: Path, bytecode_cache: Path) -> RunServe:
    """`run_serve(env)` runs `serve` to completion (for start-up failures) and returns its result."""

    def run(
        env: Mapping[str, str], *, timeout: float = STARTUP_TIMEOUT_SECONDS
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            serve_command(free_port()),
            cwd=tmp_path,
            env=server_environment(env, bytecode_cache),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run
