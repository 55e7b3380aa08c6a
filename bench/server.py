"""Start `avthrift serve` on a free loopback port against a scratch database, and always stop it.

The server runs in its own session (process group), so a Ctrl-C in the terminal reaches the
benchmark, which then shuts the server down in order: SIGINT to Granian, SIGKILL to whatever of
that group is left after a grace period. A PostgreSQL scratch database is dropped afterwards; a
SQLite one lives in a temporary directory that is removed.
"""

import asyncio
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal
from urllib.parse import urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from avthrift.config import DEFAULT_THROTTLE_RATES
from http1 import HOST

type DatabaseKind = Literal["sqlite", "postgres"]

DEFAULT_POSTGRES_ADMIN_URL: Final = "postgresql://postgres@127.0.0.1:5432/postgres"
UNTHROTTLED_RATE: Final = "1000000000/sec"
STAFF_EMAIL: Final = "bench.staff@example.com"
STAFF_PASSWORD: Final = "Bench-staff-2026!"  # noqa: S105 - a scratch database's account
START_TIMEOUT_SECONDS: Final = 90.0
STOP_GRACE_SECONDS: Final = 15.0
PREPARE_TIMEOUT_SECONDS: Final = 180.0


class ServerError(Exception):
    """The server (or its database) could not be prepared or did not come up."""


@dataclass(frozen=True, slots=True)
class ServerOptions:
    workers: int
    database: DatabaseKind
    log_level: str = "warning"
    redis_url: str | None = None
    postgres_admin_url: str = DEFAULT_POSTGRES_ADMIN_URL
    floor: bool = False  # serve `bench/floor.py`'s app (the API plus the `/floor/` routes)


@dataclass(frozen=True, slots=True)
class RunningServer:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def cpu_seconds(self) -> float | None:
        """CPU time (user + system) used so far by the server's processes: Granian's main and workers."""
        return process_group_cpu_seconds(self.process.pid)

    def check_alive(self) -> None:
        """Raise `ServerError`, with the end of its log, if the server has exited."""
        if has_exited(self.process):
            raise ServerError(f"the server exited during the run:\n{log_tail(self.log_path)}")


def process_group_cpu_seconds(pgid: int) -> float | None:
    """Sum of utime + stime of the live processes in group `pgid`, from /proc; `None` without /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (comm)": state ppid pgrp ... utime stime
        if int(fields[2]) == pgid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def unthrottled_rates() -> str:
    """Every rate-limit scope, set far above anything a loopback benchmark can reach."""
    return ",".join(f"{scope}={UNTHROTTLED_RATE}" for scope in DEFAULT_THROTTLE_RATES)


def server_environment(options: ServerOptions, database_url: str) -> dict[str, str]:
    return os.environ | {
        "AVTHRIFT_ENV": "dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": options.redis_url or "",
        "THROTTLE_RATES": unthrottled_rates(),
        "LOG_LEVEL": options.log_level,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


async def _postgres_admin(admin_url: str, sql: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _postgres_url(admin_url: str, name: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(scheme="postgresql+asyncpg", path=f"/{name}"))


@contextmanager
def scratch_database(options: ServerOptions, workdir: Path) -> Iterator[str]:
    """Yield the URL of an empty database that exists only for this run."""
    if options.database == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'bench.sqlite3'}"
        return
    name = f"avthrift_bench_{os.getpid()}_{secrets.token_hex(4)}"
    try:
        asyncio.run(_postgres_admin(options.postgres_admin_url, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        raise ServerError(f"cannot create the PostgreSQL database: {error}") from error
    try:
        yield _postgres_url(options.postgres_admin_url, name)
    finally:
        asyncio.run(
            _postgres_admin(options.postgres_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


def server_command(options: ServerOptions, port: int) -> list[str]:
    """`avthrift serve`, or with `floor` the same Granian setup serving `bench/floor.py`'s app."""
    if not options.floor:
        return avthrift_command(
            "serve", "--host", HOST, "--port", str(port), "--workers", str(options.workers)
        )
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface=asgi",
        "--loop=uvloop",
        f"--host={HOST}",
        f"--port={port}",
        f"--workers={options.workers}",
        "--no-access-log",
        "--factory",
        "floor:create_floor_app",
    ]


def floor_path(env: dict[str, str]) -> dict[str, str]:
    """`PYTHONPATH` with this directory first, so Granian's workers can import `floor`."""
    here = str(Path(__file__).resolve().parent)
    return {"PYTHONPATH": os.pathsep.join(filter(None, (here, env.get("PYTHONPATH"))))}


def avthrift_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "avthrift", *arguments]


def prepare_database(env: dict[str, str], workdir: Path) -> None:
    """Migrate the scratch database, load the demo catalog the scenarios browse and buy from, and
    create the staff account scenarios use to restock (`STAFF_EMAIL`, `STAFF_PASSWORD`)."""
    staff = ("users", "create-staff", "--email", STAFF_EMAIL, "--password", STAFF_PASSWORD)
    for arguments in (("db", "upgrade"), ("catalog", "seed"), staff):
        done = subprocess.run(
            avthrift_command(*arguments),
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=PREPARE_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            command = " ".join(arguments)
            raise ServerError(f"`avthrift {command}` failed: {(done.stderr or done.stdout).strip()}")


def log_tail(log_path: Path, lines: int = 20) -> str:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def answers_health(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", "/health/")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def wait_until_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    """Wait for `/health/` to answer. Granian spawns the workers together; any that is a little
    late is ready by the end of the warm-up each scenario starts with."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if has_exited(process):
            raise ServerError(f"the server exited early:\n{log_tail(log_path)}")
        if answers_health(port):
            return
        time.sleep(0.1)
    raise ServerError(
        f"the server did not answer within {START_TIMEOUT_SECONDS:.0f} s:\n{log_tail(log_path)}"
    )


def has_exited(process: subprocess.Popen[bytes]) -> bool:
    """Whether the server's main process has exited, without reaping it: until `stop` reaps it, its
    pid (the id of its process group) cannot be reused, so the group kill hits only our processes."""
    return os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def stop(process: subprocess.Popen[bytes]) -> None:
    """Graceful stop, then SIGKILL for anything left in the server's own process group."""
    if not has_exited(process):
        os.kill(process.pid, signal.SIGINT)  # not Popen.send_signal, which may reap it
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        while not has_exited(process) and time.monotonic() < deadline:
            time.sleep(0.05)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def running_server(options: ServerOptions) -> Iterator[RunningServer]:
    with tempfile.TemporaryDirectory(prefix="avthrift-bench-") as tmp:
        workdir = Path(tmp)  # also the working directory, so no stray `.env` changes the settings
        with scratch_database(options, workdir) as database_url:
            env = server_environment(options, database_url)
            prepare_database(env, workdir)
            port = free_port()
            log_path = workdir / "server.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    server_command(options, port),
                    env=env | floor_path(env) if options.floor else env,
                    cwd=workdir,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                wait_until_ready(process, port, log_path)
                yield RunningServer(port, process, log_path)
            finally:
                stop(process)
