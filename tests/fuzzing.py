"""Running schemathesis's own engine (what `schemathesis run` does) inside an ordinary test: every
phase (schema examples, boundary coverage, random fuzzing, stateful links) and every default check.
The fixture-based pytest integration of schemathesis does not work with pytest 9."""

import textwrap
from typing import Any

import schemathesis
from litestar import Litestar
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.python import asgi

from avthrift.config import DEFAULT_THROTTLE_RATES

# The fuzzer must see the API's behaviour, not 429s caused by its own request volume.
UNTHROTTLED = ",".join(f"{scope}=1000000/sec" for scope in DEFAULT_THROTTLE_RATES)
# Statuses a schema-valid request may get where a business rule can refuse it with `400`; `422`
# where the fuzzer sends one `Idempotency-Key` with two bodies (contract §8: the schema cannot say
# that two requests must not share a key).
ACCEPTED_WITH_BUSINESS_400 = ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]


def business_rule_400(paths: list[str]) -> list[dict[str, Any]]:
    """Operation settings that let `positive_data_acceptance` accept a documented business `400`."""
    return [
        {
            "include-path": path,
            "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_WITH_BUSINESS_400}},
        }
        for path in paths
    ]


def _check_failures(recorder: ScenarioRecorder) -> list[str]:
    reports = []
    for case_id, checks in recorder.checks.items():
        response = recorder.find_response(case_id=case_id)
        received = (
            "no response"
            if response is None
            else f"{response.status_code} {response.headers.get('content-type', ['-'])[0]} "
            f"{response.content[:300]!r}"
        )
        reports.extend(
            f"{recorder.label} [{check.name}] {check.failure_info.failure.title}\n"
            f"{textwrap.indent(check.failure_info.failure.message.strip()[:600], '    ')}\n"
            f"    request:  {check.failure_info.code_sample}\n"
            f"    response: {received}"
            for check in checks
            if check.failure_info is not None
        )
    return reports


def assert_conforms(app: Litestar, config: dict[str, Any]) -> set[str]:
    """Run the engine over `app`'s schema; fail with every problem found. Returns the operations."""
    settings = schemathesis.Config.from_dict({"workers": 1} | config)
    schema = schemathesis.openapi.from_asgi("/api/schema/", app, config=settings)
    operations = {result.ok().label for result in schema.get_all_operations()}
    problems: list[str] = []
    exercised: set[str] = set()
    finished: events.EngineFinished | None = None
    try:
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
                if event.status != Status.SKIP:
                    exercised.add(event.recorder.label)
                problems.extend(_check_failures(event.recorder))
            elif isinstance(event, events.NonFatalError):
                problems.append(f"{event.label}: error: {event.info.format()}")
            elif isinstance(event, events.FatalError):
                problems.append(f"fatal: {event.exception!r}")
            elif isinstance(event, events.EngineFinished):
                finished = event
                problems.extend(
                    f"after run: {failure.title}: {failure.message}" for failure in event.failures
                )
    finally:
        asgi.shutdown_lifespans()
    seed = f"(seed {settings.seed})"
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} schemathesis failure(s) {seed}:\n\n" + "\n\n".join(unique)
    assert finished is not None
    assert finished.stop_reason == StopReason.COMPLETED, seed
    assert operations, "the schema has no operations"
    assert operations <= exercised, f"operations never exercised: {sorted(operations - exercised)}"
    return operations
