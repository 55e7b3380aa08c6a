"""The storefront journey end to end (issue 6): a real `avthrift serve` process on PostgreSQL sending
real mail to an SMTP server. Register, confirm the email from the received message, browse, fill a
guest cart, sign in, merge, check out with an `Idempotency-Key`, replay it, pay through the manual
gateway, staff marks the order paid, and the confirmation email arrives."""

import uuid
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.catalog_data import catalog_builder
from tests.conftest import STRONG_PASSWORD, execute_sql
from tests.e2e.conftest import StartServer
from tests.e2e.shop import UNTHROTTLED, Shop, account, bearer
from tests.mail import SmtpServer, decoded_body, links

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

FRONTEND_URL = "https://shop.example.com"


@pytest.fixture
def mail() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


def _uid_and_token(link: str, page: str) -> dict[str, str]:
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{FRONTEND_URL}/{page}", link
    query = parse_qs(parts.query, strict_parsing=True)
    return {"uid": query["uid"][0], "token": query["token"][0]}


def _environment(database_url: str, mail: SmtpServer) -> dict[str, str]:
    return {
        "AVTHRIFT_ENV": "test",
        "DATABASE_URL": database_url,
        "THROTTLE_RATES": UNTHROTTLED,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PASSWORD_HASH_MEMORY_KIB": "1024",
        "PASSWORD_HASH_TIME_COST": "1",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": mail.host,
        "EMAIL_PORT": str(mail.port),
        "EMAIL_USE_TLS": "false",
        "FRONTEND_URL": FRONTEND_URL,
        "LOG_LEVEL": "warning",
    }


async def _staff_stocks_one_unit(
    client: httpx.AsyncClient, database_url: str, variant: int
) -> dict[str, str]:
    staff_email, staff_password = await account(client, "staff")
    await execute_sql(database_url, "UPDATE users SET is_staff = TRUE WHERE email = $1", staff_email)
    staff = await bearer(client, staff_email, staff_password)
    stocked = await client.post(
        "/api/v1/inventory/stock-items/", json={"variant_id": variant, "quantity": 1}, headers=staff
    )
    assert stocked.status_code == 201, stocked.text
    return staff


async def _register_and_confirm(
    client: httpx.AsyncClient, mail: SmtpServer, email: str, username: str
) -> None:
    delivered = len(mail.deliveries)
    body = {"username": username, "email": email, "password": STRONG_PASSWORD}
    registered = await client.post("/api/v1/account/register/", json=body)
    assert registered.status_code == 201, registered.text
    [verify_link] = links((await mail.wait_for(delivered + 1))[-1])
    confirmed = await client.post(
        "/api/v1/account/email-verify/confirm/", json=_uid_and_token(verify_link, "verify-email")
    )
    assert confirmed.status_code == 200, confirmed.text


async def _browse_and_fill_a_guest_cart(client: httpx.AsyncClient, slug: str, variant: int) -> dict[str, str]:
    listed = await client.get("/api/v1/catalog/products/", params={"search": "denim", "page_size": 100})
    assert listed.status_code == 200, listed.text
    assert slug in {card["slug"] for card in listed.json()["results"]}
    detail = await client.get(f"/api/v1/catalog/products/{slug}/")
    assert detail.status_code == 200, detail.text
    assert variant in {v["id"] for v in detail.json()["variants"]}
    session = {"X-Session-Id": uuid.uuid4().hex}
    added = await client.post(
        "/api/v1/cart/guest/items/", json={"variant_id": variant, "quantity": 1}, headers=session
    )
    assert added.status_code == 201, added.text
    return session


async def _merge(
    client: httpx.AsyncClient, user: dict[str, str], session: dict[str, str], variant: int
) -> None:
    merged = await client.post("/api/v1/cart/merge-guest/", headers=user | session)
    assert merged.status_code == 200, merged.text
    cart = (await client.get("/api/v1/cart/", headers=user)).json()
    assert [(item["variant_id"], item["quantity"]) for item in cart["items"]] == [(variant, 1)]
    assert cart["total"] == "18500.00"


async def _check_out_and_replay(client: httpx.AsyncClient, user: dict[str, str], key: str) -> httpx.Response:
    keyed = user | {"Idempotency-Key": key}
    checked_out = await client.post("/api/v1/cart/checkout/", headers=keyed)
    assert checked_out.status_code == 200, checked_out.text
    assert "Idempotency-Replayed" not in checked_out.headers
    replayed = await client.post("/api/v1/cart/checkout/", headers=keyed)
    assert replayed.status_code == 200
    assert replayed.content == checked_out.content
    assert replayed.headers["Idempotency-Replayed"] == "true"
    orders = (await client.get("/api/v1/orders/", headers=user)).json()
    assert [order["id"] for order in orders["results"]] == [checked_out.json()["order_id"]]
    return checked_out


async def _pay_manually(client: httpx.AsyncClient, user: dict[str, str], order_id: int) -> dict[str, object]:
    paying = await client.post(f"/api/v1/orders/{order_id}/pay/", headers=user)
    assert paying.status_code == 202, paying.text
    assert paying.json()["instructions"]
    order: dict[str, object] = (await client.get(f"/api/v1/orders/{order_id}/", headers=user)).json()
    assert order["status"] == "pending"
    assert order["total"] == "18500.00"
    return order


async def test_register_browse_fill_merge_check_out_pay_and_get_confirmed(
    start_server: StartServer, database_url: str, mail: SmtpServer
) -> None:
    server = start_server(_environment(database_url, mail), workers=2)
    tag = uuid.uuid4().hex[:10]
    async with catalog_builder(database_url) as catalog:
        product = await catalog.product("Vintage denim jacket", slug=f"denim-{tag}")
        variant = await catalog.variant(product, sku=f"DENIM-{tag}", price="18500.00")
    email = f"ada_{tag}@example.com"

    async with httpx.AsyncClient(base_url=server.base_url, timeout=30.0) as client:
        staff = await _staff_stocks_one_unit(client, database_url, variant)
        await _register_and_confirm(client, mail, email, f"ada_{tag}")
        session = await _browse_and_fill_a_guest_cart(client, f"denim-{tag}", variant)
        user = await bearer(client, email, STRONG_PASSWORD)
        await _merge(client, user, session, variant)
        delivered = len(mail.deliveries)
        checked_out = await _check_out_and_replay(client, user, f"checkout-{tag}")
        order_id = checked_out.json()["order_id"]
        received = (await mail.wait_for(delivered + 1))[-1]
        assert received["To"] == email
        assert checked_out.json()["order_number"] in received["Subject"]
        order = await _pay_manually(client, user, order_id)

        marked = await client.post(f"/api/v1/admin/orders/{order_id}/mark-paid/", headers=staff)
        assert marked.status_code == 200, marked.text
        assert marked.json()["status"] == "paid"
        confirmation = (await mail.wait_for(delivered + 2))[-1]
        assert confirmation["To"] == email
        assert confirmation["Subject"] == f"Your order {order['number']} is confirmed"
        assert f"{FRONTEND_URL}/orders/{order_id}" in decoded_body(confirmation)
        paid = (await client.get(f"/api/v1/orders/{order_id}/", headers=user)).json()
        assert paid["status"] == "paid"

    shop = Shop(server, database_url, staff)
    assert await shop.stock(variant) == (0, 0, 0)  # sold: nothing on hand, nothing held
    checked = shop.check_ledger()
    assert checked.returncode == 0, checked.stderr
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
