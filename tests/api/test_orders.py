"""`/api/v1/orders/` and `/api/v1/admin/orders/` through the ASGI app, on both engines (reference §1.9,
§3.4; contract §9): the owner's list and detail with stored totals, cancel with restock, pay through
the manual gateway, staff confirmation, and the signed payment webhook. After every test the stock
ledger is consistent."""

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from dishka import Provider, Scope, provide
from dishka.integrations.litestar import LitestarProvider
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.adapters.email.memory import MemoryEmailSender
from avthrift.bootstrap import make_container
from avthrift.domain.orders.model import order_number
from avthrift.domain.payments.signatures import sign
from avthrift.domain.shared.email import EmailMessage, EmailSender
from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RateLimitProvider
from tests.cart_data import Shopper, assert_ledger_consistent, shopper, stock_of, stocked_variant
from tests.conftest import BASE_URL, SettingsFactory, relaxed_rates, staff_headers
from tests.order_data import ADMIN_ORDERS, ORDER_RATES, ORDERS, WEBHOOK, movements_of, place_order

type Client = AsyncTestClient[Litestar]

SECRET = "whsec-test-5b1d0c"
FRONTEND_URL = "https://shop.example.com"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
NOT_FOUND = {
    "type": "urn:avthrift:problem:not_found",
    "title": "Not Found",
    "status": 404,
    "detail": "Not found.",
    "code": "not_found",
}
NOT_UPDATABLE = {
    "type": "urn:avthrift:problem:order_not_updatable",
    "title": "Bad Request",
    "status": 400,
    "detail": "Unable to update order.",
    "code": "order_not_updatable",
}


class _Mail(Provider):
    def __init__(self, sender: MemoryEmailSender) -> None:
        super().__init__()
        self._sender = sender

    @provide(scope=Scope.APP)
    def sender(self) -> EmailSender:
        return self._sender


@dataclass
class Shop:
    api: Client
    database_url: str
    mail: MemoryEmailSender

    async def shopper(self) -> Shopper:
        return await shopper(self.api)

    async def staff(self) -> dict[str, str]:
        return await staff_headers(self.api, self.database_url)

    def confirmation_messages(self) -> list[EmailMessage]:
        return [m for m in self.mail.outbox if m.subject.endswith("is confirmed")]

    def confirmations(self) -> list[str]:
        return [m.subject for m in self.confirmation_messages()]


def order_app(settings_factory: SettingsFactory, mail: MemoryEmailSender, **overrides: str) -> Litestar:
    defaults = {
        "THROTTLE_RATES": relaxed_rates() + "," + ORDER_RATES,
        "PAYMENT_WEBHOOK_SECRET": SECRET,
        "FRONTEND_URL": FRONTEND_URL,
    }
    settings = settings_factory(**(defaults | overrides))
    container = make_container(settings, LitestarProvider(), RateLimitProvider(), _Mail(mail))
    return create_app(settings, container=container)


@pytest.fixture
async def shop(settings_factory: SettingsFactory, database_url: str) -> AsyncIterator[Shop]:
    mail = MemoryEmailSender()
    async with AsyncTestClient(order_app(settings_factory, mail), base_url=BASE_URL) as api:
        yield Shop(api, database_url, mail)


@pytest.fixture(autouse=True)
async def _ledger_stays_consistent(database_url: str) -> AsyncIterator[None]:
    yield
    await assert_ledger_consistent(database_url)


