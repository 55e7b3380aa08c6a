"""schemathesis over the customer operations *signed in* (test_fuzz.py runs anonymously, where every
customer route stops at `401`): schema examples, boundaries, fuzzing and stateful sequences against a
real account, with every default check (no 5xx, documented statuses and bodies, invalid data
rejected, valid data accepted, a deleted address gone, a created one readable)."""

import asyncio

import schemathesis
from litestar.testing import AsyncTestClient
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.python import asgi

from avthrift.entrypoints.http.app import create_app
from tests.api.test_fuzz import ACCEPTED, UNTHROTTLED, _check_failures
from tests.conftest import BASE_URL, NewAccount, SettingsFactory, register, sign_in

MAX_EXAMPLES = 30
# A default address must be one of the caller's: an id the schema allows may name none of them.
BUSINESS_RULE_400 = ["/api/v1/customer/profile"]


async def _access_token(settings_factory: SettingsFactory) -> str:
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        account = NewAccount.unique()
        await register(client, account)
        return (await sign_in(client, account.email))["access"]


def test_customer_operations_conform_to_the_schema_when_signed_in(settings_factory: SettingsFactory) -> None:
    token = asyncio.run(_access_token(settings_factory))
    app = create_app(settings_factory(THROTTLE_RATES=UNTHROTTLED, ALLOWED_HOSTS="testserver"))
    config = schemathesis.Config.from_dict(
        {
            "generation": {"max-examples": MAX_EXAMPLES},
            "workers": 1,
            "auth": {"openapi": {"BearerToken": {"bearer": token}}},
            "operations": [
                {"exclude-path-regex": "^/api/v1/customer/", "enabled": False},
                *(
                    {
                        "include-path": path,
                        "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED}},
                    }
                    for path in BUSINESS_RULE_400
                ),
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
    assert len(operations) == 9, sorted(operations)
    assert operations <= exercised, f"operations never exercised: {sorted(operations - exercised)}"
