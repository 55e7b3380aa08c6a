"""`/api/v1/cart/` for signed-in users through the ASGI app, on both engines (reference §1.8;
contract §7). After every test the stock ledger is consistent."""

import asyncio
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.domain.cart.model import SESSION_ID_PATTERN
from tests.cart_data import (
    CART,
    GUEST,
    Shopper,
    assert_ledger_consistent,
    cart_app,
    carts,
    lapse_holds,
    reservations,
    session_id,
    shopper,
    state_of,
    stock_of,
    stocked_variant,
)
from tests.conftest import BASE_URL, SettingsFactory

type Client = AsyncTestClient[Litestar]

ITEMS = f"{CART}/items/"
NOT_FOUND = {
    "type": "urn:avthrift:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "Not found.",
    "code": "not_found",
}
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def item_url(item_id: int, *, delete: bool = False) -> str:
    return f"{ITEMS}{item_id}/delete/" if delete else f"{ITEMS}{item_id}/"


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    async with AsyncTestClient(cart_app(settings_factory), base_url=BASE_URL) as client:
        yield client


@pytest.fixture(autouse=True)
async def _ledger_stays_consistent(database_url: str) -> AsyncIterator[None]:
    yield
    await assert_ledger_consistent(database_url)


async def add(api: Client, who: Shopper, variant_id: int, quantity: int) -> dict[str, Any]:
    response = await api.post(
        ITEMS, json={"variant_id": variant_id, "quantity": quantity}, headers=who.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def get_cart(api: Client, who: Shopper) -> dict[str, Any]:
    response = await api.get(f"{CART}/", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def guest_add(api: Client, session: str, variant_id: int, quantity: int) -> dict[str, Any]:
    response = await api.post(
        f"{GUEST}/items/",
        json={"variant_id": variant_id, "quantity": quantity},
        headers={"X-Session-Id": session},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"{CART}/"),
        ("POST", ITEMS),
        ("PATCH", item_url(1)),
        ("DELETE", item_url(1, delete=True)),
        ("POST", f"{CART}/clear/"),
        ("POST", f"{CART}/abandon/"),
        ("POST", f"{CART}/merge-guest/"),
    ],
)
async def test_every_user_route_needs_a_signed_in_user(api: Client, method: str, path: str) -> None:
    body = {"variant_id": 1, "quantity": 1} if method in ("POST", "PATCH") else None
    response = await api.request(method, path, json=body)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["detail"] == "Authentication credentials were not provided."