async def get_order(shop: Shop, who: Shopper, order_id: int) -> dict[str, Any]:
    response = await shop.api.get(f"{ORDERS}/{order_id}/", headers=who.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def listed(shop: Shop, who: Shopper, query: str = "") -> list[int]:
    response = await shop.api.get(f"{ORDERS}/?{query}", headers=who.headers)
    assert response.status_code == 200, response.text
    return [order["id"] for order in response.json()["results"]]


def signed(body: dict[str, Any] | bytes, secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", "X-Signature": sign(secret, raw)}


async def webhook(shop: Shop, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> Any:
    raw, signed_headers = signed(body)
    return await shop.api.post(WEBHOOK, content=raw, headers=signed_headers if headers is None else headers)


# --- reads ----------------------------------------------------------------------------------------


async def test_the_order_body_has_stored_totals_as_strings(shop: Shop) -> None:
    ann = await shop.shopper()
    shirt = await stocked_variant(shop.database_url, 5, price="2500.50", title="Linen shirt")
    hat = await stocked_variant(shop.database_url, 5, price="300.00", title="Straw hat")
    order_id = await place_order(shop.database_url, ann.id, [(shirt, 2), (hat, 1)], shipping="1500.00")

    body = await get_order(shop, ann, order_id)
    assert ISO_Z.match(body.pop("created_at"))
    items = body.pop("items")
    assert body == {
        "id": order_id,
        "number": order_number(order_id),
        "status": "pending",
        "email": body["email"],
        "currency": "NGN",
        "subtotal": "5301.00",
        "shipping": "1500.00",
        "tax": "0.00",
        "discount": "0.00",
        "total": "6801.00",
        "paid_at": None,
        "cancelled_at": None,
    }
    assert body["email"].endswith("@example.com")
    assert [{k: v for k, v in item.items() if k != "id"} for item in items] == [
        {
            "variant_id": shirt,
            "product_title": "Linen shirt",
            "variant_sku": items[0]["variant_sku"],
            "quantity": 2,
            "unit_price": "2500.50",
            "line_total": "5001.00",
        },
        {
            "variant_id": hat,
            "product_title": "Straw hat",
            "variant_sku": items[1]["variant_sku"],
            "quantity": 1,
            "unit_price": "300.00",
            "line_total": "300.00",
        },
    ]
    # Client-controlled totals are gone (reference §7.2 #10): the parameters change nothing.
    tampered = await shop.api.get(
        f"{ORDERS}/{order_id}/?tax=NaN&shipping=-5&discount=999999", headers=ann.headers
    )
    assert tampered.status_code == 200
    assert tampered.json()["total"] == "6801.00"
    assert (await shop.api.get(f"{ORDERS}/{order_id}", headers=ann.headers)).json()["id"] == order_id


async def test_another_users_order_is_not_found(shop: Shop) -> None:
    ann, bob = await shop.shopper(), await shop.shopper()
    variant = await stocked_variant(shop.database_url, 5)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])

    for method, path in (
        ("GET", f"{ORDERS}/{order_id}/"),
        ("POST", f"{ORDERS}/{order_id}/pay/"),
        ("POST", f"{ORDERS}/{order_id}/cancel/"),
    ):
        response = await shop.api.request(method, path, headers=bob.headers)
        assert response.status_code == 404, (path, response.text)
        assert response.json() == NOT_FOUND
        unknown = await shop.api.request(
            method, path.replace(str(order_id), str(order_id + 1000)), headers=ann.headers
        )
        assert unknown.json() == NOT_FOUND
        anonymous = await shop.api.request(method, path)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
    assert await listed(shop, bob) == []
    assert (await get_order(shop, ann, order_id))["status"] == "pending"


async def test_the_list_filters_and_pages(shop: Shop) -> None:
    ann, bob = await shop.shopper(), await shop.shopper()
    variant = await stocked_variant(shop.database_url, 20)
    at = [datetime(2026, 1, day, 12, tzinfo=UTC) for day in (10, 15, 20)]
    first = await place_order(shop.database_url, ann.id, [(variant, 1)], created_at=at[0], status="paid")
    second = await place_order(shop.database_url, ann.id, [(variant, 2)], created_at=at[1])
    third = await place_order(shop.database_url, ann.id, [(variant, 1)], created_at=at[2], status="cancelled")
    await place_order(shop.database_url, bob.id, [(variant, 1)], created_at=at[1])

    assert await listed(shop, ann) == [third, second, first]
    assert await listed(shop, ann, "status=paid") == [first]
    assert await listed(shop, ann, "status=pending") == [second]
    assert await listed(shop, ann, f"number={order_number(second)}") == [second]
    assert await listed(shop, ann, "number=ORD-999999") == []
    assert await listed(shop, ann, "start=2026-01-15") == [third, second]
    assert await listed(shop, ann, "start=2026-01-15T12:00:01Z") == [third]
    assert await listed(shop, ann, "start=2026-01-15T13:00:00%2B01:00") == [third, second]
    assert await listed(shop, ann, "start=2026-01-15T12:00:00") == [third, second]  # no offset: UTC
    # A bare date for `end` takes in the whole day.
    assert await listed(shop, ann, "end=2026-01-15") == [second, first]
    assert await listed(shop, ann, "end=2026-01-15T11:59:59Z") == [first]
    assert await listed(shop, ann, "start=2026-01-11&end=2026-01-19&status=pending") == [second]
    assert await listed(shop, ann, "start=&end=&number=") == [third, second, first]
    assert await listed(shop, ann, "tax=5&unknown=1") == [third, second, first]

    page = await shop.api.get(f"{ORDERS}/?page_size=1&page=2&status=", headers=ann.headers)
    assert page.status_code == 400  # an empty status is not a status
    page = await shop.api.get(f"{ORDERS}/?page_size=1&page=2", headers=ann.headers)
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["count"] == 3
    assert [order["id"] for order in body["results"]] == [second]
    assert body["next"] == f"{BASE_URL}{ORDERS}/?page_size=1&page=3"
    assert body["previous"] == f"{BASE_URL}{ORDERS}/?page_size=1"
    past = await shop.api.get(f"{ORDERS}/?page=9", headers=ann.headers)
    assert past.status_code == 404
    assert past.json()["detail"] == "Invalid page."
    assert page.headers["ratelimit-policy"].startswith('"orders";')


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=yesterday", "start"),
        ("end=2026-13-01", "end"),
        ("start=2026-01-01T25:00:00Z", "start"),
        ("end=15/01/2026", "end"),
        ("start=0001-01-01T00:00:00%2B01:00", "start"),
        ("status=shipped", "status"),
        ("page_size=101", "page_size"),
        ("page_size=0", "page_size"),
        ("page=0", "page"),
    ],
)
async def test_bad_filters_are_400_naming_the_parameter(shop: Shop, query: str, field: str) -> None:
    ann = await shop.shopper()
    response = await shop.api.get(f"{ORDERS}/?{query}", headers=ann.headers)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [param["name"] for param in response.json()["invalid_params"]]


