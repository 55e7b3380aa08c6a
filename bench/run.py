"""Benchmark AVThrift over loopback with one command.

    .venv/bin/python bench/run.py --workers 2 --database sqlite --concurrency 32 --duration 10

Starts `avthrift serve` on a free 127.0.0.1 port against a scratch database, waits for `/health/`,
then runs each scenario in its own load-generator process (`bench/load.py`: warm-up, then the
measured window), stops the server (also on Ctrl-C and errors) and prints requests/s and p50/p99
latency per scenario. Exits 1 when a scenario had errors, 2 when the server could not be started.
"""

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from typing import Any, Final

from scenarios import SCENARIOS
from server import DEFAULT_POSTGRES_ADMIN_URL, ServerError, ServerOptions, running_server

LOAD_SCRIPT: Final = Path(__file__).with_name("load.py")
EXIT_ERRORS: Final = 1
EXIT_SERVER_FAILED: Final = 2
EXIT_INTERRUPTED: Final = 130
COLUMNS: Final = (
    "scenario",
    "requests",
    "errors",
    "req/s",
    "p50 ms",
    "p99 ms",
    "max ms",
    "server CPU us/req",
    "load-gen CPU %",
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--workers", type=int, default=2, help="Granian worker processes (default 2)")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per scenario")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds before each scenario")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per request")
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="repeatable; default: every scenario"
    )
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="warning")
    parser.add_argument(
        "--redis-url", help="use Redis (e.g. redis://127.0.0.1:6379/14) for rate-limit counters"
    )
    parser.add_argument("--postgres-admin-url", default=DEFAULT_POSTGRES_ADMIN_URL)
    parser.add_argument(
        "--floor", action="store_true", help="serve bench/floor.py's app: the API plus the floor_* routes"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.concurrency < 1 or args.duration <= 0 or args.warmup < 0 or args.timeout <= 0:
        parser.error(
            "--workers, --concurrency, --duration and --timeout must be positive, --warmup not negative"
        )
    args.scenario = args.scenario or list(SCENARIOS)
    return args


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "granian": version("granian"),
        "litestar": version("litestar"),
        "platform": platform.platform(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
    }


def load_command(port: int, scenario: str, args: argparse.Namespace) -> list[str]:
    return [
        sys.executable,
        str(LOAD_SCRIPT),
        f"--port={port}",
        f"--scenario={scenario}",
        f"--concurrency={args.concurrency}",
        f"--duration={args.duration}",
        f"--warmup={args.warmup}",
        f"--timeout={args.timeout}",
    ]


def run_scenario(port: int, scenario: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one scenario in a fresh load-generator process and return its result."""
    budget = 60 + args.warmup + args.duration + 3 * args.timeout  # setup, measurement, stragglers
    try:
        done = subprocess.run(
            load_command(port, scenario, args), capture_output=True, text=True, timeout=budget, check=False
        )
    except subprocess.TimeoutExpired:
        return failed(scenario, f"the load generator did not finish within {budget:.0f} s")
    if done.returncode != 0:
        return failed(scenario, done.stderr.strip() or f"the load generator exited with {done.returncode}")
    outcome: dict[str, Any] = json.loads(done.stdout)
    return outcome


def cpu_per_request(before: float | None, after: float | None, result: dict[str, Any]) -> float | None:
    """Server CPU time per request over the load process's whole run (setup and warm-up included):
    less sensitive to other load on a shared machine than req/s."""
    exchanges: int = result.get("all_exchanges", 0)
    if before is None or after is None or not exchanges:
        return None
    return round((after - before) / exchanges * 1e6, 1)


def failed(scenario: str, reason: str) -> dict[str, Any]:
    return {"scenario": scenario, "requests": 0, "errors": 1, "failure": reason, "latency_ms": {}}


def cell(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def row(result: dict[str, Any]) -> tuple[str, ...]:
    latency = result["latency_ms"]
    return (
        result["scenario"],
        f"{result['requests']:,}",
        f"{result['errors']:,}",
        cell(result.get("rps"), 0),
        cell(latency.get("p50"), 2),
        cell(latency.get("p99"), 2),
        cell(latency.get("max"), 2),
        cell(result.get("server_cpu_us_per_request"), 0),
        cell(result.get("client_cpu_percent"), 0),
    )


def table(results: list[dict[str, Any]]) -> str:
    rows = [COLUMNS, *(row(result) for result in results)]
    widths = [max(len(line[i]) for line in rows) for i in range(len(COLUMNS))]

    def render(line: tuple[str, ...]) -> str:
        return "  ".join(
            text.ljust(w) if i == 0 else text.rjust(w)
            for i, (text, w) in enumerate(zip(line, widths, strict=True))
        )

    return "\n".join(
        [render(COLUMNS), "  ".join("-" * w for w in widths), *(render(line) for line in rows[1:])]
    )


def headline(args: argparse.Namespace, info: dict[str, Any]) -> str:
    return (
        f"AVThrift bench: {args.workers} worker(s), {args.database}, {args.concurrency} connections, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per scenario, LOG_LEVEL={args.log_level}"
        f"{', Redis' if args.redis_url else ''}\n"
        f"{info['cpus']} CPU(s) ({info['cpu_model']}), Python {info['python']}, Granian {info['granian']}, "
        f"1-min load average at start {info['load_average_at_start']}.\n"
        "The load generator runs on the same CPUs as the server (over loopback) and competes with it."
    )


def problems(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for result in results:
        if "failure" in result:
            lines.append(f"{result['scenario']}: {result['failure']}")
        lines.extend(f"{result['scenario']}: {sample}" for sample in result.get("error_samples", []))
    return lines


def write_json(
    path: Path, args: argparse.Namespace, info: dict[str, Any], results: list[dict[str, Any]]
) -> None:
    document = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": [Path(sys.argv[0]).as_posix(), *sys.argv[1:]],
        "machine": info,
        "options": {
            "workers": args.workers,
            "database": args.database,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "log_level": args.log_level,
            "redis": bool(args.redis_url),
        },
        "results": results,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def benchmark(args: argparse.Namespace) -> list[dict[str, Any]]:
    options = ServerOptions(
        workers=args.workers,
        database=args.database,
        log_level=args.log_level,
        redis_url=args.redis_url,
        postgres_admin_url=args.postgres_admin_url,
        floor=args.floor,
    )
    results = []
    print(f"starting the server ({args.workers} worker(s), {args.database}) ...", file=sys.stderr)
    with running_server(options) as server:
        for scenario in args.scenario:
            print(f"  {scenario}: {args.warmup:g} s warm-up + {args.duration:g} s ...", file=sys.stderr)
            cpu_before = server.cpu_seconds()
            result = run_scenario(server.port, scenario, args)
            server.check_alive()
            result["server_cpu_us_per_request"] = cpu_per_request(cpu_before, server.cpu_seconds(), result)
            results.append(result)
    return results


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds through `running_server`, which stops the server


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print("\n".join(f"{name:<12} {scenario.summary}" for name, scenario in SCENARIOS.items()))
        return 0
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    info = machine()
    try:
        results = benchmark(args)
    except ServerError as error:
        print(f"bench: {error}", file=sys.stderr)
        return EXIT_SERVER_FAILED
    except KeyboardInterrupt:
        print("bench: interrupted; the server was stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    print(headline(args, info))
    print(table(results))
    for line in problems(results):
        print(f"error: {line}")
    if args.json:
        write_json(args.json, args, info, results)
    return EXIT_ERRORS if any(result["errors"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
