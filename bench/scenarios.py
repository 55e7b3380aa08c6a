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
    )
}