async def test_page_size_100_is_allowed(shop: Shop) -> None:
    ann = await shop.shopper()
    response = await shop.api.get(f"{ORDERS}/?page_size=100", headers=ann.headers)
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


# --- cancel ---------------------------------------------------------------------------------------


async def test_cancelling_a_pending_order_puts_its_stock_back(shop: Shop) -> None:
    ann = await shop.shopper()
    shirt = await stocked_variant(shop.database_url, 5)
    hat = await stocked_variant(shop.database_url, 3)
    order_id = await place_order(shop.database_url, ann.id, [(shirt, 2), (hat, 3)])
    assert await stock_of(shop.database_url, shirt) == (3, 0)
    assert await stock_of(shop.database_url, hat) == (0, 0)

    response = await shop.api.post(f"{ORDERS}/{order_id}/cancel/", headers=ann.headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled"
    assert ISO_Z.match(body["cancelled_at"])
    assert body["paid_at"] is None
    assert await stock_of(shop.database_url, shirt) == (5, 0)
    assert await stock_of(shop.database_url, hat) == (3, 0)
    reference = f"order:{order_id}"
    expected = [
        (shirt, "out", -2, "Cart checkout"),
        (hat, "out", -3, "Cart checkout"),
        (shirt, "in", 2, "Order cancelled"),
        (hat, "in", 3, "Order cancelled"),
    ]
    assert sorted(await movements_of(shop.database_url, reference)) == sorted(expected)

    # Cancelling again is a no-op: the same order, no second restock.
    again = await shop.api.post(f"{ORDERS}/{order_id}/cancel", headers=ann.headers)
    assert again.status_code == 200
    assert again.json() == body
    assert await stock_of(shop.database_url, shirt) == (5, 0)
    assert len(await movements_of(shop.database_url, reference)) == 4

    # A cancelled order can be neither paid nor marked paid.
    for path, headers in (
        (f"{ORDERS}/{order_id}/pay/", ann.headers),
        (f"{ADMIN_ORDERS}/{order_id}/mark-paid/", await shop.staff()),
    ):
        refused = await shop.api.post(path, headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json() == NOT_UPDATABLE
    assert (await get_order(shop, ann, order_id))["status"] == "cancelled"
    assert shop.confirmations() == []


async def test_a_paid_order_cannot_be_cancelled(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])
    staff = await shop.staff()
    assert (await shop.api.post(f"{ADMIN_ORDERS}/{order_id}/mark-paid/", headers=staff)).status_code == 200

    for path, headers in (
        (f"{ORDERS}/{order_id}/cancel/", ann.headers),
        (f"{ADMIN_ORDERS}/{order_id}/cancel/", staff),
    ):
        response = await shop.api.post(path, headers=headers)
        assert response.status_code == 400, response.text
        assert response.json() == NOT_UPDATABLE
    assert (await get_order(shop, ann, order_id))["status"] == "paid"
    assert await stock_of(shop.database_url, variant) == (3, 0)
    assert len(await movements_of(shop.database_url, f"order:{order_id}")) == 1


async def test_staff_cancel_any_order_and_others_may_not(shop: Shop) -> None:
    ann, bob = await shop.shopper(), await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 3)])

    assert (await shop.api.post(f"{ADMIN_ORDERS}/{order_id}/cancel/")).status_code == 401
    assert (await shop.api.post(f"{ADMIN_ORDERS}/{order_id}/cancel/", headers=bob.headers)).status_code == 403
    assert (await shop.api.post(f"{ADMIN_ORDERS}/{order_id}/cancel/", headers=ann.headers)).status_code == 403
    response = await shop.api.post(f"{ADMIN_ORDERS}/{order_id}/cancel/", headers=await shop.staff())
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert await stock_of(shop.database_url, variant) == (4, 0)


