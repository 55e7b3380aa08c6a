"""`/api/v1/cart/guest/` through the ASGI app, on both engines (reference §1.8; contract §7): the
session id rules, reading creates nothing, other sessions' items are `404`, holds that lapse, and
stale-cart abandonment keyed on the last line change (with the clock swapped)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.bootstrap import make_container
from avthrift.domain.cart.use_cases.stale import AbandonStaleCarts
from avthrift.domain.shared.ports import Clock
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RateLimitProvider
from tests.cart_data import (
    CART_RATES,
    GUEST,
    assert_ledger_consistent,
    cart_app,
    carts,
    reservations,
    session_id,
    shopper,
    state_of,
    stock_of,
    stocked_variant,
)
from tests.conftest import BASE_URL, SettingsFactory

type Client = AsyncTestClient[Litestar]

ITEMS = f"{GUEST}/items/"
NOT_FOUND = {
    "type": "urn:avthrift:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "Not found.",
    "code": "not_found",
}
EMPTY: dict[str, Any] = {
    "id": None,
    "status": "active",
    "currency": "NGN",
    "items": [],
    "item_count": 0,
    "subtotal": "0.00",
    "total": "0.00",
    "warnings": [],
}


def item_url(item_id: int, *, delete: bool = False) -> str:
    return f"{ITEMS}{item_id}/delete/" if delete else f"{ITEMS}{item_id}/"


def sid(session: str | bytes) -> dict[str, Any]:
    return {"X-Session-Id": session}


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    async with AsyncTestClient(cart_app(settings_factory), base_url=BASE_URL) as client:
        yield client


@pytest.fixture(autouse=True)
async def _ledger_stays_consistent(database_url: str) -> AsyncIterator[None]:
    yield
    await assert_ledger_consistent(database_url)


async def add(api: Client, session: str, variant_id: int, quantity: int) -> dict[str, Any]:
    response = await api.post(
        ITEMS, json={"variant_id": variant_id, "quantity": quantity}, headers=sid(session)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def read(api: Client, session: str) -> dict[str, Any]:
    response = await api.get(f"{GUEST}/", headers=sid(session))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# --- session ids -----------------------------------------------------------------------------------

HEADER_ONLY: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", f"{GUEST}/", None),
    ("DELETE", item_url(1, delete=True), None),
    ("POST", f"{GUEST}/clear/", None),
]
WITH_BODY: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", ITEMS, {"variant_id": 1, "quantity": 1}),
    ("PATCH", item_url(1), {"quantity": 1}),
]


@pytest.mark.parametrize(("method", "path", "body"), HEADER_ONLY + WITH_BODY)
async def test_every_guest_route_needs_a_session_id(
    api: Client, database_url: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    missing = await api.request(method, path, json=body)
    assert missing.status_code == 400
    assert (missing.json()["detail"], missing.json()["code"]) == (
        "Missing X-Session-Id.",
        "missing_session_id",
    )
    assert missing.headers["content-type"] == "application/problem+json"
    for bad in (
        b"",
        b"a" * 31,
        b"a" * 65,
        b"a" * 32 + b".",
        b"../" + b"a" * 40,
        "\u00e9".encode("latin-1") * 33,
    ):
        response = await api.request(method, path, json=body, headers=sid(bad))
        expected = ("Missing X-Session-Id.", "missing_session_id") if bad == b"" else None
        assert response.status_code == 400, (bad, response.text)
        assert (response.json()["detail"], response.json()["code"]) == (
            expected or ("Invalid X-Session-Id.", "invalid_session_id")
        )
    assert await carts(database_url) == []


@pytest.mark.parametrize("session", ["0b6b2d3e-5f1c-4c47-9f65-2a8e6b1f7c9d", "A" * 32, "z_-9" * 16])
async def test_valid_session_ids(api: Client, session: str) -> None:
    assert await read(api, session) == EMPTY


async def test_reading_an_unknown_guest_cart_creates_nothing(api: Client, database_url: str) -> None:
    for _ in range(3):
        assert await read(api, session_id()) == EMPTY
    cleared = await api.post(f"{GUEST}/clear/", headers=sid(session_id()))
    assert (cleared.status_code, cleared.json()) == (200, {"status": "cleared"})
    assert await carts(database_url) == []


async def test_the_first_write_creates_the_cart(api: Client, database_url: str) -> None:
    session = session_id()
    variant = await stocked_variant(database_url, 4, price="7.50", title="Silk scarf")
    line = await add(api, session, variant, 2)
    assert (line["quantity"], line["unit_price"], line["line_total"]) == (2, "7.50", "15.00")
    [(cart_id, user_id, stored_session, status, _)] = await carts(database_url)
    assert (user_id, stored_session, status) == (None, session, "active")
    cart = await read(api, session)
    assert (cart["id"], cart["item_count"], cart["subtotal"]) == (cart_id, 2, "15.00")
    assert cart["items"][0]["product_title"] == "Silk scarf"
    again = await add(api, session, variant, 1)
    assert (again["id"], again["quantity"]) == (line["id"], 3)
    assert await stock_of(database_url, variant) == (4, 3)


async def test_a_body_session_id_serves_when_there_is_no_header(api: Client, database_url: str) -> None:
    session = session_id()
    variant = await stocked_variant(database_url, 4)
    added = await api.post(ITEMS, json={"variant_id": variant, "quantity": 1, "session_id": session})
    assert added.status_code == 201, added.text
    patched = await api.patch(item_url(added.json()["id"]), json={"quantity": 2, "session_id": session})
    assert (patched.status_code, patched.json()["quantity"]) == (200, 2)
    assert (await read(api, session))["item_count"] == 2
    invalid = await api.post(ITEMS, json={"variant_id": variant, "quantity": 1, "session_id": "short"})
    assert (invalid.status_code, invalid.json()["code"]) == (400, "invalid_session_id")


async def test_the_header_wins_over_the_body(api: Client, database_url: str) -> None:
    header, body = session_id(), session_id()
    variant = await stocked_variant(database_url, 4)
    added = await api.post(
        ITEMS, json={"variant_id": variant, "quantity": 1, "session_id": body}, headers=sid(header)
    )
    assert added.status_code == 201, added.text
    assert (await read(api, header))["item_count"] == 1
    assert (await read(api, body))["id"] is None
    assert [row[2] for row in await carts(database_url)] == [header]
    # The body's id goes unused, but a malformed one is still refused.
    bad_body = await api.post(
        ITEMS, json={"variant_id": variant, "quantity": 1, "session_id": "x"}, headers=sid(header)
    )
    assert (bad_body.status_code, bad_body.json()["code"]) == (400, "invalid_session_id")


async def test_authorization_is_ignored(api: Client, database_url: str) -> None:
    ann = await shopper(api)
    session = session_id()
    variant = await stocked_variant(database_url, 4)
    for headers in (ann.headers, {"Authorization": "Bearer not-a-token"}):
        response = await api.post(
            ITEMS, json={"variant_id": variant, "quantity": 1}, headers=headers | sid(session)
        )
        assert response.status_code == 201, response.text
        assert (await api.get(f"{GUEST}/", headers=headers | sid(session))).json()["item_count"] >= 1
    assert [(row[1], row[2]) for row in await carts(database_url)] == [(None, session)]


# --- items -----------------------------------------------------------------------------------------


async def test_updating_and_deleting_items(api: Client, database_url: str) -> None:
    session = session_id()
    variant = await stocked_variant(database_url, 10)
    line = await add(api, session, variant, 5)
    patched = await api.patch(item_url(line["id"]), json={"quantity": 2}, headers=sid(session))
    assert (patched.status_code, patched.json()["quantity"], patched.json()["line_total"]) == (
        200,
        2,
        "20.00",
    )
    assert await stock_of(database_url, variant) == (10, 2)
    assert (await api.delete(item_url(line["id"]), headers=sid(session))).status_code == 405
    deleted = await api.delete(item_url(line["id"], delete=True), headers=sid(session))
    assert deleted.status_code == 204
    assert await stock_of(database_url, variant) == (10, 0)
    assert (await read(api, session))["items"] == []


async def test_items_of_other_carts_are_not_found_and_nothing_is_created(
    api: Client, database_url: str
) -> None:
    ann = await shopper(api)
    owner, intruder = session_id(), session_id()
    variant = await stocked_variant(database_url, 10)
    guests = await add(api, owner, variant, 1)
    user_line = await api.post(
        "/api/v1/cart/items/", json={"variant_id": variant, "quantity": 1}, headers=ann.headers
    )
    before = await state_of(database_url)
    for item_id in (guests["id"], user_line.json()["id"], 424242):
        patched = await api.patch(item_url(item_id), json={"quantity": 3}, headers=sid(intruder))
        assert (patched.status_code, patched.json()) == (404, NOT_FOUND)
        deleted = await api.delete(item_url(item_id, delete=True), headers=sid(intruder))
        assert (deleted.status_code, deleted.json()) == (404, NOT_FOUND)
    assert await state_of(database_url) == before  # the intruder's session got no cart either


async def test_not_enough_stock_changes_nothing(api: Client, database_url: str) -> None:
    session, other = session_id(), session_id()
    variant = await stocked_variant(database_url, 2)
    line = await add(api, session, variant, 1)
    await add(api, other, variant, 1)
    cart_before, state_before = await read(api, session), await state_of(database_url)
    added = await api.post(ITEMS, json={"variant_id": variant, "quantity": 1}, headers=sid(session))
    assert (added.status_code, added.json()["code"], added.json()["available"]) == (
        400,
        "insufficient_stock",
        1,
    )
    assert added.json()["detail"] == "Unable to update cart."
    patched = await api.patch(item_url(line["id"]), json={"quantity": 2}, headers=sid(session))
    assert (patched.status_code, patched.json()["available"]) == (400, 1)
    newcomer = session_id()
    refused = await api.post(ITEMS, json={"variant_id": variant, "quantity": 1}, headers=sid(newcomer))
    assert refused.status_code == 400
    assert await read(api, session) == cart_before
    assert await state_of(database_url) == state_before  # not even the newcomer's cart


async def test_clearing_keeps_the_cart(api: Client, database_url: str) -> None:
    session = session_id()
    variant = await stocked_variant(database_url, 3)
    await add(api, session, variant, 3)
    cart_id = (await read(api, session))["id"]
    cleared = await api.post(f"{GUEST}/clear/", headers=sid(session))
    assert (cleared.status_code, cleared.json()) == (200, {"status": "cleared"})
    cart = await read(api, session)
    assert (cart["id"], cart["items"], cart["status"]) == (cart_id, [], "active")
    assert await stock_of(database_url, variant) == (3, 0)


# --- time --------------------------------------------------------------------------------------------


class ShiftedClock(Clock):
    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


class ClockProvider(Provider):
    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    @provide(scope=Scope.APP)
    def clock(self) -> Clock:
        return self._clock


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
async def timed_api(settings_factory: SettingsFactory, clock: ShiftedClock) -> AsyncIterator[Client]:
    settings = settings_factory(THROTTLE_RATES=CART_RATES)
    container = make_container(settings, LitestarProvider(), RateLimitProvider(), ClockProvider(clock))
    async with AsyncTestClient(create_app(settings, container=container), base_url=BASE_URL) as client:
        yield client


async def test_a_lapsed_hold_is_flagged_and_blocks_no_one(
    timed_api: Client, database_url: str, clock: ShiftedClock
) -> None:
    first, second = session_id(), session_id()
    last = await stocked_variant(database_url, 1)
    line = await add(timed_api, first, last, 1)
    clock.offset = timedelta(minutes=31)
    cart = await read(timed_api, first)
    assert cart["items"][0]["reserved_until"] is None
    assert cart["warnings"] == [
        {"item_id": line["id"], "code": "reservation_lapsed", "detail": cart["warnings"][0]["detail"]}
    ]
    taken = await add(timed_api, second, last, 1)  # no sweep has run: the lapsed hold gives way
    assert taken["reserved_until"] is not None
    assert await stock_of(database_url, last) == (1, 1)
    assert [row[4] for row in await reservations(database_url)] == ["released", "active"]


async def test_stale_carts_are_abandoned_by_their_last_line_change(
    timed_api: Client, settings_factory: SettingsFactory, database_url: str, clock: ShiftedClock
) -> None:
    kept, stale = session_id(), session_id()
    variant = await stocked_variant(database_url, 10)
    await add(timed_api, kept, variant, 1)
    await add(timed_api, stale, variant, 1)
    clock.offset = timedelta(minutes=100)
    await add(timed_api, kept, variant, 1)  # created 100 minutes ago, changed now
    clock.offset = timedelta(minutes=150)

    # The job runs on its own container (the test client's app lives in another event loop).
    jobs = make_container(settings_factory(), ClockProvider(clock))
    try:
        async with jobs(scope=Scope.REQUEST) as request:
            abandon = await request.get(AbandonStaleCarts)
            assert await abandon() == 1
    finally:
        await jobs.close()

    assert (await read(timed_api, kept))["item_count"] == 2
    assert await read(timed_api, stale) == EMPTY
    assert {row[2]: row[3] for row in await carts(database_url)} == {kept: "active", stale: "abandoned"}
    assert await stock_of(database_url, variant) == (10, 2)
