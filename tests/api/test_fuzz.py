"""Property-based run of schemathesis over the whole OpenAPI document, in process through ASGI.

It is schemathesis's own engine (what `schemathesis run` does): every operation, every phase (schema
examples, coverage of boundaries, random fuzzing, stateful links), every default check (no 5xx,
documented status codes, content types and headers, bodies valid against the schema, invalid data
rejected, valid data accepted, ...). The engine runs inside an ordinary test because schemathesis's
fixture-based pytest integration does not work with pytest 9 (`Function._nodeid` is gone).
"""

import textwrap

import schemathesis
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.python import asgi

from avthrift.config import DEFAULT_THROTTLE_RATES
from avthrift.entrypoints.http.app import create_app
from tests.conftest import SettingsFactory

MAX_EXAMPLES = 30

# Operations whose documented `400` is a business rule that a schema cannot express: credentials
# that do not match, emailed links that do not verify, the password policy, email syntax. Valid-looking
# data may be refused there; everywhere else schema-valid data must be accepted.
BUSINESS_RULE_400 = [
    "/api/v1/auth/signin",
    "/api/v1/account/register",
    "/api/v1/account/password-reset/confirm",
    "/api/v1/account/email-verify/confirm",
    "/api/v1/account/email-reset",
    "/api/v1/account/email-reset/confirm",
    "/api/v1/account/password-change",
    "/api/v1/account/profile",
]
ACCEPTED = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
# The fuzzer must see the API's behaviour, not 429s caused by its own request volume.
UNTHROTTLED = ",".join(f"{scope}=1000000/sec" for scope in DEFAULT_THROTTLE_RATES)


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


def test_every_operation_conforms_to_the_schema(settings_factory: SettingsFactory) -> None:
    # schemathesis's ASGI client sends `Host: testserver`.
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED, ALLOWED_HOSTS="testserver"))
    config = schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES},
            "workers": 1,
            "operations": [
                {
                    "include-path": path,
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
                }
                for path in BUSINESS_RULE_400
            ],
        }
    )
    schema = schemathesis.openapi.from_asgi("/api/schema/", app, config=config)
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

    seed = f"(seed {config.seed})"
    unique = list(dict.fromkeys(problems))
    assert not unique, f"{len(unique)} schemathesis failure(s) {seed}:\n\n" + "\n\n".join(unique)
    assert finished is not None
    assert finished.stop_reason == StopReason.COMPLETED, seed
    assert operations, "the schema has no operations"
    assert operations <= exercised, f"operations never exercised: {sorted(operations - exercised)}"
