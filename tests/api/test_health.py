from typing import Any

from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from tests.conftest import BASE_URL, SettingsFactory, make_settings


async def test_liveness_answers_with_and_without_trailing_slash(client: Any) -> None:
    for path in ("/health/", "/health"):
        response = await client.get(path)
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}


async def test_readiness_checks_the_database_and_omits_redis_when_not_configured(client: Any) -> None:
    response = await client.get("/health/ready/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


async def test_readiness_includes_redis_when_configured(
    settings_factory: SettingsFactory, redis_url: str
) -> None:
    async with AsyncTestClient(
        create_app(settings_factory(REDIS_URL=redis_url)), base_url=BASE_URL
    ) as client:
        response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_readiness_is_503_naming_an_unavailable_redis(settings_factory: SettingsFactory) -> None:
    settings = settings_factory(REDIS_URL="redis://127.0.0.1:1/0")
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        response = await client.get("/health/ready/")
        live = await client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "unavailable"}}
    assert live.status_code == 200


async def test_readiness_is_503_naming_an_unavailable_database() -> None:
    settings = make_settings(
        DATABASE_URL="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", DATABASE_CONNECT_TIMEOUT="1"
    )
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        response = await client.get("/health/ready/")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "unavailable"}}