async def test_the_cart_is_created_on_first_read(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    body = await get_cart(api, ann)
    assert body == {
        "id": body["id"],
        "status": "active",
        "currency": "NGN",
        "items": [],
        "item_count": 0,
        "subtotal": "0.00",
        "total": "0.00",
        "warnings": [],
    }
    assert isinstance(body["id"], int)
    assert (await get_cart(api, ann))["id"] == body["id"]
    assert [(row[0], row[1], row[3]) for row in await carts(database_url)] == [(body["id"], ann.id, "active")]


async def test_simultaneous_first_reads_never_fail(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    responses = await asyncio.gather(*(api.get(f"{CART}/", headers=ann.headers) for _ in range(10)))
    assert {response.status_code for response in responses} == {200}
    assert len({response.json()["id"] for response in responses}) == 1
    assert len(await carts(database_url)) == 1


async def test_adding_answers_the_line_and_holds_stock(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 5, price="12.50", title="Denim jacket")
    line = await add(api, ann, variant, 2)
    assert line == {
        "id": line["id"],
        "variant_id": variant,
        "quantity": 2,
        "unit_price": "12.50",
        "line_total": "25.00",
        "reserved_until": line["reserved_until"],
    }
    assert ISO_Z.match(line["reserved_until"])
    assert await stock_of(database_url, variant) == (5, 2)
    cart = await get_cart(api, ann)
    [hold] = await reservations(database_url)
    assert hold[1:] == (variant, 2, f"cart:{cart['id']}", "active")
    sku = cart["items"][0]["variant_sku"]
    assert cart == {
        "id": cart["id"],
        "status": "active",
        "currency": "NGN",
        "items": [
            {
                "id": line["id"],
                "variant_id": variant,
                "product_title": "Denim jacket",
                "variant_sku": sku,
                "quantity": 2,
                "unit_price": "12.50",
                "line_total": "25.00",
                "reserved_until": line["reserved_until"],
            }
        ],
        "item_count": 2,
        "subtotal": "25.00",
        "total": "25.00",
        "warnings": [],
    }
    assert sku.startswith("SKU-")


async def test_adding_a_variant_already_in_the_cart_adds_the_quantities(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 10)
    other = await stocked_variant(database_url, 10, price=None)
    first = await add(api, ann, variant, 2)
    await add(api, ann, other, 1)
    second = await add(api, ann, variant, 3)
    assert (second["id"], second["quantity"], second["line_total"]) == (first["id"], 5, "50.00")
    cart = await get_cart(api, ann)
    assert [(item["variant_id"], item["quantity"], item["unit_price"]) for item in cart["items"]] == [
        (variant, 5, "10.00"),
        (other, 1, "0.00"),
    ]
    assert (cart["item_count"], cart["subtotal"], cart["total"]) == (6, "50.00", "50.00")
    assert await stock_of(database_url, variant) == (10, 5)
    assert [row[2] for row in await reservations(database_url) if row[4] == "active"] == [5, 1]


async def test_updating_sets_the_quantity_and_deleting_removes_the_line(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 10)
    line = await add(api, ann, variant, 4)
    updated = await api.patch(item_url(line["id"]), json={"quantity": 1}, headers=ann.headers)
    assert updated.status_code == 200, updated.text
    assert {key: updated.json()[key] for key in ("id", "quantity", "line_total")} == {
        "id": line["id"],
        "quantity": 1,
        "line_total": "10.00",
    }
    assert await stock_of(database_url, variant) == (10, 1)

    assert (await api.delete(item_url(line["id"]), headers=ann.headers)).status_code == 405
    removed = await api.delete(item_url(line["id"], delete=True), headers=ann.headers)
    assert (removed.status_code, removed.content) == (204, b"")
    assert (await get_cart(api, ann))["items"] == []
    assert await stock_of(database_url, variant) == (10, 0)
    again = await api.delete(item_url(line["id"], delete=True), headers=ann.headers)
    assert (again.status_code, again.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"variant_id": 1, "quantity": 0}, "quantity"),
        ({"variant_id": 1, "quantity": "2"}, "quantity"),
        ({"variant_id": 0, "quantity": 1}, "variant_id"),
        ({"variant_id": 1}, "quantity"),
        ({"variant_id": 1, "quantity": 1, "price": "0.01"}, "price"),
    ],
)
async def test_malformed_adds_are_refused(api: Client, body: dict[str, Any], field: str) -> None:
    ann = await shopper(api)
    response = await api.post(ITEMS, json=body, headers=ann.headers)
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert field in [param["name"] for param in response.json()["invalid_params"]]


