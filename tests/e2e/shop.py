"""A shop for end-to-end races: a real `avthrift serve` (2 Granian workers) on the test database, a
staff token, accounts, stocked variants, and the database checks the races are judged by."""

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.config import DEFAULT_THROTTLE_RATES
from tests.catalog_data import catalog_builder
from tests.conftest import STRONG_PASSWORD, execute_sql
from tests.e2e.conftest import Server, StartServer

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


async def account(client: httpx.AsyncClient, tag: str) -> tuple[str, str]:
    username = f"racer_{tag}_{uuid.uuid4().hex[:8]}"
    email = f"{username}@example.com"
    body = {"username": username, "email": email, "password": STRONG_PASSWORD}
    registered = await client.post("/api/v1/account/register/", json=body)
    assert registered.status_code == 201, registered.text
    return email, STRONG_PASSWORD


async def bearer(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
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
        email, password = await account(client, "staff")
        await execute_sql(database_url, "UPDATE users SET is_staff = TRUE WHERE email = $1", email)
        staff = await bearer(client, email, password)
    yield Shop(server, database_url, staff)
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
