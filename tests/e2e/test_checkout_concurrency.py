"""Checkout under concurrency against real `avthrift serve` processes (2 Granian workers) on
PostgreSQL (issue 6, contract §7-§8): many carts over shared variants at once, one cart checked out
twice at once, and 20 copies of one keyed checkout. Outcomes are counted from the responses and from
the database; the ledger is checked with `avthrift inventory check`."""

import asyncio
import random
import uuid
from collections import Counter

import asyncpg
import httpx
import pytest

from tests.e2e.shop import Shop, account, bearer, shop

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]
__all__ = ["shop"]  # the fixture

CHECKOUT = "/api/v1/cart/checkout/"
ITEMS = "/api/v1/cart/items/"


async def _fetch(shop: Shop, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(shop.database_url.replace("postgresql+asyncpg://", "postgresql://", 1))
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def _users(client: httpx.AsyncClient, count: int) -> list[dict[str, str]]:
    return [await bearer(client, *await account(client, f"buyer{n}")) for n in range(count)]


async def _fill(client: httpx.AsyncClient, token: dict[str, str], variants: list[int]) -> None:
    for variant in variants:
        added = await client.post(ITEMS, json={"variant_id": variant, "quantity": 1}, headers=token)
        assert added.status_code == 201, added.text


async def test_50_carts_over_shared_variants_check_out_at_once(shop: Shop) -> None:
    """Each cart holds 3 of 6 shared variants, added in a random order; all 50 check out at once.
    Checkout locks stock rows in ascending variant id, so no deadlock; every unit sold is a unit
    that was on hand."""
    variants = [await shop.variant(stock=40) for _ in range(6)]
    rng = random.Random(6)
    async with shop.client() as client:
        tokens = await _users(client, 50)
        for token in tokens:
            await _fill(client, token, rng.sample(variants, 3))
        responses = await asyncio.gather(*(client.post(CHECKOUT, headers=token) for token in tokens))

    assert Counter(r.status_code for r in responses) == {200: 50}, [
        r.text for r in responses if r.status_code != 200
    ]
    order_ids = {r.json()["order_id"] for r in responses}
    assert len(order_ids) == 50
    sold = await _fetch(
        shop,
        "SELECT variant_id, SUM(quantity) AS sold FROM order_lines WHERE order_id = ANY($1::bigint[]) "
        "GROUP BY variant_id",
        list(order_ids),
    )
    assert sum(row["sold"] for row in sold) == 150
    for row in sold:
        on_hand, reserved, held = await shop.stock(row["variant_id"])
        assert (on_hand, reserved, held) == (40 - row["sold"], 0, 0)
    checked = shop.check_ledger()
    assert checked.returncode == 0, checked.stderr


async def test_one_cart_checked_out_ten_times_at_once_makes_one_order(shop: Shop) -> None:
    variant = await shop.variant(stock=5)
    async with shop.client() as client:
        [token] = await _users(client, 1)
        await _fill(client, token, [variant])
        responses = await asyncio.gather(*(client.post(CHECKOUT, headers=token) for _ in range(10)))

    assert Counter(r.status_code for r in responses) == {200: 1, 400: 9}
    assert {r.json()["code"] for r in responses if r.status_code == 400} == {"cart_empty"}
    [count] = await _fetch(shop, "SELECT COUNT(*) FROM order_lines WHERE variant_id = $1", variant)
    assert count[0] == 1
    assert await shop.stock(variant) == (4, 0, 0)


async def test_20_copies_of_one_keyed_checkout_make_one_order(shop: Shop) -> None:
    variant = await shop.variant(stock=5)
    key = {"Idempotency-Key": f"checkout-{uuid.uuid4()}"}
    async with shop.client() as client:
        [token] = await _users(client, 1)
        await _fill(client, token, [variant])
        responses = await asyncio.gather(*(client.post(CHECKOUT, headers=token | key) for _ in range(20)))
        replay = await client.post(CHECKOUT, headers=token | key)

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 409}, [r.text for r in responses]
    assert statuses[200] >= 1
    conflicts = [r.json() for r in responses if r.status_code == 409]
    assert all(p["code"] == "idempotency_in_progress" for p in conflicts)
    assert all(r.headers.get("Retry-After") for r in responses if r.status_code == 409)
    bodies = {r.content for r in responses if r.status_code == 200}
    assert len(bodies) == 1  # the first answer and every replay: the same bytes
    assert replay.status_code == 200
    assert replay.content in bodies
    assert replay.headers["Idempotency-Replayed"] == "true"
    orders = await _fetch(shop, "SELECT DISTINCT order_id FROM order_lines WHERE variant_id = $1", variant)
    assert len(orders) == 1
    assert await shop.stock(variant) == (4, 0, 0)