# --- pay and staff confirmation -------------------------------------------------------------------


async def test_paying_starts_a_manual_payment_and_never_marks_the_order_paid(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4, price="12500.00")
    order_id = await place_order(shop.database_url, ann.id, [(variant, 2)])
    number = order_number(order_id)

    for _ in range(2):  # asking twice shows the same payment
        response = await shop.api.post(f"{ORDERS}/{order_id}/pay/", headers=ann.headers)
        assert response.status_code == 202, response.text
        body = response.json()
        assert set(body) == {"status", "gateway", "reference", "instructions", "order"}
        assert body["status"] == "pending"
        assert body["gateway"] == "manual"
        assert body["reference"] == number
        assert number in body["instructions"]
        assert "25000.00 NGN" in body["instructions"]
        assert "Staff will confirm your payment" in body["instructions"]
        assert body["order"] == await get_order(shop, ann, order_id)
        assert body["order"]["status"] == "pending"
    assert shop.confirmations() == []
    assert response.headers["ratelimit-policy"].startswith('"orders_write";')


async def test_staff_mark_paid_sends_one_confirmation(shop: Shop) -> None:
    ann, bob = await shop.shopper(), await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])
    path = f"{ADMIN_ORDERS}/{order_id}/mark-paid/"

    assert (await shop.api.post(path)).status_code == 401
    forbidden = await shop.api.post(path, headers=bob.headers)
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "permission_denied"
    staff = await shop.staff()
    assert (
        await shop.api.post(f"{ADMIN_ORDERS}/{order_id + 1000}/mark-paid/", headers=staff)
    ).json() == NOT_FOUND

    response = await shop.api.post(path, headers=staff)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "paid"
    assert ISO_Z.match(body["paid_at"])
    assert body == await get_order(shop, ann, order_id)
    again = await shop.api.post(path.rstrip("/"), headers=staff)
    assert again.status_code == 200
    assert again.json() == body

    [message] = shop.confirmation_messages()
    number = order_number(order_id)
    assert message.to == body["email"]
    assert message.subject == f"Your order {number} is confirmed"
    assert f"Order: {number}\nStatus: paid" in message.body
    assert f"{FRONTEND_URL}/orders/{order_id}" in message.body

    # Paying a paid order is a no-op answered with the order.
    paid = await shop.api.post(f"{ORDERS}/{order_id}/pay/", headers=ann.headers)
    assert paid.status_code == 200, paid.text
    assert paid.json() == body
    assert len(shop.confirmations()) == 1
    assert await stock_of(shop.database_url, variant) == (3, 0)


# --- the payment webhook --------------------------------------------------------------------------


