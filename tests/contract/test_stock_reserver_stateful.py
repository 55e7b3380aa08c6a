"""A hypothesis state machine drives the StockReserver and StockLedger contract (fake, SQLite and
PostgreSQL) with holds, resizes, renewals, releases, sales, sweeps, restocks and the passing of
time, against a model of its own. After every step: the ledger is consistent, 0 <= reserved <=
on_hand, every hold is exactly what the model says (so every hold the model thinks holds is
holding), and the units that holds hold never exceed the stock."""

import asyncio
from collections.abc import Awaitable
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from avthrift.domain.inventory.errors import InsufficientStockError, StockBelowReservedError
from avthrift.domain.inventory.model import Hold, HoldState
from tests.conftest import execute_sql, migrated_database
from tests.contract.test_stock_reserver import NOW, Inventory, open_inventory

VARIANTS = 3
OPENING_STOCK = (1, 2, 4)


@dataclass
class Model:
    """What the stock must be: on-hand units per variant, and every hold ever taken."""

    on_hand: dict[int, int]
    holds: dict[int, Hold]

    def reserved(self, variant_id: int) -> int:
        return sum(
            h.quantity
            for h in self.holds.values()
            if h.variant_id == variant_id and h.state is HoldState.ACTIVE
        )

    def holding(self, variant_id: int, now: datetime, *, but: int | None = None) -> int:
        return sum(
            h.quantity
            for h in self.holds.values()
            if h.variant_id == variant_id and h.id != but and h.holding(now)
        )

    def reclaim(self, variant_id: int, now: datetime, *, but: int | None = None) -> None:
        for hold in list(self.holds.values()):
            if (
                hold.variant_id == variant_id
                and hold.id != but
                and hold.state is HoldState.ACTIVE
                and hold.lapsed(now)
            ):
                self.holds[hold.id] = replace(hold, state=HoldState.RELEASED)

    def take(self, variant_id: int, quantity: int, now: datetime, *, own: Hold | None = None) -> int | None:
        """Units taken as the adapters take them: `None` if they could, else the `available` of the
        error. Lapsed holds are reclaimed only when free units fall short."""
        if self.on_hand[variant_id] - self.reserved(variant_id) >= quantity:
            return None
        self.reclaim(variant_id, now, but=None if own is None else own.id)
        free = self.on_hand[variant_id] - self.reserved(variant_id)
        return None if free >= quantity else free + (0 if own is None else own.quantity)


