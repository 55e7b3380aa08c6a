"""`/api/v1/inventory/` through the ASGI app, on both engines (reference §1.7, contract §6)."""

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.stock import SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.entrypoints.http.app import create_app
from tests.catalog_data import CatalogBuilder, catalog_builder
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

PREFIX = "/api/v1/inventory"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


@dataclass(frozen=True)
class Staff:
    api: Client
    headers: dict[str, str]
    database_url: str
    catalog: CatalogBuilder

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["json"] = body
        return await self.api.request(method, f"{PREFIX}/{path}", **kwargs)

    async def create(self, path: str, **body: Any) -> dict[str, Any]:
        response = await self.call("POST", f"{path}/", body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def listed(self, path: str, query: str = "") -> list[int]:
        response = await self.call("GET", f"{path}/?page_size=100{query}")
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["results"]]

    async def hold(self, variant_id: int, quantity: int, *, expires_at: datetime, now: datetime) -> int:
        """A hold taken as a cart would, on an engine of the test's own."""
        engine = create_engine(self.database_url, use_pool=False)
        try:
            async with AsyncSession(engine) as session:
                hold = await SqlAlchemyStockReserver(session).hold(
                    variant_id, quantity, reference="cart:9", expires_at=expires_at, now=now
                )
                await session.commit()
        finally:
            await engine.dispose()
        return hold.id

    async def assert_consistent(self) -> None:
        engine = create_engine(self.database_url, use_pool=False)
        try:
            async with AsyncSession(engine) as session:
                assert await SqlAlchemyStockLedger(session).mismatches() == ()
        finally:
            await engine.dispose()


@pytest.fixture
async def staff(settings_factory: SettingsFactory, database_url: str) -> AsyncIterator[Staff]:
    rates = relaxed_rates(inventory="100000/min")
    app = create_app(settings_factory(THROTTLE_RATES=rates))
    async with (
        AsyncTestClient(app, base_url=BASE_URL) as api,
        catalog_builder(database_url) as catalog,
    ):
        yield Staff(api, await staff_headers(api, database_url), database_url, catalog)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code, body
    return body


def reasons(response: Any) -> dict[str, str]:
    return {param["name"]: param["reason"] for param in response.json()["invalid_params"]}


# --- access ---------------------------------------------------------------------------------------


async def test_every_inventory_route_is_for_staff_only(staff: Staff) -> None:
    account = NewAccount.unique()
    await register(staff.api, account)
    customer = bearer((await sign_in(staff.api, account.email))["access"])
    operations = [
        (method, route.path)
        for route in staff.api.app.routes
        if route.path.startswith(PREFIX)
        for method in sorted(getattr(route, "methods", ()))
        if method != "OPTIONS"
    ]
    assert len(operations) == 7
    for method, path in operations:
        body: dict[str, Any] | None = {} if method == "POST" else None
        anonymous = await staff.api.request(method, path, json=body)
        problem(anonymous, 401, "not_authenticated")
        assert anonymous.headers["www-authenticate"].startswith("Bearer"), (method, path)
        assert anonymous.headers["ratelimit-policy"].startswith('"inventory"'), (method, path)
        forbidden = await staff.api.request(method, path, json=body, headers=customer)
        problem(forbidden, 403, "permission_denied")


async def test_health_and_index(staff: Staff) -> None:
    for path in ("health/", "health"):
        response = await staff.call("GET", path)
        assert (response.status_code, response.json()) == (200, {"status": "ok", "app": "inventory"})
    index = await staff.call("GET", "")
    assert index.status_code == 200
    assert index.json() == {
        "endpoints": [
            {"path": f"{PREFIX}/{name}/", "status": "available"}
            for name in ("stock-items", "movements", "reservations")
        ]
    }


async def test_the_schema_documents_every_inventory_operation(staff: Staff) -> None:
    schema = (await staff.api.get("/api/schema/")).json()
    operations = [
        operation
        for path, item in schema["paths"].items()
        if path.startswith(PREFIX)
        for method, operation in item.items()
        if method in ("get", "post")
    ]
    assert len(operations) == 7
    for operation in operations:
        assert operation["tags"] == ["inventory"]
        assert operation["security"] == [{"BearerToken": []}]
        assert operation["summary"]
        assert operation["description"]
        assert {"401", "403", "429"} <= set(operation["responses"])