async def test_the_webhook_refuses_unsigned_requests(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])
    event = {"order_id": order_id, "event": "payment_succeeded"}
    raw, headers = signed(event)
    other_raw, other_headers = signed({"order_id": order_id + 1, "event": "payment_succeeded"})

    attempts = [
        {"Content-Type": "application/json"},  # no signature
        headers | {"X-Signature": "0" * 64},  # a wrong one
        headers | {"X-Signature": other_headers["X-Signature"]},  # over another body
        headers | {"X-Signature": sign("another-secret", raw)},  # with another key
        headers | {"X-Signature": headers["X-Signature"].upper()},  # not lowercase hex
        headers | {"X-Signature": headers["X-Signature"] + "00"},
        headers
        | {"Authorization": ann.headers["Authorization"], "X-Signature": ""},  # a user token is no signature
    ]
    for attempt in attempts:
        response = await shop.api.post(WEBHOOK, content=raw, headers=attempt)
        assert response.status_code == 401, (attempt, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "invalid_signature"
        assert response.headers["www-authenticate"].startswith("Signature")
    # An unsigned body is refused before it is even read as JSON.
    assert (await shop.api.post(WEBHOOK, content=b"{not json", headers=attempts[0])).status_code == 401
    assert (await shop.api.post(WEBHOOK, content=other_raw, headers=headers)).status_code == 401
    assert (await get_order(shop, ann, order_id))["status"] == "pending"
    assert shop.confirmations() == []


async def test_a_signed_success_event_marks_the_order_paid_exactly_once(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 2)])

    responses = [await webhook(shop, {"order_id": order_id, "event": "payment_succeeded"}) for _ in range(6)]
    for response in responses:
        assert response.status_code == 200, response.text
        assert response.json() == {"status": "paid", "order_id": order_id}
    order = await get_order(shop, ann, order_id)
    assert order["status"] == "paid"
    assert shop.confirmations() == [f"Your order {order_number(order_id)} is confirmed"]
    assert await stock_of(shop.database_url, variant) == (2, 0)

    # The reference's other spelling, any case, on another order.
    other = await place_order(shop.database_url, ann.id, [(variant, 1)])
    response = await webhook(shop, {"event": "Payment.Succeeded", "order_id": other})
    assert response.status_code == 200, response.text
    assert (await get_order(shop, ann, other))["status"] == "paid"
    assert len(shop.confirmations()) == 2


async def test_webhook_refusals_after_the_signature(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 4)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])
    cancelled = await place_order(shop.database_url, ann.id, [(variant, 1)], status="cancelled")

    unknown = await webhook(shop, {"order_id": order_id + 1000, "event": "payment_succeeded"})
    assert unknown.status_code == 404
    assert unknown.json() == NOT_FOUND
    huge = await webhook(shop, {"order_id": 2**63, "event": "payment_succeeded"})
    assert huge.status_code == 404
    unsupported = await webhook(shop, {"order_id": order_id, "event": "payment_failed"})
    assert unsupported.status_code == 400
    assert unsupported.json()["code"] == "unsupported_event"
    assert unsupported.json()["detail"] == "Unsupported event"
    for body in (
        {"order_id": order_id},
        {"event": "payment_succeeded"},
        {"order_id": str(order_id), "event": "payment_succeeded"},
        {"order_id": order_id, "event": "payment_succeeded", "amount": "1.00"},
        b"",
        b"[]",
    ):
        response = await webhook(shop, body)
        assert response.status_code == 400, (body, response.text)
    malformed = await webhook(shop, b"{not json")
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "malformed_json"
    refused = await webhook(shop, {"order_id": cancelled, "event": "payment_succeeded"})
    assert refused.status_code == 400
    assert refused.json() == NOT_UPDATABLE
    assert (await get_order(shop, ann, order_id))["status"] == "pending"
    assert shop.confirmations() == []


async def test_without_a_secret_every_webhook_is_refused(
    settings_factory: SettingsFactory, database_url: str
) -> None:
    mail = MemoryEmailSender()
    app = order_app(settings_factory, mail, PAYMENT_WEBHOOK_SECRET="")
    async with AsyncTestClient(app, base_url=BASE_URL) as api:
        shop = Shop(api, database_url, mail)
        ann = await shop.shopper()
        variant = await stocked_variant(database_url, 2)
        order_id = await place_order(database_url, ann.id, [(variant, 1)])
        raw, headers = signed({"order_id": order_id, "event": "payment_succeeded"}, secret="")
        response = await api.post(WEBHOOK, content=raw, headers=headers)
        assert response.status_code == 401
        assert (await get_order(shop, ann, order_id))["status"] == "pending"


