"""`avthrift carts abandon-stale`, run as a real process against each engine (reference §3.6, §5;
contract §7, §10). The carts are filled through the API; their times are then moved back."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from litestar.testing import AsyncTestClient
from sqlalchemy import update

from avthrift.adapters.sqlalchemy.rows.carts import CartRow
from avthrift.entrypoints.cli.carts import describe
from tests.cart_data import (
    GUEST,
    assert_ledger_consistent,
    cart_app,
    carts,
    execute,
    reservations,
    session_id,
    stock_of,
    stocked_variant,
)
from tests.cli.test_cli import assert_one_line_error, run
from tests.conftest import BASE_URL, SettingsFactory

ABANDON = ("carts", "abandon-stale")


async def _age(database_url: str, session: str, *, changed: timedelta, created: timedelta) -> None:
    now = datetime.now(UTC)
    await execute(
        database_url,
        update(CartRow)
        .where(CartRow.session_id == session)
        .values(lines_changed_at=now - changed, created_at=now - created),
    )


async def test_abandons_the_carts_whose_last_line_change_is_stale(
    tmp_path: Path, settings_factory: SettingsFactory, database_url: str
) -> None:
    variant = await stocked_variant(database_url, 10)
    stale, busy, fresh = session_id(), session_id(), session_id()
    async with AsyncTestClient(cart_app(settings_factory), base_url=BASE_URL) as api:
        for session, quantity in ((stale, 2), (busy, 3), (fresh, 1)):
            response = await api.post(
                f"{GUEST}/items/",
                json={"variant_id": variant, "quantity": quantity},
                headers={"X-Session-Id": session},
            )
            assert response.status_code == 201, response.text
    await _age(database_url, stale, changed=timedelta(minutes=121), created=timedelta(minutes=121))
    # Created long ago but filled a minute ago: kept (the reference keys on the cart row's age).
    await _age(database_url, busy, changed=timedelta(minutes=1), created=timedelta(days=3))

    result = run(tmp_path, *ABANDON, DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Abandoned 1 stale carts." == describe(1)
    assert {row[2]: row[3] for row in await carts(database_url)} == {
        stale: "abandoned",
        busy: "active",
        fresh: "active",
    }
    assert await stock_of(database_url, variant) == (10, 4)
    assert sorted(row[4] for row in await reservations(database_url)) == ["active", "active", "released"]
    await assert_ledger_consistent(database_url)

    again = run(tmp_path, *ABANDON, DATABASE_URL=database_url)
    assert again.stdout.strip() == "Abandoned 0 stale carts."

    # The time-to-live comes from CART_ABANDON_TTL_MINUTES.
    await _age(database_url, busy, changed=timedelta(minutes=30), created=timedelta(days=3))
    kept = run(tmp_path, *ABANDON, DATABASE_URL=database_url, CART_ABANDON_TTL_MINUTES="31")
    assert kept.stdout.strip() == "Abandoned 0 stale carts."
    shorter = run(tmp_path, *ABANDON, DATABASE_URL=database_url, CART_ABANDON_TTL_MINUTES="29")
    assert shorter.stdout.strip() == "Abandoned 1 stale carts."
    await assert_ledger_consistent(database_url)


def test_an_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        *ABANDON,
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert_one_line_error(result, 1, "The database is unavailable.")


def test_a_bad_ttl_names_the_variable(tmp_path: Path) -> None:
    result = run(tmp_path, *ABANDON, CART_ABANDON_TTL_MINUTES="soon")
    assert_one_line_error(result, 2, "CART_ABANDON_TTL_MINUTES: expected a whole number, got 'soon'")