# --- stock items ----------------------------------------------------------------------------------


async def test_creating_a_stock_item_records_its_opening_stock(staff: Staff) -> None:
    product = await staff.catalog.product()
    variant = await staff.catalog.variant(product, sku="TEE-RED-M")
    created = await staff.create("stock-items", variant_id=variant, quantity=4)
    assert created == {
        "id": created["id"],
        "variant": variant,
        "sku": "TEE-RED-M",
        "quantity": 4,
        "reserved": 0,
        "available": 4,
        "updated_at": created["updated_at"],
    }
    assert ISO_Z.match(created["updated_at"])
    movements = (await staff.call("GET", f"movements/?stock_item={created['id']}")).json()["results"]
    assert [(m["movement_type"], m["quantity"], m["reason"]) for m in movements] == [
        ("in", 4, "Opening stock")
    ]
    empty = await staff.create("stock-items", variant_id=await staff.catalog.variant(product), quantity=0)
    assert (await staff.call("GET", f"movements/?stock_item={empty['id']}")).json()["count"] == 0
    await staff.assert_consistent()


async def test_stock_item_creation_refuses_duplicates_and_unknown_variants(staff: Staff) -> None:
    product = await staff.catalog.product()
    variant = await staff.catalog.variant(product)
    await staff.create("stock-items", variant_id=variant, quantity=2)
    again = await staff.call("POST", "stock-items/", {"variant_id": variant, "quantity": 9})
    problem(again, 409, "stock_item_exists")
    unknown = await staff.call("POST", "stock-items/", {"variant_id": variant + 1000, "quantity": 1})
    problem(unknown, 400, "invalid")
    assert reasons(unknown) == {"variant_id": "No variant has this id."}
    for body in (
        {"variant_id": variant, "quantity": -1},
        {"variant_id": 2**63, "quantity": 1},
        {"variant_id": 0, "quantity": 1},
        {"variant_id": variant, "quantity": 2**31},
        {"variant_id": variant},
        {"variant_id": variant, "quantity": 1, "reserved": 1},
        {"variant_id": "1", "quantity": 1},
    ):
        response = await staff.call("POST", "stock-items/", body)
        assert response.status_code == 400, (body, response.text)
    assert await staff.listed("stock-items") != []
    listed = (await staff.call("GET", f"stock-items/?variant_id={variant}")).json()["results"]
    assert [(item["quantity"], item["reserved"]) for item in listed] == [(2, 0)]


async def test_stock_items_are_filtered_ordered_and_paged(staff: Staff) -> None:
    shirt, hat = await staff.catalog.product(), await staff.catalog.product()
    red = await staff.create(
        "stock-items", variant_id=await staff.catalog.variant(shirt, sku="Red-1"), quantity=5
    )
    blue = await staff.create(
        "stock-items", variant_id=await staff.catalog.variant(shirt, sku="BLUE-1"), quantity=1
    )
    cap = await staff.create(
        "stock-items", variant_id=await staff.catalog.variant(hat, sku="CAP"), quantity=3
    )
    await staff.hold(
        red["variant"], 4, expires_at=datetime.now(UTC) + timedelta(hours=1), now=datetime.now(UTC)
    )

    assert await staff.listed("stock-items") == [red["id"], cap["id"], blue["id"]]  # -updated_at, id
    assert await staff.listed("stock-items", f"&product_id={shirt}") == [red["id"], blue["id"]]
    assert await staff.listed("stock-items", f"&variant_id={cap['variant']}") == [cap["id"]]
    assert await staff.listed("stock-items", "&sku=red-1") == [red["id"]]
    assert await staff.listed("stock-items", "&sku=RED") == []
    assert await staff.listed("stock-items", "&ordering=available") == [red["id"], blue["id"], cap["id"]]
    assert await staff.listed("stock-items", "&ordering=-quantity,bogus") == [
        red["id"],
        cap["id"],
        blue["id"],
    ]
    assert await staff.listed("stock-items", "&ordering=sku") == [blue["id"], cap["id"], red["id"]]
    reserved = (await staff.call("GET", f"stock-items/?variant_id={red['variant']}")).json()["results"][0]
    assert (reserved["quantity"], reserved["reserved"], reserved["available"]) == (5, 4, 1)

    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert await staff.listed("stock-items", "&updated_after=2000-01-01T00:00:00Z") != []
    assert await staff.listed("stock-items", f"&updated_after={future.replace('+00:00', 'Z')}") == []
    assert await staff.listed("stock-items", "&updated_after=2000-01-01T00:00:00") != []

    first = await staff.call("GET", "stock-items/?page_size=2")
    assert first.json()["count"] == 3
    assert first.json()["next"] == f"{BASE_URL}{PREFIX}/stock-items/?page_size=2&page=2"
    past = await staff.call("GET", "stock-items/?page_size=2&page=3")
    assert problem(past, 404, "invalid_page")["detail"] == "Invalid page."


