"""`POST /api/v1/cart/checkout/` through the ASGI app on both engines (reference §3.3; contract §7,
§8): holds become sales of a pending order in one transaction, empty carts and lapsed holds whose
units are gone are refused with nothing changed, and a keyed checkout is answered once."""

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.cart_data import (
    CART,
    Shopper,
    assert_ledger_consistent,
    cart_app,
    carts,
    fetch,
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
CHECKOUT = f"{CART}/checkout/"


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
        f"{CART}/items/", json={"variant_id": variant_id, "quantity": quantity}, headers=who.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_checkout_needs_a_signed_in_user(api: Client) -> None:
    response = await api.post(CHECKOUT, headers={"X-Session-Id": session_id()})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_holds_become_sales_of_one_pending_order(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    shirt = await stocked_variant(database_url, 5, price="12.50", title="Silk shirt")
    hat = await stocked_variant(database_url, 1, price="30.00", title="Felt hat")
    await add(api, ann, shirt, 2)
    await add(api, ann, hat, 1)

    response = await api.post(CHECKOUT, headers=ann.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body == {
        "status": "ordered",
        "order_id": body["order_id"],
        "order_number": f"ORD-{body['order_id']:06d}",
    }
    assert await stock_of(database_url, shirt) == (3, 0)
    assert await stock_of(database_url, hat) == (0, 0)
    assert {row[4] for row in await reservations(database_url)} == {"converted"}
    movements = await fetch(
        database_url,
        "SELECT s.variant_id, m.movement_type, m.quantity FROM stock_movements m "
        "JOIN stock_items s ON s.id = m.stock_item_id WHERE m.reference = :r ORDER BY s.variant_id",
        r=f"order:{body['order_id']}",
    )
    assert movements == [(shirt, "out", -2), (hat, "out", -1)]
    [order] = await fetch(
        database_url,
        "SELECT user_id, status, subtotal, total FROM orders WHERE id = :id",
        id=body["order_id"],
    )
    assert (order[0], order[1], Decimal(str(order[2])), Decimal(str(order[3]))) == (
        ann.id,
        "pending",
        Decimal("55.00"),
        Decimal("55.00"),
    )
    assert [row[3] for row in await carts(database_url)] == ["ordered"]
    cart = (await api.get(f"{CART}/", headers=ann.headers)).json()
    assert cart["items"] == []  # the next read starts a new cart


async def test_an_empty_cart_is_refused(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    response = await api.post(CHECKOUT, headers=ann.headers)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Cart is empty."
    assert response.json()["code"] == "cart_empty"
    assert await fetch(database_url, "SELECT id FROM orders") == []


async def test_a_second_checkout_of_the_same_cart_finds_it_empty(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    await add(api, ann, await stocked_variant(database_url, 2), 1)
    assert (await api.post(CHECKOUT, headers=ann.headers)).status_code == 200
    again = await api.post(CHECKOUT, headers=ann.headers)
    assert again.status_code == 400
    assert again.json()["code"] == "cart_empty"
    assert len(await fetch(database_url, "SELECT id FROM orders")) == 1


async def test_a_lapsed_hold_is_taken_again_when_the_stock_allows(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 3)
    await add(api, ann, variant, 2)
    await lapse_holds(database_url, variant)
    other = await shopper(api)
    await add(api, other, variant, 1)  # reclaims the lapsed hold: 1 of 3 now held by `other`

    response = await api.post(CHECKOUT, headers=ann.headers)

    assert response.status_code == 200, response.text
    assert await stock_of(database_url, variant) == (1, 1)


async def test_a_lapsed_line_whose_units_are_gone_is_named_and_nothing_changes(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    plenty = await stocked_variant(database_url, 5)
    last = await stocked_variant(database_url, 1)
    await add(api, ann, plenty, 1)
    line = await add(api, ann, last, 1)
    await lapse_holds(database_url, last)
    rival = await shopper(api)
    await add(api, rival, last, 1)  # the lapsed unit goes to someone else
    before = await state_of(database_url)

    response = await api.post(CHECKOUT, headers=ann.headers)

    assert response.status_code == 409, response.text
    problem = response.json()
    assert problem["code"] == "reservation_lapsed"
    assert problem["lines"] == [line["id"]]
    assert problem["variants"] == [last]
    assert await state_of(database_url) == before
    assert await fetch(database_url, "SELECT id FROM orders") == []


async def test_a_keyed_checkout_is_answered_once_and_replayed_byte_for_byte(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    await add(api, ann, await stocked_variant(database_url, 2), 1)
    keyed = ann.headers | {"Idempotency-Key": "checkout-1"}

    first = await api.post(CHECKOUT, headers=keyed)
    replay = await api.post(CHECKOUT, headers=keyed)

    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content
    assert replay.headers["idempotency-replayed"] == "true"
    assert "idempotency-replayed" not in first.headers
    assert len(await fetch(database_url, "SELECT id FROM orders")) == 1
    other_body = await api.post(CHECKOUT, headers=keyed, json={"note": "x"})
    assert other_body.status_code == 422
    assert other_body.json()["code"] == "idempotency_key_reused"
