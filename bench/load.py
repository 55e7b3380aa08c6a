"""The load generator: one process, one scenario, N concurrent keep-alive connections to 127.0.0.1.

    .venv/bin/python bench/load.py --port 8000 --scenario health --concurrency 32 --duration 10

Each simulated client runs the scenario's setup once (untimed), then its step in a closed loop:
the next request leaves as soon as the previous response is read. Requests started during the
warm-up are not recorded. Prints one JSON object on stdout; `bench/run.py` starts this script once
per scenario so the load never shares an interpreter with the server or with another scenario.
"""

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any, Final

from http1 import Connection
from scenarios import SCENARIOS, Scenario, Step
from session import Recorder, Session, SetupError
from stats import latency_summary_ms

SETUP_TIMEOUT_SECONDS: Final = 60.0
EXIT_SETUP_FAILED: Final = 3
EXIT_INTERRUPTED: Final = 130


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Drive one scenario against 127.0.0.1:PORT.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), required=True)
    parser.add_argument("--concurrency", type=int, default=32, help="simulated clients (connections)")
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="unrecorded seconds before measuring")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds allowed per request")
    args = parser.parse_args(argv)
    if not 0 < args.port < 65536:
        parser.error("--port must be between 1 and 65535")
    if args.concurrency < 1 or args.duration <= 0 or args.warmup < 0 or args.timeout <= 0:
        parser.error("--concurrency, --duration and --timeout must be positive, --warmup not negative")
    return args


async def drive(session: Session, step: Step, stop_at: float) -> None:
    """Run the step back to back until `stop_at`; a step in flight at that moment completes."""
    while time.perf_counter() < stop_at:
        await step(session)


async def measure(
    sessions: list[Session], scenario: Scenario, recorder: Recorder, args: argparse.Namespace
) -> dict[str, Any]:
    recorder.measure_from = time.perf_counter() + args.warmup
    stop_at = recorder.measure_from + args.duration
    drivers = asyncio.gather(*(drive(session, scenario.step, stop_at) for session in sessions))
    await asyncio.sleep(max(0.0, recorder.measure_from - time.perf_counter()))
    cpu_started = time.process_time()
    # Bounded even if a step misbehaves: each request has its own timeout, and so does the whole run.
    async with asyncio.timeout(args.warmup + args.duration + 3 * args.timeout):
        await drivers
    elapsed = time.perf_counter() - recorder.measure_from
    cpu = time.process_time() - cpu_started
    return {"elapsed": elapsed, "client_cpu_percent": round(100 * cpu / elapsed, 1)}


def result(
    scenario: Scenario, recorder: Recorder, window: dict[str, Any], args: argparse.Namespace
) -> dict[str, Any]:
    requests = len(recorder.latencies) + recorder.transport_errors
    return {
        "scenario": scenario.name,
        "summary": scenario.summary,
        "concurrency": args.concurrency,
        "warmup_s": args.warmup,
        "duration_s": round(window["elapsed"], 3),
        "requests": requests,
        "all_exchanges": recorder.exchanges,
        "errors": recorder.errors,
        "unexpected_status": recorder.unexpected,
        "transport_errors": recorder.transport_errors,
        "statuses": {str(status): count for status, count in sorted(recorder.statuses.items())},
        "rps": round(len(recorder.latencies) / window["elapsed"], 1),
        "latency_ms": latency_summary_ms(recorder.latencies),
        "client_cpu_percent": window["client_cpu_percent"],
        "error_samples": recorder.error_samples,
    }


async def run_load(args: argparse.Namespace) -> dict[str, Any]:
    scenario = SCENARIOS[args.scenario]
    recorder = Recorder()
    sessions = [Session(i, Connection(args.port, args.timeout), recorder) for i in range(args.concurrency)]
    try:
        async with asyncio.timeout(SETUP_TIMEOUT_SECONDS):
            await asyncio.gather(*(scenario.setup(session) for session in sessions))
        window = await measure(sessions, scenario, recorder, args)
    finally:
        for session in sessions:
            session.close()
    return result(scenario, recorder, window, args)


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # noqa: PLC0415 - optional; installed with granian[uvloop]
    except ImportError:
        return None
    return uvloop.new_event_loop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        outcome = asyncio.run(run_load(args), loop_factory=loop_factory())
    except SetupError as error:
        print(f"load: setup of {args.scenario!r} failed: {error}", file=sys.stderr)
        return EXIT_SETUP_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    print(json.dumps(outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())
