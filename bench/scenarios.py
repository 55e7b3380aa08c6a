"""The benchmark scenarios: data plus two small async functions each.

A scenario is a `setup` run once per simulated client, untimed (create a cart, sign in, ...), and
a `step` run in a loop until the time is up; only the requests a step sends through
`session.request` are timed. Keep what setup learns in `session.state`.

A fixed request is one line, with `fetch`:

    fetch("product_list", "GET /api/v1/products/ - first page", Request("GET", "/api/v1/products/"))

A scenario with setup and a POST body (the endpoint names are illustrative):

    async def _cart_setup(session: Session) -> None:
        cart = (await session.call(Request("POST", "/api/v1/cart/", expect=frozenset({201})))).json()
        session.state["headers"] = (("X-Session-Id", cart["session_id"]),)

    async def _cart_step(session: Session) -> None:
        headers = session.state["headers"]
        add = Request.json("POST", "/api/v1/cart/items/", {"sku": "SKU-1", "quantity": 1}, headers=headers)
        await session.request(add)
        remove = Request("DELETE", "/api/v1/cart/items/SKU-1/", headers, expect=frozenset({204}))
        await session.request(remove)

    Scenario("cart_add_remove", "add then remove one item", step=_cart_step, setup=_cart_setup)

Then add it to `SCENARIOS` below; `bench/run.py --scenario NAME` picks it up.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Final

from http1 import Request
from server import STAFF_EMAIL, STAFF_PASSWORD
from session import Session, SetupError

type Step = Callable[[Session], Awaitable[None]]


async def no_setup(session: Session) -> None:
    """The default setup: nothing."""


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    summary: str
    step: Step
    setup: Step = no_setup


def fetch(name: str, summary: str, request: Request) -> Scenario:
    """A scenario that sends the same request over and over."""

    async def step(session: Session) -> None:
        await session.request(request)

    return Scenario(name, summary, step)


PRODUCTS: Final = "/api/v1/catalog/products/"


async def _catalog_setup(session: Session) -> None:
    """Learn the published products (the seeded demo catalog: `avthrift catalog seed`)."""
    first = (await session.call(Request("GET", f"{PRODUCTS}?page_size=100"))).json()
    slugs = [card["slug"] for card in first["results"]]
    for page in range(2, -(-first["count"] // 100) + 1):
        body = (await session.call(Request("GET", f"{PRODUCTS}?page_size=100&page={page}"))).json()
        slugs.extend(card["slug"] for card in body["results"])
    if not slugs:
        raise SetupError("no published products: seed the catalog first")
    session.state["slugs"] = slugs
    session.state["pages"] = -(-len(slugs) // 20)
    session.state["turn"] = session.index  # clients start at different products and pages


def _next_turn(session: Session) -> int:
    turn: int = session.state["turn"]
    session.state["turn"] = turn + 1
    return turn


async def _product_detail_step(session: Session) -> None:
    slugs: list[str] = session.state["slugs"]
    await session.request(Request("GET", f"{PRODUCTS}{slugs[_next_turn(session) % len(slugs)]}/"))


async def _product_list_step(session: Session) -> None:
    page = _next_turn(session) % session.state["pages"] + 1
    await session.request(Request("GET", f"{PRODUCTS}?page={page}&page_size=20"))


GUEST_ITEMS: Final = "/api/v1/cart/guest/items/"
HOT_STOCK: Final = 1_000_000


async def _variants_in_stock(session: Session) -> list[int]:
    """Active variants of the seeded catalog with a unit free, by sku."""
    found: list[int] = []
    page, pages = 1, 1
    while page <= pages:
        body = (
            await session.call(Request("GET", f"/api/v1/catalog/variants/?page_size=100&page={page}"))
        ).json()
        found.extend(variant["id"] for variant in body["results"] if variant["available"] > 0)
        page, pages = page + 1, -(-body["count"] // 100)
    if not found:
        raise SetupError("no variant in stock: seed the catalog first")
    return found


def _guest(session: Session) -> tuple[tuple[str, str], ...]:
    return (("X-Session-Id", f"bench-guest-{session.index:04d}-{'0' * 24}"),)


async def _distinct_setup(session: Session) -> None:
    """Each client buys its own variant (one with a unit free): no two clients share a stock row."""
    variants = await _variants_in_stock(session)
    if session.index >= len(variants):
        raise SetupError(f"{len(variants)} variants in stock: fewer than the clients")
    session.state["variant"] = variants[session.index]
    session.state["headers"] = _guest(session)


async def _hot_setup(session: Session) -> None:
    """Every client buys the same variant, restocked by staff to `HOT_STOCK` units."""
    variant = (await _variants_in_stock(session))[0]
    await _restock(session, await _staff(session), variant)
    session.state["variant"] = variant
    session.state["headers"] = _guest(session)


async def _add_then_remove(session: Session) -> None:
    """Take a hold of one unit (`201`), then give it back by removing the line (`204`)."""
    headers = session.state["headers"]
    add = Request.json(
        "POST",
        GUEST_ITEMS,
        {"variant_id": session.state["variant"], "quantity": 1},
        headers=headers,
        expect=frozenset({201}),
    )
    added = await session.request(add)
    if added is None or added.status != 201:
        return
    item = added.json()["id"]
    await session.request(Request("DELETE", f"{GUEST_ITEMS}{item}/delete/", headers, expect=frozenset({204})))


CHECKOUT_POOL: Final = 12  # variants the checkout clients share (3 each, overlapping)


async def _staff(session: Session) -> tuple[tuple[str, str], ...]:
    sign_in = {"identifier": STAFF_EMAIL, "password": STAFF_PASSWORD}
    tokens = (await session.call(Request.json("POST", "/api/v1/auth/signin/", sign_in))).json()
    return (("Authorization", f"Bearer {tokens['access']}"),)


async def _restock(session: Session, staff: tuple[tuple[str, str], ...], variant: int) -> None:
    found = await session.call(Request("GET", f"/api/v1/inventory/stock-items/?variant_id={variant}", staff))
    item = found.json()["results"][0]
    if item["available"] < HOT_STOCK // 2:
        movement = {"stock_item": item["id"], "movement_type": "in", "quantity": HOT_STOCK, "reason": "bench"}
        await session.call(Request.json("POST", "/api/v1/inventory/movements/", movement, headers=staff))


async def _checkout_setup(session: Session) -> None:
    """A new account per client; 3 variants of a shared pool of 12, restocked by staff."""
    pool = (await _variants_in_stock(session))[:CHECKOUT_POOL]
    if len(pool) < CHECKOUT_POOL:
        raise SetupError(f"{len(pool)} variants in stock: fewer than {CHECKOUT_POOL}")
    staff = await _staff(session)
    mine = [pool[(session.index + step * 4) % CHECKOUT_POOL] for step in range(3)]
    for variant in mine:
        await _restock(session, staff, variant)
    email = f"bench.buyer.{session.index}.{id(session)}@example.com"
    account = {"username": f"buyer{session.index}x{id(session)}", "email": email, "password": STAFF_PASSWORD}
    await session.call(Request.json("POST", "/api/v1/account/register/", account, expect=frozenset({201})))
    tokens = (
        await session.call(
            Request.json("POST", "/api/v1/auth/signin/", {"identifier": email, "password": STAFF_PASSWORD})
        )
    ).json()
    session.state["headers"] = (("Authorization", f"Bearer {tokens['access']}"),)
    session.state["variants"] = mine


async def _checkout_step(session: Session) -> None:
    """Fill the cart with 3 lines (untimed), then check it out (timed, `200`)."""
    headers = session.state["headers"]
    for variant in session.state["variants"]:
        line = {"variant_id": variant, "quantity": 1}
        await session.call(Request.json("POST", "/api/v1/cart/items/", line, headers=headers))
    await session.request(Request("POST", "/api/v1/cart/checkout/", headers, expect=frozenset({200})))


def _floor(route: str) -> Scenario:
    """A `floor_*` scenario: only the `--floor` server (`bench/floor.py`) has its route."""
    request = Request.json("POST", f"/floor/{route}/", {}, expect=frozenset({201}))
    return fetch(f"floor_{route.replace('-', '_')}", f"POST /floor/{route}/ (needs --floor)", request)


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        fetch("health", "GET /health/ - liveness, no I/O", Request("GET", "/health/")),
        fetch("openapi", "GET /api/schema/ - the OpenAPI document as JSON", Request("GET", "/api/schema/")),
        Scenario(
            "product_detail",
            "GET /api/v1/catalog/products/{slug}/ - every seeded product in turn",
            _product_detail_step,
            _catalog_setup,
        ),
        Scenario(
            "product_list",
            "GET /api/v1/catalog/products/?page=N - 20 cards per page, every page in turn",
            _product_list_step,
            _catalog_setup,
        ),
        Scenario(
            "cart_distinct",
            "guest add (hold 1 unit) then remove, each client on its own variant",
            _add_then_remove,
            _distinct_setup,
        ),
        Scenario(
            "cart_hot",
            "guest add (hold 1 unit) then remove, every client on one variant",
            _add_then_remove,
            _hot_setup,
        ),
        Scenario(
            "checkout",
            "fill a user cart with 3 lines (untimed), then POST /api/v1/cart/checkout/ (timed)",
            _checkout_step,
            _checkout_setup,
        ),
        *(_floor(route) for route in ("bare", "pool", "update", "update-raw")),
    )
}
