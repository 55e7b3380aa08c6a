"""The demo catalog generator (`avthrift catalog seed`): realistic, consistent and deterministic."""

import re
import subprocess
import sys
from collections import Counter
from decimal import Decimal

from avthrift.domain.catalog import demo
from avthrift.domain.catalog.demo import MEDIA_HOST, DemoCatalog, DemoProduct, demo_catalog, ean13
from avthrift.domain.catalog.model import (
    MAX_PRICE,
    SLUG_PATTERN,
    URL_PATTERN,
    InputType,
    ProductStatus,
    VariantStatus,
)

CATALOG = demo_catalog()
PUBLISHED = [p for p in CATALOG.products if p.status is ProductStatus.PUBLISHED]
VARIANTS = [v for p in CATALOG.products for v in p.variants]


def _depth(slug: str) -> int:
    parents = {c.slug: c.parent for c in CATALOG.categories}
    depth = 1
    while (parent := parents[slug]) is not None:
        depth, slug = depth + 1, parent
    return depth


def test_at_least_200_published_products_and_a_few_drafts() -> None:
    assert len(PUBLISHED) >= 200
    drafts = [p for p in CATALOG.products if p.status is ProductStatus.DRAFT]
    assert 1 <= len(drafts) <= 10


def test_natural_keys_are_unique() -> None:
    for keys in (
        [c.slug for c in CATALOG.categories],
        [p.slug for p in CATALOG.products],
        [c.slug for c in CATALOG.collections],
        [a.code for a in CATALOG.attributes],
        [v.sku for v in VARIANTS],
        [m.url for p in CATALOG.products for m in p.media + tuple(x for v in p.variants for x in v.media)],
    ):
        assert len(keys) == len(set(keys))


def test_the_category_tree_is_three_levels_deep_with_parents_first() -> None:
    seen: set[str] = set()
    for category in CATALOG.categories:
        assert category.parent is None or category.parent in seen
        seen.add(category.slug)
    assert max(_depth(c.slug) for c in CATALOG.categories) == 3
    assert {"women", "men", "shoes", "accessories", "vintage"} <= {
        c.slug for c in CATALOG.categories if c.parent is None
    }
    assert any(not c.is_active for c in CATALOG.categories)


def test_products_belong_to_active_categories_with_their_ancestors() -> None:
    by_slug = {c.slug: c for c in CATALOG.categories}
    for product in CATALOG.products:
        assert product.categories
        for slug in product.categories:
            assert by_slug[slug].is_active
            parent = by_slug[slug].parent
            assert parent is None or parent in product.categories
    assert any(_depth(slug) == 3 for p in CATALOG.products for slug in p.categories)


def test_texts_fit_their_columns_and_slugs_and_urls_are_valid() -> None:
    for category in CATALOG.categories:
        assert re.match(SLUG_PATTERN, category.slug)
        assert len(category.name) <= 120
        assert len(category.slug) <= 140
    for product in CATALOG.products:
        assert re.match(SLUG_PATTERN, product.slug)
        assert len(product.slug) <= 220
        assert 0 < len(product.title) <= 200
        assert 0 < len(product.seo_title) <= 200
        assert product.description
        assert product.seo_description
        for media in product.media + tuple(m for v in product.variants for m in v.media):
            assert re.match(URL_PATTERN, media.url)
            assert media.url.startswith(f"{MEDIA_HOST}/products/{product.slug}/")
            assert len(media.url) <= 200
            assert 0 < len(media.alt_text) <= 200
    for variant in VARIANTS:
        assert len(variant.sku) <= 64
        assert variant.barcode == "" or (
            len(variant.barcode) == 13 and ean13(variant.barcode[:12]) == variant.barcode
        )


def test_every_product_has_one_product_level_primary_image() -> None:
    for product in CATALOG.products:
        assert [m.is_primary for m in product.media].count(True) == 1
        for variant in product.variants:
            assert [m.is_primary for m in variant.media].count(True) <= 1
    assert any(v.media for v in VARIANTS)


def test_variants_are_priced_in_naira_and_stocked() -> None:
    counts = Counter(len(p.variants) for p in CATALOG.products)
    assert set(counts) == {1, 2, 3, 4}
    stock = Counter(v.stock for v in VARIANTS)
    assert stock[1] > len(VARIANTS) / 2  # thrift: mostly one of a kind
    assert stock[0] > 0
    assert any(stock[n] for n in (2, 3, 4, 5))
    assert set(stock) <= {0, 1, 2, 3, 4, 5}
    for variant in VARIANTS:
        assert Decimal("4500.00") <= variant.price <= min(Decimal("85000.00"), MAX_PRICE)
        assert variant.price.as_tuple().exponent == -2


def test_published_products_sell_through_active_variants_and_drafts_sell_nothing() -> None:
    for product in CATALOG.products:
        active = [v for v in product.variants if v.status is VariantStatus.ACTIVE]
        if product.status is ProductStatus.PUBLISHED:
            assert active
        else:
            assert not active
    assert all(v.stock == 0 for p in PUBLISHED for v in p.variants if v.status is VariantStatus.INACTIVE)


def _values(product: DemoProduct) -> list[tuple[str, str]]:
    return [*product.attributes, *(pair for v in product.variants for pair in v.attributes)]


def test_attribute_values_suit_their_attributes() -> None:
    attributes = {a.code: a for a in CATALOG.attributes}
    assert len(attributes) >= 6
    assert any(a.is_filterable for a in attributes.values())
    assert any(not a.is_filterable for a in attributes.values())
    assert {a.input_type for a in attributes.values()} == set(InputType)
    used: Counter[str] = Counter()
    for product in CATALOG.products:
        assert len({code for code, _ in product.attributes}) == len(product.attributes)
        for variant in product.variants:
            assert {code for code, _ in variant.attributes} == {"size", "colour"}
        for code, value in _values(product):
            used[code] += 1
            attribute = attributes[code]
            if attribute.input_type is InputType.SELECT:
                assert value in (attribute.allowed_values or ())
            elif attribute.input_type is InputType.NUMBER:
                assert Decimal(value).is_finite()
            elif attribute.input_type is InputType.BOOLEAN:
                assert value in ("true", "false")
            else:
                assert attribute.allowed_values is None
                assert value
    assert set(used) == set(attributes)
    assert all(dict(p.attributes).get("condition") for p in CATALOG.products)


def test_collections_curate_published_products() -> None:
    published = {p.slug for p in PUBLISHED}
    assert 4 <= len(CATALOG.collections) <= 6
    assert {"featured", "new-in", "under-10k", "vintage-picks"} <= {c.slug for c in CATALOG.collections}
    for collection in CATALOG.collections:
        assert collection.products
        assert len(set(collection.products)) == len(collection.products)
        assert set(collection.products) <= published
    prices = {p.slug: [v.price for v in p.variants if v.status is VariantStatus.ACTIVE] for p in PUBLISHED}
    under = next(c for c in CATALOG.collections if c.slug == "under-10k")
    assert all(price < 10000 for slug in under.products for price in prices[slug])


def test_two_calls_build_the_same_catalog() -> None:
    demo_catalog.cache_clear()
    again = demo_catalog()
    assert again is not CATALOG
    assert again == CATALOG
    assert isinstance(again, DemoCatalog)


def test_another_process_builds_the_same_catalog() -> None:
    """No dependence on `hash()` randomisation or anything else that changes per process."""
    script = "from avthrift.domain.catalog.demo import demo_catalog; print(repr(demo_catalog()))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == repr(CATALOG)
    assert demo.SKU_PREFIX in result.stdout
