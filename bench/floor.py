"""The floor of a database-backed request on this machine: what the stack costs before any business
logic (`bench/run.py --floor`, scenarios `floor_*`).

`create_floor_app` is the real application (every route, middleware and setting of `avthrift serve`)
with four extra routes that do the least a cart request could do. Each is a `POST` with a JSON body,
like a cart change:

- `/floor/bare/`: nothing (the framework, middleware and dependency injection alone);
- `/floor/pool/`: check a connection out of the pool and give it back, no statement;
- `/floor/update/`: one conditional `UPDATE` of the hot variant's stock row (the shape of a
  hold), in autocommit, as Core on a pooled SQLAlchemy connection like the adapters;
- `/floor/update-raw/`: the same statement straight on the asyncpg connection.

The `UPDATE` writes `reserved = reserved`: it locks the row, writes a row version, the WAL and a
commit like a hold does, and changes nothing. Never mounted by `avthrift serve`.
"""

from typing import Final

from dishka import FromDishka
from litestar import Controller, Litestar, post
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from avthrift.entrypoints.http.app import create_app
from avthrift.entrypoints.http.rate_limit import RATE_SCOPE

HOT_UPDATE: Final = text(
    "UPDATE stock_items SET reserved = reserved"
    " WHERE variant_id = (SELECT min(variant_id) FROM stock_items WHERE on_hand > 0)"
    " AND on_hand - reserved >= 1 RETURNING id"
)


class FloorController(Controller):
    path = "/floor"
    opt = {RATE_SCOPE: "health"}  # noqa: RUF012 - Litestar reads it as a class attribute

    @post("/bare/", status_code=201)
    async def bare(self) -> dict[str, bool]:
        return {"ok": True}

    @post("/pool/", status_code=201)
    async def pool(self, engine: FromDishka[AsyncEngine]) -> dict[str, bool]:
        async with engine.connect():
            return {"ok": True}

    @post("/update/", status_code=201)
    async def update(self, engine: FromDishka[AsyncEngine]) -> dict[str, bool]:
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            found = (await autocommit.execute(HOT_UPDATE)).first()
        return {"ok": found is not None}

    @post("/update-raw/", status_code=201)
    async def update_raw(self, engine: FromDishka[AsyncEngine]) -> dict[str, bool]:
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            found = await raw.fetchval(HOT_UPDATE.text)  # type: ignore[union-attr]
        return {"ok": found is not None}


def create_floor_app() -> Litestar:
    return create_app(extra_route_handlers=[FloorController])