async def test_every_order_operation_is_documented(shop: Shop) -> None:
    schema = (await shop.api.get("/api/schema/")).json()
    expected = {
        ("/api/v1/orders", "get"): {"200", "400", "401", "404", "429"},
        ("/api/v1/orders/{order_id}", "get"): {"200", "400", "401", "404", "429"},
        ("/api/v1/orders/{order_id}/pay", "post"): {"200", "202", "400", "401", "404", "409", "422", "429"},
        ("/api/v1/orders/{order_id}/cancel", "post"): {"200", "400", "401", "404", "409", "422", "429"},
        ("/api/v1/orders/webhooks/payment", "post"): {"200", "400", "401", "404", "409", "422", "429"},
        ("/api/v1/admin/orders/{order_id}/mark-paid", "post"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "409",
            "422",
            "429",
        },
        ("/api/v1/admin/orders/{order_id}/cancel", "post"): {
            "200",
            "400",
            "401",
            "403",
            "404",
            "409",
            "422",
            "429",
        },
    }
    for (path, method), statuses in expected.items():
        operation = schema["paths"][path][method]
        assert set(operation["responses"]) == statuses, path
        assert operation["description"], path
    pay = schema["paths"]["/api/v1/orders/{order_id}/pay"]["post"]["responses"]
    assert pay["202"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PaymentOut"}
    assert pay["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/OrderOut"}
    hook = schema["paths"]["/api/v1/orders/webhooks/payment"]["post"]
    assert [(p["name"], p["in"], p["required"]) for p in hook["parameters"]] == [
        ("X-Signature", "header", True),
        ("Idempotency-Key", "header", False),
    ]
    for path, method in expected:
        names = {p["name"] for p in schema["paths"][path][method].get("parameters", [])}
        assert ("Idempotency-Key" in names) == (method == "post"), path
    assert "security" not in hook or hook["security"] == []
    listing = schema["paths"]["/api/v1/orders"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "page",
        "page_size",
        "status",
        "number",
        "start",
        "end",
    }


# --- Idempotency-Key (contract §8) ---------------------------------------------------------------


async def test_order_writes_replay_under_an_idempotency_key(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 6)
    to_cancel = await place_order(shop.database_url, ann.id, [(variant, 2)])
    to_pay = await place_order(shop.database_url, ann.id, [(variant, 1)])
    staff = await shop.staff()

    for path, headers, status in (
        (f"{ORDERS}/{to_cancel}/cancel/", ann.headers, 200),
        (f"{ORDERS}/{to_pay}/pay/", ann.headers, 202),
        (f"{ADMIN_ORDERS}/{to_pay}/mark-paid/", staff, 200),
    ):
        keyed = headers | {"Idempotency-Key": f"key-{path}"}
        first = await shop.api.post(path, headers=keyed)
        assert first.status_code == status, first.text
        assert "idempotency-replayed" not in first.headers
        again = await shop.api.post(path, headers=keyed)
        assert again.status_code == first.status_code
        assert again.content == first.content
        assert again.headers["idempotency-replayed"] == "true"
        reused = await shop.api.post(path, headers=keyed, json={"other": "body"})
        assert reused.status_code == 422, reused.text
    # The replayed cancel restocked once; the replayed mark-paid mailed once.
    assert await stock_of(shop.database_url, variant) == (5, 0)
    assert len(shop.confirmations()) == 1


async def test_the_webhook_honours_an_idempotency_key_only_once_signed(shop: Shop) -> None:
    ann = await shop.shopper()
    variant = await stocked_variant(shop.database_url, 2)
    order_id = await place_order(shop.database_url, ann.id, [(variant, 1)])
    raw, headers = signed({"order_id": order_id, "event": "payment_succeeded"})
    key = {"Idempotency-Key": "delivery-42"}

    # An unsigned delivery is refused and leaves nothing behind under its key...
    forged = await shop.api.post(WEBHOOK, content=raw, headers=headers | key | {"X-Signature": "0" * 64})
    assert forged.status_code == 401
    # ...so the signed one with the same key and body runs, and its answer is replayed.
    first = await shop.api.post(WEBHOOK, content=raw, headers=headers | key)
    assert first.status_code == 200, first.text
    assert "idempotency-replayed" not in first.headers
    again = await shop.api.post(WEBHOOK, content=raw, headers=headers | key)
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["idempotency-replayed"] == "true"
    assert (await get_order(shop, ann, order_id))["status"] == "paid"
    assert len(shop.confirmations()) == 1
    # Once the answer is stored, the key alone gets nothing: the signature is checked first.
    unsigned = {"Content-Type": "application/json"} | key
    for refused in (
        await shop.api.post(WEBHOOK, content=raw, headers=unsigned),
        await shop.api.post(WEBHOOK, content=raw, headers=unsigned | {"X-Signature": "0" * 64}),
    ):
        assert refused.status_code == 401, refused.text
        assert "idempotency-replayed" not in refused.headers
        assert refused.json()["code"] == "invalid_signature"
