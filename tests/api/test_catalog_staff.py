"""`/api/v1/admin/catalog/` through the ASGI app, on both engines (reference §1.6, contract §5)."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.entrypoints.http.app import create_app
from tests.conftest import (
    BASE_URL,
    NewAccount,
    SettingsFactory,
    bearer,
    execute_sql,
    register,
    relaxed_rates,
    sign_in,
    staff_headers,
)

type Client = AsyncTestClient[Litestar]

ADMIN = "/api/v1/admin/catalog"
URL = "https://cdn.example.com/a.jpg"
PROBE_TABLE = (
    "CREATE TABLE order_lines_probe (id INTEGER PRIMARY KEY, "
    "variant_id BIGINT NOT NULL REFERENCES product_variants(id) ON DELETE RESTRICT)"
)


@dataclass(frozen=True)
class Staff:
    api: Client
    headers: dict[str, str]
    database_url: str

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["json"] = body
        return await self.api.request(method, f"{ADMIN}/{path}", **kwargs)

    async def create(self, path: str, **body: Any) -> dict[str, Any]:
        response = await self.call("POST", f"{path}/", body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def read(self, path: str, record_id: int) -> Any:
        return await self.call("GET", f"{path}/{record_id}/")

    async def listed(self, path: str, query: str = "") -> list[int]:
        response = await self.call("GET", f"{path}/?page_size=100{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["results"]]


@pytest.fixture
async def staff(settings_factory: SettingsFactory, database_url: str) -> AsyncIterator[Staff]:
    rates = relaxed_rates(catalog_admin_write="100000/min")
    async with AsyncTestClient(create_app(settings_factory(THROTTLE_RATES=rates)), base_url=BASE_URL) as api:
        yield Staff(api, await staff_headers(api, database_url), database_url)


def reasons(response: Any) -> dict[str, str]:
    return {param["name"]: param["reason"] for param in response.json()["invalid_params"]}


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


async def fetch_one(database_url: str, sql: str) -> Any:
    """The first column of the first row of `sql`, read outside the app."""
    engine = create_engine(database_url, use_pool=False)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(sql))
    finally:
        await engine.dispose()


# --- CRUD of every resource ---------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    path: str
    model: str
    body: dict[str, Any]  # create body
    stored: dict[str, Any]  # the response body without id
    put: dict[str, Any]  # required fields plus a change
    missing: str  # a required field PUT needs
    patch: dict[str, Any]


async def world(staff: Staff) -> dict[str, int]:
    """Records the cases point at."""
    product = await staff.create("products", title="Base", slug="base")
    variant = await staff.create("variants", product=product["id"], sku="BASE-1")
    other = await staff.create("variants", product=product["id"], sku="BASE-2")
    collection = await staff.create("collections", name="Base", slug="base")
    attribute = await staff.create("attributes", name="Notes", code="notes")
    parent = await staff.create("categories", name="Parent", slug="parent")
    return {
        "product": product["id"],
        "variant": variant["id"],
        "other_variant": other["id"],
        "collection": collection["id"],
        "attribute": attribute["id"],
        "parent": parent["id"],
    }


def cases(ids: dict[str, int]) -> list[Case]:
    product, variant, parent = ids["product"], ids["variant"], ids["parent"]
    return [
        Case(
            "categories",
            "Category",
            {"name": " Shirts ", "slug": "shirts", "parent": parent},
            {
                "name": "Shirts",
                "slug": "shirts",
                "description": "",
                "parent": parent,
                "is_active": True,
                "sort_order": 0,
            },
            {"name": "Tops", "slug": "tops"},
            "slug",
            {"is_active": False, "parent": None},
        ),
        Case(
            "products",
            "Product",
            {"title": "Linen shirt", "slug": "linen-shirt", "categories": [parent, parent]},
            {
                "title": "Linen shirt",
                "slug": "linen-shirt",
                "description": "",
                "status": "draft",
                "seo_title": "",
                "seo_description": "",
                "categories": [parent],
            },
            {"title": "Linen top", "slug": "linen-top", "status": "published"},
            "title",
            {"categories": [], "seo_title": "Linen"},
        ),
        Case(
            "variants",
            "ProductVariant",
            {"product": product, "sku": "LS-S", "price": 10.5},
            {"product": product, "sku": "LS-S", "price": "10.50", "barcode": "", "status": "active"},
            {"product": product, "sku": "LS-M", "price": "12"},
            "sku",
            {"price": None, "status": "inactive"},
        ),
        Case(
            "media",
            "Media",
            {"product": product, "url": URL, "variant": variant},
            {
                "product": product,
                "url": URL,
                "variant": variant,
                "alt_text": "",
                "is_primary": False,
                "sort_order": 0,
            },
            {"product": product, "url": "https://cdn.example.com/b.jpg"},
            "url",
            {"variant": None, "alt_text": "Front"},
        ),
        Case(
            "collections",
            "Collection",
            {"name": "Summer", "slug": "summer", "sort_order": 2},
            {"name": "Summer", "slug": "summer", "description": "", "is_active": True, "sort_order": 2},
            {"name": "Winter", "slug": "winter"},
            "name",
            {"description": "Cold"},
        ),
        Case(
            "collection-products",
            "CollectionProduct",
            {"collection": ids["collection"], "product": product},
            {"collection": ids["collection"], "product": product, "sort_order": 0},
            {"collection": ids["collection"], "product": product, "sort_order": 5},
            "collection",
            {"sort_order": -1},
        ),
        Case(
            "attributes",
            "Attribute",
            {"name": "Size", "code": "size", "input_type": "select", "allowed_values": ["S", "M"]},
            {
                "name": "Size",
                "code": "size",
                "input_type": "select",
                "is_filterable": False,
                "allowed_values": ["S", "M"],
                "sort_order": 0,
            },
            {"name": "Weight", "code": "weight", "input_type": "number", "allowed_values": None},
            "code",
            {"is_filterable": True},
        ),
        Case(
            "attribute-values",
            "ProductAttributeValue",
            {"attribute": ids["attribute"], "product": product, "value": "Soft"},
            {"attribute": ids["attribute"], "product": product, "variant": None, "value": "Soft"},
            {"attribute": ids["attribute"], "value": "Rough", "product": None, "variant": variant},
            "value",
            {"value": "Smooth"},
        ),
    ]


async def test_every_resource_has_full_crud(staff: Staff) -> None:
    for case in cases(await world(staff)):
        created = await staff.create(case.path, **case.body)
        record_id = created["id"]
        assert created == {"id": record_id, **case.stored}, case.path
        for path in (f"{case.path}/{record_id}/", f"{case.path}/{record_id}"):
            read = await staff.call("GET", path)
            assert (read.status_code, read.json()) == (200, created), case.path

        missing = {name: value for name, value in case.put.items() if name != case.missing}
        refused = await staff.call("PUT", f"{case.path}/{record_id}/", missing)
        problem(refused, 400, "validation_error")
        assert reasons(refused) == {case.missing: f"Object missing required field `{case.missing}`"}

        replaced = await staff.call("PUT", f"{case.path}/{record_id}/", case.put)
        assert replaced.status_code == 200, (case.path, replaced.text)
        expected = created | case.put
        if case.path == "variants":
            expected["price"] = "12.00"
        assert replaced.json() == expected, case.path

        patched = await staff.call("PATCH", f"{case.path}/{record_id}", case.patch)
        assert patched.status_code == 200, (case.path, patched.text)
        assert patched.json() == expected | case.patch, case.path
        assert (await staff.read(case.path, record_id)).json() == patched.json()

        assert (await staff.call("DELETE", f"{case.path}/{record_id}/")).status_code == 204
        for method in ("GET", "PUT", "PATCH", "DELETE"):
            gone = await staff.call(
                method, f"{case.path}/{record_id}/", case.put if method == "PUT" else None
            )
            if method == "PATCH":
                gone = await staff.call(method, f"{case.path}/{record_id}/", {})
            body = problem(gone, 404, "not_found")
            assert body["detail"] == f"No {case.model} matches the given query.", (case.path, method)


async def test_lists_are_paginated_and_ordered_by_whitelisted_fields(staff: Staff) -> None:
    b = await staff.create("categories", name="b", slug="b", sort_order=1)
    a = await staff.create("categories", name="a", slug="a", sort_order=1)
    z = await staff.create("categories", name="z", slug="z", sort_order=0, description="zz")
    assert await staff.listed("categories") == [z["id"], a["id"], b["id"]]
    assert await staff.listed("categories", "&ordering=-name") == [z["id"], b["id"], a["id"]]
    assert await staff.listed("categories", "&ordering=-description,id") == [z["id"], b["id"], a["id"]]
    assert await staff.listed("categories", "&ordering=created_at,bogus") == [z["id"], a["id"], b["id"]]

    first = await staff.call("GET", "categories/?page_size=2")
    assert first.json() == {
        "count": 3,
        "next": f"{BASE_URL}{ADMIN}/categories/?page_size=2&page=2",
        "previous": None,
        "results": [z, a],
    }
    second = await staff.call("GET", "categories?page_size=2&page=2")
    assert second.json()["results"] == [b]
    assert second.json()["previous"] == f"{BASE_URL}{ADMIN}/categories?page_size=2"
    past = await staff.call("GET", "categories/?page=3&page_size=2")
    assert problem(past, 404, "invalid_page")["detail"] == "Invalid page."

    shirt = await staff.create("products", title="shirt", slug="shirt")
    dear = await staff.create("variants", product=shirt["id"], sku="a", price="20")
    unpriced = await staff.create("variants", product=shirt["id"], sku="b")
    cheap = await staff.create("variants", product=shirt["id"], sku="c", price="1")
    assert await staff.listed("variants") == [dear["id"], unpriced["id"], cheap["id"]]
    assert await staff.listed("variants", "&ordering=price") == [cheap["id"], dear["id"], unpriced["id"]]
    empty = await staff.call("GET", "collections/")
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}


# --- constraints become problems ----------------------------------------------------------------


async def test_duplicates_are_conflicts_that_change_nothing(staff: Staff) -> None:
    ids = await world(staff)
    await staff.create("categories", name="Tops", slug="tops")
    await staff.create("collection-products", collection=ids["collection"], product=ids["product"])
    await staff.create("attribute-values", attribute=ids["attribute"], variant=ids["variant"], value="x")
    duplicates = [
        (
            "categories",
            {"name": "T", "slug": "tops"},
            "slug_taken",
            "slug",
            "category with this slug already exists.",
        ),
        (
            "products",
            {"title": "B", "slug": "base"},
            "slug_taken",
            "slug",
            "product with this slug already exists.",
        ),
        (
            "variants",
            {"product": ids["product"], "sku": "BASE-1"},
            "sku_taken",
            "sku",
            "product variant with this sku already exists.",
        ),
        (
            "collections",
            {"name": "B", "slug": "base"},
            "slug_taken",
            "slug",
            "collection with this slug already exists.",
        ),
        (
            "attributes",
            {"name": "N", "code": "notes"},
            "code_taken",
            "code",
            "attribute with this code already exists.",
        ),
        (
            "collection-products",
            {"collection": ids["collection"], "product": ids["product"]},
            "pair_taken",
            "product",
            "The fields collection, product must make a unique set.",
        ),
        (
            "attribute-values",
            {"attribute": ids["attribute"], "variant": ids["variant"], "value": "y"},
            "pair_taken",
            "variant",
            "The fields attribute, variant must make a unique set.",
        ),
    ]
    for path, body, code, field, message in duplicates:
        before = await staff.listed(path)
        response = await staff.call("POST", f"{path}/", body)
        assert problem(response, 409, code)["detail"] == message, path
        assert reasons(response)[field] == message, path
        assert await staff.listed(path) == before, path
    renamed = await staff.create("categories", name="Other", slug="other")
    clash = await staff.call("PATCH", f"categories/{renamed['id']}/", {"slug": "tops"})
    problem(clash, 409, "slug_taken")
    assert (await staff.read("categories", renamed["id"])).json()["slug"] == "other"


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("-1", "Ensure this value is greater than or equal to 0."),
        (-0.5, "Ensure this value is greater than or equal to 0."),
        ("123456789012.5", "Ensure that there are no more than 12 digits in total."),
        (12345678901, "Ensure that there are no more than 10 digits before the decimal point."),
        ("1.005", "Ensure that there are no more than 2 decimal places."),
        ("NaN", "A valid number is required."),
    ],
)
async def test_bad_prices_are_400_naming_the_field(staff: Staff, price: Any, reason: str) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    response = await staff.call("POST", "variants/", {"product": shirt["id"], "sku": "S", "price": price})
    problem(response, 400, "invalid")
    assert reasons(response) == {"price": reason}
    assert await staff.listed("variants") == []


async def test_prices_come_back_as_strings_with_two_places(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    for given, stored in ((7, "7.00"), ("0.1", "0.10"), (9999999999.99, "9999999999.99"), (None, None)):
        created = await staff.create("variants", product=shirt["id"], sku=f"S{given}", price=given)
        assert created["price"] == stored
        assert (await staff.read("variants", created["id"])).json()["price"] == stored


async def test_category_parents_never_form_a_cycle(staff: Staff) -> None:
    a = await staff.create("categories", name="A", slug="a")
    b = await staff.create("categories", name="B", slug="b", parent=a["id"])
    c = await staff.create("categories", name="C", slug="c", parent=b["id"])
    own = await staff.call("PATCH", f"categories/{a['id']}/", {"parent": a["id"]})
    problem(own, 400, "invalid")
    assert reasons(own) == {"parent": "A category cannot be its own parent."}
    cycle = await staff.call("PUT", f"categories/{a['id']}/", {"name": "A", "slug": "a", "parent": c["id"]})
    assert reasons(cycle) == {"parent": "A category cannot be placed under one of its own descendants."}
    unknown = await staff.call("POST", "categories/", {"name": "D", "slug": "d", "parent": c["id"] + 100})
    problem(unknown, 400, "does_not_exist")
    assert reasons(unknown) == {"parent": f'Invalid pk "{c["id"] + 100}" - object does not exist.'}
    assert (await staff.read("categories", a["id"])).json()["parent"] is None


async def test_media_must_show_a_variant_of_its_own_product(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    dress = await staff.create("products", title="Dress", slug="dress")
    small = await staff.create("variants", product=shirt["id"], sku="S")
    response = await staff.call(
        "POST", "media/", {"product": dress["id"], "variant": small["id"], "url": URL}
    )
    problem(response, 400, "invalid")
    assert reasons(response) == {"variant": "This variant belongs to another product."}
    media = await staff.create("media", product=shirt["id"], variant=small["id"], url=URL)
    moved = await staff.call("PATCH", f"media/{media['id']}/", {"product": dress["id"]})
    assert reasons(moved) == {"variant": "This variant belongs to another product."}


async def test_a_new_primary_image_demotes_the_previous_one(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    small = await staff.create("variants", product=shirt["id"], sku="S")

    async def primaries() -> set[int]:
        response = await staff.call("GET", "media/?page_size=100")
        return {item["id"] for item in response.json()["results"] if item["is_primary"]}

    first = await staff.create("media", product=shirt["id"], url=URL, is_primary=True)
    of_small = await staff.create("media", product=shirt["id"], variant=small["id"], url=URL, is_primary=True)
    second = await staff.create("media", product=shirt["id"], url=URL, is_primary=True)
    assert await primaries() == {second["id"], of_small["id"]}
    again = await staff.create("media", product=shirt["id"], variant=small["id"], url=URL, is_primary=True)
    assert await primaries() == {second["id"], again["id"]}
    promoted = await staff.call("PATCH", f"media/{first['id']}/", {"is_primary": True})
    assert promoted.json()["is_primary"] is True
    assert await primaries() == {first["id"], again["id"]}


async def test_attribute_values_suit_their_attribute_and_one_owner(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    small = await staff.create("variants", product=shirt["id"], sku="S")
    no_choices = await staff.call(
        "POST", "attributes/", {"name": "Size", "code": "size", "input_type": "select"}
    )
    assert reasons(no_choices) == {"allowed_values": "A select attribute needs at least one allowed value."}
    size = await staff.create(
        "attributes", name="Size", code="size", input_type="select", allowed_values=["S"]
    )
    weight = await staff.create("attributes", name="Weight", code="weight", input_type="number")
    washable = await staff.create("attributes", name="Washable", code="washable", input_type="boolean")
    refused = [
        (
            {"attribute": size["id"], "product": shirt["id"], "value": "XL"},
            "value",
            '"XL" is not a valid choice.',
        ),
        (
            {"attribute": weight["id"], "product": shirt["id"], "value": "1,5"},
            "value",
            "A valid number is required.",
        ),
        (
            {"attribute": washable["id"], "product": shirt["id"], "value": "True"},
            "value",
            'Must be "true" or "false".',
        ),
        ({"attribute": size["id"], "value": "S"}, "product", "Set exactly one of product or variant."),
        (
            {"attribute": size["id"], "product": shirt["id"], "variant": small["id"], "value": "S"},
            "variant",
            "Set exactly one of product or variant.",
        ),
    ]
    for body, field, reason in refused:
        response = await staff.call("POST", "attribute-values/", body)
        problem(response, 400, "invalid")
        assert reasons(response)[field] == reason, body
    for attribute, value in ((size, "S"), (weight, "-2.5"), (washable, "true")):
        await staff.create("attribute-values", attribute=attribute["id"], variant=small["id"], value=value)
    assert len(await staff.listed("attribute-values")) == 3


# --- deletes ------------------------------------------------------------------------------------


async def test_deleting_what_orders_reference_is_409_and_deletes_nothing(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    ordered = await staff.create("variants", product=shirt["id"], sku="S")
    spare = await staff.create("variants", product=shirt["id"], sku="L")
    media = await staff.create("media", product=shirt["id"], variant=ordered["id"], url=URL)
    await execute_sql(staff.database_url, PROBE_TABLE)
    try:
        await execute_sql(
            staff.database_url, "INSERT INTO order_lines_probe (id, variant_id) VALUES (1, $1)", ordered["id"]
        )
        for path, record_id, noun in (
            ("variants", ordered["id"], "product variant"),
            ("products", shirt["id"], "product"),
        ):
            response = await staff.call("DELETE", f"{path}/{record_id}/")
            body = problem(response, 409, "protected")
            assert body["detail"] == f"This {noun} cannot be deleted: it is referenced by orders."
        assert await staff.listed("variants") == [spare["id"], ordered["id"]]
        assert await staff.listed("media") == [media["id"]]
        assert (await staff.read("products", shirt["id"])).status_code == 200
        assert (await staff.call("DELETE", f"variants/{spare['id']}/")).status_code == 204
    finally:
        await execute_sql(staff.database_url, "DROP TABLE order_lines_probe")


async def test_deletes_cascade_as_the_schema_says(staff: Staff) -> None:
    tops = await staff.create("categories", name="Tops", slug="tops")
    shirts = await staff.create("categories", name="Shirts", slug="shirts", parent=tops["id"])
    shirt = await staff.create("products", title="Shirt", slug="shirt", categories=[tops["id"], shirts["id"]])
    small = await staff.create("variants", product=shirt["id"], sku="S")
    await staff.create("media", product=shirt["id"], variant=small["id"], url=URL)
    notes = await staff.create("attributes", name="Notes", code="notes")
    await staff.create("attribute-values", attribute=notes["id"], product=shirt["id"], value="x")
    summer = await staff.create("collections", name="Summer", slug="summer")
    await staff.create("collection-products", collection=summer["id"], product=shirt["id"])
    await execute_sql(
        staff.database_url,
        "INSERT INTO stock_items (variant_id, on_hand, reserved, created_at, updated_at) "
        "VALUES ($1, 3, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
        small["id"],
    )

    assert (await staff.call("DELETE", f"categories/{tops['id']}/")).status_code == 204
    assert (await staff.read("categories", shirts["id"])).json()["parent"] is None
    assert (await staff.read("products", shirt["id"])).json()["categories"] == [shirts["id"]]

    assert (await staff.call("DELETE", f"products/{shirt['id']}")).status_code == 204
    for path in ("products", "variants", "media", "attribute-values", "collection-products"):
        assert await staff.listed(path) == [], path
    assert await fetch_one(staff.database_url, "SELECT COUNT(*) FROM stock_items") == 0
    assert await fetch_one(staff.database_url, "SELECT COUNT(*) FROM product_categories") == 0
    assert await staff.listed("categories") == [shirts["id"]]
    assert await staff.listed("collections") == [summer["id"]]


# --- hostile input ------------------------------------------------------------------------------


async def test_huge_ids_and_nul_bytes_are_client_errors(staff: Staff) -> None:
    shirt = await staff.create("products", title="Shirt", slug="shirt")
    for huge in (2**63, 2**64 + 5):
        problem(await staff.call("GET", f"products/{huge}/"), 404, "not_found")
        problem(await staff.call("DELETE", f"variants/{huge}/"), 404, "not_found")
        response = await staff.call("POST", "variants/", {"product": huge, "sku": "S"})
        assert response.status_code == 400, response.text
        response = await staff.call("PATCH", f"products/{shirt['id']}/", {"categories": [huge]})
        assert response.status_code == 400, response.text
    nul = await staff.call("POST", "categories/", {"name": "A\x00B", "slug": "a"})
    problem(nul, 400, "invalid")
    assert reasons(nul) == {"name": "Null characters are not allowed."}
    nul_value = await staff.call(
        "POST", "attributes/", {"name": "S", "code": "s", "allowed_values": ["\x00"]}
    )
    assert reasons(nul_value) == {"allowed_values": "Null characters are not allowed."}
    unknown = await staff.call("POST", "collections/", {"name": "S", "slug": "s", "id": 5})
    problem(unknown, 400, "validation_error")
    sort_order = await staff.call("POST", "collections/", {"name": "S", "slug": "s", "sort_order": 2**31})
    problem(sort_order, 400, "validation_error")
    assert await staff.listed("collections") == []


# --- access -------------------------------------------------------------------------------------


async def test_every_staff_route_is_for_staff_only(staff: Staff) -> None:
    account = NewAccount.unique()
    await register(staff.api, account)
    customer = bearer((await sign_in(staff.api, account.email))["access"])
    app = staff.api.app
    operations = [
        (method, re.sub(r"\{[^}]+\}", "1", route.path))
        for route in app.routes
        if route.path.startswith(ADMIN)
        for method in sorted(getattr(route, "methods", ()))
        if method != "OPTIONS"
    ]
    for method, path in operations:
        body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
        anonymous = await staff.api.request(method, path, json=body)
        problem(anonymous, 401, "not_authenticated")
        assert anonymous.headers["www-authenticate"].startswith("Bearer"), (method, path)
        assert anonymous.headers["ratelimit-policy"].startswith('"catalog_admin_write"'), (method, path)
        forbidden = await staff.api.request(method, path, json=body, headers=customer)
        problem(forbidden, 403, "permission_denied")
    assert len(operations) == 48


async def test_the_schema_documents_every_staff_operation(staff: Staff) -> None:
    schema = (await staff.api.get("/api/schema/")).json()
    operations = [
        operation
        for path, item in schema["paths"].items()
        if path.startswith(ADMIN)
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]
    assert len(operations) == 48
    assert len({operation["operationId"] for operation in operations}) == 48
    for operation in operations:
        assert operation["tags"] == ["admin-catalog"]
        assert operation["security"] == [{"BearerToken": []}]
        assert operation["summary"]
        assert operation["description"]
        assert {"401", "403", "429"} <= set(operation["responses"])
