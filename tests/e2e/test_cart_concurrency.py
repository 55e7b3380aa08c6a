"""Every add-to-cart races for the last unit: real `avthrift serve` processes (2 Granian workers) on
PostgreSQL and on SQLite, many clients at once (issue 5, contract §7 "never sells a unit it does not
have"). The outcome is counted from the responses and from the database, and the ledger is checked
with the operators' own `avthrift inventory check`."""

import asyncio
import random
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.config import DEFAULT_THROTTLE_RATES
from tests.catalog_data import catalog_builder
from tests.conftest import STRONG_PASSWORD, execute_sql
from tests.e2e.conftest import Server, StartServer

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

UNTHROTTLED = ",".join(f"{scope}=1000000000/sec" for scope in DEFAULT_THROTTLE_RATES)
GUEST_ITEMS = "/api/v1/cart/guest/items/"


def guest(session_id: str) -> dict[str, str]:
    return {"X-Session-Id": session_id}


def new_session_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Shop:
    """A running server (2 workers) on `database_url`, a staff token, and database checks."""

    server: Server
    database_url: str
    staff: dict[str, str]

    def client(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
        return httpx.AsyncClient(base_url=self.server.base_url, timeout=60.0, limits=limits)

    async def variant(self, stock: int) -> int:
        """A published product's active variant with `stock` units, stocked through the staff API
        (so the opening quantity is in the ledger)."""
        async with catalog_builder(self.database_url) as catalog:
            tag = uuid.uuid4().hex[:12]
            product = await catalog.product("Last one", slug=f"last-one-{tag}")
            variant = await catalog.variant(product, sku=f"LAST-{tag}", price="15000.00")
        async with self.client() as client:
            created = await client.post(
                "/api/v1/inventory/stock-items/",
                json={"variant_id": variant, "quantity": stock},
                headers=self.staff,
            )
        assert created.status_code == 201, created.text
        return variant

    async def stock(self, variant: int) -> tuple[int, int, int]:
        """(on hand, reserved, units in active holds) of `variant`."""
        engine = create_engine(self.database_url, use_pool=False)
        try:
            async with engine.connect() as connection:
                row = (
                    await connection.execute(
                        text(
                            "SELECT s.on_hand, s.reserved, (SELECT COALESCE(SUM(r.quantity), 0) "
                            "FROM stock_reservations r WHERE r.variant_id = s.variant_id "
                            "AND r.state = 'active') FROM stock_items s WHERE s.variant_id = :v"
                        ),
                        {"v": variant},
                    )
                ).one()
        finally:
            await engine.dispose()
        return int(row[0]), int(row[1]), int(row[2])

    def check_ledger(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "avthrift", "inventory", "check"],
            env={"PATH": "/usr/bin:/bin", "AVTHRIFT_ENV": "test", "DATABASE_URL": self.database_url},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


async def _account(client: httpx.AsyncClient, tag: str) -> tuple[str, str]:
    username = f"racer_{tag}_{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    body = {"username": username, "email": email, "password": STRONG_PASSWORD}
    registered = await client.post("/api/v1/account/register/", json=body)
    assert registered.status_code == 201, registered.text
    return email, STRONG_PASSWORD


async def _bearer(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    signed_in = await client.post("/api/v1/auth/signin/", json={"identifier": email, "password": password})
    assert signed_in.status_code == 200, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['access']}"}


@pytest.fixture
async def shop(start_server: StartServer, database_url: str) -> AsyncIterator[Shop]:
    env = {
        "AVTHRIFT_ENV": "test",
        "DATABASE_URL": database_url,
        "THROTTLE_RATES": UNTHROTTLED,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        "PASSWORD_HASH_TIME_COST": "1",
        "LOG_LEVEL": "warning",
    }
    server = start_server(env, workers=2)
    async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as client:
        email, password = await _account(client, "staff")
        await execute_sql(database_url, "UPDATE users SET is_staff = TRUE WHERE email = $1", email)
        staff = await _bearer(client, email, password)
    yield Shop(server, database_url, staff)
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]


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
        accounts = [await _account(client, str(n)) for n in range(60)]
        tokens = [await _bearer(client, email, password) for email, password in accounts]
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
