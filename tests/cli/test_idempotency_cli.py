"""`avthrift idempotency cleanup`, run as a real process against each engine (contract §8, §10)."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from avthrift.adapters.sqlalchemy.rows.idempotency import IdempotencyRecordRow
from avthrift.entrypoints.cli.idempotency import describe
from tests.cart_data import execute, fetch
from tests.cli.test_cli import assert_one_line_error, run

CLEANUP = ("idempotency", "cleanup")


def _record(key: str, state: str, expires_in: timedelta) -> dict[str, object]:
    now = datetime.now(UTC)
    done = state == "done"
    return {
        "caller": "user:1",
        "method": "POST",
        "route": "/api/v1/cart/items",
        "key": key,
        "fingerprint": "0" * 64,
        "state": state,
        "lease_until": now + (timedelta(seconds=60) if not done else timedelta()),
        "response_status": 201 if done else None,
        "response_body": b"{}" if done else None,
        "content_type": "application/json" if done else None,
        "expires_at": now + expires_in,
    }


async def test_deletes_expired_records_and_lapsed_claims_only(tmp_path: Path, database_url: str) -> None:
    rows = [
        _record("expired", "done", -timedelta(hours=1)),
        _record("live", "done", timedelta(hours=23)),
        _record("lapsed", "in_flight", -timedelta(seconds=1)),
        _record("running", "in_flight", timedelta(seconds=59)),
    ]
    await execute(database_url, insert(IdempotencyRecordRow).values(rows))

    result = run(tmp_path, *CLEANUP, DATABASE_URL=database_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Deleted 2 expired idempotency records." == describe(2)
    kept = await fetch(database_url, "SELECT key FROM idempotency_records ORDER BY key")
    assert [row[0] for row in kept] == ["live", "running"]
    again = run(tmp_path, *CLEANUP, DATABASE_URL=database_url)
    assert again.stdout.strip() == "Deleted 0 expired idempotency records."


def test_with_the_redis_store_there_is_nothing_to_delete(tmp_path: Path, redis_url: str) -> None:
    database = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    result = run(tmp_path, *CLEANUP, DATABASE_URL=database, IDEMPOTENCY_STORE="redis", REDIS_URL=redis_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Deleted 0 expired idempotency records."


def test_an_unreachable_database_gives_one_line_and_exit_1(tmp_path: Path) -> None:
    result = run(
        tmp_path,
        *CLEANUP,
        DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere",
        DATABASE_CONNECT_TIMEOUT="2",
    )
    assert_one_line_error(result, 1, "The database is unavailable.")


def test_the_redis_store_without_redis_names_the_variable(tmp_path: Path) -> None:
    result = run(tmp_path, *CLEANUP, IDEMPOTENCY_STORE="redis")
    assert_one_line_error(result, 2, "IDEMPOTENCY_STORE: redis needs REDIS_URL to be set")
