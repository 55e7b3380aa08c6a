"""The public catalog's micro-cache (adapters/memory/catalog_cache.py): hits within the TTL, a fresh
read after it, one read for concurrent misses, errors never stored, bounded size."""

import asyncio
from collections import Counter
from typing import Any

import pytest

from avthrift.adapters.memory.catalog_cache import CachingCatalogReader, TtlCache
from avthrift.domain.catalog.ports import CatalogReader
from avthrift.domain.catalog.read_models import Category, ProductQuery
from avthrift.domain.shared.pagination import Page, PageRequest
from tests.conftest import OWASP_HASHING, make_settings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CountingReader:
    """Answers `category` and `products`, counting the calls; `fail` makes the next read raise."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.fail = False
        self.gate = asyncio.Event()
        self.gate.set()

    async def category(self, slug: str) -> Category | None:
        self.calls[slug] += 1
        await self.gate.wait()
        if self.fail:
            raise RuntimeError("database down")
        if slug == "missing":
            return None
        return Category(
            id=1, name=slug.title(), slug=slug, description="", parent=None, is_active=True, sort_order=0
        )

    async def products(self, query: ProductQuery) -> Page[Any]:
        self.calls[f"products:{query.page.number}"] += 1
        return Page(items=(), total=0, request=query.page)


def _reader(inner: CountingReader, clock: Clock, ttl: float = 5) -> CachingCatalogReader:
    fake: Any = inner  # implements the two reads these tests use
    reader: CatalogReader = fake
    return CachingCatalogReader(reader, TtlCache(ttl, monotonic=clock))


async def test_answers_from_the_cache_until_the_ttl_passes() -> None:
    inner, clock = CountingReader(), Clock()
    reader = _reader(inner, clock)
    first = await reader.category("dresses")
    clock.now += 4.9
    assert await reader.category("dresses") is first
    assert inner.calls["dresses"] == 1
    clock.now += 0.2
    assert await reader.category("dresses") == first
    assert inner.calls["dresses"] == 2


async def test_not_found_is_cached_and_keys_are_distinct() -> None:
    inner, clock = CountingReader(), Clock()
    reader = _reader(inner, clock)
    assert await reader.category("missing") is None
    assert await reader.category("missing") is None
    await reader.products(ProductQuery(page=PageRequest(number=1)))
    await reader.products(ProductQuery(page=PageRequest(number=2)))
    await reader.products(ProductQuery(page=PageRequest(number=1)))
    assert inner.calls == Counter({"missing": 1, "products:1": 1, "products:2": 1})


async def test_concurrent_misses_read_once() -> None:
    inner, clock = CountingReader(), Clock()
    reader = _reader(inner, clock)
    inner.gate.clear()
    waiting = [asyncio.create_task(reader.category("shoes")) for _ in range(20)]
    await asyncio.sleep(0)
    inner.gate.set()
    results = await asyncio.gather(*waiting)
    assert inner.calls["shoes"] == 1
    assert all(result == results[0] for result in results)


async def test_errors_reach_every_waiter_and_are_not_stored() -> None:
    inner, clock = CountingReader(), Clock()
    reader = _reader(inner, clock)
    inner.fail = True
    inner.gate.clear()
    waiting = [asyncio.create_task(reader.category("bags")) for _ in range(3)]
    await asyncio.sleep(0)
    inner.gate.set()
    outcomes = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(outcome, RuntimeError) for outcome in outcomes)
    inner.fail = False
    assert (await reader.category("bags")) is not None
    assert inner.calls["bags"] == 2


def test_size_is_bounded() -> None:
    cache = TtlCache(5, monotonic=Clock(), max_entries=3)
    for key in range(10):
        cache.put(key, key)
    assert sum(cache.get(key)[0] for key in range(10)) <= 3
    assert cache.get(9) == (True, 9)


@pytest.mark.parametrize(("profile", "seconds"), [("dev", 5), ("test", 0)])
def test_on_by_default_except_in_tests(profile: str, seconds: int) -> None:
    settings = make_settings(AVTHRIFT_ENV=profile, **OWASP_HASHING)
    assert settings.catalog_cache_seconds == seconds
    overridden = make_settings(AVTHRIFT_ENV=profile, CATALOG_CACHE_SECONDS="2", **OWASP_HASHING)
    assert overridden.catalog_cache_seconds == 2
