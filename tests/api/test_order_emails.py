"""The "order confirmed" email through a real SMTP server (contract §9, reference §3.7): sent after the
payment is confirmed, once, with the link `{FRONTEND_URL}/orders/<id>`."""

import asyncio
import email.message
import json
from collections.abc import AsyncIterator, Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from avthrift.domain.orders.model import order_number
from avthrift.domain.payments.signatures import sign
from avthrift.entrypoints.http.app import create_app
from tests.cart_data import shopper, stocked_variant
from tests.conftest import BASE_URL, SettingsFactory, relaxed_rates, staff_headers
from tests.mail import SmtpServer, decoded_body, links
from tests.order_data import ADMIN_ORDERS, ORDER_RATES, WEBHOOK, place_order

type Client = AsyncTestClient[Litestar]

SECRET = "smtp-webhook-secret"
FRONTEND_URL = "https://shop.example.com"


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def api(settings_factory: SettingsFactory, mail: SmtpServer) -> AsyncIterator[Client]:
    settings = settings_factory(
        THROTTLE_RATES=f"{relaxed_rates()},{ORDER_RATES}",
        EMAIL_BACKEND="smtp",
        EMAIL_HOST=mail.host,
        EMAIL_PORT=str(mail.port),
        EMAIL_USE_TLS="false",
        FRONTEND_URL=FRONTEND_URL + "/",  # one trailing slash is dropped (reference §3.7)
        PAYMENT_WEBHOOK_SECRET=SECRET,
    )
    async with AsyncTestClient(create_app(settings), base_url=BASE_URL) as client:
        yield client


def confirmations(mail: SmtpServer) -> list[email.message.EmailMessage]:
    return [message for message in mail.messages if str(message["Subject"]).endswith(" is confirmed")]


async def wait_for_confirmations(mail: SmtpServer, count: int) -> list[email.message.EmailMessage]:
    for _ in range(500):
        if len(confirmations(mail)) >= count:
            break
        await asyncio.sleep(0.01)
    return confirmations(mail)


async def test_staff_confirmation_mails_the_buyer(api: Client, mail: SmtpServer, database_url: str) -> None:
    buyer = await shopper(api)
    variant = await stocked_variant(database_url, 3)
    order_id = await place_order(database_url, buyer.id, [(variant, 1)])
    staff = await staff_headers(api, database_url)
    assert confirmations(mail) == []

    response = await api.post(f"{ADMIN_ORDERS}/{order_id}/mark-paid/", headers=staff)
    assert response.status_code == 200, response.text
    [message] = await wait_for_confirmations(mail, 1)
    number = order_number(order_id)
    buyer_email = response.json()["email"]
    assert message["To"] == buyer_email
    assert message["Subject"] == f"Your order {number} is confirmed"
    body = decoded_body(message)
    assert body.startswith("Thank you for your purchase!\n")
    assert f"Order: {number}\nStatus: paid\n" in body
    assert links(message) == [f"{FRONTEND_URL}/orders/{order_id}"]
    delivery = next(d for d in mail.deliveries if d.message is message)
    assert delivery.rcpt_tos == (buyer_email,)

    assert (await api.post(f"{ADMIN_ORDERS}/{order_id}/mark-paid/", headers=staff)).status_code == 200
    await asyncio.sleep(0.2)
    assert len(confirmations(mail)) == 1


async def test_a_webhook_delivered_many_times_mails_once(
    api: Client, mail: SmtpServer, database_url: str
) -> None:
    buyer = await shopper(api)
    variant = await stocked_variant(database_url, 3)
    order_id = await place_order(database_url, buyer.id, [(variant, 2)])
    raw = json.dumps({"order_id": order_id, "event": "payment_succeeded"}).encode()
    headers = {"Content-Type": "application/json", "X-Signature": sign(SECRET, raw)}

    for _ in range(4):
        response = await api.post(WEBHOOK, content=raw, headers=headers)
        assert response.status_code == 200, response.text
    [message] = await wait_for_confirmations(mail, 1)
    await asyncio.sleep(0.2)
    assert len(confirmations(mail)) == 1
    assert message["Subject"] == f"Your order {order_number(order_id)} is confirmed"
    assert links(message) == [f"{FRONTEND_URL}/orders/{order_id}"]
