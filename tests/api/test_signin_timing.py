"""No account enumeration by timing (contract §3): an unknown identifier costs one argon2 verification,
like a known one with a wrong password.

With the real hasher (argon2id at OWASP cost, 20 to 50 ms here depending on load), an implementation
that skipped the dummy verification would answer unknown addresses about one hash faster (a median
gap of one hash); the assertion allows a third of a hash, measured in the same run, so the test
tells the two apart on a fast or a slow machine alike.
"""

import statistics
import time
from collections.abc import Awaitable, Callable

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from tests.conftest import BASE_URL, OWASP_HASHING, NewAccount, SettingsFactory, register, relaxed_rates

MIN_HASH_MS = 10.0  # the test profile's cheap hashes take ~1 ms; OWASP cost takes far longer
ROUNDS = 15
WARM_UP = 3


async def _elapsed_ms(call: Callable[[], Awaitable[int]]) -> float:
    start = time.perf_counter()
    status = await call()
    elapsed = (time.perf_counter() - start) * 1000
    assert status == 400
    return elapsed


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_unknown_and_known_accounts_fail_in_the_same_time(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES=relaxed_rates(), **OWASP_HASHING)
    async with AsyncTestClient[Litestar](create_app(settings), base_url=BASE_URL) as api:
        account = NewAccount.unique()
        await register(api, account)

        async def known() -> int:
            body = {"identifier": account.email, "password": "Wrong-password-2026!"}
            return (await api.post("/api/v1/auth/signin/", json=body)).status_code

        async def unknown() -> int:
            body = {"identifier": f"nobody.{account.email}", "password": "Wrong-password-2026!"}
            return (await api.post("/api/v1/auth/signin/", json=body)).status_code

        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for round_ in range(WARM_UP + ROUNDS):
            # interleaved, alternating which goes first, so drift hits both alike
            order = [("known", known), ("unknown", unknown)]
            for name, call in order if round_ % 2 else reversed(order):
                elapsed = await _elapsed_ms(call)
                if round_ >= WARM_UP:
                    timings[name].append(elapsed)

    known_ms, unknown_ms = statistics.median(timings["known"]), statistics.median(timings["unknown"])
    allowed_ms = known_ms / 3
    report = (
        f"median sign-in failure: known account {known_ms:.1f} ms, unknown {unknown_ms:.1f} ms "
        f"(gap {abs(known_ms - unknown_ms):.1f} ms, allowed {allowed_ms:.1f} ms; "
        f"known {sorted(round(t) for t in timings['known'])}, "
        f"unknown {sorted(round(t) for t in timings['unknown'])})"
    )
    # Sensitivity: a skipped hash would open a gap of about `known_ms`, three times the allowance.
    assert known_ms > MIN_HASH_MS, report
    assert abs(known_ms - unknown_ms) < allowed_ms, report
