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

from http1 import Request
from session import Session

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


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        fetch("health", "GET /health/ - liveness, no I/O", Request("GET", "/health/")),
        fetch("openapi", "GET /api/schema/ - the OpenAPI document as JSON", Request("GET", "/api/schema/")),
    )
}
