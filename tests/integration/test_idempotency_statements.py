"""The SQL idempotency store runs statements built once per dialect, on both engines: every path
(new claim, read of a live record, takeover, complete, release) executes the very statement objects
the previous request did, so a request pays only for running them (the style of the stock and cart
repositories)."""

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

from avthrift.adapters.sqlalchemy.engine import create_engine
from avthrift.adapters.sqlalchemy.repositories.idempotency import SqlAlchemyIdempotencyStore
from avthrift.domain.shared.idempotency import IdempotencyKey, PendingRecord, StoredResponse

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
LEASE = timedelta(seconds=60)
ANSWER = StoredResponse(status=201, body=b"{}", content_type="application/json")


class Executed:
    """The statement objects handed to the engine, in order."""

    def __init__(self) -> None:
        self.statements: list[Any] = []

    def __call__(self, _connection: Connection, statement: Any, *_: Any) -> None:
        self.statements.append(statement)


@dataclass
class Harness:
    store: SqlAlchemyIdempotencyStore
    session: AsyncSession
    executed: Executed


@pytest.fixture
async def harness(database_url: str) -> AsyncIterator[Harness]:
    engine = create_engine(database_url)
    executed = Executed()
    event.listen(engine.sync_engine, "before_execute", executed)
    try:
        async with AsyncSession(engine) as session:
            yield Harness(SqlAlchemyIdempotencyStore(engine, session), session, executed)
    finally:
        await engine.dispose()


async def one_request(harness: Harness) -> None:
    """A new claim that is released, then one that lapses, is taken over and completed, then read."""
    store = harness.store
    key = IdempotencyKey(caller="user:1", method="POST", route="/r", key=str(uuid.uuid4()))
    await store.claim(key, "a" * 64, now=NOW, lease_until=NOW + LEASE)
    await store.release(PendingRecord(key=key, fingerprint="a" * 64, lease_until=NOW + LEASE, expires_at=NOW))
    await store.claim(key, "a" * 64, now=NOW, lease_until=NOW + LEASE)
    later = NOW + 2 * LEASE
    await store.claim(key, "a" * 64, now=later, lease_until=later + LEASE)  # read, then take over
    record = PendingRecord(key=key, fingerprint="a" * 64, lease_until=later + LEASE, expires_at=later + LEASE)
    await store.complete(record, ANSWER)
    await harness.session.commit()  # `complete` joins the caller's transaction
    await store.claim(key, "a" * 64, now=later, lease_until=later + LEASE)  # read: a replay


async def test_every_request_runs_the_same_statement_objects(harness: Harness) -> None:
    executed = harness.executed
    await one_request(harness)
    first = list(executed.statements)
    executed.statements.clear()
    await one_request(harness)
    assert len(first) >= 8
    assert [id(statement) for statement in executed.statements] == [id(statement) for statement in first]
