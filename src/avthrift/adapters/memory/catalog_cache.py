"""A short-lived, per-process cache in front of the public catalog reads ("micro-caching").

Browsing dominates a storefront's traffic and a product page changes rarely, so each worker keeps
what it read for `ttl_seconds` (`CATALOG_CACHE_SECONDS`, default 5 s; 0 turns this off). A staff edit
or a stock change therefore shows on public pages at most that long after it commits. Carts and
checkout never read through this cache: stock is always taken against the database.

Values are immutable read models; "not found" is cached like any answer, errors are not.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Final

from avthrift.domain.catalog.ports import CatalogReader
from avthrift.domain.catalog.read_models import (
    Attribute,
    AttributeQuery,
    Category,
    CategoryQuery,
    Collection,
    CollectionQuery,
    Media,
    ProductCard,
    ProductDetail,
    ProductQuery,
    Variant,
    VariantQuery,
)
from avthrift.domain.shared.pagination import Page

MAX_ENTRIES: Final = 10_000


class TtlCache:
    """Entries expire `ttl_seconds` after they are stored. Atomic because `get`/`put` never await."""

    def __init__(
        self,
        ttl_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._ttl, self._monotonic, self._max_entries = ttl_seconds, monotonic, max_entries
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._loading: dict[Hashable, asyncio.Future[Any]] = {}

    def get(self, key: Hashable) -> tuple[bool, Any]:
        entry = self._entries.get(key)
        if entry is None or entry[0] <= self._monotonic():
            return False, None
        return True, entry[1]

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._entries) >= self._max_entries:
            self._entries.clear()  # crude but bounded; a full cache refills within one TTL
        self._entries[key] = (self._monotonic() + self._ttl, value)

    async def load(self, key: Hashable, read: Callable[[], Awaitable[Any]]) -> Any:
        """`read()` once for all the requests that miss `key` together (no stampede at expiry);
        its value is stored, an error reaches every waiter and is not stored."""
        loading = self._loading.get(key)
        if loading is not None:
            return await asyncio.shield(loading)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._loading[key] = future
        try:
            value = await read()
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters get it, nobody else needs to
            raise
        else:
            self.put(key, value)
            future.set_result(value)
            return value
        finally:
            del self._loading[key]


class CachingCatalogReader(CatalogReader):
    """`CatalogReader` that answers from a `TtlCache` and asks `inner` on a miss."""

    def __init__(self, inner: CatalogReader, cache: TtlCache) -> None:
        self._inner, self._cache = inner, cache

    async def _cached[T](self, key: Hashable, read: Callable[[], Awaitable[T]]) -> T:
        hit, value = self._cache.get(key)
        if not hit:
            value = await self._cache.load(key, read)
        cached: T = value
        return cached

    async def categories(self, query: CategoryQuery) -> Page[Category]:
        return await self._cached(("categories", query), lambda: self._inner.categories(query))

    async def category(self, slug: str) -> Category | None:
        return await self._cached(("category", slug), lambda: self._inner.category(slug))

    async def category_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        return await self._cached(("category_products", slug), lambda: self._inner.category_products(slug))

    async def products(self, query: ProductQuery) -> Page[ProductCard]:
        return await self._cached(("products", query), lambda: self._inner.products(query))

    async def product(self, slug: str) -> ProductDetail | None:
        return await self._cached(("product", slug), lambda: self._inner.product(slug))

    async def product_variants(self, slug: str) -> tuple[Variant, ...] | None:
        return await self._cached(("product_variants", slug), lambda: self._inner.product_variants(slug))

    async def product_media(self, slug: str) -> tuple[Media, ...] | None:
        return await self._cached(("product_media", slug), lambda: self._inner.product_media(slug))

    async def collections(self, query: CollectionQuery) -> Page[Collection]:
        return await self._cached(("collections", query), lambda: self._inner.collections(query))

    async def collection(self, slug: str) -> Collection | None:
        return await self._cached(("collection", slug), lambda: self._inner.collection(slug))

    async def collection_products(self, slug: str) -> tuple[ProductCard, ...] | None:
        return await self._cached(
            ("collection_products", slug), lambda: self._inner.collection_products(slug)
        )

    async def variants(self, query: VariantQuery) -> Page[Variant]:
        return await self._cached(("variants", query), lambda: self._inner.variants(query))

    async def variant(self, variant_id: int) -> Variant | None:
        return await self._cached(("variant", variant_id), lambda: self._inner.variant(variant_id))

    async def attributes(self, query: AttributeQuery) -> Page[Attribute]:
        return await self._cached(("attributes", query), lambda: self._inner.attributes(query))

    async def attribute(self, attribute_id: int) -> Attribute | None:
        return await self._cached(("attribute", attribute_id), lambda: self._inner.attribute(attribute_id))
