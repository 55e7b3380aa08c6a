"""`/api/v1/catalog/` through the ASGI app (reference §1.5, contract §1 and §5): shapes, visibility
everywhere public, card fields, search, filters, ordering and pagination."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.entrypoints.http.app import create_app
from tests.catalog_data import CatalogBuilder, catalog_builder
from tests.conftest import BASE_URL, SettingsFactory

type Client = AsyncTestClient[Litestar]

CATALOG = "/api/v1/catalog/"
PROBLEM = "application/problem+json"


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    app = create_app(settings_factory(THROTTLE_RATES="catalog=100000/min"))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        yield client


@pytest.fixture
async def build(database_url: str) -> AsyncIterator[CatalogBuilder]:
    async with catalog_builder(database_url) as builder:
        yield builder


async def get(api: Client, path: str, expect: int = 200, /, **params: Any) -> Any:
    response = await api.get(CATALOG + path, params=params)
    assert response.status_code == expect, response.text
    if expect >= 400:
        assert response.headers["content-type"] == PROBLEM
    return response.json()


async def results(api: Client, path: str, **params: Any) -> list[Any]:
    body = await get(api, path, **params)
    found: list[Any] = body["results"]
    return found


def slugs(items: list[dict[str, Any]]) -> list[str]:
    return [item["slug"] for item in items]


def not_found(detail: str) -> dict[str, Any]:
    return {
        "type": "urn:avthrift:problem:not_found",
        "title": "Not Found",
        "status": 404,
        "detail": detail,
        "code": "not_found",
    }


NO_CATEGORY = not_found("No Category matches the given query.")
NO_PRODUCT = not_found("No Product matches the given query.")
NO_COLLECTION = not_found("No Collection matches the given query.")
NO_VARIANT = not_found("No ProductVariant matches the given query.")
NO_ATTRIBUTE = not_found("No Attribute matches the given query.")
NOT_FOUND = not_found("Not found.")


# --- categories ---------------------------------------------------------------------------------


async def test_categories_list_active_ones_and_hide_an_inactive_parent(
    api: Client, build: CatalogBuilder
) -> None:
    closed = await build.category("Closed", slug="closed", is_active=False)
    women = await build.category("Women", slug="women", sort_order=1, description="For her")
    await build.category("Dresses", slug="dresses", parent=women, sort_order=2)
    await build.category("Orphan", slug="orphan", parent=closed, sort_order=2)
    await build.category("Accessories", slug="accessories", sort_order=1)
    body = await get(api, "categories/")
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert slugs(body["results"]) == ["accessories", "women", "dresses", "orphan"]
    assert body["results"][1] == {
        "id": women,
        "name": "Women",
        "slug": "women",
        "description": "For her",
        "parent": None,
        "is_active": True,
        "sort_order": 1,
    }
    assert body["results"][2]["parent"] == women
    assert body["results"][3]["parent"] is None  # its parent is inactive
    assert await get(api, "categories/dresses/") == body["results"][2]
    assert await get(api, "categories/closed/", 404) == NO_CATEGORY
    assert await get(api, "categories/nothing/", 404) == NO_CATEGORY


async def test_category_ordering_takes_whitelisted_fields_only(api: Client, build: CatalogBuilder) -> None:
    for name, sort_order in (("Bags", 2), ("Shoes", 1), ("Hats", 1)):
        await build.category(name, slug=name.lower(), sort_order=sort_order)
    assert slugs(await results(api, "categories/")) == ["hats", "shoes", "bags"]
    assert slugs(await results(api, "categories/", ordering="-name")) == ["shoes", "hats", "bags"]
    assert slugs(await results(api, "categories/", ordering="-slug")) == ["shoes", "hats", "bags"]
    assert slugs(await results(api, "categories/", ordering="id")) == ["bags", "shoes", "hats"]
    assert slugs(await results(api, "categories/", ordering="description,-id")) == ["hats", "shoes", "bags"]
    assert slugs(await results(api, "categories/", ordering="is_active")) == ["hats", "shoes", "bags"]


async def test_category_products_are_published_cards_by_title(api: Client, build: CatalogBuilder) -> None:
    shoes = await build.category("Shoes", slug="shoes")
    closed = await build.category("Closed", slug="closed", is_active=False)
    await build.product("Zebra loafers", slug="zebra", categories=[shoes])
    await build.product("Ankle boots", slug="ankle", categories=[shoes, closed])
    await build.product("Draft clogs", slug="draft", status="draft", categories=[shoes])
    await build.product("Elsewhere", slug="elsewhere")
    cards = await get(api, "categories/shoes/products/")
    assert slugs(cards) == ["ankle", "zebra"]
    assert set(cards[0]) == {
        "id",
        "title",
        "slug",
        "primary_media_url",
        "primary_category",
        "price_min",
        "price_max",
        "in_stock",
    }
    assert await get(api, "categories/closed/products/", 404) == NO_CATEGORY
    assert await get(api, "categories/nothing/products/", 404) == NO_CATEGORY
    empty = await build.category("Empty", slug="empty")
    assert empty
    assert await get(api, "categories/empty/products/") == []


# --- product cards ------------------------------------------------------------------------------


async def test_products_list_published_cards_only(api: Client, build: CatalogBuilder) -> None:
    shoes = await build.category("Shoes", slug="shoes")
    boots = await build.product("Boots", slug="boots", categories=[shoes])
    variant = await build.variant(boots, price="25")
    await build.stock(variant, on_hand=3, reserved=1)
    image = await build.media(boots, url="https://img.example.com/boots.jpg", is_primary=True)
    assert image
    await build.product("Hidden draft", slug="hidden", status="draft")
    body = await get(api, "products/")
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    assert body["results"] == [
        {
            "id": boots,
            "title": "Boots",
            "slug": "boots",
            "primary_media_url": "https://img.example.com/boots.jpg",
            "primary_category": {"name": "Shoes", "slug": "shoes"},
            "price_min": "25.00",
            "price_max": "25.00",
            "in_stock": True,
        }
    ]


async def test_a_bare_product_card_has_nulls_and_no_stock(api: Client, build: CatalogBuilder) -> None:
    bare = await build.product("Bare", slug="bare")
    assert await results(api, "products/") == [
        {
            "id": bare,
            "title": "Bare",
            "slug": "bare",
            "primary_media_url": None,
            "primary_category": None,
            "price_min": None,
            "price_max": None,
            "in_stock": False,
        }
    ]


async def test_primary_media_url_prefers_the_product_level_image(api: Client, build: CatalogBuilder) -> None:
    own = await build.product("Own", slug="own")
    variant = await build.variant(own)
    await build.media(
        own, variant=variant, is_primary=True, url="https://img.example.com/v.jpg", sort_order=0
    )
    await build.media(own, is_primary=True, url="https://img.example.com/own.jpg", sort_order=9)
    await build.media(own, url="https://img.example.com/not-primary.jpg", sort_order=-1)

    variants_only = await build.product("Variants only", slug="variants-only")
    first, second = await build.variant(variants_only), await build.variant(variants_only)
    await build.media(variants_only, variant=second, is_primary=True, url="https://img.example.com/2.jpg")
    await build.media(variants_only, variant=first, is_primary=True, url="https://img.example.com/1.jpg")

    hidden = await build.product("Inactive variant image", slug="hidden-image")
    inactive = await build.variant(hidden, status="inactive")
    await build.media(hidden, variant=inactive, is_primary=True, url="https://img.example.com/hidden.jpg")

    urls = {card["slug"]: card["primary_media_url"] for card in await results(api, "products/")}
    assert urls == {
        "own": "https://img.example.com/own.jpg",
        "variants-only": "https://img.example.com/2.jpg",  # (sort_order, id): the first one stored
        "hidden-image": None,
    }
    detail = await get(api, "products/own/")
    assert detail["primary_media_url"] == "https://img.example.com/own.jpg"
    assert (await get(api, "products/variants-only/"))["primary_media_url"] == "https://img.example.com/2.jpg"
    assert (await get(api, "products/hidden-image/"))["primary_media_url"] is None


async def test_prices_and_stock_cover_active_variants_only(api: Client, build: CatalogBuilder) -> None:
    priced = await build.product("Priced", slug="priced")
    cheap = await build.variant(priced, price="5")
    dear = await build.variant(priced, price="12.5")
    await build.variant(priced, price=None)
    hidden = await build.variant(priced, price="1.00", status="inactive")
    await build.stock(hidden, on_hand=9)
    await build.stock(cheap, on_hand=2, reserved=2)  # all reserved: nothing available

    no_stock_rows = await build.product("No stock rows", slug="no-stock")
    await build.variant(no_stock_rows, price=None)

    stocked = await build.product("Stocked", slug="stocked")
    await build.stock(await build.variant(stocked, price="3.10"), on_hand=1)

    cards = {card["slug"]: card for card in await results(api, "products/")}
    assert {
        slug: (card["price_min"], card["price_max"], card["in_stock"]) for slug, card in cards.items()
    } == {
        "priced": ("5.00", "12.50", False),
        "no-stock": (None, None, False),
        "stocked": ("3.10", "3.10", True),
    }
    await build.stock(dear, on_hand=1)
    detail = await get(api, "products/priced/")
    assert (detail["price_min"], detail["price_max"], detail["in_stock"]) == ("5.00", "12.50", True)
    assert [card["in_stock"] for card in await results(api, "products/", search="priced")] == [True]


async def test_primary_category_is_the_first_active_one(api: Client, build: CatalogBuilder) -> None:
    hidden = await build.category("Aaa hidden", slug="hidden", sort_order=0, is_active=False)
    later = await build.category("Zed", slug="zed", sort_order=1)
    first = await build.category("Beta", slug="beta", sort_order=1)
    await build.product("P", slug="p", categories=[later, hidden, first])
    await build.product("Q", slug="q", categories=[hidden])
    cards = await results(api, "products/")
    assert [card["primary_category"] for card in cards] == [{"name": "Beta", "slug": "beta"}, None]


# --- search, filters, ordering, pages ------------------------------------------------------------


async def test_search_and_q_match_title_description_and_active_category_names(
    api: Client, build: CatalogBuilder
) -> None:
    vintage = await build.category("Vintage denim", slug="vintage")
    denim = await build.category("Denim", slug="denim")
    closed = await build.category("Velvet", slug="velvet", is_active=False)
    await build.product("Blue jacket", slug="jacket", categories=[vintage, denim])
    await build.product("Red dress", slug="dress", description="A VINTAGE piece")
    await build.product("Green coat", slug="coat", categories=[closed])
    await build.product("Draft denim", slug="draft", status="draft", categories=[denim])
    await build.product("Half price_tag 50% off", slug="half")

    async def found(**params: str) -> list[str]:
        body = await get(api, "products/", **params)
        assert body["count"] == len(body["results"])
        return slugs(body["results"])

    assert await found(search="vintage") == ["jacket", "dress"]
    assert await found(q="DENIM") == ["jacket"]  # two matching categories, listed once
    assert await found(search="blue denim") == ["jacket"]  # every term must match
    assert await found(search="blue,red") == []
    assert await found(search='"red dress"') == ["dress"]
    assert await found(search="velvet") == []  # inactive categories are not searched
    assert await found(search="vintage", q="piece") == ["dress"]  # both given: both must match
    assert await found(search="") == ["jacket", "coat", "half", "dress"]
    assert await found(search="50%") == ["half"]  # LIKE wildcards are literal
    assert await found(search="100%") == []
    assert await found(search="f_p") == []  # "_" would match the space in "Half price"
    assert await found(search="PRICE_") == ["half"]
    assert await found(search="/") == []


async def test_category_filter_is_an_exact_active_slug(api: Client, build: CatalogBuilder) -> None:
    shoes = await build.category("Shoes", slug="shoes")
    closed = await build.category("Closed", slug="closed", is_active=False)
    await build.product("Boots", slug="boots", categories=[shoes])
    await build.product("Sandals", slug="sandals", categories=[shoes, closed])
    await build.product("Hat", slug="hat", categories=[closed])
    assert slugs(await results(api, "products/", category="shoes")) == ["boots", "sandals"]
    assert slugs(await results(api, "products/", category="sho")) == []
    assert slugs(await results(api, "products/", category="closed")) == []
    assert slugs(await results(api, "products/", category="shoes", search="boot")) == ["boots"]


async def test_product_ordering_takes_whitelisted_fields_only(api: Client, build: CatalogBuilder) -> None:
    for title, price in (("Bravo", "30"), ("Alpha", "20"), ("Charlie", None), ("Delta", "10")):
        product = await build.product(title, slug=title.lower())
        if price is not None:
            await build.variant(product, price=price)
    assert slugs(await results(api, "products/")) == ["alpha", "bravo", "charlie", "delta"]
    assert slugs(await results(api, "products/", ordering="-title")) == ["delta", "charlie", "bravo", "alpha"]
    assert slugs(await results(api, "products/", ordering="nonsense,-title")) == [
        "delta",
        "charlie",
        "bravo",
        "alpha",
    ]
    assert slugs(await results(api, "products/", ordering="slug,id")) == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
    ]
    assert slugs(await results(api, "products/", ordering="created_at")) == [
        "bravo",
        "alpha",
        "charlie",
        "delta",
    ]
    assert slugs(await results(api, "products/", ordering="price_min")) == [
        "delta",
        "alpha",
        "bravo",
        "charlie",
    ]
    assert slugs(await results(api, "products/", ordering="-price_min")) == [
        "charlie",
        "bravo",
        "alpha",
        "delta",
    ]
    paged = await get(api, "products/", ordering="price_min", page_size=1, page=2)
    assert slugs(paged["results"]) == ["alpha"]


async def test_pages(api: Client, build: CatalogBuilder) -> None:
    for n in range(3):
        await build.product(f"Item {n}", slug=f"item-{n}")
    first = await get(api, "products/", page_size=2)
    assert (first["count"], first["previous"]) == (3, None)
    assert first["next"] == f"{BASE_URL}{CATALOG}products/?page_size=2&page=2"
    second = await get(api, "products/", page_size=2, page=2)
    assert slugs(second["results"]) == ["item-2"]
    assert (second["next"], second["previous"]) == (None, f"{BASE_URL}{CATALOG}products/?page_size=2")
    assert await get(api, "products/", 404, page_size=2, page=3) == {
        "type": "urn:avthrift:problem:invalid_page",
        "title": "Not Found",
        "status": 404,
        "detail": "Invalid page.",
        "code": "invalid_page",
    }
    assert len(await results(api, "products/", page_size=100)) == 3
    for path in ("products/", "categories/", "collections/", "variants/", "attributes/"):
        too_big = await get(api, path, 400, page_size=101)
        assert too_big["invalid_params"][0]["name"] == "page_size"
        assert (await get(api, path, 400, page=0))["code"] == "validation_error"
        assert (await get(api, path, 400, page="x"))["code"] == "validation_error"
        assert (await get(api, path, page_size=100))["count"] >= 0
        assert (await get(api, path, 404, page=2))["detail"] == "Invalid page."


# --- product detail and its nested lists ---------------------------------------------------------


async def test_product_detail_shows_only_what_is_visible(api: Client, build: CatalogBuilder) -> None:
    parent = await build.category("Clothing", slug="clothing", is_active=False)
    tops = await build.category("Tops", slug="tops", parent=parent, sort_order=2)
    sale = await build.category("Sale", slug="sale", sort_order=1)
    hidden = await build.category("Archive", slug="archive", is_active=False)
    shirt = await build.product(
        "Shirt",
        slug="shirt",
        description="Cotton",
        seo_title="Shirt | AVThrift",
        seo_description="A cotton shirt",
        categories=[tops, hidden, sale],
    )
    small = await build.variant(shirt, sku="SHIRT-S", price="15", barcode="0001")
    large = await build.variant(shirt, sku="SHIRT-L", price=None)
    gone = await build.variant(shirt, sku="SHIRT-X", status="inactive")
    await build.stock(small, on_hand=4, reserved=1)
    own = await build.media(shirt, url="https://img.example.com/front.jpg", alt_text="Front", sort_order=2)
    small_image = await build.media(
        shirt, variant=small, url="https://img.example.com/s.jpg", is_primary=True
    )
    await build.media(shirt, variant=gone, url="https://img.example.com/x.jpg", sort_order=1)
    detail = await get(api, "products/shirt/")
    assert detail == {
        "id": shirt,
        "title": "Shirt",
        "slug": "shirt",
        "description": "Cotton",
        "status": "published",
        "seo_title": "Shirt | AVThrift",
        "seo_description": "A cotton shirt",
        "categories": [
            {
                "id": sale,
                "name": "Sale",
                "slug": "sale",
                "description": "",
                "parent": None,
                "is_active": True,
                "sort_order": 1,
            },
            {
                "id": tops,
                "name": "Tops",
                "slug": "tops",
                "description": "",
                "parent": None,  # the parent is inactive
                "is_active": True,
                "sort_order": 2,
            },
        ],
        "media": [
            {
                "id": small_image,
                "url": "https://img.example.com/s.jpg",
                "alt_text": "",
                "is_primary": True,
                "sort_order": 0,
                "variant": small,
            },
            {
                "id": own,
                "url": "https://img.example.com/front.jpg",
                "alt_text": "Front",
                "is_primary": False,
                "sort_order": 2,
                "variant": None,
            },
        ],
        "variants": [
            {
                "id": large,
                "product": shirt,
                "sku": "SHIRT-L",
                "price": None,
                "barcode": "",
                "status": "active",
                "available": 0,
            },
            {
                "id": small,
                "product": shirt,
                "sku": "SHIRT-S",
                "price": "15.00",
                "barcode": "0001",
                "status": "active",
                "available": 3,
            },
        ],
        "price_min": "15.00",
        "price_max": "15.00",
        "in_stock": True,
        "primary_media_url": "https://img.example.com/s.jpg",
    }
    assert await get(api, "products/shirt/variants/") == detail["variants"]
    assert await get(api, "products/shirt/media/") == detail["media"]


async def test_hidden_or_unknown_products_are_404_everywhere(api: Client, build: CatalogBuilder) -> None:
    draft = await build.product("Draft", slug="draft", status="draft")
    await build.variant(draft)
    for slug in ("draft", "nothing"):
        assert await get(api, f"products/{slug}/", 404) == NO_PRODUCT
        assert await get(api, f"products/{slug}/variants/", 404) == NOT_FOUND
        assert await get(api, f"products/{slug}/media/", 404) == NOT_FOUND
    assert await results(api, "variants/") == []


async def test_a_slug_may_hold_any_character_but_a_slash(api: Client, build: CatalogBuilder) -> None:
    product = await build.product("Café", slug="thrift café+50%")
    found = await get(api, "products/thrift%20caf%C3%A9+50%25/")
    assert (found["id"], found["slug"]) == (product, "thrift café+50%")
    assert await get(api, "products/thrift%20caf%C3%A9+50%25/media") == []
    assert (await get(api, "products/" + "x" * 221 + "/", 400))["code"] == "validation_error"
    assert await get(api, "products/" + "x" * 220 + "/", 404) == NO_PRODUCT


# --- collections --------------------------------------------------------------------------------


async def test_collections_and_their_curated_products(api: Client, build: CatalogBuilder) -> None:
    summer = await build.collection("Summer", slug="summer", description="Sun", sort_order=2)
    await build.collection("Autumn", slug="autumn", sort_order=1)
    await build.collection("Retired", slug="retired", is_active=False)
    first = await build.product("Zed", slug="zed")
    second = await build.product("Alpha", slug="alpha")
    third = await build.product("Mid", slug="mid")
    draft = await build.product("Draft", slug="draft", status="draft")
    await build.link(summer, third, sort_order=1)
    await build.link(summer, second, sort_order=1)
    await build.link(summer, first, sort_order=0)
    await build.link(summer, draft, sort_order=0)
    body = await get(api, "collections/")
    assert slugs(body["results"]) == ["autumn", "summer"]
    assert body["results"][1] == {
        "id": summer,
        "name": "Summer",
        "slug": "summer",
        "description": "Sun",
        "is_active": True,
        "sort_order": 2,
    }
    assert slugs(await results(api, "collections/", ordering="-slug")) == ["summer", "autumn"]
    assert slugs(await results(api, "collections/", ordering="name")) == ["autumn", "summer"]
    assert await get(api, "collections/summer/") == body["results"][1]
    assert slugs(await get(api, "collections/summer/products/")) == ["zed", "alpha", "mid"]
    assert await get(api, "collections/autumn/products/") == []
    for slug in ("retired", "nothing"):
        assert await get(api, f"collections/{slug}/", 404) == NO_COLLECTION
        assert await get(api, f"collections/{slug}/products/", 404) == NO_COLLECTION


# --- variants -----------------------------------------------------------------------------------


async def test_variants_list_active_variants_of_published_products(
    api: Client, build: CatalogBuilder
) -> None:
    coat = await build.product("Coat", slug="coat")
    scarf = await build.product("Scarf", slug="scarf")
    draft = await build.product("Draft", slug="draft", status="draft")
    red = await build.variant(coat, sku="COAT-RED", price="40", barcode="123456")
    blue = await build.variant(coat, sku="COAT-BLUE", price="35")
    wool = await build.variant(scarf, sku="SCARF-WOOL", price=None, barcode="999")
    hidden = await build.variant(coat, sku="COAT-OLD", status="inactive")
    of_draft = await build.variant(draft, sku="DRAFT-1")
    await build.stock(red, on_hand=5, reserved=2)
    body = await get(api, "variants/")
    assert [item["sku"] for item in body["results"]] == ["COAT-BLUE", "COAT-RED", "SCARF-WOOL"]
    assert body["results"][1] == {
        "id": red,
        "product": coat,
        "sku": "COAT-RED",
        "price": "40.00",
        "barcode": "123456",
        "status": "active",
        "available": 3,
    }

    async def skus(**params: Any) -> list[str]:
        return [item["sku"] for item in await results(api, "variants/", **params)]

    assert await skus(product="scarf") == ["SCARF-WOOL"]
    assert await skus(product="draft") == []
    assert await skus(status="active", product="coat") == ["COAT-BLUE", "COAT-RED"]
    assert await skus(status="inactive") == []
    assert (await get(api, "variants/", 400, status="gone"))["invalid_params"][0]["name"] == "status"
    assert await skus(search="coat") == ["COAT-BLUE", "COAT-RED"]
    assert await skus(search="345") == ["COAT-RED"]  # the barcode
    assert await skus(search="99 wool") == ["SCARF-WOOL"]
    assert await skus(ordering="price") == ["COAT-BLUE", "COAT-RED", "SCARF-WOOL"]
    assert await skus(ordering="-price") == ["SCARF-WOOL", "COAT-RED", "COAT-BLUE"]
    assert await skus(ordering="-id") == ["SCARF-WOOL", "COAT-BLUE", "COAT-RED"]
    assert await skus(ordering="barcode") == ["COAT-BLUE", "COAT-RED", "SCARF-WOOL"]
    assert await get(api, f"variants/{wool}/") == {
        "id": wool,
        "product": scarf,
        "sku": "SCARF-WOOL",
        "price": None,
        "barcode": "999",
        "status": "active",
        "available": 0,
    }
    assert (await get(api, f"variants/{blue}"))["sku"] == "COAT-BLUE"
    for variant_id in (hidden, of_draft, 999_999, 2**63, 10**30):
        assert await get(api, f"variants/{variant_id}/", 404) == NO_VARIANT
    assert (await get(api, "variants/0/", 400))["code"] == "validation_error"


# --- attributes ---------------------------------------------------------------------------------


async def test_attributes(api: Client, build: CatalogBuilder) -> None:
    size = await build.attribute(
        "Size", code="size", input_type="select", is_filterable=True, allowed_values=["S", "M"], sort_order=1
    )
    await build.attribute("Colour", code="colour", is_filterable=True, sort_order=1)
    await build.attribute("Notes", code="notes", sort_order=0)
    body = await get(api, "attributes/")
    assert [item["code"] for item in body["results"]] == ["notes", "colour", "size"]
    assert body["results"][2] == {
        "id": size,
        "name": "Size",
        "code": "size",
        "input_type": "select",
        "is_filterable": True,
        "allowed_values": ["S", "M"],
        "sort_order": 1,
    }
    assert body["results"][0]["allowed_values"] is None

    async def codes(**params: Any) -> list[str]:
        return [item["code"] for item in await results(api, "attributes/", **params)]

    assert await codes(is_filterable="true") == ["colour", "size"]
    assert await codes(is_filterable="false") == ["notes"]
    invalid = await get(api, "attributes/", 400, is_filterable="maybe")
    assert invalid["invalid_params"][0]["name"] == "is_filterable"
    assert await codes(search="SIZ") == ["size"]
    assert await codes(search="o") == ["notes", "colour"]
    assert await codes(ordering="-name") == ["size", "notes", "colour"]
    assert await codes(ordering="code") == ["notes", "colour", "size"]  # not whitelisted: ignored
    assert await get(api, f"attributes/{size}/") == body["results"][2]
    for attribute_id in (999_999, 2**63):
        assert await get(api, f"attributes/{attribute_id}/", 404) == NO_ATTRIBUTE


# --- the HTTP surface ---------------------------------------------------------------------------

PATHS = (
    "categories/",
    "categories/shoes/",
    "categories/shoes/products/",
    "products/",
    "products/boots/",
    "products/boots/variants/",
    "products/boots/media/",
    "collections/",
    "collections/summer/",
    "collections/summer/products/",
    "variants/",
    "variants/1/",
    "attributes/",
    "attributes/1/",
)


async def test_every_path_answers_with_and_without_the_trailing_slash(
    api: Client, build: CatalogBuilder
) -> None:
    shoes = await build.category("Shoes", slug="shoes")
    boots = await build.product("Boots", slug="boots", categories=[shoes])
    assert await build.variant(boots) == 1
    await build.link(await build.collection("Summer", slug="summer"), boots)
    assert await build.attribute("Size") == 1
    for path in PATHS:
        for variant in (path, path.rstrip("/")):
            response = await api.get(CATALOG + variant)
            assert response.status_code == 200, (variant, response.text)
            assert response.headers["ratelimit-policy"] == '"catalog";q=100000;w=60'


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
async def test_writes_are_405_problems(api: Client, method: str) -> None:
    for path in PATHS:
        response = await api.request(method, CATALOG + path, json={})
        assert response.status_code == 405, (method, path)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "method_not_allowed"


async def test_every_route_shares_the_catalog_rate_scope(settings_factory: SettingsFactory) -> None:
    app = create_app(settings_factory(THROTTLE_RATES="catalog=2/min"))
    async with AsyncTestClient(app, base_url=BASE_URL) as client:
        statuses = [(await client.get(CATALOG + "attributes/")).status_code for _ in range(2)]
        other = await client.get(CATALOG + "products/")
        assert [*statuses, other.status_code] == [200, 200, 429]
        assert other.headers["content-type"] == PROBLEM
        assert other.headers["ratelimit-policy"] == '"catalog";q=2;w=60'
