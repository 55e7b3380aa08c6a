"""`avthrift inventory check` and `avthrift reservations expire`, run as real processes on each engine."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.stock import HOLDS, SqlAlchemyStockReserver
from avthrift.adapters.sqlalchemy.repositories.stock_ledger import SqlAlchemyStockLedger
from avthrift.domain.inventory.model import HoldState
from tests.catalog_data import catalog_builder
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import execute_sql

UNREACHABLE = {
    "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nowhere",
    "AVTHRIFT_ENV": "dev",
    "DATABASE_CONNECT_TIMEOUT": "2",
}


async def stock(database_url: str, *on_hand: int) -> list[int]:
    """Variants with these units on hand (through the ledger, so the ledger is consistent)."""
    async with catalog_builder(database_url) as catalog:
        product = await catalog.product()
        variants = [await catalog.variant(product) for _ in on_hand]
    engine = create_engine(database_url, use_pool=False)
    try:
        async with AsyncSession(engine) as session:
            ledger = SqlAlchemyStockLedger(session)
            for variant_id, units in zip(variants, on_hand, strict=True):
                await ledger.create_item(variant_id, units, reason="Opening stock")
            await session.commit()
    finally:
        await engine.dispose()
    return variants


async def hold(database_url: str, variant_id: int, quantity: int, *, expires_at: datetime) -> int:
    engine = create_engine(database_url, use_pool=False)
    try:
        async with AsyncSession(engine) as session:
            taken = await SqlAlchemyStockReserver(session).hold(
                variant_id,
                quantity,
                reference="cart:1",
                expires_at=expires_at,
                now=expires_at - timedelta(hours=1),
            )
            await session.commit()
    finally:
        await engine.dispose()
    return taken.id


async def states(database_url: str) -> dict[int, str]:
    engine = create_engine(database_url, use_pool=False)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(select(HOLDS.c.id, HOLDS.c.state))
            return {row.id: row.state for row in rows}
    finally:
        await engine.dispose()


async def test_check_passes_on_a_consistent_ledger(tmp_path: Path, database_url: str) -> None:
    first, _ = await stock(database_url, 5, 0)
    await hold(database_url, first, 2, expires_at=datetime.now(UTC) + timedelta(hours=1))
    result = run(tmp_path, "inventory", "check", DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Ledger consistent: 2 stock items checked."
    assert result.stderr == ""


async def test_check_names_each_variant_that_disagrees_and_exits_1(tmp_path: Path, database_url: str) -> None:
    _, drifted, overbooked = await stock(database_url, 5, 5, 5)
    await hold(database_url, overbooked, 2, expires_at=datetime.now(UTC) + timedelta(hours=1))
    await execute_sql(database_url, "UPDATE stock_items SET on_hand = 7 WHERE variant_id = $1", drifted)
    await execute_sql(database_url, "UPDATE stock_items SET reserved = 1 WHERE variant_id = $1", overbooked)
    result = run(tmp_path, "inventory", "check", DATABASE_URL=database_url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"variant {drifted}: on hand 7 but movements sum to 5",
        f"variant {overbooked}: reserved 1 but active holds sum to 2",
        "avthrift: error: Ledger inconsistent: 2 of 3 stock items disagree with the ledger.",
    ]


async def test_expire_releases_lapsed_holds_and_counts_them(tmp_path: Path, database_url: str) -> None:
    (variant,) = await stock(database_url, 10)
    now = datetime.now(UTC)
    lapsed = [await hold(database_url, variant, 1, expires_at=now - timedelta(minutes=m)) for m in (1, 5, 90)]
    holding = await hold(database_url, variant, 2, expires_at=now + timedelta(hours=1))
    result = run(tmp_path, "reservations", "expire", DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Expired reservations released: 3"
    found = await states(database_url)
    assert [found[hold_id] for hold_id in lapsed] == [HoldState.RELEASED.value] * 3
    assert found[holding] == HoldState.ACTIVE.value
    again = run(tmp_path, "reservations", "expire", DATABASE_URL=database_url)
    assert again.stdout.strip() == "Expired reservations released: 0"
    checked = run(tmp_path, "inventory", "check", DATABASE_URL=database_url)
    assert checked.stdout.strip() == "Ledger consistent: 1 stock items checked."


@pytest.mark.parametrize("command", [["inventory", "check"], ["reservations", "expire"]])
def test_an_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path, command: list[str]) -> None:
    assert_one_line_error(run(tmp_path, *command, **UNREACHABLE), 1, "The database is unavailable.")


def test_the_commands_are_listed(tmp_path: Path) -> None:
    result = run(tmp_path, "--help")
    assert "inventory" in result.stdout
    assert "reservations" in result.stdout