class StockMachine(RuleBasedStateMachine):
    """Subclassed per backend with `database_url` set (`None`: the fakes)."""

    database_url: str | None = None

    holds = Bundle("holds")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        if self.database_url is not None:  # `expire` sweeps every variant: start each run empty
            for table in ("stock_reservations", "stock_movements", "stock_items"):
                self.run(execute_sql(self.database_url, f"DELETE FROM {table}"))  # noqa: S608
        self.stack = AsyncExitStack()
        self.inventory: Inventory = self.run(
            self.stack.enter_async_context(open_inventory(self.database_url))
        )
        self.variants: list[int] = [self.run(self.inventory.new_variant()) for _ in OPENING_STOCK]
        self.stock_ids = {
            variant_id: self.run(self.inventory.ledger.create_item(variant_id, units, reason="Opening stock"))
            for variant_id, units in zip(self.variants, OPENING_STOCK, strict=True)
        }
        self.run(self.inventory.commit())
        self.now = NOW
        self.model = Model(on_hand=dict(zip(self.variants, OPENING_STOCK, strict=True)), holds={})

    def run[T](self, awaitable: Awaitable[T]) -> T:
        return self.loop.run_until_complete(awaitable)

    def attempt[T](self, awaitable: Awaitable[T]) -> T | InsufficientStockError:
        try:
            return self.run(awaitable)
        except InsufficientStockError as error:
            return error

    def teardown(self) -> None:
        self.run(self.stack.aclose())
        self.loop.close()

    def commit(self) -> None:
        self.run(self.inventory.commit())

    def expires(self, minutes: int) -> datetime:
        return self.now + timedelta(minutes=minutes)

    # --- steps ----------------------------------------------------------------------------------

    @rule(
        target=holds, variant=st.integers(0, VARIANTS - 1), quantity=st.integers(1, 4), ttl=st.integers(1, 60)
    )
    def reserve(self, variant: int, quantity: int, ttl: int) -> Any:
        variant_id = self.variants[variant]
        expected = self.model.take(variant_id, quantity, self.now)
        hold = self.attempt(
            self.inventory.reserver.hold(
                variant_id, quantity, reference=f"cart:{variant}", expires_at=self.expires(ttl), now=self.now
            )
        )
        self.commit()
        if isinstance(hold, InsufficientStockError):
            assert hold.available == expected, (hold.available, expected)
            return multiple()
        assert expected is None, f"held {quantity} though only {expected} were available"
        self.model.holds[hold.id] = hold
        return hold.id

    @rule(hold_id=holds, quantity=st.integers(1, 5), ttl=st.integers(1, 60))
    def resize(self, hold_id: int, quantity: int, ttl: int) -> None:
        old = self.model.holds[hold_id]
        if old.state is not HoldState.ACTIVE:
            expected = self.model.take(old.variant_id, quantity, self.now)
        elif quantity > old.quantity:
            expected = self.model.take(old.variant_id, quantity - old.quantity, self.now, own=old)
        else:
            expected = None
        hold = self.attempt(
            self.inventory.reserver.resize(hold_id, quantity, expires_at=self.expires(ttl), now=self.now)
        )
        self.commit()
        if isinstance(hold, InsufficientStockError):
            assert hold.available == expected, (hold.available, expected)
            return
        assert expected is None, f"resized to {quantity} though only {expected} were available"
        assert (hold.variant_id, hold.reference, hold.quantity) == (old.variant_id, old.reference, quantity)
        assert (hold.id == hold_id) == (old.state is HoldState.ACTIVE)
        self.model.holds[hold.id] = hold

    @rule(hold_ids=st.lists(holds, max_size=4), ttl=st.integers(1, 60))
    def renew(self, hold_ids: list[int], ttl: int) -> None:
        self.run(self.inventory.reserver.renew(hold_ids, expires_at=self.expires(ttl), now=self.now))
        for hold_id in hold_ids:
            if self.model.holds[hold_id].holding(self.now):
                self.model.holds[hold_id] = replace(self.model.holds[hold_id], expires_at=self.expires(ttl))
        self.commit()

    @rule(hold_ids=st.lists(holds, max_size=4))
    def release(self, hold_ids: list[int]) -> None:
        self.run(self.inventory.reserver.release(hold_ids))
        for hold_id in hold_ids:
            if self.model.holds[hold_id].state is HoldState.ACTIVE:
                self.model.holds[hold_id] = replace(self.model.holds[hold_id], state=HoldState.RELEASED)
        self.commit()

    @rule(hold_ids=st.lists(holds, max_size=3))
    def convert(self, hold_ids: list[int]) -> None:
        self.run(self.inventory.reserver.convert(hold_ids, reference="order:1"))
        for hold_id in set(hold_ids):
            hold = self.model.holds[hold_id]
            if hold.state is HoldState.ACTIVE:
                self.model.holds[hold_id] = replace(hold, state=HoldState.CONVERTED)
                self.model.on_hand[hold.variant_id] -= hold.quantity
        self.commit()

    @rule(limit=st.integers(1, 4))
    def expire(self, limit: int) -> None:
        lapsed = sorted(
            (h for h in self.model.holds.values() if h.state is HoldState.ACTIVE and h.lapsed(self.now)),
            key=lambda hold: (hold.expires_at, hold.id),
        )[:limit]
        assert self.run(self.inventory.reserver.expire(self.now, limit)) == len(lapsed)
        for hold in lapsed:
            self.model.holds[hold.id] = replace(hold, state=HoldState.RELEASED)
        self.commit()

    @rule(minutes=st.integers(1, 90))
    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @rule(variant=st.integers(0, VARIANTS - 1), quantity=st.integers(-4, -1) | st.integers(1, 4))
    def restock(self, variant: int, quantity: int) -> None:
        """Deliveries (`in`) and count corrections (`adjust`, either sign) on the ledger."""
        variant_id = self.variants[variant]
        kind = "in" if quantity > 0 else "adjust"
        allowed = self.model.on_hand[variant_id] + quantity >= self.model.reserved(variant_id)
        stock_id = self.stock_ids[variant_id]
        try:
            self.run(self.inventory.ledger.move(stock_id, kind, quantity, reason="Count", reference=""))
        except StockBelowReservedError:
            moved = False
        else:
            moved = True
            self.model.on_hand[variant_id] += quantity
        self.commit()
        assert moved == allowed

    # --- checks ---------------------------------------------------------------------------------

    @invariant()
    def the_ledger_is_consistent(self) -> None:
        assert self.run(self.inventory.ledger.mismatches()) == ()

    @invariant()
    def stock_rows_are_what_the_model_says(self) -> None:
        for variant_id in self.variants:
            on_hand, reserved = self.model.on_hand[variant_id], self.model.reserved(variant_id)
            assert self.run(self.inventory.row(variant_id)) == (on_hand, reserved)
            assert on_hand >= reserved >= 0
            assert self.model.holding(variant_id, self.now) <= on_hand

    @invariant()
    def every_hold_is_what_the_model_says(self) -> None:
        found = self.run(self.inventory.reserver.holds(list(self.model.holds)))
        assert found == self.model.holds
        for hold in self.model.holds.values():
            assert found[hold.id].holding(self.now) == hold.holding(self.now)


class FakeStockMachine(StockMachine):
    database_url = None


@pytest.fixture(params=["sqlite", "postgres"])
def sql_database(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    yield from migrated_database(request.param, request, tmp_path)


def test_the_fakes_keep_the_contract() -> None:
    run_state_machine_as_test(
        FakeStockMachine,
        settings=settings(
            max_examples=150,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.filter_too_much],
        ),
    )


def test_the_sql_adapters_keep_the_contract(sql_database: str) -> None:
    machine = type("SqlStockMachine", (StockMachine,), {"database_url": sql_database})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            # Steps that need a hold wait until one exists; each step runs several statements.
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