async def test_only_active_variants_of_published_products_can_be_added(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    draft = await stocked_variant(database_url, 5, product_status="draft")
    inactive = await stocked_variant(database_url, 5, variant_status="inactive")
    for variant_id in (draft, inactive, 987654, 2**63, 2**64 + 5):
        response = await api.post(ITEMS, json={"variant_id": variant_id, "quantity": 1}, headers=ann.headers)
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert await reservations(database_url) == []


async def test_a_line_holds_at_most_the_quantity_limit(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 50)
    too_many = await api.post(ITEMS, json={"variant_id": variant, "quantity": 11}, headers=ann.headers)
    assert too_many.status_code == 400
    assert too_many.json()["code"] == "quantity_limit"
    assert too_many.json()["invalid_params"][0]["name"] == "quantity"
    line = await add(api, ann, variant, 8)
    before = await state_of(database_url)
    over = await api.post(ITEMS, json={"variant_id": variant, "quantity": 3}, headers=ann.headers)
    assert (over.status_code, over.json()["code"]) == (400, "quantity_limit")
    patched = await api.patch(item_url(line["id"]), json={"quantity": 11}, headers=ann.headers)
    assert (patched.status_code, patched.json()["code"]) == (400, "quantity_limit")
    huge = await api.patch(item_url(line["id"]), json={"quantity": 2**64}, headers=ann.headers)
    assert huge.status_code == 400
    assert await state_of(database_url) == before


async def test_the_limits_come_from_the_settings(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    app = cart_app(settings_factory, CART_MAX_LINES="2", CART_MAX_LINE_QUANTITY="20")
    async with AsyncTestClient(app, base_url=BASE_URL) as api:
        ann = await shopper(api)
        variants = [await stocked_variant(database_url, 30) for _ in range(3)]
        await add(api, ann, variants[0], 20)
        await add(api, ann, variants[1], 1)
        before = await state_of(database_url)
        third = await api.post(ITEMS, json={"variant_id": variants[2], "quantity": 1}, headers=ann.headers)
        assert third.status_code == 400
        assert (third.json()["code"], third.json()["invalid_params"][0]["name"]) == (
            "too_many_lines",
            "variant_id",
        )
        assert await state_of(database_url) == before
        assert (await add(api, ann, variants[1], 1))["quantity"] == 2  # not a new line


async def test_not_enough_stock_changes_nothing(api: Client, database_url: str) -> None:
    ann, bob = await shopper(api), await shopper(api)
    variant = await stocked_variant(database_url, 3)
    other = await stocked_variant(database_url, 3)
    line = await add(api, ann, variant, 2)
    await add(api, ann, other, 1)
    await add(api, bob, variant, 1)
    cart_before, state_before = await get_cart(api, ann), await state_of(database_url)

    added = await api.post(ITEMS, json={"variant_id": variant, "quantity": 1}, headers=ann.headers)
    assert added.status_code == 400
    assert added.json() == {
        "type": "urn:avthrift:problem:insufficient_stock",
        "title": "Bad Request",
        "status": 400,
        "detail": "Unable to update cart.",
        "code": "insufficient_stock",
        "variant_id": variant,
        "available": 2,
    }
    patched = await api.patch(item_url(line["id"]), json={"quantity": 3}, headers=ann.headers)
    assert (patched.status_code, patched.json()["code"], patched.json()["available"]) == (
        400,
        "insufficient_stock",
        2,
    )
    assert await get_cart(api, ann) == cart_before
    assert await state_of(database_url) == state_before


async def test_a_variant_without_stock_has_none(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    empty = await stocked_variant(database_url, 0)
    response = await api.post(ITEMS, json={"variant_id": empty, "quantity": 1}, headers=ann.headers)
    assert (response.status_code, response.json()["available"]) == (400, 0)


async def test_other_peoples_items_are_not_found(api: Client, database_url: str) -> None:
    ann, bob = await shopper(api), await shopper(api)
    variant = await stocked_variant(database_url, 10)
    anns = await add(api, ann, variant, 1)
    guests = await guest_add(api, session_id(), variant, 1)
    await get_cart(api, bob)
    before = await state_of(database_url)
    for item_id in (anns["id"], guests["id"], 2**63 + 1):
        patched = await api.patch(item_url(item_id), json={"quantity": 2}, headers=bob.headers)
        assert (patched.status_code, patched.json()) == (404, NOT_FOUND)
        deleted = await api.delete(item_url(item_id, delete=True), headers=bob.headers)
        assert (deleted.status_code, deleted.json()) == (404, NOT_FOUND)
    # An unknown item is 404 even when the body is invalid too (the reference looks the item up first).
    assert (
        await api.patch(item_url(guests["id"]), json={"quantity": 1}, headers=ann.headers)
    ).status_code == 404
    assert await state_of(database_url) == before


async def test_clearing_keeps_the_cart_and_releases_its_holds(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 10)
    await add(api, ann, variant, 3)
    cart_id = (await get_cart(api, ann))["id"]
    response = await api.post(f"{CART}/clear/", headers=ann.headers)
    assert (response.status_code, response.json()) == (200, {"status": "cleared"})
    cart = await get_cart(api, ann)
    assert (cart["id"], cart["status"], cart["items"], cart["subtotal"]) == (cart_id, "active", [], "0.00")
    assert await stock_of(database_url, variant) == (10, 0)
    assert [row[4] for row in await reservations(database_url)] == ["released"]


async def test_abandoning_releases_the_holds_and_the_next_access_starts_a_new_cart(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 10)
    await add(api, ann, variant, 3)
    old = (await get_cart(api, ann))["id"]
    response = await api.post(f"{CART}/abandon/", headers=ann.headers)
    assert (response.status_code, response.json()) == (200, {"status": "abandoned"})
    assert await stock_of(database_url, variant) == (10, 0)
    fresh = await get_cart(api, ann)
    assert fresh["id"] != old
    assert fresh["items"] == []
    assert {row[0]: row[3] for row in await carts(database_url)} == {old: "abandoned", fresh["id"]: "active"}
    again = await api.post(f"{CART}/abandon/", headers=ann.headers)
    assert again.json() == {"status": "abandoned"}


# --- merge ------------------------------------------------------------------------------------------


MERGE = f"{CART}/merge-guest/"


async def test_merge_needs_a_valid_session_id(api: Client) -> None:
    ann = await shopper(api)
    missing = await api.post(MERGE, headers=ann.headers)
    assert (missing.status_code, missing.json()["detail"], missing.json()["code"]) == (
        400,
        "Missing X-Session-Id.",
        "missing_session_id",
    )
    for bad in (b"short", b"x" * 65, b"a" * 31 + b"!", "\u00e4".encode("latin-1") * 40):
        headers = [(name.encode(), value.encode()) for name, value in ann.headers.items()]
        invalid = await api.post(MERGE, headers=[*headers, (b"X-Session-Id", bad)])
        assert (invalid.status_code, invalid.json()["detail"], invalid.json()["code"]) == (
            400,
            "Invalid X-Session-Id.",
            "invalid_session_id",
        )


async def test_merging_an_unknown_session_is_a_no_op(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    response = await api.post(MERGE, headers=ann.headers | {"X-Session-Id": session_id()})
    assert (response.status_code, response.json()) == (200, {"status": "merged"})
    assert await carts(database_url) == []


async def test_a_guest_holding_the_last_unit_merges_it(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    last = await stocked_variant(database_url, 1)
    session = session_id()
    await guest_add(api, session, last, 1)
    guest_cart = (await carts(database_url))[0][0]
    response = await api.post(MERGE, headers=ann.headers | {"X-Session-Id": session})
    assert (response.status_code, response.json()) == (200, {"status": "merged"})
    cart = await get_cart(api, ann)
    assert [(item["variant_id"], item["quantity"]) for item in cart["items"]] == [(last, 1)]
    assert cart["items"][0]["reserved_until"] is not None
    assert await stock_of(database_url, last) == (1, 1)
    assert [row[0] for row in await carts(database_url)] == [cart["id"]]  # the guest cart is gone
    assert guest_cart != cart["id"]
    active = [row for row in await reservations(database_url) if row[4] == "active"]
    assert [(row[2], row[3]) for row in active] == [(1, f"cart:{cart['id']}")]
    guest_read = await api.get(f"{GUEST}/", headers={"X-Session-Id": session})
    assert guest_read.json()["id"] is None


async def test_a_merge_that_exactly_fits_the_stock_succeeds(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    shirt = await stocked_variant(database_url, 5)
    hat = await stocked_variant(database_url, 2, price="3.00")
    session = session_id()
    await guest_add(api, session, shirt, 3)
    await guest_add(api, session, hat, 2)
    await add(api, ann, shirt, 2)
    response = await api.post(MERGE, headers=ann.headers | {"X-Session-Id": session})
    assert response.status_code == 200, response.text
    cart = await get_cart(api, ann)
    assert [(item["variant_id"], item["quantity"]) for item in cart["items"]] == [(shirt, 5), (hat, 2)]
    assert (cart["subtotal"], cart["warnings"]) == ("56.00", [])
    assert (await stock_of(database_url, shirt), await stock_of(database_url, hat)) == ((5, 5), (2, 2))
    assert len(await carts(database_url)) == 1


async def test_a_merge_conflict_changes_nothing(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    shirt = await stocked_variant(database_url, 5)
    scarf = await stocked_variant(database_url, 20)
    session = session_id()
    await guest_add(api, session, shirt, 2)
    await guest_add(api, session, scarf, 6)
    await add(api, ann, scarf, 5)  # 6 + 5 > 10 per line
    cart_before, state_before = await get_cart(api, ann), await state_of(database_url)
    response = await api.post(MERGE, headers=ann.headers | {"X-Session-Id": session})
    assert response.status_code == 400
    assert (response.json()["detail"], response.json()["code"]) == ("Unable to merge cart.", "merge_failed")
    assert response.json()["invalid_params"][0]["name"] == "quantity"
    assert await get_cart(api, ann) == cart_before
    assert await state_of(database_url) == state_before


async def test_a_merge_short_of_stock_changes_nothing(api: Client, database_url: str) -> None:
    ann, bob = await shopper(api), await shopper(api)
    first = await stocked_variant(database_url, 5)
    last = await stocked_variant(database_url, 1)
    session = session_id()
    await guest_add(api, session, first, 2)
    await guest_add(api, session, last, 1)
    await lapse_holds(database_url, last)
    await add(api, bob, last, 1)  # takes the unit of the guest's lapsed hold
    state_before = await state_of(database_url)
    response = await api.post(MERGE, headers=ann.headers | {"X-Session-Id": session})
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["code"], body["detail"], body["variant_id"], body["available"]) == (
        "merge_failed",
        "Unable to merge cart.",
        last,
        0,
    )
    assert await state_of(database_url) == state_before  # the first variant's move is undone too


# --- contract of the routes ---------------------------------------------------------------------------


async def test_reads_and_writes_are_counted_in_their_scopes(api: Client, database_url: str) -> None:
    ann = await shopper(api)

    async def scope(method: str, path: str, headers: dict[str, str]) -> str:
        response = await api.request(method, path, headers=headers)
        assert response.status_code < 500
        return response.headers["ratelimit-policy"].split(";")[0].strip('"')

    guest = {"X-Session-Id": session_id()}
    assert await scope("GET", f"{CART}/", ann.headers) == "cart"
    assert await scope("GET", f"{GUEST}/", guest) == "cart"
    assert await scope("POST", f"{CART}/clear/", ann.headers) == "cart_write"
    assert await scope("POST", f"{GUEST}/clear/", guest) == "cart_write"
    assert await scope("DELETE", item_url(1, delete=True), ann.headers) == "cart_write"
    assert await scope("GET", "/api/v1/admin/carts/", ann.headers) == "cart_write"


async def test_the_schema_documents_every_cart_route(api: Client) -> None:
    schema = (await api.get("/api/schema/")).json()
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        if path.startswith(("/api/v1/cart", "/api/v1/admin/carts"))
        for method, operation in item.items()
    ]
    assert len(operations) == 18  # 7 user, checkout, 5 guest, 5 staff
    for path, method, operation in operations:
        assert operation["tags"] == ["cart"], path
        assert operation["summary"], path
        parameters = {parameter["name"]: parameter for parameter in operation.get("parameters", [])}
        guest = path.startswith(GUEST)
        if guest or path.endswith("/merge-guest"):
            header = parameters["X-Session-Id"]
            assert (header["in"], header["schema"]["type"], header["schema"]["pattern"]) == (
                "header",
                "string",
                SESSION_ID_PATTERN,
            )
            assert header["required"] is not (guest and method in ("post", "patch") and "/items" in path)
            assert "400" in operation["responses"], path
        else:
            assert "X-Session-Id" not in parameters, path
        if guest:
            assert "security" not in operation, path
        else:
            assert operation["security"] == [{"BearerToken": []}], path
            assert "401" in operation["responses"], path
