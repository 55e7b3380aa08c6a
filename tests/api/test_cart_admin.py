"""`/api/v1/admin/carts/` through the ASGI app, on both engines: staff list and read carts, and
clear, abandon or merge THE SELECTED cart (the reference acts on the owner's current cart instead,
§7.2 #15)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.cart_data import (
    ADMIN,
    CART,
    GUEST,
    Shopper,
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
from tests.conftest import BASE_URL, SettingsFactory, staff_headers

type Client = AsyncTestClient[Litestar]


@pytest.fixture
async def api(settings_factory: SettingsFactory) -> AsyncIterator[Client]:
    async with AsyncTestClient(cart_app(settings_factory), base_url=BASE_URL) as client:
        yield client


@pytest.fixture
async def staff(api: Client, database_url: str) -> dict[str, str]:
    return await staff_headers(api, database_url)


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


async def guest_add(api: Client, session: str, variant_id: int, quantity: int) -> None:
    response = await api.post(
        f"{GUEST}/items/",
        json={"variant_id": variant_id, "quantity": quantity},
        headers={"X-Session-Id": session},
    )
    assert response.status_code == 201, response.text


async def cart_of(api: Client, who: Shopper) -> dict[str, Any]:
    body: dict[str, Any] = (await api.get(f"{CART}/", headers=who.headers)).json()
    return body


async def admin_cart(api: Client, staff: dict[str, str], cart_id: int) -> dict[str, Any]:
    response = await api.get(f"{ADMIN}/{cart_id}/", headers=staff)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


ROUTES = [
    ("GET", f"{ADMIN}/"),
    ("GET", f"{ADMIN}/1/"),
    ("POST", f"{ADMIN}/1/clear/"),
    ("POST", f"{ADMIN}/1/abandon/"),
    ("POST", f"{ADMIN}/1/merge-into/1/"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_staff_only(api: Client, method: str, path: str) -> None:
    assert (await api.request(method, path)).status_code == 401
    ann = await shopper(api)
    forbidden = await api.request(method, path, headers=ann.headers)
    assert (forbidden.status_code, forbidden.json()["code"]) == (403, "permission_denied")


async def test_the_list_filters_and_pages(api: Client, staff: dict[str, str], database_url: str) -> None:
    ann, bob = await shopper(api), await shopper(api)
    variant = await stocked_variant(database_url, 20, price="4.00")
    await add(api, ann, variant, 2)
    old = (await cart_of(api, ann))["id"]
    await api.post(f"{CART}/abandon/", headers=ann.headers)
    await add(api, ann, variant, 3)
    current = (await cart_of(api, ann))["id"]
    bobs = (await cart_of(api, bob))["id"]
    await guest_add(api, session_id(), variant, 1)
    guest = max(row[0] for row in await carts(database_url))

    listing = await api.get(f"{ADMIN}/", headers=staff)
    assert listing.status_code == 200, listing.text
    body = listing.json()
    assert (body["count"], body["next"], body["previous"]) == (4, None, None)
    assert [item["id"] for item in body["results"]] == [guest, bobs, current, old]
    first = body["results"][0]
    assert first == {
        "id": guest,
        "status": "active",
        "owner": {"user_id": None, "guest": True},
        "currency": "NGN",
        "line_count": 1,
        "item_count": 1,
        "subtotal": "4.00",
        "lines_changed_at": first["lines_changed_at"],
        "created_at": first["created_at"],
    }
    assert body["results"][2]["owner"] == {"user_id": ann.id, "guest": False}

    async def ids(query: str) -> list[int]:
        response = await api.get(f"{ADMIN}/?{query}", headers=staff)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["results"]]

    assert await ids(f"user_id={ann.id}") == [current, old]
    assert await ids(f"user_id={ann.id}&status=active") == [current]
    assert await ids("status=abandoned") == [old]
    assert await ids(f"user_id={2**63 + 7}") == []
    paged = (await api.get(f"{ADMIN}/?page=2&page_size=3", headers=staff)).json()
    assert ([item["id"] for item in paged["results"]], paged["next"]) == ([old], None)
    assert paged["previous"].endswith(f"{ADMIN}/?page_size=3")
    assert (await api.get(f"{ADMIN}/?page=3&page_size=3", headers=staff)).json()["detail"] == "Invalid page."
    assert (await api.get(f"{ADMIN}/?status=lost", headers=staff)).status_code == 400


async def test_a_cart_with_its_owner(api: Client, staff: dict[str, str], database_url: str) -> None:
    ann = await shopper(api)
    variant = await stocked_variant(database_url, 5, price="2.50", title="Wool hat")
    session = session_id()
    await guest_add(api, session, variant, 2)
    await add(api, ann, variant, 1)
    user_cart = await cart_of(api, ann)
    body = await admin_cart(api, staff, user_cart["id"])
    assert body["owner"] == {"user_id": ann.id, "guest": False}
    assert {key: body[key] for key in user_cart} == user_cart
    assert body["lines_changed_at"].endswith("Z")
    guest_id = next(row[0] for row in await carts(database_url) if row[2] == session)
    guest = await admin_cart(api, staff, guest_id)
    assert (guest["owner"], guest["item_count"], guest["subtotal"]) == (
        {"user_id": None, "guest": True},
        2,
        "5.00",
    )
    assert session not in str(guest)  # the session id is the guest's secret
    for missing in (424242, 2**64):
        response = await api.get(f"{ADMIN}/{missing}/", headers=staff)
        assert (response.status_code, response.json()["detail"]) == (404, "Not found.")


async def test_actions_act_on_the_selected_cart(
    api: Client, staff: dict[str, str], database_url: str
) -> None:
    ann, bob = await shopper(api), await shopper(api)
    variant = await stocked_variant(database_url, 10)
    await add(api, ann, variant, 2)
    old = (await cart_of(api, ann))["id"]
    await api.post(f"{CART}/abandon/", headers=ann.headers)
    await add(api, ann, variant, 3)
    current = await cart_of(api, ann)

    before = await state_of(database_url)
    for action in ("clear", "abandon", f"merge-into/{bob.id}"):
        response = await api.post(f"{ADMIN}/{old}/{action}/", headers=staff)
        assert (response.status_code, response.json()["code"]) == (409, "cart_not_active"), action
    assert await state_of(database_url) == before  # the owner's current cart is untouched
    assert await cart_of(api, ann) == current

    cleared = await api.post(f"{ADMIN}/{current['id']}/clear/", headers=staff)
    assert (cleared.status_code, cleared.json()) == (200, {"status": "cleared"})
    after_clear = await cart_of(api, ann)
    assert (after_clear["id"], after_clear["items"]) == (current["id"], [])
    assert await stock_of(database_url, variant) == (10, 0)

    await add(api, ann, variant, 1)
    abandoned = await api.post(f"{ADMIN}/{current['id']}/abandon/", headers=staff)
    assert (abandoned.status_code, abandoned.json()) == (200, {"status": "abandoned"})
    statuses = {row[0]: row[3] for row in await carts(database_url)}
    assert (statuses[old], statuses[current["id"]]) == ("abandoned", "abandoned")
    assert await stock_of(database_url, variant) == (10, 0)
    assert (await cart_of(api, ann))["id"] not in (old, current["id"])
    for action in ("clear", "abandon", "merge-into/1"):
        response = await api.post(f"{ADMIN}/424242/{action}/", headers=staff)
        assert response.status_code == 404


async def test_merge_into_moves_the_selected_cart(
    api: Client, staff: dict[str, str], database_url: str
) -> None:
    ann, bob = await shopper(api), await shopper(api)
    last = await stocked_variant(database_url, 1)
    shirt = await stocked_variant(database_url, 5)
    session = session_id()
    await guest_add(api, session, last, 1)  # the guest holds the last unit
    await guest_add(api, session, shirt, 3)
    await add(api, ann, shirt, 2)  # exactly fits
    guest_cart = next(row[0] for row in await carts(database_url) if row[2] == session)
    merged = await api.post(f"{ADMIN}/{guest_cart}/merge-into/{ann.id}/", headers=staff)
    assert (merged.status_code, merged.json()) == (200, {"status": "merged"})
    cart = await cart_of(api, ann)
    assert [(item["variant_id"], item["quantity"]) for item in cart["items"]] == [(shirt, 5), (last, 1)]
    assert guest_cart not in [row[0] for row in await carts(database_url)]

    # A user's cart merges into another user's cart (made when missing), and is gone afterwards.
    moved = await api.post(f"{ADMIN}/{cart['id']}/merge-into/{bob.id}/", headers=staff)
    assert moved.status_code == 200, moved.text
    bobs = await cart_of(api, bob)
    assert [(item["variant_id"], item["quantity"]) for item in bobs["items"]] == [(last, 1), (shirt, 5)]
    assert cart["id"] not in [row[0] for row in await carts(database_url)]
    assert (await cart_of(api, ann))["items"] == []
    assert (await stock_of(database_url, last), await stock_of(database_url, shirt)) == ((1, 1), (5, 5))
    assert {row[3] for row in await reservations(database_url) if row[4] == "active"} == {
        f"cart:{bobs['id']}"
    }

    itself = await api.post(f"{ADMIN}/{bobs['id']}/merge-into/{bob.id}/", headers=staff)
    assert itself.status_code == 200
    assert await cart_of(api, bob) == bobs
    unknown_user = await api.post(f"{ADMIN}/{bobs['id']}/merge-into/424242/", headers=staff)
    assert (unknown_user.status_code, unknown_user.json()["detail"]) == (404, "Not found.")
    assert await cart_of(api, bob) == bobs


async def test_a_refused_merge_into_changes_nothing(
    api: Client, staff: dict[str, str], database_url: str
) -> None:
    ann = await shopper(api)
    scarf = await stocked_variant(database_url, 30)
    session = session_id()
    await guest_add(api, session, scarf, 7)
    await add(api, ann, scarf, 4)
    guest_cart = next(row[0] for row in await carts(database_url) if row[2] == session)
    before = await state_of(database_url)
    response = await api.post(f"{ADMIN}/{guest_cart}/merge-into/{ann.id}/", headers=staff)
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["detail"]) == ("merge_failed", "Unable to merge cart.")
    assert await state_of(database_url) == before
