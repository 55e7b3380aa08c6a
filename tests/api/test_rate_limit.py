"""Rate limits per contract §1, on the in-process store and on Redis."""

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.config import DEFAULT_THROTTLE_RATES
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE
from tests.conftest import BASE_URL, SettingsFactory


@pytest.fixture(params=["memory", "redis"])
def store_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "memory":
        return {}
    return {"REDIS_URL": request.getfixturevalue("redis_url")}


async def test_requests_over_the_rate_get_429_with_headers(
    settings_factory: SettingsFactory, store_env: dict[str, str]
) -> None:
    settings = settings_factory(THROTTLE_RATES="health=3/min", **store_env)
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        allowed = [await client.get("/health/") for _ in range(3)]
        throttled = await client.get("/health/")
    assert [r.status_code for r in allowed] == [200, 200, 200]
    assert [r.headers["ratelimit"] for r in allowed] == [
        '"health";r=2;t=60',
        '"health";r=1;t=60',
        '"health";r=0;t=60',
    ]
    assert all(r.headers["ratelimit-policy"] == '"health";q=3;w=60' for r in allowed)
    assert throttled.status_code == 429
    assert throttled.headers["content-type"] == "application/problem+json"
    assert throttled.json()["code"] == "throttled"
    assert throttled.headers["ratelimit"] == '"health";r=0;t=60'
    assert 1 <= int(throttled.headers["retry-after"]) <= 60
    assert throttled.json()["detail"].startswith("Request was throttled. Expected available in")


async def test_scopes_are_counted_separately(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(THROTTLE_RATES="health=1/min")
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        assert (await client.get("/health/")).status_code == 200
        assert (await client.get("/health/")).status_code == 429
        assert (await client.get("/api/schema/")).status_code == 200


async def test_clients_are_told_apart_only_through_trusted_proxies(settings_factory: SettingsFactory) -> None:
    # The test client's peer is "testclient", not the trusted proxy (tests/unit/test_client_ip.py
    # covers the trusted path; tests/e2e the real loopback peer).
    settings = settings_factory(THROTTLE_RATES="health=1/min", TRUSTED_PROXIES="127.0.0.1")

    async def statuses(app: Litestar, forwarded_for: list[str]) -> list[int]:
        async with AsyncTestClient(app, base_url=BASE_URL) as client:
            return [
                (await client.get("/health/", headers={"x-forwarded-for": ip})).status_code
                for ip in forwarded_for
            ]

    # Spoofed X-Forwarded-For from an untrusted peer does not buy a fresh budget.
    assert await statuses(create_app(settings), ["1.1.1.1", "2.2.2.2"]) == [200, 429]


async def test_every_route_has_a_known_rate_scope(app: Litestar) -> None:
    handlers = [(route.path, handler) for route in app.routes for handler in route.route_handlers]
    assert len(handlers) >= 5
    unscoped = [
        (path, handler.handler_name)
        for path, handler in handlers
        if handler.opt.get(RATE_SCOPE) not in DEFAULT_THROTTLE_RATES
    ]
    assert unscoped == []


async def test_the_store_failing_lets_requests_through(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(REDIS_URL="redis://127.0.0.1:1/0", THROTTLE_RATES="health=1/min")
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        statuses = [(await client.get("/health/")).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]


async def test_unmatched_routes_are_not_counted(client: Any) -> None:
    response = await client.get("/nowhere")
    assert response.status_code == 404
    assert "ratelimit" not in response.headers
