"""`avthrift orders expire-unpaid`, run as a real process against each engine (contract §9, §10):
pending orders older than `ORDER_PAYMENT_TTL_MINUTES` are cancelled and their stock put back; recent,
paid and cancelled orders are left alone."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from avthrift.entrypoints.cli.orders import describe
from tests.cart_data import assert_ledger_consistent, stock_of, stocked_variant
from tests.cli.test_cli import assert_one_line_error, run
from tests.order_data import movements_of, new_buyer, order_statuses, place_order

EXPIRE = ("orders", "expire-unpaid")


async def test_cancels_and_restocks_the_unpaid_orders_past_their_time(
    tmp_path: Path, database_url: str
) -> None:
    shirt = await stocked_variant(database_url, 10)
    hat = await stocked_variant(database_url, 4)
    ann, bob = await new_buyer(database_url), await new_buyer(database_url)
    now = datetime.now(UTC)
    old = await place_order(database_url, ann, [(shirt, 2), (hat, 1)], created_at=now - timedelta(minutes=61))
    older = await place_order(database_url, bob, [(shirt, 1)], created_at=now - timedelta(days=2))
    recent = await place_order(database_url, ann, [(shirt, 3)], created_at=now - timedelta(minutes=50))
    paid = await place_order(database_url, bob, [(hat, 1)], created_at=now - timedelta(days=1), status="paid")
    cancelled = await place_order(
        database_url, bob, [(hat, 1)], created_at=now - timedelta(days=1), status="cancelled"
    )
    assert await stock_of(database_url, shirt) == (4, 0)
    assert await stock_of(database_url, hat) == (1, 0)

    result = run(tmp_path, *EXPIRE, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Cancelled 2 unpaid orders." == describe(2)
    assert await order_statuses(database_url) == {
        old: "cancelled",
        older: "cancelled",
        recent: "pending",
        paid: "paid",
        cancelled: "cancelled",
    }
    assert await stock_of(database_url, shirt) == (7, 0)
    assert await stock_of(database_url, hat) == (2, 0)
    reason = "Order cancelled: not paid in time"
    assert sorted(await movements_of(database_url, f"order:{old}")) == sorted(
        [
            (shirt, "out", -2, "Cart checkout"),
            (hat, "out", -1, "Cart checkout"),
            (shirt, "in", 2, reason),
            (hat, "in", 1, reason),
        ]
    )
    assert [m[1] for m in await movements_of(database_url, f"order:{recent}")] == ["out"]
    assert [m[1] for m in await movements_of(database_url, f"order:{paid}")] == ["out"]
    await assert_ledger_consistent(database_url)

    again = run(tmp_path, *EXPIRE, DATABASE_URL=database_url)
    assert again.stdout.strip() == "Cancelled 0 unpaid orders."
    # The time-to-live comes from ORDER_PAYMENT_TTL_MINUTES.
    shorter = run(tmp_path, *EXPIRE, DATABASE_URL=database_url, ORDER_PAYMENT_TTL_MINUTES="45")
    assert shorter.stdout.strip() == "Cancelled 1 unpaid orders."
    assert (await order_statuses(database_url))[recent] == "cancelled"
    assert await stock_of(database_url, shirt) == (10, 0)
    await assert_ledger_consistent(database_url)


def test_an_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        *EXPIRE,
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert_one_line_error(result, 1, "The database is unavailable.")


def test_a_bad_ttl_names_the_variable(tmp_path: Path) -> None:
    result = run(tmp_path, *EXPIRE, ORDER_PAYMENT_TTL_MINUTES="0")
    assert_one_line_error(result, 2, "ORDER_PAYMENT_TTL_MINUTES")
