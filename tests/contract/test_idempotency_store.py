"""One contract for `IdempotencyStore` (contract §8), run against the fake, SQL (both engines) and
Redis. On SQL `complete` and `cleanup` join the caller's unit of work, so the harness commits after
them, as the use cases do. `complete` and `release` are handed the claim as its owner holds it
(`pending`): key, fingerprint and the `lease_until` it was claimed with."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.redis.idempotency import RedisIdempotencyStore
from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.idempotency import SqlAlchemyIdempotencyStore
from avthrift.domain.shared.errors import ServiceUnavailableError
from avthrift.domain.shared.idempotency import (
    Claimed,
    IdempotencyKey,
    IdempotencyStore,
    InFlight,
    Mismatch,
    PendingRecord,
    Replay,
    StoredResponse,
    fingerprint,
)
from tests.conftest import migrated_database
from tests.fakes import FakeIdempotencyStore

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
LEASE = timedelta(seconds=60)
TTL = timedelta(hours=24)
FIRST = fingerprint(b'{"variant_id": 1, "quantity": 2}')
OTHER = fingerprint(b'{"variant_id": 1, "quantity": 3}')
# Bytes as they were sent, whatever they are: not even valid UTF-8.
ANSWER = StoredResponse(status=201, body=b'{"id":7,"price":"10.00"}\xff\x00', content_type="application/json")


def at(seconds: float = 0) -> datetime:
    return NOW + timedelta(seconds=seconds)


def new_key(
    caller: str = "user:1", method: str = "POST", route: str = "/api/v1/cart/items"
) -> IdempotencyKey:
    return IdempotencyKey(caller=caller, method=method, route=route, key=f"key-{uuid.uuid4()}")


def pending(
    key: IdempotencyKey, digest: str = FIRST, *, claimed_at: float = 0, expires_at: datetime = NOW + TTL
) -> PendingRecord:
    """The claim of `key` made `claimed_at` seconds after `NOW` (`Harness.claim`), as its owner holds it."""
    return PendingRecord(
        key=key, fingerprint=digest, lease_until=at(claimed_at) + LEASE, expires_at=expires_at
    )


@dataclass
class Harness:
    store: IdempotencyStore
    commit: Callable[[], Awaitable[None]]
    rollback: Callable[[], Awaitable[None]]
    deletes_expired: bool  # Redis expires records by itself: its `cleanup` deletes nothing
    joins_transaction: bool

    async def claim(self, key: IdempotencyKey, digest: str = FIRST, *, seconds: float = 0) -> object:
        return await self.store.claim(key, digest, now=at(seconds), lease_until=at(seconds) + LEASE)

    async def complete(
        self,
        key: IdempotencyKey,
        digest: str = FIRST,
        response: StoredResponse = ANSWER,
        *,
        expires_at: datetime,
        claimed_at: float = 0,
    ) -> None:
        record = pending(key, digest, claimed_at=claimed_at, expires_at=expires_at)
        await self.store.complete(record, response)
        await self.commit()

    async def release(self, key: IdempotencyKey, digest: str = FIRST, *, claimed_at: float = 0) -> None:
        await self.store.release(pending(key, digest, claimed_at=claimed_at))

    async def finished(self, key: IdempotencyKey, *, expires_at: datetime = NOW + TTL) -> None:
        assert isinstance(await self.claim(key), Claimed)
        await self.complete(key, expires_at=expires_at)

    async def cleanup(self, seconds: float, limit: int = 100) -> int:
        deleted = await self.store.cleanup(at(seconds), limit=limit)
        await self.commit()
        return deleted


async def _nothing() -> None:
    return None


@asynccontextmanager
async def open_harness(backend: str) -> AsyncIterator[Harness]:
    """The fake (`fake`), Redis (a `redis://` URL) or SQL (a database URL)."""
    if backend == "fake":
        yield Harness(
            FakeIdempotencyStore(), _nothing, _nothing, deletes_expired=True, joins_transaction=False
        )
        return
    if backend.startswith("redis://"):
        client = Redis.from_url(backend)
        try:
            yield Harness(
                RedisIdempotencyStore(client),
                _nothing,
                _nothing,
                deletes_expired=False,
                joins_transaction=False,
            )
        finally:
            await client.aclose()
        return
    engine = create_engine(backend)
    try:
        async with AsyncSession(engine) as session:
            yield Harness(
                SqlAlchemyIdempotencyStore(engine, session),
                session.commit,
                session.rollback,
                deletes_expired=True,
                joins_transaction=True,
            )
    finally:
        await engine.dispose()


@pytest.fixture(params=["fake", "sqlite", "postgres", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param in ("fake", "redis"):
        yield "fake" if request.param == "fake" else request.getfixturevalue("redis_url")
        return
    yield from migrated_database(request.param, request, tmp_path)


@pytest.fixture
async def harness(backend: str) -> AsyncIterator[Harness]:
    async with open_harness(backend) as opened:
        yield opened


# --- claims --------------------------------------------------------------------------------------------


async def test_a_new_key_is_claimed_until_its_lease_ends(harness: Harness) -> None:
    assert await harness.claim(new_key()) == Claimed(lease_until=NOW + LEASE)


async def test_a_repeat_while_the_first_runs_is_in_flight_until_the_lease_ends(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    assert await harness.claim(key, seconds=10) == InFlight(retry_after_seconds=50)
    assert await harness.claim(key, seconds=59.5) == InFlight(retry_after_seconds=1)


async def test_another_body_with_a_running_key_is_a_mismatch(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    assert await harness.claim(key, OTHER, seconds=1) == Mismatch()


async def test_a_finished_request_is_replayed_byte_for_byte(harness: Harness) -> None:
    key = new_key()
    await harness.finished(key)
    for seconds in (1, 3600):
        assert await harness.claim(key, seconds=seconds) == Replay(response=ANSWER)


async def test_stored_client_errors_and_empty_bodies_are_replayed_too(harness: Harness) -> None:
    refused = StoredResponse(
        status=400, body=b'{"code":"insufficient_stock"}', content_type="application/problem+json"
    )
    empty = StoredResponse(status=204, body=b"", content_type="")
    for response in (refused, empty):
        key = new_key()
        await harness.claim(key)
        await harness.complete(key, response=response, expires_at=NOW + TTL)
        assert await harness.claim(key, seconds=1) == Replay(response=response)


async def test_another_body_with_a_finished_key_is_a_mismatch(harness: Harness) -> None:
    key = new_key()
    await harness.finished(key)
    assert await harness.claim(key, OTHER, seconds=1) == Mismatch()


async def test_a_released_key_can_be_claimed_again(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    await harness.release(key)
    assert await harness.claim(key, OTHER, seconds=1) == Claimed(lease_until=at(1) + LEASE)


async def test_only_the_owner_of_a_claim_completes_or_releases_it(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    await harness.release(key, OTHER)
    await harness.complete(key, OTHER, expires_at=NOW + TTL)
    await harness.release(key, claimed_at=1)  # not the lease it was claimed with
    await harness.complete(key, expires_at=NOW + TTL, claimed_at=1)
    assert await harness.claim(key, seconds=1) == InFlight(retry_after_seconds=59)


async def test_a_finished_record_is_neither_completed_again_nor_released(harness: Harness) -> None:
    key = new_key()
    await harness.finished(key)
    later = StoredResponse(status=200, body=b"{}", content_type="application/json")
    await harness.complete(key, response=later, expires_at=NOW + TTL)
    await harness.release(key)
    assert await harness.claim(key, seconds=1) == Replay(response=ANSWER)


async def test_an_unknown_key_is_no_error(harness: Harness) -> None:
    key = new_key()
    await harness.complete(key, expires_at=NOW + TTL)
    await harness.release(key)
    assert await harness.claim(key) == Claimed(lease_until=NOW + LEASE)


# --- leases and expiry -----------------------------------------------------------------------------------


async def test_a_lapsed_claim_is_taken_over_by_exactly_one_of_many(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    results = await asyncio.gather(*(harness.claim(key, seconds=61) for _ in range(10)))
    assert results.count(Claimed(lease_until=at(61) + LEASE)) == 1
    assert all(isinstance(result, InFlight) for result in results if not isinstance(result, Claimed))


async def test_a_new_key_is_claimed_by_exactly_one_of_many(harness: Harness) -> None:
    key = new_key()
    results = await asyncio.gather(*(harness.claim(key) for _ in range(10)))
    assert sum(isinstance(result, Claimed) for result in results) == 1
    assert all(isinstance(result, Claimed | InFlight) for result in results)


async def test_a_lapsed_claim_is_taken_over_even_with_another_body(harness: Harness) -> None:
    key = new_key()
    await harness.claim(key)
    assert await harness.claim(key, OTHER, seconds=60) == Claimed(lease_until=at(60) + LEASE)
    await harness.complete(key, OTHER, expires_at=NOW + TTL, claimed_at=60)
    assert await harness.claim(key, OTHER, seconds=61) == Replay(response=ANSWER)


async def test_the_first_claimant_cannot_complete_a_key_taken_over_with_another_body(
    harness: Harness,
) -> None:
    key = new_key()
    await harness.claim(key)
    await harness.claim(key, OTHER, seconds=61)
    await harness.complete(key, FIRST, expires_at=NOW + TTL)
    assert await harness.claim(key, OTHER, seconds=62) == InFlight(retry_after_seconds=59)


async def test_the_first_claimant_cannot_complete_a_key_taken_over_with_the_same_body(
    harness: Harness,
) -> None:
    key = new_key()
    await harness.claim(key)
    assert await harness.claim(key, seconds=61) == Claimed(lease_until=at(61) + LEASE)
    await harness.complete(key, expires_at=NOW + TTL)  # the first request, answering late
    assert await harness.claim(key, seconds=62) == InFlight(retry_after_seconds=59)
    mine = StoredResponse(status=200, body=b'{"run":2}', content_type="application/json")
    await harness.complete(key, response=mine, expires_at=NOW + TTL, claimed_at=61)
    assert await harness.claim(key, seconds=63) == Replay(response=mine)


async def test_the_first_claimant_cannot_release_a_key_taken_over_with_the_same_body(
    harness: Harness,
) -> None:
    key = new_key()
    await harness.claim(key)
    await harness.claim(key, seconds=61)
    await harness.release(key)  # the first request, failing late: a third would now run alongside
    assert await harness.claim(key, seconds=62) == InFlight(retry_after_seconds=59)
    await harness.release(key, claimed_at=61)
    assert await harness.claim(key, seconds=63) == Claimed(lease_until=at(63) + LEASE)


async def test_an_expired_record_counts_as_absent(harness: Harness) -> None:
    key = new_key()
    await harness.finished(key, expires_at=at(3600))
    assert await harness.claim(key, seconds=3599) == Replay(response=ANSWER)
    assert await harness.claim(key, OTHER, seconds=3600) == Claimed(lease_until=at(3600) + LEASE)


async def test_cleanup_deletes_expired_records_and_lapsed_claims_only(harness: Harness) -> None:
    expired, live, lapsed, running = new_key(), new_key(), new_key(), new_key()
    await harness.finished(expired, expires_at=at(100))
    await harness.finished(live, expires_at=at(10_000))
    await harness.claim(lapsed, seconds=0)
    await harness.claim(running, seconds=150)

    deleted = await harness.cleanup(200)

    assert deleted == (2 if harness.deletes_expired else 0)
    assert await harness.claim(live, seconds=200) == Replay(response=ANSWER)
    assert await harness.claim(running, seconds=200) == InFlight(retry_after_seconds=10)
    assert isinstance(await harness.claim(expired, OTHER, seconds=200), Claimed)
    assert isinstance(await harness.claim(lapsed, OTHER, seconds=200), Claimed)
    assert await harness.cleanup(200) == 0


async def test_cleanup_deletes_at_most_its_limit_oldest_first(harness: Harness) -> None:
    if not harness.deletes_expired:
        pytest.skip("Redis expires records by itself")
    keys = [new_key() for _ in range(3)]
    for offset, key in enumerate(keys):
        await harness.finished(key, expires_at=at(100 + offset))
    assert await harness.cleanup(200, limit=2) == 2
    assert await harness.cleanup(200, limit=0) == 0
    assert await harness.cleanup(200, limit=2) == 1


async def test_complete_rolls_back_with_the_callers_transaction_only_when_the_store_joins_it(
    harness: Harness,
) -> None:
    assert harness.store.joins_transaction is harness.joins_transaction
    key = new_key()
    await harness.claim(key)
    await harness.store.complete(pending(key), ANSWER)
    await harness.rollback()
    expected = InFlight(retry_after_seconds=59) if harness.joins_transaction else Replay(response=ANSWER)
    assert await harness.claim(key, seconds=1) == expected


# --- scope -------------------------------------------------------------------------------------------------


async def test_callers_methods_and_routes_never_share_a_key(harness: Harness) -> None:
    mine = new_key(caller="user:1")
    await harness.finished(mine)
    others = [
        IdempotencyKey(caller="user:2", method=mine.method, route=mine.route, key=mine.key),
        IdempotencyKey(caller="guest:" + "a" * 32, method=mine.method, route=mine.route, key=mine.key),
        IdempotencyKey(caller=mine.caller, method="PATCH", route=mine.route, key=mine.key),
        IdempotencyKey(caller=mine.caller, method=mine.method, route="/api/v1/cart/clear", key=mine.key),
    ]
    for other in others:
        assert await harness.claim(other, seconds=1) == Claimed(lease_until=at(1) + LEASE), other
    assert await harness.claim(mine, seconds=2) == Replay(response=ANSWER)


async def test_keys_are_compared_exactly(harness: Harness) -> None:
    key = new_key()
    await harness.finished(key)
    for variant in (key.key.upper(), key.key + " ", "x" + key.key):
        other = IdempotencyKey(caller=key.caller, method=key.method, route=key.route, key=variant)
        assert isinstance(await harness.claim(other, seconds=1), Claimed)


# --- outages -----------------------------------------------------------------------------------------------


async def test_an_unreachable_store_is_service_unavailable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere", connect_timeout_seconds=1)
    client = Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.5)
    try:
        async with AsyncSession(engine) as session:
            for store in (SqlAlchemyIdempotencyStore(engine, session), RedisIdempotencyStore(client)):
                with pytest.raises(ServiceUnavailableError):
                    await store.claim(new_key(), FIRST, now=NOW, lease_until=NOW + LEASE)
                with pytest.raises(ServiceUnavailableError):
                    await store.release(pending(new_key()))
    finally:
        await client.aclose()
        await engine.dispose()
