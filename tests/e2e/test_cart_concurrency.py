"""Every add-to-cart races for the last unit: real `avthrift serve` processes (2 Granian workers) on
PostgreSQL and on SQLite, many clients at once (issue 5, contract §7 "never sells a unit it does not
have"). The outcome is counted from the responses and from the database, and the ledger is checked
with the operators' own `avthrift inventory check`."""

import asyncio
import random
from collections import Counter
from typing import Any

import httpx
import pytest

from tests.e2e.shop import GUEST_ITEMS, Shop, account, bearer, guest, new_session_id, shop

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
__all__ = ["shop"]  # the fixture


def _problem_codes(responses: list[httpx.Response]) -> Counter[str]:
    return Counter(str(r.json().get("code")) for r in responses if r.status_code >= 400)


async def test_the_last_unit_goes_to_exactly_one_of_100_guests(shop: Shop) -> None:
    variant = await shop.variant(stock=1)
    async with shop.client() as client:
        body = {"variant_id": variant, "quantity": 1}
        responses = await asyncio.gather(
            *(client.post(GUEST_ITEMS, json=body, headers=guest(new_session_id())) for _ in range(100))
        )

    assert Counter(r.status_code for r in responses) == {201: 1, 400: 99}, _problem_codes(responses)
    refused = [r.json() for r in responses if r.status_code == 400]
    assert all(p["code"] == "insufficient_stock" and p["available"] == 0 for p in refused)
    assert all(p["detail"] == "Unable to update cart." for p in refused)
    assert await shop.stock(variant) == (1, 1, 1)
    checked = shop.check_ledger()
    assert checked.returncode == 0, checked.stderr


async def test_ten_units_go_to_exactly_ten_of_60_users(shop: Shop) -> None:
    variant = await shop.variant(stock=10)
    async with shop.client() as client:
        accounts = [await account(client, str(n)) for n in range(60)]
        tokens = [await bearer(client, email, password) for email, password in accounts]
        body = {"variant_id": variant, "quantity": 1}
        responses = await asyncio.gather(
            *(client.post("/api/v1/cart/items/", json=body, headers=token) for token in tokens)
        )

    assert Counter(r.status_code for r in responses) == {201: 10, 400: 50}, _problem_codes(responses)
    assert _problem_codes(responses) == {"insufficient_stock": 50}
    assert await shop.stock(variant) == (10, 10, 10)
    checked = shop.check_ledger()
    assert checked.returncode == 0, checked.stderr


async def _shopper(client: httpx.AsyncClient, variants: list[int], seed: int) -> list[httpx.Response]:
    """One guest adding, resizing and removing lines over the shared variants, in a random order."""
    rng = random.Random(seed)
    headers = guest(new_session_id())
    responses: list[httpx.Response] = []
    lines: dict[int, int] = {}  # variant → item id
    for _ in range(8):
        action = rng.choice(("add", "add", "update", "remove", "clear") if lines else ("add",))
        if action == "add":
            variant = rng.choice(variants)
            body: dict[str, Any] = {"variant_id": variant, "quantity": rng.randint(1, 3)}
            response = await client.post(GUEST_ITEMS, json=body, headers=headers)
            if response.status_code == 201:
                lines[variant] = response.json()["id"]
        elif action == "update":
            item = rng.choice(list(lines.values()))
            response = await client.patch(
                f"{GUEST_ITEMS}{item}/", json={"quantity": rng.randint(1, 5)}, headers=headers
            )
        elif action == "remove":
            variant = rng.choice(list(lines))
            response = await client.delete(f"{GUEST_ITEMS}{lines.pop(variant)}/delete/", headers=headers)
        else:
            response = await client.post("/api/v1/cart/guest/clear/", headers=headers)
            lines.clear()
        responses.append(response)
    return responses


async def test_50_shoppers_over_shared_variants_leave_a_consistent_ledger(shop: Shop) -> None:
    variants = [await shop.variant(stock=6) for _ in range(4)]
    async with shop.client() as client:
        outcomes = await asyncio.gather(*(_shopper(client, variants, seed) for seed in range(50)))
    responses = [response for outcome in outcomes for response in outcome]

    statuses = Counter(r.status_code for r in responses)
    assert set(statuses) <= {200, 201, 204, 400}, (statuses, _problem_codes(responses))
    assert set(_problem_codes(responses)) <= {"insufficient_stock"}
    assert statuses[400] > 0  # the variants were contended: some adds or updates were refused
    for variant in variants:
        on_hand, reserved, held = await shop.stock(variant)
        assert on_hand == 6
        assert 0 <= reserved == held <= on_hand
    checked = shop.check_ledger()
    assert checked.returncode == 0, checked.stderr