@pytest.mark.parametrize(
    "query",
    [
        "variant_id=abc",
        "variant_id=0",
        f"variant_id={2**63}",
        f"product_id={2**64}",
        "updated_after=yesterday",
        "updated_after=0.5",
        "updated_after=1767225600",
        "updated_after=2026-13-01T00:00:00Z",
        "updated_after=2026-02-30T00:00:00",
        "sku=a%00b",
        "page=0",
        "page_size=101",
    ],
)
async def test_bad_stock_item_filters_are_400(staff: Staff, query: str) -> None:
    response = await staff.call("GET", f"stock-items/?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [param["name"] for param in response.json()["invalid_params"]] == [query.partition("=")[0]]


# --- movements ------------------------------------------------------------------------------------


async def test_movements_change_stock_by_their_signed_quantity(staff: Staff) -> None:
    variant = await staff.catalog.variant(await staff.catalog.product())
    item = await staff.create("stock-items", variant_id=variant, quantity=5)
    delivery = await staff.create(
        "movements",
        stock_item=item["id"],
        movement_type="in",
        quantity=3,
        reason="Delivery",
        reference="DN-7",
    )
    assert delivery == {
        "id": delivery["id"],
        "stock_item": item["id"],
        "movement_type": "in",
        "quantity": 3,
        "reason": "Delivery",
        "reference": "DN-7",
        "created_at": delivery["created_at"],
    }
    assert ISO_Z.match(delivery["created_at"])
    await staff.create("movements", stock_item=item["id"], movement_type="out", quantity=-2)
    await staff.create(
        "movements", stock_item=item["id"], movement_type="adjust", quantity=-1, reason="Count"
    )
    await staff.create("movements", stock_item=item["id"], movement_type="adjust", quantity=2)
    listed = (await staff.call("GET", f"stock-items/?variant_id={variant}")).json()["results"]
    assert listed[0]["quantity"] == 7
    await staff.assert_consistent()


@pytest.mark.parametrize(
    ("movement_type", "quantity", "field"),
    [("in", -1, "quantity"), ("in", 0, "quantity"), ("out", 1, "quantity"), ("adjust", 0, "quantity")],
)
async def test_a_movement_against_its_sign_is_400_naming_quantity(
    staff: Staff, movement_type: str, quantity: int, field: str
) -> None:
    variant = await staff.catalog.variant(await staff.catalog.product())
    item = await staff.create("stock-items", variant_id=variant, quantity=5)
    body = {"stock_item": item["id"], "movement_type": movement_type, "quantity": quantity}
    response = await staff.call("POST", "movements/", body)
    problem(response, 400, "invalid")
    assert list(reasons(response)) == [field]


async def test_movements_that_cannot_apply_are_refused(staff: Staff) -> None:
    variant = await staff.catalog.variant(await staff.catalog.product())
    item = await staff.create("stock-items", variant_id=variant, quantity=5)
    now = datetime.now(UTC)
    await staff.hold(variant, 3, expires_at=now + timedelta(hours=1), now=now)
    below = await staff.call(
        "POST", "movements/", {"stock_item": item["id"], "movement_type": "out", "quantity": -3}
    )
    problem(below, 409, "stock_below_reserved")
    unknown = await staff.call(
        "POST", "movements/", {"stock_item": item["id"] + 1000, "movement_type": "in", "quantity": 1}
    )
    problem(unknown, 400, "invalid")
    assert list(reasons(unknown)) == ["stock_item"]
    nul = await staff.call(
        "POST",
        "movements/",
        {"stock_item": item["id"], "movement_type": "in", "quantity": 1, "reason": "a\x00"},
    )
    problem(nul, 400, "invalid")
    assert reasons(nul) == {"reason": "Null characters are not allowed."}
    for body in (
        {"stock_item": item["id"], "movement_type": "gift", "quantity": 1},
        {"stock_item": item["id"], "movement_type": "in", "quantity": 2**31},
        {"stock_item": 2**63, "movement_type": "in", "quantity": 1},
        {"stock_item": item["id"], "movement_type": "in", "quantity": 1, "reason": "x" * 201},
        {"stock_item": item["id"], "movement_type": "in"},
    ):
        response = await staff.call("POST", "movements/", body)
        assert response.status_code == 400, (body, response.text)
    listed = (await staff.call("GET", f"stock-items/?variant_id={variant}")).json()["results"]
    assert (listed[0]["quantity"], listed[0]["reserved"]) == (5, 3)
    await staff.create("movements", stock_item=item["id"], movement_type="out", quantity=-2)
    await staff.assert_consistent()


async def test_movements_are_filtered(staff: Staff) -> None:
    product = await staff.catalog.product()
    first = await staff.create("stock-items", variant_id=await staff.catalog.variant(product), quantity=5)
    second = await staff.create("stock-items", variant_id=await staff.catalog.variant(product), quantity=2)
    out = await staff.create("movements", stock_item=first["id"], movement_type="out", quantity=-1)
    all_ids = await staff.listed("movements")
    assert all_ids[0] == out["id"]  # newest first
    assert len(all_ids) == 3
    assert await staff.listed("movements", "&movement_type=out") == [out["id"]]
    assert len(await staff.listed("movements", f"&stock_item={first['id']}")) == 2
    assert len(await staff.listed("movements", f"&stock_item={second['id']}&movement_type=in")) == 1
    assert await staff.listed("movements", "&created_after=2999-01-01T00:00:00Z") == []
    assert len(await staff.listed("movements", "&created_after=2000-01-01T00:00:00%2B01:00")) == 3
    ordered = (await staff.call("GET", "movements/?ordering=quantity")).json()["results"]
    assert [movement["quantity"] for movement in ordered] == [-1, 2, 5]
    for query in ("stock_item=x", "movement_type=gift", "created_after=nope", f"stock_item={2**63}"):
        response = await staff.call("GET", f"movements/?{query}")
        assert response.status_code == 400, (query, response.text)


# --- reservations ---------------------------------------------------------------------------------


async def test_reservations_are_listed_with_their_filters(staff: Staff) -> None:
    product = await staff.catalog.product()
    first, second = await staff.catalog.variant(product), await staff.catalog.variant(product)
    for variant in (first, second):
        await staff.create("stock-items", variant_id=variant, quantity=5)
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    soon = await staff.hold(first, 1, expires_at=now + timedelta(minutes=10), now=now)
    later = await staff.hold(first, 2, expires_at=now + timedelta(minutes=50), now=now)
    other = await staff.hold(second, 3, expires_at=now + timedelta(minutes=30), now=now)
    await execute_sql(
        staff.database_url, "UPDATE stock_reservations SET state = 'released' WHERE id = $1", other
    )
    await execute_sql(staff.database_url, "UPDATE stock_items SET reserved = 0 WHERE variant_id = $1", second)

    assert await staff.listed("reservations") == [other, later, soon]
    body = (await staff.call("GET", f"reservations/?variant_id={second}")).json()["results"]
    assert body == [
        {
            "id": other,
            "variant": second,
            "quantity": 3,
            "reference": "cart:9",
            "state": "released",
            "expires_at": "2026-01-01T12:30:00Z",
            "created_at": body[0]["created_at"],
        }
    ]
    assert ISO_Z.match(body[0]["created_at"])
    assert await staff.listed("reservations", "&state=active") == [later, soon]
    assert await staff.listed("reservations", "&expires_before=2026-01-01T12:30:00Z") == [other, soon]
    assert await staff.listed("reservations", "&expires_before=2026-01-01T13:15:00%2B01:00") == [soon]
    assert await staff.listed("reservations", "&ordering=-expires_at") == [later, other, soon]
    assert await staff.listed("reservations", "&ordering=quantity") == [soon, later, other]
    for query in (
        "state=gone",
        "variant_id=-1",
        "expires_before=2026-01-01T25:00:00",
        "expires_before=1767225600",
        "variant_id=1.5",
    ):
        response = await staff.call("GET", f"reservations/?{query}")
        assert response.status_code == 400, (query, response.text)
    await staff.assert_consistent()
