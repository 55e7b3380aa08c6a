"""One contract, run against every RateLimitStore adapter."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from avthrift.adapters.memory.rate_limit import MemoryRateLimitStore
from avthrift.adapters.redis.rate_limit import RedisRateLimitStore
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.ports import RateLimitStore


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[RateLimitStore]:
    if request.param == "memory":
        yield MemoryRateLimitStore()
        return
    url: str = request.getfixturevalue("redis_url")
    client = Redis.from_url(url)
    yield RedisRateLimitStore(client)
    await client.aclose()


async def test_counts_hits_per_key_within_the_window(store: RateLimitStore) -> None:
    counts = [(await store.hit("a", 60))[0] for _ in range(3)]
    other, _ = await store.hit("b", 60)
    assert counts == [1, 2, 3]
    assert other == 1


async def test_reports_the_time_until_the_window_resets(store: RateLimitStore) -> None:
    _, reset_after = await store.hit("k", 60)
    assert 59 <= reset_after <= 60


async def test_a_new_window_starts_from_zero(store: RateLimitStore) -> None:
    await store.hit("w", 1)
    await store.hit("w", 1)
    await asyncio.sleep(1.1)
    count, _ = await store.hit("w", 1)
    assert count == 1


async def test_concurrent_hits_each_get_a_distinct_count(store: RateLimitStore) -> None:
    results = await asyncio.gather(*(store.hit("hot", 60) for _ in range(100)))
    assert sorted(count for count, _ in results) == list(range(1, 101))


async def test_redis_outage_is_a_service_unavailable_error() -> None:
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    with pytest.raises(ServiceUnavailableError):
        await RedisRateLimitStore(client).hit("k", 60)
    await client.aclose()


async def test_memory_store_forgets_expired_windows() -> None:
    now = [0.0]
    store = MemoryRateLimitStore(monotonic=lambda: now[0])
    for index in range(5000):
        await store.hit(f"client-{index}", 1)
        now[0] += 0.01
    # windows older than one second were swept when the sweep ran
    assert len(store._windows) < 5000


async def test_memory_store_never_reports_more_than_the_window_left() -> None:
    # (16378.511023381614 + 60) - 16378.511023381614 is 60.000000000001819 in floating point, which
    # the `RateLimit` header rounded up to `t=61`.
    store = MemoryRateLimitStore(monotonic=lambda: 16378.511023381614)
    assert await store.hit("client", 60) == (1, 60.0)
